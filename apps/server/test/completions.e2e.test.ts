import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { assertOpenAIShape } from '@gw/testkit';
import { startStack, type Stack } from './start-stack.js';

/** The legacy completions endpoint with the official openai SDK, against the fake DashScope. */
let stack: Stack;
let client: OpenAI;
beforeAll(async () => {
  stack = await startStack();
  client = new OpenAI({ apiKey: 'sk-legacy', baseURL: `${stack.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.fake.reset());

const sent = (index = 0) => stack.fake.requests[index]?.body as { input: { messages: unknown[] }; parameters: Record<string, unknown> };

describe('POST /v1/completions', () => {
  it('answers a prompt as a text_completion, the prompt sent as one user message', async () => {
    const completion = await client.completions.create({ model: 'qwen-plus', prompt: 'Say hi', max_tokens: 50, temperature: 0.2, seed: 7 });
    assertOpenAIShape('CreateCompletionResponse', completion);
    expect(completion.object).toBe('text_completion');
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.choices[0]?.text).toBe('您好！这是模拟的 DashScope 回答 😊 You said: Say hi');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect(sent().input.messages).toEqual([{ role: 'user', content: 'Say hi' }]);
    expect(sent().parameters).toMatchObject({ max_tokens: 50, temperature: 0.2, seed: 7, result_format: 'message' });
  });

  it('streams text_completion chunks with usage, then [DONE]', async () => {
    const stream = await client.completions.create({
      model: 'qwen-plus',
      prompt: ['写一首短诗'],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      assertOpenAIShape('CreateCompletionStreamChunk', chunk);
      text += chunk.choices[0]?.text ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('您好！这是模拟的 DashScope 回答 😊 You said: 写一首短诗');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('answers several prompts, one DashScope call each, numbered prompt by prompt', async () => {
    const completion = await client.completions.create({ model: 'qwen-turbo', prompt: ['one', 'two', 'three'], n: 2 });
    assertOpenAIShape('CreateCompletionResponse', completion);
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(completion.choices[4]?.text).toContain('You said: three');
    expect(stack.fake.requests).toHaveLength(3);
  });

  it.each([
    ['echo', { echo: true }],
    ['best_of', { best_of: 3 }],
    ['suffix', { suffix: 'end' }],
    ['logprobs', { logprobs: 2 }],
  ])('refuses %s with a 400 naming it', async (param, extra) => {
    const error = await client.completions.create({ model: 'qwen-plus', prompt: 'x', ...extra }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    expect(stack.fake.requests).toHaveLength(0);
  });

  it('accepts the no-op values of the refused fields', async () => {
    const completion = await client.completions.create({
      model: 'qwen-plus',
      prompt: 'x',
      echo: false,
      best_of: 1,
      suffix: '',
      logprobs: null,
    });
    expect(completion.choices).toHaveLength(1);
  });
});
