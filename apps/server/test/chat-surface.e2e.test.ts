import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';
import { chatBody, postChat, startStack, type Stack } from './start-stack.js';

/** Real DashScope bodies (packages/core/src/__fixtures__), replayed by the fake byte for byte. */
const recorded = (name: string) => readFileSync(new URL(`../../../packages/core/src/__fixtures__/${name}`, import.meta.url), 'utf8');
const sseHeaders = { 'content-type': 'text/event-stream;charset=UTF-8' };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.fake.reset());

const lastUpstream = () => {
  const request = stack.fake.requests.at(-1);
  if (request === undefined) throw new Error('DashScope received no request');
  return request as { headers: Record<string, string | undefined>; body: { parameters: Record<string, unknown> } };
};

describe('a non-stream call DashScope can only answer as a stream', () => {
  it('is streamed upstream and collected into one chat.completion with the reasoning', async () => {
    stack.fake.enqueue({ type: 'raw', status: 200, headers: sseHeaders, body: recorded('single-generation-message-reasoning-sse.sse') });
    const response = await postChat(stack.url, chatBody({ model: 'qwen-plus', enable_thinking: true, thinking_budget: 10 }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const completion = (await response.json()) as {
      id: string;
      choices: Array<{ message: { content: string; reasoning_content?: string }; finish_reason: string }>;
      usage: { completion_tokens_details?: { reasoning_tokens: number } };
    };
    assertOpenAIShape('CreateChatCompletionResponse', completion);
    expect(completion.id).toBe('chatcmpl-ab9f3446-9bbf-963e-9754-2d6543343d7e');
    expect(completion.choices[0]?.message.reasoning_content).toMatch(/^嗯，用户/);
    expect(completion.choices[0]?.message.content.length).toBeGreaterThan(0);
    expect(completion.usage.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
    const upstream = lastUpstream();
    expect(upstream.headers.accept).toBe('text/event-stream');
    expect(upstream.headers['x-dashscope-sse']).toBe('enable');
    expect(upstream.body.parameters).toMatchObject({ enable_thinking: true, thinking_budget: 10, incremental_output: true });
  });

  it('answers a DashScope error event with its real status as JSON', async () => {
    stack.fake.enqueue({
      type: 'error',
      status: 400,
      code: 'InvalidParameter',
      message: 'Range of thinking_budget is wrong',
      as: 'sse-event',
    });
    const response = await postChat(stack.url, chatBody({ model: 'qwen-plus', enable_thinking: true }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { message: 'Range of thinking_budget is wrong', type: 'invalid_request_error' } });
  });

  it('answers a stream cut short with a JSON error, not half an answer', async () => {
    stack.fake.enqueue({ type: 'fail-after', events: 3, status: 500, code: 'InternalError', message: 'Internal server error!' });
    const response = await postChat(stack.url, chatBody({ model: 'qwq-plus' }));
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ error: { message: 'Internal server error!', type: 'server_error' } });
  });

  it('tells a model that thinks by default not to think, instead of streaming, when the client did not ask', async () => {
    const response = await postChat(stack.url, chatBody({ model: 'qwen3.6-plus' }));
    expect(response.status).toBe(200);
    expect(lastUpstream().body.parameters).toEqual({ enable_thinking: false });
    expect(lastUpstream().headers.accept).toBe('application/json');
  });
});

describe('tool calls', () => {
  it('streams the recorded parallel tool calls as OpenAI deltas', async () => {
    stack.fake.enqueue({
      type: 'raw',
      status: 200,
      headers: sseHeaders,
      body: recorded('single-generation-message-with-parallel-tools-sse.sse'),
    });
    const response = await postChat(stack.url, chatBody({ model: 'qwen-max', stream: true }));
    const { events, done } = parseOpenAISse(await response.text());
    expect(done).toBe(true);
    const toolDeltas = events.flatMap((event) => {
      assertOpenAIShape('CreateChatCompletionStreamResponse', event);
      const chunk = event as { choices: Array<{ delta: { tool_calls?: Array<Record<string, unknown>> } }> };
      return chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []);
    });
    expect(toolDeltas).toEqual([
      {
        index: 0,
        id: 'call_29a870e7106f45deb8add3',
        type: 'function',
        function: { name: 'get_current_weather', arguments: '{"location": "' },
      },
      { index: 0, function: { arguments: '浙江省杭州市"}' } },
      {
        index: 1,
        id: 'call_026e44bb31a74266949a20',
        type: 'function',
        function: { name: 'get_current_weather', arguments: '{"location":' },
      },
      { index: 1, function: { arguments: ' "上海市"}' } },
    ]);
    const finish = events.map((event) => (event as { choices: Array<{ finish_reason: string | null }> }).choices[0]?.finish_reason);
    expect(finish.filter((reason) => reason != null)).toEqual(['tool_calls']);
  });
});

describe('x-gateway-warnings', () => {
  it('says what was dropped, on success and on errors alike', async () => {
    const response = await postChat(stack.url, chatBody({ frequency_penalty: 0.5, user: 'u-1' }));
    expect(response.status).toBe(200);
    const warnings = response.headers.get('x-gateway-warnings') ?? '';
    expect(warnings).toContain("'frequency_penalty' was dropped");
    expect(warnings).toContain("'user' was dropped");
    expect(lastUpstream().body.parameters).not.toHaveProperty('frequency_penalty');
    expect(lastUpstream().body.parameters).not.toHaveProperty('repetition_penalty');

    stack.fake.enqueue({ type: 'error', status: 429, code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded' });
    const failed = await postChat(stack.url, chatBody({ frequency_penalty: 0.5 }));
    expect(failed.status).toBe(429);
    expect(failed.headers.get('x-gateway-warnings')).toContain('frequency_penalty');
  });

  it('is absent when nothing was changed, and readable from a browser', async () => {
    const response = await postChat(stack.url, chatBody({ frequency_penalty: 0 }), { headers: { origin: 'https://app.example' } });
    expect(response.headers.get('x-gateway-warnings')).toBeNull();
    expect(response.headers.get('access-control-expose-headers')).toContain('x-gateway-warnings');
  });
});
