import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { listModels } from '@gw/core';
import OpenAI from 'openai';
import { assertOpenAIShape } from '@gw/testkit';
import { startStack, type Stack } from './start-stack.js';

/** The official openai npm SDK as the client, pointed at the gateway like any user would. */
let stack: Stack;
let client: OpenAI;
beforeAll(async () => {
  stack = await startStack();
  client = new OpenAI({ apiKey: 'sk-sdk-user', baseURL: `${stack.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.fake.reset());

describe('the openai SDK against the gateway', () => {
  it('creates a non-stream chat completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'farui-plus',
      messages: [
        { role: 'system', content: '你是一个有用的AI助手。' },
        { role: 'user', content: '你好！' },
      ],
      temperature: 0.7,
      max_tokens: 100,
    });
    assertOpenAIShape('CreateChatCompletionResponse', completion);
    expect(completion.choices[0]?.message.content).toBe('您好！这是模拟的 DashScope 回答 😊 You said: 你好！');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect(stack.fake.requests.at(-1)?.headers.authorization).toBe('Bearer sk-sdk-user');
  });

  it('streams with for await, usage included', async () => {
    const stream = await client.chat.completions.create({
      model: 'farui-plus',
      messages: [{ role: 'user', content: '写一首短诗' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finishReason: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('您好！这是模拟的 DashScope 回答 😊 You said: 写一首短诗');
    expect(finishReason).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('collects a stream with the SDK helper', async () => {
    const runner = client.chat.completions.stream({ model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }] });
    const completion = await runner.finalChatCompletion();
    expect(completion.choices[0]?.message.content).toBe('您好！这是模拟的 DashScope 回答 😊 You said: hi');
  });

  it('raises AuthenticationError for a key DashScope rejects', async () => {
    const rejected = new OpenAI({ apiKey: 'sk-invalid', baseURL: `${stack.url}/v1`, maxRetries: 0 });
    const error = await rejected.chat.completions
      .create({ model: 'farui-plus', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
  });

  it('raises NotFoundError for an unknown model, streaming or not', async () => {
    for (const stream of [false, true]) {
      const error = await client.chat.completions
        .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }], stream })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect((error as InstanceType<typeof OpenAI.NotFoundError>).message).toContain('Model not exist.');
    }
  });

  it('raises RateLimitError on throttling, streaming or not', async () => {
    stack.fake.enqueue(
      { type: 'error', status: 429, code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.' },
      {
        type: 'error',
        status: 429,
        code: 'Throttling.RateQuota',
        message: 'Requests rate limit exceeded, please try again later.',
        as: 'sse-event',
      },
    );
    for (const stream of [false, true]) {
      const error = await client.chat.completions
        .create({ model: 'farui-plus', messages: [{ role: 'user', content: 'x' }], stream })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    }
  });

  it('raises BadRequestError naming the param for invalid input', async () => {
    const error = await client.chat.completions
      .create({ model: 'farui-plus', messages: [{ role: 'user', content: 'x' }], temperature: 5 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');
    expect(stack.fake.requests).toHaveLength(0);
  });

  it('surfaces an error event after the stream started as an APIError while iterating', async () => {
    stack.fake.enqueue({ type: 'fail-after', events: 2, status: 500, code: 'InternalError', message: 'Internal server error!' });
    const stream = await client.chat.completions.create({ model: 'farui-plus', messages: [{ role: 'user', content: 'x' }], stream: true });
    let received = '';
    const error = await (async () => {
      for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('Internal server error!');
    expect(received.length).toBeGreaterThan(0);
  });

  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(listModels().data.map((model) => model.id));
    expect((await client.models.retrieve('qwen-max')).owned_by).toBe('alibaba-cloud');
    await expect(client.models.retrieve('gpt-4o')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
