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

describe('every feature answers in OpenAI’s shape (against the fake DashScope)', () => {
  const weather = {
    type: 'function',
    function: {
      name: 'get_current_weather',
      description: 'The weather now',
      parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
    },
  };
  const lookup = { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } };
  const image = (url: string, detail?: string) => ({ type: 'image_url', image_url: { url, ...(detail === undefined ? {} : { detail }) } });
  const cases: Array<[string, Record<string, unknown>]> = [
    [
      'a forced tool call',
      { model: 'qwen-max', tools: [weather], tool_choice: { type: 'function', function: { name: 'get_current_weather' } } },
    ],
    ['parallel tool calls', { model: 'qwen-plus', tools: [weather, lookup], parallel_tool_calls: true }],
    [
      'a tool round',
      {
        model: 'qwen-plus',
        tools: [weather],
        messages: [
          { role: 'user', content: '杭州天气？' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_current_weather', arguments: '{"location": "杭州"}' } }],
          },
          { role: 'tool', content: '晴，23°C', tool_call_id: 'call_1' },
        ],
      },
    ],
    ['n: 3', { model: 'qwen-plus', n: 3 }],
    ['logprobs', { model: 'qwen-max', logprobs: true, top_logprobs: 2 }],
    [
      'json_object',
      { model: 'qwen-plus', messages: [{ role: 'user', content: 'Answer in JSON' }], response_format: { type: 'json_object' } },
    ],
    [
      'json_schema',
      {
        model: 'qwen-plus',
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'integer' } } } },
        },
      },
    ],
    ['thinking', { model: 'qwen-plus', enable_thinking: true, thinking_budget: 20 }],
    [
      'a stream-only model',
      { model: 'qvq-max', messages: [{ role: 'user', content: [image('https://example.com/a.png'), { type: 'text', text: '?' }] }] },
    ],
    [
      'vision with both URL kinds',
      {
        model: 'qwen3-vl-plus',
        messages: [
          {
            role: 'user',
            content: [image('https://example.com/a.png', 'high'), image('data:image/png;base64,iVBORw0KGgo='), { type: 'text', text: '?' }],
          },
        ],
      },
    ],
    [
      'audio',
      {
        model: 'qwen3-omni-flash',
        messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }] }],
      },
    ],
  ];

  it.each(cases)('%s, non-stream', async (_name, extra) => {
    const response = await postChat(stack.url, chatBody(extra));
    const body = (await response.json()) as { choices: unknown[] };
    expect(response.status).toBe(200);
    assertOpenAIShape('CreateChatCompletionResponse', body);
    expect(body.choices.length).toBe(typeof extra.n === 'number' ? extra.n : 1);
  });

  it.each(cases)('%s, stream', async (_name, extra) => {
    const response = await postChat(stack.url, chatBody({ ...extra, stream: true, stream_options: { include_usage: true } }));
    expect(response.status).toBe(200);
    const { events, done } = parseOpenAISse(await response.text());
    expect(done).toBe(true);
    for (const event of events) assertOpenAIShape('CreateChatCompletionStreamResponse', event);
    const finished = events.flatMap((event) =>
      (event as { choices: Array<{ index: number; finish_reason: string | null }> }).choices.filter(
        (choice) => choice.finish_reason !== null,
      ),
    );
    expect(finished.map((choice) => choice.index).sort()).toEqual(
      Array.from({ length: typeof extra.n === 'number' ? extra.n : 1 }, (_, i) => i),
    );
  });
});
