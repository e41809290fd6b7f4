import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';
import { ChatCompletionStream } from 'openai/lib/ChatCompletionStream';
import { GatewayError } from '../errors/gateway-error.js';
import type { ChatCompletionChunk, ChatCompletionChunkToolCall, CompletionUsage } from '../openai/chat-response-types.js';
import type { StreamPart } from '../stream/stream-part.js';
import { encodeStreamPart } from '../stream/sse-encoder.js';
import { createChatStreamTranslator } from './create-chat-stream-translator.js';

/**
 * The stream translation of the recorded tool-calling, thinking and multimodal captures: tool-call
 * deltas, reasoning deltas, `[{text}]` content, usage details, at every byte boundary. What the
 * translator should produce is read from the captures by an independent reader below, never by the
 * code under test.
 */

const CREATED = 1_700_000_000;
const MODEL = 'qwen-plus';
let generated = 0;
const generateId = () => `generated-${++generated}`;

type ChatStreamPart = StreamPart<ChatCompletionChunk>;

function translate(chunks: ReadonlyArray<Uint8Array | string>, includeUsage = true): ChatStreamPart[] {
  const translator = createChatStreamTranslator({ model: MODEL, includeUsage, created: CREATED, generateId, choiceCount: 1 });
  const parts: ChatStreamPart[] = [];
  for (const chunk of chunks) parts.push(...translator.push(chunk));
  parts.push(...translator.end());
  return parts;
}

const encodeAll = (parts: readonly ChatStreamPart[]) => parts.map(encodeStreamPart).join('');

const readFixture = (name: string) => new Uint8Array(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url)));

interface RawToolCall {
  index?: number;
  id?: string | null;
  type?: string;
  function?: { name?: string | null; arguments?: string | null };
}

interface RawPayload {
  output?: {
    text?: string;
    finish_reason?: string;
    choices?: Array<{
      finish_reason?: string;
      message?: { content?: string | Array<{ text?: string }>; reasoning_content?: string; tool_calls?: RawToolCall[] };
    }>;
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

interface ExpectedCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * What DashScope said, straight from the capture: the captures use LF line ends and one `data:` line per
 * event. Tool calls are told apart by DashScope's `index`, in the order they first appear; a call's id is
 * the first non-empty one DashScope sent, its name and arguments the concatenation of all fragments.
 */
function readCapture(bytes: Uint8Array) {
  const payloads = new TextDecoder()
    .decode(bytes)
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice('data:'.length)) as RawPayload);
  const calls = new Map<number, ExpectedCall>();
  let content = '';
  let reasoning = '';
  let finishReason = '';
  let usage: RawPayload['usage'] = {};
  for (const payload of payloads) {
    const choice = payload.output?.choices?.[0];
    const raw = choice?.message?.content ?? payload.output?.text ?? '';
    content += typeof raw === 'string' ? raw : raw.map((item) => item.text ?? '').join('');
    reasoning += choice?.message?.reasoning_content ?? '';
    for (const [position, call] of (choice?.message?.tool_calls ?? []).entries()) {
      const key = call.index ?? position;
      const expected = calls.get(key) ?? { id: '', name: '', arguments: '' };
      if (expected.id === '' && call.id) expected.id = call.id;
      expected.name += call.function?.name ?? '';
      expected.arguments += call.function?.arguments ?? '';
      calls.set(key, expected);
    }
    const reason = choice?.finish_reason ?? payload.output?.finish_reason;
    if (reason !== undefined && reason !== 'null') finishReason = reason;
    if (payload.usage?.input_tokens !== undefined) usage = payload.usage;
  }
  const promptTokens = usage.input_tokens ?? 0;
  const completionTokens = usage.output_tokens ?? 0;
  const expectedUsage: CompletionUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: usage.total_tokens ?? promptTokens + completionTokens,
  };
  if (usage.prompt_tokens_details?.cached_tokens !== undefined)
    expectedUsage.prompt_tokens_details = { cached_tokens: usage.prompt_tokens_details.cached_tokens };
  if (usage.output_tokens_details?.reasoning_tokens !== undefined)
    expectedUsage.completion_tokens_details = { reasoning_tokens: usage.output_tokens_details.reasoning_tokens };
  const toolCalls = [...calls.values()];
  return {
    requestId: payloads.at(-1)?.request_id,
    content,
    reasoning,
    toolCalls,
    finishReason: toolCalls.length > 0 && finishReason === 'stop' ? 'tool_calls' : finishReason,
    usage: expectedUsage,
    totalTokensSent: usage.total_tokens !== undefined,
  };
}

const featureFixtures = [
  'single-generation-message-with-parallel-tools-sse.sse',
  'multimodal-generation-message-with-parallel-function-call-sse.sse',
  'multimodal-generation-message-with-tools-sse.sse',
  'single-generation-message-reasoning-sse.sse',
  'multimodal-generation-vl-sse.sse',
] as const;

/** Whole-body translations, shared by the tests below. */
const wholeOutputs = new Map<string, string>();
function wholeOutput(name: string, includeUsage: boolean): string {
  const key = `${name}:${includeUsage}`;
  let output = wholeOutputs.get(key);
  if (output === undefined) {
    output = encodeAll(translate([readFixture(name)], includeUsage));
    wholeOutputs.set(key, output);
  }
  return output;
}

function chunksOf(name: string, includeUsage: boolean): ChatCompletionChunk[] {
  const { events, done } = parseOpenAISse(wholeOutput(name, includeUsage));
  expect(done).toBe(true);
  return events as ChatCompletionChunk[];
}

/** Every tool-call delta of the stream, in order. */
const toolCallDeltas = (chunks: readonly ChatCompletionChunk[]): ChatCompletionChunkToolCall[] =>
  chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));

describe.each([true, false])('chat stream features on the recorded captures (includeUsage: %s)', (includeUsage) => {
  it.each(featureFixtures)('%s', (name) => {
    const capture = readCapture(readFixture(name));
    const parts = translate([readFixture(name)], includeUsage);
    expect(parts.at(-1)).toEqual({ type: 'done' });
    expect(parts.slice(0, -1).every((part) => part.type === 'data')).toBe(true);

    const output = encodeAll(parts);
    const { events, done, raw } = parseOpenAISse(output);
    expect(done).toBe(true);
    expect(raw.at(-1)).toBe('[DONE]');
    expect(output.endsWith('data: [DONE]\n\n')).toBe(true);
    const chunks = events as ChatCompletionChunk[];
    expect(chunks).toHaveLength(parts.length - 1);
    for (const chunk of chunks) {
      assertOpenAIShape('CreateChatCompletionStreamResponse', chunk);
      expect(chunk).toMatchObject({ id: `chatcmpl-${capture.requestId}`, object: 'chat.completion.chunk', created: CREATED, model: MODEL });
    }

    const answerChunks = includeUsage ? chunks.slice(0, -1) : chunks;
    expect(answerChunks[0]?.choices).toEqual([
      { index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null },
    ]);
    for (const chunk of answerChunks) {
      expect(chunk.choices).toHaveLength(1);
      const delta = chunk.choices[0]?.delta;
      // Multimodal `[{text}]` content arrives as plain strings, and empty pieces are not sent at all.
      if (delta?.content !== undefined) expect(typeof delta.content).toBe('string');
      if (chunk !== answerChunks[0]) {
        expect(delta).not.toHaveProperty('role');
        expect(delta?.content).not.toBe('');
      }
      expect(delta?.reasoning_content).not.toBe('');
      if (delta?.tool_calls !== undefined) expect(delta.tool_calls.length).toBeGreaterThan(0);
    }
    const deltas = answerChunks.map((chunk) => chunk.choices[0]?.delta);
    expect(deltas.map((delta) => delta?.content ?? '').join('')).toBe(capture.content);
    expect(deltas.map((delta) => delta?.reasoning_content ?? '').join('')).toBe(capture.reasoning);

    // Tool calls: one dense index per call; id, type and name on each call's first delta only.
    const calls = toolCallDeltas(answerChunks);
    const seen = new Set<number>();
    const argumentsByIndex: string[] = [];
    for (const call of calls) {
      if (!seen.has(call.index)) {
        expect(call.index).toBe(seen.size);
        seen.add(call.index);
        const expected = capture.toolCalls[call.index];
        expect(call).toEqual({
          index: call.index,
          id: expected?.id,
          type: 'function',
          function: { name: expected?.name, arguments: call.function.arguments },
        });
        expect(call.id).not.toBe('');
        argumentsByIndex[call.index] = '';
      } else {
        expect(call).toEqual({ index: call.index, function: { arguments: call.function.arguments } });
        expect(call.function.arguments).not.toBe('');
      }
      argumentsByIndex[call.index] += call.function.arguments;
    }
    expect(seen.size).toBe(capture.toolCalls.length);
    expect(argumentsByIndex).toEqual(capture.toolCalls.map((call) => call.arguments));
    for (const chunk of answerChunks) {
      // Pieces of one call in one event are merged: an index appears at most once per chunk.
      const indices = (chunk.choices[0]?.delta.tool_calls ?? []).map((call) => call.index);
      expect(new Set(indices).size).toBe(indices.length);
    }

    const finished = chunks.filter((chunk) => chunk.choices.some((choice) => choice.finish_reason !== null));
    expect(finished).toHaveLength(1);
    expect(finished[0]).toBe(answerChunks.at(-1));
    expect(finished[0]?.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: capture.finishReason }]);

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

describe('chat stream features: what the captures hold', () => {
  it('reads the expected values independently (guards the reader itself)', () => {
    expect(readCapture(readFixture('single-generation-message-with-parallel-tools-sse.sse'))).toMatchObject({
      toolCalls: [
        { id: 'call_29a870e7106f45deb8add3', name: 'get_current_weather', arguments: '{"location": "浙江省杭州市"}' },
        { id: 'call_026e44bb31a74266949a20', name: 'get_current_weather', arguments: '{"location": "上海市"}' },
      ],
      finishReason: 'tool_calls',
      content: '',
      reasoning: '',
    });
    const multimodal = readCapture(readFixture('multimodal-generation-message-with-parallel-function-call-sse.sse'));
    expect(multimodal).toMatchObject({
      toolCalls: [
        { id: 'call_aa99ad078f294a3d81da41d7', name: 'get_current_weather', arguments: '{"location": "浙江省杭州市"}' },
        { id: 'call_aa8b6311567847e197e6ca7f', name: 'get_current_weather', arguments: '{"location": "上海市"}' },
      ],
      finishReason: 'tool_calls',
      content: '',
    });
    expect(multimodal.reasoning.startsWith('用户现在需要先获取杭州')).toBe(true);
    const answer = readCapture(readFixture('multimodal-generation-message-with-tools-sse.sse'));
    expect(answer).toMatchObject({ toolCalls: [], finishReason: 'stop' });
    expect(answer.content.startsWith('告别杭州的多云')).toBe(true);
    expect(answer.reasoning.length).toBeGreaterThan(500);
  });
});

describe('chat stream features: tool calls', () => {
  it('streams the two parallel calls of qwen-plus as OpenAI does', () => {
    const chunks = chunksOf('single-generation-message-with-parallel-tools-sse.sse', true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta ?? null)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      {
        tool_calls: [
          {
            index: 0,
            id: 'call_29a870e7106f45deb8add3',
            type: 'function',
            function: { name: 'get_current_weather', arguments: '{"location": "' },
          },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '浙江省杭州市"}' } }] },
      {
        tool_calls: [
          {
            index: 1,
            id: 'call_026e44bb31a74266949a20',
            type: 'function',
            function: { name: 'get_current_weather', arguments: '{"location":' },
          },
        ],
      },
      { tool_calls: [{ index: 1, function: { arguments: ' "上海市"}' } }] },
      {},
      null,
    ]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 250,
      completion_tokens: 37,
      total_tokens: 287,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('handles the qwen3.6 event that carries both calls: an empty piece of call 0 and the start of call 1', () => {
    const name = 'multimodal-generation-message-with-parallel-function-call-sse.sse';
    const text = new TextDecoder().decode(readFixture(name));
    // Event 9 is the one with two fragments.
    const event9 = text.slice(text.indexOf('id:9\n'), text.indexOf('id:10\n'));
    expect((JSON.parse(event9.slice(event9.indexOf('data:') + 5)) as RawPayload).output?.choices?.[0]?.message?.tool_calls).toHaveLength(2);
    const chunks = chunksOf(name, true);
    const toolChunks = chunks.filter((chunk) => chunk.choices[0]?.delta.tool_calls !== undefined);
    expect(toolChunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([
      {
        tool_calls: [
          {
            index: 0,
            id: 'call_aa99ad078f294a3d81da41d7',
            type: 'function',
            function: { name: 'get_current_weather', arguments: '{"location": ' },
          },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '"浙江省杭州市"}' } }] },
      // Event 9: call 0's empty piece sends nothing; call 1 is announced with its id and name.
      {
        tool_calls: [
          { index: 1, id: 'call_aa8b6311567847e197e6ca7f', type: 'function', function: { name: 'get_current_weather', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 1, function: { arguments: '{"location": "上海市"' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '}' } }] },
    ]);
    const deltas = chunks.slice(1, -2).map((chunk) => chunk.choices[0]?.delta);
    expect(deltas.slice(0, 6).map((delta) => Object.keys(delta ?? {}))).toEqual(Array(6).fill(['reasoning_content']));
    expect(chunks.at(-2)?.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' });
    // prompt_tokens_details is `{}` there: no cached_tokens to report.
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 2807,
      completion_tokens: 103,
      total_tokens: 2910,
      completion_tokens_details: { reasoning_tokens: 38 },
    });
  });

  it('turns the qwen3.6 answer after tool results into reasoning, then string content', () => {
    const chunks = chunksOf('multimodal-generation-message-with-tools-sse.sse', true);
    // Event 59 carries the last piece of reasoning and the first piece of the answer together.
    const answer = chunks.slice(1).find((chunk) => chunk.choices[0]?.delta.content !== undefined);
    expect(answer?.choices[0]?.delta).toEqual({
      reasoning_content: '最完美的周末。',
      content: '告别杭州',
    });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 2891,
      completion_tokens: 620,
      total_tokens: 3511,
      completion_tokens_details: { reasoning_tokens: 556 },
    });
  });

  it('computes total_tokens for the qwen-vl capture, which sends none', () => {
    const capture = readCapture(readFixture('multimodal-generation-vl-sse.sse'));
    expect(capture.totalTokensSent).toBe(false);
    expect(chunksOf('multimodal-generation-vl-sse.sse', true).at(-1)?.usage).toEqual({
      prompt_tokens: 1283,
      completion_tokens: 85,
      total_tokens: 1368,
    });
  });
});

/**
 * The bytes may be split anywhere by the network, inside a UTF-8 character too: the output must be the
 * same at every boundary and with 1-byte pushes. A split run costs a whole translation (about 0.4 ms for
 * the 32 KB qwen3.6 answer), so to stay within the time budget that one capture is split at every
 * boundary of its first event, of event 59 (the last reasoning and the first content together) and of
 * its last two events (the finish), and at every 29th boundary elsewhere; every other capture at every
 * boundary.
 */
describe('chat stream features split anywhere', () => {
  function boundariesOf(name: string, bytes: Uint8Array): number[] {
    const all = Array.from({ length: bytes.length - 1 }, (_, index) => index + 1);
    if (name !== 'multimodal-generation-message-with-tools-sse.sse') return all;
    const text = new TextDecoder().decode(bytes);
    const byteOffset = (marker: string) => {
      const at = text.indexOf(marker);
      expect(at).toBeGreaterThan(0);
      return new TextEncoder().encode(text.slice(0, at)).length;
    };
    const windows = [
      [0, byteOffset('id:2\n')],
      [byteOffset('id:59\n'), byteOffset('id:60\n')],
      [byteOffset('id:64\n'), bytes.length],
    ] as const;
    return all.filter((boundary) => boundary % 29 === 0 || windows.some(([start, end]) => start <= boundary && boundary <= end));
  }

  it.each(featureFixtures)('%s: identical output when the bytes are split in two', (name) => {
    const bytes = readFixture(name);
    const whole = wholeOutput(name, true);
    let insideCharacter = 0;
    for (const boundary of boundariesOf(name, bytes)) {
      if (((bytes[boundary] ?? 0) & 0xc0) === 0x80) insideCharacter++;
      const output = encodeAll(translate([bytes.subarray(0, boundary), bytes.subarray(boundary)]));
      // toEqual only on a mismatch, for its diff.
      if (output !== whole) expect({ boundary, output }).toEqual({ boundary, output: whole });
    }
    expect(insideCharacter).toBeGreaterThan(10);
  });

  it.each(featureFixtures)('%s: identical output with 1-byte pushes, with and without usage', (name) => {
    const bytes = readFixture(name);
    const pieces = Array.from({ length: bytes.length }, (_, index) => bytes.subarray(index, index + 1));
    expect(encodeAll(translate(pieces, true))).toBe(wholeOutput(name, true));
    expect(encodeAll(translate(pieces, false))).toBe(wholeOutput(name, false));
  });

  it('parameter-error-sse.sse: one error part, whole, at every boundary and byte by byte', () => {
    const bytes = readFixture('parameter-error-sse.sse');
    const check = (parts: ChatStreamPart[]) => {
      expect(parts).toHaveLength(1);
      const part = parts[0];
      expect(part?.type).toBe('error');
      const error = part?.type === 'error' ? part.error : undefined;
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ status: 400, code: 'invalid_parameter', upstreamRequestId: '7671ecd8-93cc-9ee9-bc89-739f0fd8b809' });
    };
    check(translate([bytes], true));
    check(translate([bytes], false));
    for (let boundary = 1; boundary < bytes.length; boundary++) check(translate([bytes.subarray(0, boundary), bytes.subarray(boundary)]));
    check(translate(Array.from({ length: bytes.length }, (_, index) => bytes.subarray(index, index + 1))));
  });
});

/**
 * OpenAI's own SDK folding the chunks into a completion, as a client's `stream.finalChatCompletion()`
 * does. `ChatCompletionStream.fromReadableStream` reads newline-delimited JSON chunks (the SDK's
 * `toReadableStream()` format), so the translated chunks are given to it that way.
 */
describe('chat stream features through the openai SDK accumulator', () => {
  function readableOf(chunks: readonly ChatCompletionChunk[]): ReadableStream<Uint8Array> {
    const bytes = new TextEncoder().encode(chunks.map((chunk) => `${JSON.stringify(chunk)}\n`).join(''));
    return new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
  }

  it.each([
    ['single-generation-message-with-parallel-tools-sse.sse', true],
    ['single-generation-message-with-parallel-tools-sse.sse', false],
    ['multimodal-generation-message-with-parallel-function-call-sse.sse', true],
    ['multimodal-generation-message-with-parallel-function-call-sse.sse', false],
  ] as const)('%s (includeUsage: %s) ends with both calls whole', async (name, includeUsage) => {
    const capture = readCapture(readFixture(name));
    const completion = await ChatCompletionStream.fromReadableStream(readableOf(chunksOf(name, includeUsage))).finalChatCompletion();
    expect(completion.id).toBe(`chatcmpl-${capture.requestId}`);
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(
      completion.choices[0]?.message.tool_calls?.map((call) =>
        call.type === 'function' ? { id: call.id, name: call.function.name, arguments: call.function.arguments } : call,
      ),
    ).toEqual(capture.toolCalls);
    expect(capture.toolCalls).toHaveLength(2);
    for (const call of capture.toolCalls) expect(JSON.parse(call.arguments)).toHaveProperty('location');
    if (includeUsage) expect(completion.usage).toEqual(capture.usage);
  });

  it('multimodal-generation-message-with-tools-sse.sse ends with the whole answer', async () => {
    const name = 'multimodal-generation-message-with-tools-sse.sse';
    const capture = readCapture(readFixture(name));
    const completion = await ChatCompletionStream.fromReadableStream(readableOf(chunksOf(name, true))).finalChatCompletion();
    expect(completion.choices[0]?.message.content).toBe(capture.content);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual(capture.usage);
  });
});
