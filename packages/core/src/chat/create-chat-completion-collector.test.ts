import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { GatewayError } from '../errors/gateway-error.js';
import type { ChatCompletion } from '../openai/chat-response-types.js';
import { createStreamTranslator, type StreamTranslator } from '../stream/create-stream-translator.js';
import type { StreamPart } from '../stream/stream-part.js';
import { createChatCompletionCollector } from './create-chat-completion-collector.js';

/** A DashScope stream folded into one `chat.completion`, for non-stream calls the gateway streams upstream. */

const CREATED = 1_700_000_000;
const MODEL = 'qwen3.6-plus';

type CompletionPart = StreamPart<ChatCompletion>;

function collector(choiceCount = 1, ids: string[] = ['gen-1', 'gen-2', 'gen-3']): StreamTranslator<ChatCompletion> {
  const queue = [...ids];
  return createStreamTranslator({
    mapper: createChatCompletionCollector({ model: MODEL, created: CREATED, generateId: () => queue.shift() ?? 'exhausted', choiceCount }),
  });
}

function collect(chunks: ReadonlyArray<Uint8Array | string>, choiceCount = 1): CompletionPart[] {
  const translator = collector(choiceCount);
  const parts: CompletionPart[] = [];
  for (const chunk of chunks) parts.push(...translator.push(chunk));
  parts.push(...translator.end());
  return parts;
}

/** The one completion of a successful stream: exactly one data part, then done. */
function completionOf(parts: readonly CompletionPart[]): ChatCompletion {
  expect(parts.map((part) => part.type)).toEqual(['data', 'done']);
  const data = parts[0]?.type === 'data' ? parts[0].data : undefined;
  assertOpenAIShape('CreateChatCompletionResponse', data);
  return data as ChatCompletion;
}

function errorOf(parts: readonly CompletionPart[]): GatewayError {
  expect(parts.map((part) => part.type)).toEqual(['error']);
  const error = parts[0]?.type === 'error' ? parts[0].error : undefined;
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

const readFixture = (name: string) => new Uint8Array(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url)));

interface RawPayload {
  output?: {
    text?: string;
    choices?: Array<{
      message?: {
        content?: string | Array<{ text?: string }>;
        reasoning_content?: string;
        tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }>;
      };
    }>;
  };
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number };
  request_id?: string;
}

/** What DashScope said, read straight from a capture (LF line ends, one `data:` line per event). */
function readCapture(bytes: Uint8Array) {
  const payloads = new TextDecoder()
    .decode(bytes)
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice('data:'.length)) as RawPayload);
  let content = '';
  let reasoning = '';
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  for (const payload of payloads) {
    const message = payload.output?.choices?.[0]?.message;
    const raw = message?.content ?? payload.output?.text ?? '';
    content += typeof raw === 'string' ? raw : raw.map((item) => item.text ?? '').join('');
    reasoning += message?.reasoning_content ?? '';
    for (const call of message?.tool_calls ?? []) {
      const entry = calls.get(call.index ?? 0) ?? { id: '', name: '', arguments: '' };
      if (entry.id === '' && call.id) entry.id = call.id;
      entry.name += call.function?.name ?? '';
      entry.arguments += call.function?.arguments ?? '';
      calls.set(call.index ?? 0, entry);
    }
  }
  const usage = payloads.at(-1)?.usage ?? {};
  return {
    requestId: payloads.at(-1)?.request_id,
    content,
    reasoning,
    toolCalls: [...calls.values()],
    promptTokens: usage.input_tokens,
    completionTokens: usage.output_tokens,
  };
}

function resultEvent(payload: unknown): string {
  return `event:result\n:HTTP_STATUS/200\ndata:${JSON.stringify(payload)}\n\n`;
}

const choiceEvent = (
  index: number,
  message: Record<string, unknown>,
  finishReason = 'null',
  usage = { input_tokens: 4, output_tokens: 2 },
) =>
  resultEvent({
    output: { choices: [{ index, message: { role: 'assistant', ...message }, finish_reason: finishReason }] },
    usage,
    request_id: 'req-1',
  });

describe('createChatCompletionCollector on the recorded streams', () => {
  it.each([
    'single-generation-message-sse.sse',
    'single-generation-text-sse.sse',
    'single-generation-message-search-sse.sse',
    'single-generation-message-with-tools-sse.sse',
    'single-generation-message-reasoning-sse.sse',
    'multimodal-generation-vl-sse.sse',
    'multimodal-generation-message-with-tools-sse.sse',
    'single-generation-message-with-parallel-tools-sse.sse',
    'multimodal-generation-message-with-parallel-function-call-sse.sse',
  ])('%s → one chat.completion', (name) => {
    const bytes = readFixture(name);
    const capture = readCapture(bytes);
    const completion = completionOf(collect([bytes]));
    expect(completion).toMatchObject({ id: `chatcmpl-${capture.requestId}`, object: 'chat.completion', created: CREATED, model: MODEL });
    expect(completion.choices).toHaveLength(1);
    const [choice] = completion.choices;
    expect(choice?.index).toBe(0);
    expect(choice?.logprobs).toBeNull();
    const message = choice?.message;
    if (capture.toolCalls.length > 0) {
      expect(message?.content).toBeNull();
      expect(message?.tool_calls).toEqual(
        capture.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
      );
      expect(choice?.finish_reason).toBe('tool_calls');
    } else {
      expect(message?.content).toBe(capture.content);
      expect(message).not.toHaveProperty('tool_calls');
      expect(choice?.finish_reason).toBe('stop');
    }
    if (capture.reasoning === '') expect(message).not.toHaveProperty('reasoning_content');
    else expect(message?.reasoning_content).toBe(capture.reasoning);
    expect(completion.usage.prompt_tokens).toBe(capture.promptTokens);
    expect(completion.usage.completion_tokens).toBe(capture.completionTokens);
    expect(completion.usage.total_tokens).toBe((capture.promptTokens ?? 0) + (capture.completionTokens ?? 0));
  });

  it('collects reasoning, then the two parallel calls, of the qwen3.6 capture', () => {
    const completion = completionOf(collect([readFixture('multimodal-generation-message-with-parallel-function-call-sse.sse')]));
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        reasoning_content:
          '用户现在需要先获取杭州和上海现在的天气，才能基于天气编故事。所以第一步要调用get_current_weather工具，分别获取杭州和上海的天气。先处理杭州的，参数location设为“浙江省杭州市”。',
        tool_calls: [
          {
            id: 'call_aa99ad078f294a3d81da41d7',
            type: 'function',
            function: { name: 'get_current_weather', arguments: '{"location": "浙江省杭州市"}' },
          },
          {
            id: 'call_aa8b6311567847e197e6ca7f',
            type: 'function',
            function: { name: 'get_current_weather', arguments: '{"location": "上海市"}' },
          },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 2807,
      completion_tokens: 103,
      total_tokens: 2910,
      completion_tokens_details: { reasoning_tokens: 38 },
    });
  });

  it('gives the same completion with 1-byte pushes and split at every boundary of the parallel-tools capture', () => {
    const bytes = readFixture('single-generation-message-with-parallel-tools-sse.sse');
    const whole = JSON.stringify(collect([bytes]));
    expect(JSON.stringify(collect(Array.from({ length: bytes.length }, (_, index) => bytes.subarray(index, index + 1))))).toBe(whole);
    for (let boundary = 1; boundary < bytes.length; boundary++) {
      const split = JSON.stringify(collect([bytes.subarray(0, boundary), bytes.subarray(boundary)]));
      if (split !== whole) expect({ boundary, split }).toEqual({ boundary, split: whole });
    }
  });

  it('reports the summary and finished() as the chunk mapper does', () => {
    const translator = collector();
    const text = new TextDecoder().decode(readFixture('single-generation-message-with-parallel-tools-sse.sse'));
    const lastEvent = text.lastIndexOf('id:');
    expect(translator.push(text.slice(0, lastEvent))).toEqual([]);
    expect(translator.finished()).toBe(false);
    expect(translator.push(text.slice(lastEvent))).toEqual([]);
    expect(translator.finished()).toBe(true);
    expect(translator.summary()).toEqual({
      usage: { prompt_tokens: 250, completion_tokens: 37, total_tokens: 287, prompt_tokens_details: { cached_tokens: 0 } },
      finishReason: 'tool_calls',
      requestId: '98b76af4-4c9f-9397-af42-500425556f95',
    });
    completionOf(translator.end());
  });
});

describe('createChatCompletionCollector errors', () => {
  it('passes the recorded event:error through as the only part', () => {
    expect(errorOf(collect([readFixture('parameter-error-sse.sse')]))).toMatchObject({ status: 400, code: 'invalid_parameter' });
  });

  it('turns an error event mid-stream into the error part, with no data part before or after', () => {
    const body = [
      choiceEvent(0, { content: '你' }),
      choiceEvent(0, { content: '好' }),
      'event:error\n:HTTP_STATUS/429\ndata:{"code":"Throttling.RateQuota","message":"Requests rate limit exceeded, please try again later.","request_id":"req-1"}\n\n',
      choiceEvent(0, { content: '!' }, 'stop'),
    ].join('');
    const translator = collector();
    const pushed = translator.push(body);
    expect(errorOf(pushed)).toMatchObject({ status: 429, type: 'rate_limit_error', upstreamRequestId: 'req-1' });
    expect(translator.end()).toEqual([]);
  });

  it('answers a stream cut before its finish event with one 502 error, and no data', () => {
    const bytes = readFixture('single-generation-message-with-parallel-tools-sse.sse');
    const text = new TextDecoder().decode(bytes);
    expect(errorOf(collect([text.slice(0, text.indexOf('id:4\n'))]))).toMatchObject({
      status: 502,
      type: 'server_error',
      code: 'upstream_stream_truncated',
    });
    // Cut inside the last data line.
    expect(errorOf(collect([bytes.subarray(0, bytes.length - 40)]))).toMatchObject({ status: 502, type: 'server_error' });
  });

  it('answers an empty body with one 502 error', () => {
    expect(errorOf(collect([]))).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});

describe('createChatCompletionCollector bufferedLength', () => {
  it('grows with the collected text, event by event', () => {
    const bytes = readFixture('multimodal-generation-message-with-parallel-function-call-sse.sse');
    const text = new TextDecoder().decode(bytes);
    const events = text.split(/(?=id:\d+\n)/);
    expect(events).toHaveLength(11);
    const translator = collector();
    let collectedText = 0;
    let previous = translator.bufferedLength();
    expect(previous).toBe(0);
    for (const event of events) {
      translator.push(event);
      const payload = JSON.parse(event.slice(event.indexOf('data:') + 5).trim()) as RawPayload;
      const message = payload.output?.choices?.[0]?.message;
      collectedText += (message?.reasoning_content ?? '').length;
      for (const call of message?.tool_calls ?? [])
        collectedText += (call.function?.name ?? '').length + (call.function?.arguments ?? '').length;
      const length = translator.bufferedLength();
      expect(length).toBeGreaterThanOrEqual(previous);
      // The decoder holds nothing between whole events: what is held is the answer itself, plus a fixed
      // cost and the id of each tool call (counted in the collector and in the call tracker).
      expect(length).toBeGreaterThanOrEqual(collectedText);
      expect(length).toBeLessThanOrEqual(collectedText + 2 * (64 + 96 + 2 * 40));
      previous = length;
    }
    expect(previous).toBeGreaterThan(100);
  });

  it('counts the upstream text of an incomplete event as well', () => {
    const translator = collector();
    translator.push(choiceEvent(0, { content: 'abc' }));
    expect(translator.bufferedLength()).toBe(3);
    translator.push('event:result\ndata:{"output":');
    expect(translator.bufferedLength()).toBeGreaterThan(3);
  });
});

describe('createChatCompletionCollector with n = 2', () => {
  it('builds two choices sorted by index from a stream whose events each carry one choice', () => {
    const body = [
      choiceEvent(1, { content: 'B1' }),
      choiceEvent(0, { reasoning_content: 'think' }),
      choiceEvent(0, { content: 'A1' }),
      choiceEvent(1, { content: 'B2' }, 'length'),
      choiceEvent(0, { content: 'A2' }, 'stop', { input_tokens: 4, output_tokens: 9 }),
    ];
    const translator = collector(2);
    const parts: CompletionPart[] = [];
    for (const event of body) {
      parts.push(...translator.push(event));
      if (event !== body.at(-1)) expect(translator.finished()).toBe(false);
    }
    expect(translator.finished()).toBe(true);
    parts.push(...translator.end());
    const completion = completionOf(parts);
    expect(completion).toEqual({
      id: 'chatcmpl-req-1',
      object: 'chat.completion',
      created: CREATED,
      model: MODEL,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'A1A2', refusal: null, reasoning_content: 'think' },
          logprobs: null,
          finish_reason: 'stop',
        },
        { index: 1, message: { role: 'assistant', content: 'B1B2', refusal: null }, logprobs: null, finish_reason: 'length' },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 9, total_tokens: 13 },
    });
  });

  it('collects tool calls and logprobs per choice', () => {
    const logprob = (token: string) => ({ content: [{ token, logprob: -0.25, bytes: [token.charCodeAt(0)], top_logprobs: [] }] });
    const event = (index: number, message: Record<string, unknown>, finishReason: string, logprobs?: unknown) =>
      resultEvent({
        output: {
          choices: [
            { index, message: { role: 'assistant', ...message }, finish_reason: finishReason, ...(logprobs !== undefined && { logprobs }) },
          ],
        },
        usage: { input_tokens: 3, output_tokens: 5, total_tokens: 8 },
        request_id: 'req-2',
      });
    const parts = collect(
      [
        event(0, { content: 'a' }, 'null', logprob('a')),
        event(
          1,
          { content: '', tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: { name: 'f', arguments: '{' } }] },
          'null',
        ),
        event(0, { content: 'b' }, 'stop', logprob('b')),
        event(1, { content: '', tool_calls: [{ index: 0, id: '', type: 'function', function: { arguments: '}' } }] }, 'stop'),
      ],
      2,
    );
    const completion = completionOf(parts);
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: 'ab', refusal: null },
        logprobs: {
          content: [
            { token: 'a', logprob: -0.25, bytes: [97], top_logprobs: [] },
            { token: 'b', logprob: -0.25, bytes: [98], top_logprobs: [] },
          ],
          refusal: null,
        },
        finish_reason: 'stop',
      },
      {
        index: 1,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('answers a truncation error when only one of the two choices finished', () => {
    const parts = collect([choiceEvent(0, { content: 'A' }, 'stop'), choiceEvent(1, { content: 'B' })], 2);
    expect(errorOf(parts)).toMatchObject({ status: 502, code: 'upstream_stream_truncated' });
  });
});

describe('createChatCompletionCollector against hostile streams', () => {
  const event = (choice: Record<string, unknown>, finish = 'null') =>
    `id:1\nevent:result\n:HTTP_STATUS/200\ndata:${JSON.stringify({ output: { choices: [{ index: 0, finish_reason: finish, ...choice }] }, request_id: 'r' })}\n\n`;

  it('collects logprobs of any length without overflowing the call stack', () => {
    // Caps raised so one event can carry them all (a stream may also spread them over data: lines).
    const translator = createStreamTranslator({
      mapper: createChatCompletionCollector({ model: MODEL, created: CREATED, generateId: () => 'gen', choiceCount: 1 }),
      limits: { maxLineLength: 64 * 1024 * 1024, maxEventLength: 64 * 1024 * 1024 },
    });
    const content = Array.from({ length: 200_000 }, () => ({ token: '', logprob: 0 }));
    translator.push(event({ message: { content: 'x' }, logprobs: { content } }));
    const parts = [...translator.push(event({ message: { content: '' } }, 'stop')), ...translator.end()];
    const completion = parts.find((part) => part.type === 'data');
    expect(parts.map((part) => part.type)).toEqual(['data', 'done']);
    expect(completion?.type === 'data' && completion.data.choices[0]?.logprobs?.content?.length).toBe(200_000);
    expect(translator.bufferedLength()).toBeGreaterThan(200_000 * 40);
  });

  it('counts calls that never get a name, and fails the answer when their choice finishes', () => {
    const translator = collector();
    const nameless = { message: { content: '', tool_calls: [{ index: 0, id: '', function: { arguments: 'z'.repeat(10_000) } }] } };
    translator.push(event(nameless));
    expect(translator.bufferedLength()).toBeGreaterThan(10_000);
    const parts = [...translator.push(event({ message: { content: '' } }, 'tool_calls')), ...translator.end()];
    expect(parts).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'bad_upstream_response' }) }]);
  });
});
