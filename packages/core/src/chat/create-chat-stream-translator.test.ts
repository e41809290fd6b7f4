import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';
import { GatewayError } from '../errors/gateway-error.js';
import type { ChatCompletionChunk } from '../openai/chat-response-types.js';
import type { StreamPart } from '../stream/stream-part.js';
import type { ChatChunkMapperOptions } from './chat-chunk-mapper.js';
import { createChatStreamTranslator } from './create-chat-stream-translator.js';
import { createSseParser, type SseEvent } from '../stream/sse-decoder.js';
import { encodeStreamPart } from '../stream/sse-encoder.js';

const CREATED = 1_700_000_000;
const GENERATED_ID = 'generated-id';

function translatorOptions(includeUsage: boolean): ChatChunkMapperOptions {
  return { model: 'qwen-max', includeUsage, created: CREATED, generateId: () => GENERATED_ID };
}

type ChatStreamPart = StreamPart<ChatCompletionChunk>;

/** Runs the real translator over the chunks, as the gateway feeds it, and collects every part it yields. */
async function translate(chunks: ReadonlyArray<Uint8Array | string>, includeUsage = true): Promise<ChatStreamPart[]> {
  const translator = createChatStreamTranslator(translatorOptions(includeUsage));
  return [...chunks.flatMap((chunk) => translator.push(chunk)), ...translator.end()];
}

const encodeAll = (parts: readonly ChatStreamPart[]) => parts.map(encodeStreamPart).join('');

function splitAt(bytes: Uint8Array, ...boundaries: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const boundary of [...boundaries, bytes.length]) {
    pieces.push(bytes.slice(start, boundary));
    start = boundary;
  }
  return pieces;
}

const readFixture = (name: string) => new Uint8Array(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url)));
const utf8 = new TextEncoder();

interface DashScopePayload {
  output?: {
    text?: string;
    choices?: Array<{ message?: { content?: string | Array<{ text?: string }>; reasoning_content?: string } }>;
  };
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    total_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number };
    output_tokens_details?: { reasoning_tokens?: number };
  };
  request_id?: string;
}

/**
 * What DashScope said, read straight from the capture without the code under test (the captures use
 * LF line ends and one `data:` line per event).
 */
function readCapture(bytes: Uint8Array) {
  const payloads = new TextDecoder()
    .decode(bytes)
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice('data:'.length)) as DashScopePayload);
  const contentOf = (payload: DashScopePayload) => {
    const content = payload.output?.choices?.[0]?.message?.content ?? payload.output?.text ?? '';
    return typeof content === 'string' ? content : content.map((item) => item.text ?? '').join('');
  };
  const last = payloads.at(-1);
  const usage = last?.usage ?? {};
  const promptTokens = usage.input_tokens ?? 0;
  const completionTokens = usage.output_tokens ?? 0;
  return {
    requestId: last?.request_id,
    content: payloads.map(contentOf).join(''),
    reasoning: payloads.map((payload) => payload.output?.choices?.[0]?.message?.reasoning_content ?? '').join(''),
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: usage.total_tokens ?? promptTokens + completionTokens,
      ...(usage.prompt_tokens_details?.cached_tokens !== undefined && {
        prompt_tokens_details: { cached_tokens: usage.prompt_tokens_details.cached_tokens },
      }),
      ...(usage.output_tokens_details?.reasoning_tokens !== undefined && {
        completion_tokens_details: { reasoning_tokens: usage.output_tokens_details.reasoning_tokens },
      }),
    },
  };
}

const successFixtures = [
  'single-generation-message-sse.sse',
  'single-generation-text-sse.sse',
  'single-generation-message-reasoning-sse.sse',
  'single-generation-message-search-sse.sse',
  'single-generation-message-with-tools-sse.sse',
  'multimodal-generation-vl-sse.sse',
] as const;
const allFixtures = [...successFixtures, 'parameter-error-sse.sse'] as const;

/** One whole-body translation per fixture and usage setting, shared by the tests below. */
const wholeOutputs = new Map<string, Promise<string>>();
function wholeOutput(name: string, includeUsage: boolean): Promise<string> {
  const key = `${name}:${includeUsage}`;
  let output = wholeOutputs.get(key);
  if (output === undefined) {
    output = translate([readFixture(name)], includeUsage).then(encodeAll);
    wholeOutputs.set(key, output);
  }
  return output;
}

describe.each([true, false])('createChatStreamTranslator on every recorded success stream (includeUsage: %s)', (includeUsage) => {
  it.each(successFixtures)('%s', async (name) => {
    const bytes = readFixture(name);
    const capture = readCapture(bytes);
    const parts = await translate([bytes], includeUsage);
    const output = encodeAll(parts);
    expect(output).toMatchSnapshot();

    expect(parts.at(-1)).toEqual({ type: 'done' });
    expect(parts.slice(0, -1).every((part) => part.type === 'data')).toBe(true);
    const { events, done } = parseOpenAISse(output);
    expect(done).toBe(true);
    const chunks = events as ChatCompletionChunk[];
    expect(chunks).toHaveLength(parts.length - 1);
    for (const chunk of chunks) {
      assertOpenAIShape('CreateChatCompletionStreamResponse', chunk);
      expect(chunk).toMatchObject({
        id: `chatcmpl-${capture.requestId}`,
        object: 'chat.completion.chunk',
        created: CREATED,
        model: 'qwen-max',
      });
    }

    const answerChunks = includeUsage ? chunks.slice(0, -1) : chunks;
    expect(answerChunks[0]?.choices).toEqual([
      { index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null },
    ]);
    for (const chunk of answerChunks.slice(1)) {
      expect(chunk.choices).toHaveLength(1);
      expect(chunk.choices[0]).toMatchObject({ index: 0, logprobs: null });
      expect(chunk.choices[0]?.delta).not.toHaveProperty('role');
      // DashScope's empty pieces (e.g. the final event's content "") become no delta at all.
      expect(chunk.choices[0]?.delta.content).not.toBe('');
      expect(chunk.choices[0]?.delta.reasoning_content).not.toBe('');
    }
    const deltas = answerChunks.map((chunk) => chunk.choices[0]?.delta);
    expect(deltas.map((delta) => delta?.content ?? '').join('')).toBe(capture.content);
    expect(deltas.map((delta) => delta?.reasoning_content ?? '').join('')).toBe(capture.reasoning);
    expect(capture.content).not.toBe('');

    const finished = chunks.filter((chunk) => chunk.choices.some((choice) => choice.finish_reason !== null));
    expect(finished).toHaveLength(1);
    expect(finished[0]).toBe(answerChunks.at(-1));
    expect(finished[0]?.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);

    if (includeUsage) {
      for (const chunk of answerChunks) expect(chunk.usage).toBeNull();
      const usageChunk = chunks.at(-1);
      expect(usageChunk?.choices).toEqual([]);
      expect(usageChunk?.usage).toEqual(capture.usage);
    } else {
      for (const chunk of chunks) expect(chunk).not.toHaveProperty('usage');
    }
  });
});

describe('createChatStreamTranslator content details', () => {
  it('maps the thinking capture to delta.reasoning_content chunks, then content chunks', async () => {
    const output = await wholeOutput('single-generation-message-reasoning-sse.sse', true);
    const chunks = parseOpenAISse(output).events as ChatCompletionChunk[];
    const deltas = chunks.slice(1, -2).map((chunk) => chunk.choices[0]?.delta);
    const firstContent = deltas.findIndex((delta) => delta?.content !== undefined);
    expect(firstContent).toBe(5);
    // Thinking chunks carry only reasoning_content, answer chunks only content.
    expect(deltas.slice(0, firstContent).map((delta) => Object.keys(delta ?? {}))).toEqual(Array(5).fill(['reasoning_content']));
    expect(deltas.slice(firstContent).every((delta) => Object.keys(delta ?? {}).join() === 'content')).toBe(true);
    expect(deltas[0]).toEqual({ reasoning_content: '嗯' });
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 16,
      completion_tokens: 53,
      total_tokens: 69,
      completion_tokens_details: { reasoning_tokens: 10 },
    });
  });

  it('takes the real totals for the search capture, whose first event has usage: {}', async () => {
    const output = await wholeOutput('single-generation-message-search-sse.sse', true);
    const chunks = parseOpenAISse(output).events as ChatCompletionChunk[];
    expect(chunks[1]?.choices[0]?.delta).toEqual({ content: '根据' });
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 709,
      completion_tokens: 101,
      total_tokens: 810,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('computes total_tokens for the qwen-vl capture, which has none, and joins its [{text}] content', async () => {
    const output = await wholeOutput('multimodal-generation-vl-sse.sse', true);
    const chunks = parseOpenAISse(output).events as ChatCompletionChunk[];
    expect(chunks[1]?.choices[0]?.delta).toEqual({ content: '这是一个' });
    const usage = chunks.at(-1)?.usage;
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    expect(usage).toEqual({ prompt_tokens: 1283, completion_tokens: 85, total_tokens: 1368 });
  });

  it('keeps the last real usage when the final event carries usage: {}', async () => {
    const body = [
      resultEvent(1, {
        output: { choices: [{ message: { role: 'assistant', content: 'Hi' }, finish_reason: 'null' }] },
        usage: { input_tokens: 5, output_tokens: 1, total_tokens: 6 },
        request_id: 'r',
      }),
      resultEvent(2, {
        output: { choices: [{ message: { role: 'assistant', content: '' }, finish_reason: 'stop' }] },
        usage: {},
        request_id: 'r',
      }),
    ].join('');
    const chunks = parseOpenAISse(encodeAll(await translate([body]))).events as ChatCompletionChunk[];
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 });
  });

  it('uses generateId when DashScope sent no request_id', async () => {
    const body = resultEvent(1, {
      output: { choices: [{ message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }] },
      usage: { input_tokens: 1, output_tokens: 1 },
    });
    const chunks = parseOpenAISse(encodeAll(await translate([body]))).events as ChatCompletionChunk[];
    expect(chunks.map((chunk) => chunk.id)).toEqual(Array(chunks.length).fill(`chatcmpl-${GENERATED_ID}`));
    // Content and the finish reason in the same event: content first, then the finish chunk.
    expect(chunks.map((chunk) => chunk.choices[0]?.delta ?? null)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: 'Hi' },
      {},
      null,
    ]);
  });

  it('maps finish_reason "length"', async () => {
    const body = resultEvent(1, {
      output: { choices: [{ message: { role: 'assistant', content: 'Hi' }, finish_reason: 'length' }] },
      usage: { input_tokens: 1, output_tokens: 1 },
      request_id: 'r',
    });
    const chunks = parseOpenAISse(encodeAll(await translate([body], false))).events as ChatCompletionChunk[];
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
  });

  it('ignores events after the finish event', async () => {
    const bytes = readFixture('single-generation-text-sse.sse');
    const extra = resultEvent(6, { output: { finish_reason: 'null', text: 'late' }, request_id: 'r' });
    const withExtra = await translate([
      bytes,
      extra,
      'id:7\nevent:error\n:HTTP_STATUS/500\ndata:{"code":"InternalError","message":"late"}\n\n',
    ]);
    expect(encodeAll(withExtra)).toBe(await wholeOutput('single-generation-text-sse.sse', true));
  });

  it('accepts decoded text as input as well as bytes', async () => {
    const text = new TextDecoder().decode(readFixture('single-generation-message-sse.sse'));
    const pieces = [text.slice(0, 100), text.slice(100, 101), text.slice(101)];
    expect(encodeAll(await translate(pieces))).toBe(await wholeOutput('single-generation-message-sse.sse', true));
  });

  it('ignores a byte-order mark at the start of the body', async () => {
    const bytes = readFixture('single-generation-message-sse.sse');
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    expect(encodeAll(await translate(splitAt(withBom, 1, 2, 3, 4)))).toBe(await wholeOutput('single-generation-message-sse.sse', true));
  });
});

function resultEvent(id: number, payload: unknown): string {
  return `id:${id}\nevent:result\n:HTTP_STATUS/200\ndata:${JSON.stringify(payload)}\n\n`;
}

function expectGatewayError(part: ChatStreamPart | undefined): GatewayError {
  expect(part?.type).toBe('error');
  const error = part?.type === 'error' ? part.error : undefined;
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('createChatStreamTranslator errors', () => {
  it('turns the recorded 200 + event:error stream into one error part with status 400', async () => {
    const parts = await translate([readFixture('parameter-error-sse.sse')]);
    expect(parts).toHaveLength(1);
    const error = expectGatewayError(parts[0]);
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_parameter',
      message: 'Role must be user or assistant and Content length must be greater than 0',
      upstreamRequestId: '7671ecd8-93cc-9ee9-bc89-739f0fd8b809',
    });
    const output = encodeAll(parts);
    expect(output).toMatchSnapshot();
    const { events, done } = parseOpenAISse(output);
    expect(done).toBe(false);
    expect(events).toEqual([
      {
        error: {
          message: 'Role must be user or assistant and Content length must be greater than 0',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_parameter',
        },
        request_id: '7671ecd8-93cc-9ee9-bc89-739f0fd8b809',
      },
    ]);
    assertOpenAIShape('ErrorResponse', events[0]);
  });

  it('ends a stream cut before its finish event with chunks, then a 502 error part, and no [DONE]', async () => {
    const bytes = readFixture('single-generation-message-sse.sse');
    const text = new TextDecoder().decode(bytes);
    // The capture's last event (id:10) is the finish event, with empty content.
    const cut = text.slice(0, text.indexOf('id:10\n'));
    for (const includeUsage of [true, false]) {
      const parts = await translate([cut], includeUsage);
      expect(parts.slice(0, -1).every((part) => part.type === 'data')).toBe(true);
      expect(parts.length).toBeGreaterThan(2);
      expect(expectGatewayError(parts.at(-1))).toMatchObject({ status: 502, type: 'server_error', code: 'upstream_stream_truncated' });
      const { events, done } = parseOpenAISse(encodeAll(parts));
      expect(done).toBe(false);
      const chunks = events.slice(0, -1) as ChatCompletionChunk[];
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(readCapture(bytes).content);
      expect(chunks.every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
      assertOpenAIShape('ErrorResponse', events.at(-1));
    }
  });

  it('ends a stream cut inside its last data line with a 502 error part', async () => {
    const bytes = readFixture('single-generation-text-sse.sse');
    const parts = await translate([bytes.slice(0, bytes.length - 30)]);
    expect(parts.slice(0, -1).every((part) => part.type === 'data')).toBe(true);
    expect(expectGatewayError(parts.at(-1))).toMatchObject({ status: 502, type: 'server_error' });
  });

  it.each([
    ['an empty body', []],
    ['a body of nothing but comments and blank lines', [':HTTP_STATUS/200\n\n\n: keep-alive\n\n']],
  ])('answers %s with one 502 error part', async (_name, chunks) => {
    const parts = await translate(chunks);
    expect(parts).toHaveLength(1);
    expect(expectGatewayError(parts[0])).toMatchObject({ status: 502, type: 'server_error', code: 'bad_upstream_response' });
  });

  it('turns an event:error in the middle of a stream into an error part with its HTTP_STATUS, and nothing after', async () => {
    const body = [
      resultEvent(1, {
        output: { choices: [{ message: { role: 'assistant', content: '你' }, finish_reason: 'null' }] },
        usage: { input_tokens: 3, output_tokens: 1 },
        request_id: 'x',
      }),
      resultEvent(2, {
        output: { choices: [{ message: { role: 'assistant', content: '好' }, finish_reason: 'null' }] },
        usage: { input_tokens: 3, output_tokens: 2 },
        request_id: 'x',
      }),
      'id:3\nevent:error\n:HTTP_STATUS/429\ndata:{"code":"Throttling.RateQuota","message":"Requests rate limit exceeded, please try again later.","request_id":"x"}\n\n',
      // Nothing DashScope might still send may reach the client after the error.
      resultEvent(4, { output: { choices: [{ message: { role: 'assistant', content: '!' }, finish_reason: 'stop' }] }, request_id: 'x' }),
    ].join('');
    for (const includeUsage of [true, false]) {
      const parts = await translate([body], includeUsage);
      expect(parts.map((part) => part.type)).toEqual(['data', 'data', 'data', 'error']);
      expect(expectGatewayError(parts[3])).toMatchObject({
        status: 429,
        type: 'rate_limit_error',
        code: 'rate_limit_exceeded',
        message: 'Requests rate limit exceeded, please try again later.',
        upstreamRequestId: 'x',
      });
      const { events, done } = parseOpenAISse(encodeAll(parts));
      expect(done).toBe(false);
      expect((events.slice(0, 3) as ChatCompletionChunk[]).map((chunk) => chunk.choices[0]?.delta)).toEqual([
        { role: 'assistant', content: '', refusal: null },
        { content: '你' },
        { content: '好' },
      ]);
      expect(events[3]).toEqual({
        error: {
          message: 'Requests rate limit exceeded, please try again later.',
          type: 'rate_limit_error',
          param: null,
          code: 'rate_limit_exceeded',
        },
        request_id: 'x',
      });
    }
  });

  it('assumes status 400 for an event:error without an HTTP_STATUS line, as the official SDKs do', async () => {
    const parts = await translate(['event:error\ndata:{"code":"SomethingNew","message":"boom","request_id":"y"}\n\n']);
    expect(parts).toHaveLength(1);
    expect(expectGatewayError(parts[0])).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'something_new',
      message: 'boom',
    });
  });

  it('turns an error-shaped result event into an error part classified by its code', async () => {
    const parts = await translate([resultEvent(1, { code: 'InternalError', message: 'Internal server error!', request_id: 'z' })]);
    expect(parts).toHaveLength(1);
    expect(expectGatewayError(parts[0])).toMatchObject({
      status: 500,
      type: 'server_error',
      message: 'Internal server error!',
      upstreamRequestId: 'z',
    });
  });

  it('turns an unreadable event into a 502 error part after the chunks so far', async () => {
    const body =
      resultEvent(1, { output: { choices: [{ message: { role: 'assistant', content: 'a' }, finish_reason: 'null' }] }, request_id: 'r' }) +
      'id:2\nevent:result\ndata:{not json\n\n';
    const parts = await translate([body]);
    expect(parts.map((part) => part.type)).toEqual(['data', 'data', 'error']);
    expect(expectGatewayError(parts[2])).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });
});

/**
 * Bytes may be split anywhere by the network, including inside a UTF-8 character. The chunk mapper
 * only ever sees the parsed events, so the split property belongs to decode → parse: it is checked at
 * every byte boundary of every capture on those pure pieces, and the whole translator's output is
 * compared at every boundary of every capture (about 30,000 runs, a few seconds) and with 1-byte chunks.
 */
describe('createChatStreamTranslator split anywhere', () => {
  function decodeAndParse(pieces: readonly Uint8Array[]): SseEvent[] {
    const decoder = new TextDecoder();
    const parser = createSseParser();
    const events: SseEvent[] = [];
    for (const piece of pieces) events.push(...parser.push(decoder.decode(piece, { stream: true })));
    events.push(...parser.push(decoder.decode()), ...parser.end());
    return events;
  }

  const sameEvents = (left: readonly SseEvent[], right: readonly SseEvent[]) =>
    left.length === right.length &&
    left.every((event, index) => {
      const other = right[index];
      return (
        other !== undefined &&
        event.data === other.data &&
        event.event === other.event &&
        event.id === other.id &&
        event.status === other.status
      );
    });

  it.each(allFixtures)('%s: decode → parse gives the same events at every byte boundary', (name) => {
    const bytes = readFixture(name);
    const whole = decodeAndParse([bytes]);
    expect(whole.length).toBeGreaterThan(0);
    expect(whole.some((event) => event.data.includes('\uFFFD'))).toBe(false);
    for (let boundary = 1; boundary < bytes.length; boundary++) {
      const split = decodeAndParse([bytes.subarray(0, boundary), bytes.subarray(boundary)]);
      // toEqual only on a mismatch, for its diff: it is too slow for ~30,000 comparisons.
      if (!sameEvents(split, whole)) expect({ boundary, events: split }).toEqual({ boundary, events: whole });
    }
  });

  it.each(allFixtures)('%s: the translator output is identical when the bytes are split in two', async (name) => {
    const bytes = readFixture(name);
    const whole = await wholeOutput(name, true);
    const boundaries = Array.from({ length: bytes.length - 1 }, (_, index) => index + 1);
    let splitCharacters = 0;
    for (const boundary of boundaries) {
      if (((bytes[boundary] ?? 0) & 0xc0) === 0x80) splitCharacters++;
      const output = encodeAll(await translate([bytes.subarray(0, boundary), bytes.subarray(boundary)]));
      if (output !== whole) expect({ boundary, output }).toEqual({ boundary, output: whole });
    }
    if (name !== 'parameter-error-sse.sse') expect(splitCharacters).toBeGreaterThan(5);
  });

  it.each(allFixtures)('%s: the translator output is identical with 1-byte chunks', async (name) => {
    const bytes = readFixture(name);
    const chunks = Array.from({ length: bytes.length }, (_, index) => bytes.subarray(index, index + 1));
    expect(encodeAll(await translate(chunks))).toBe(await wholeOutput(name, true));
  });

  it('keeps a character split across three chunks intact', async () => {
    const body = utf8.encode(
      resultEvent(1, { output: { choices: [{ message: { role: 'assistant', content: '杭' }, finish_reason: 'stop' }] }, request_id: 'r' }),
    );
    const start = body.indexOf(0xe6);
    const chunks = parseOpenAISse(encodeAll(await translate(splitAt(body, start + 1, start + 2)))).events as ChatCompletionChunk[];
    expect(chunks[1]?.choices[0]?.delta).toEqual({ content: '杭' });
  });
});

describe('createChatStreamTranslator completion and choice indexes', () => {
  const event = (payload: unknown) => `id:1\nevent:result\n:HTTP_STATUS/200\ndata:${JSON.stringify(payload)}\n\n`;
  const choice = (index: number, content: string, finish: string) => ({
    output: { choices: [{ index, message: { role: 'assistant', content }, finish_reason: finish }] },
    usage: { input_tokens: 1, output_tokens: 1 },
    request_id: 'r',
  });

  it('says it is finished once the finish event arrived, so the gateway can close without waiting for the socket', () => {
    const translator = createChatStreamTranslator(translatorOptions(false));
    translator.push(event(choice(0, 'a', 'null')));
    expect(translator.finished()).toBe(false);
    translator.push(event(choice(0, 'b', 'stop')));
    expect(translator.finished()).toBe(true);
    expect(translator.end().map((part) => part.type)).toEqual(['done']);
    expect(translator.summary().finishReason).toBe('stop');
  });

  it('ignores a choice index it did not ask for, instead of letting it finish the stream', () => {
    const translator = createChatStreamTranslator(translatorOptions(false));
    const stray = translator.push(event(choice(1, 'x', 'stop')));
    expect(stray).toEqual([]);
    expect(translator.finished()).toBe(false);
    const parts = translator.push(event(choice(0, 'y', 'stop')));
    expect(parts.map((part) => (part.type === 'data' ? part.data.choices[0]?.index : part.type))).toEqual([0, 0, 0]);
    expect(translator.finished()).toBe(true);
  });
});
