import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';
import { convertToDashScopeRequest } from '../chat/convert-to-dashscope-request.js';
import type { PrepareContext } from '../endpoints/gateway-endpoint.js';
import type { BatchUpstreamCall, JsonUpstreamCall, SseUpstreamCall, UpstreamCall } from '../endpoints/upstream-call.js';
import { GatewayError } from '../errors/gateway-error.js';
import { encodeStreamParts } from '../stream/sse-encoder.js';
import type { StreamPart } from '../stream/stream-part.js';
import { completionsEndpoint, type CompletionRequest } from './completions-endpoint.js';
import type { TextCompletion } from './text-completion-types.js';

/**
 * The endpoint end to end, minus HTTP: a client body is parsed, prepared, and the recorded DashScope
 * replies are converted, JSON, streamed (split at every byte boundary), collected and batched. What the
 * answer should say is read from the captures by an independent reader below, never by the code under test.
 */

const CREATED = 1_700_000_000;
const context: PrepareContext = { created: CREATED, generateId: () => 'generated' };

function assertCompletionShape(value: unknown, kind: 'json' | 'stream' = 'json'): void {
  assertOpenAIShape(kind === 'json' ? 'CreateCompletionResponse' : 'CreateCompletionStreamChunk', value);
}

// --- Helpers -------------------------------------------------------------------------------------------------
const readFixture = (name: string) => new Uint8Array(readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url)));
const readJsonFixture = (name: string) => JSON.parse(new TextDecoder().decode(readFixture(name))) as Record<string, unknown>;

function prepare(body: Record<string, unknown>): UpstreamCall {
  const { request } = completionsEndpoint.parse(body);
  return completionsEndpoint.prepare(request, context);
}

function expectKind<Kind extends UpstreamCall['kind']>(call: UpstreamCall, kind: Kind): Extract<UpstreamCall, { kind: Kind }> {
  expect(call.kind).toBe(kind);
  return call as Extract<UpstreamCall, { kind: Kind }>;
}

function translate(call: SseUpstreamCall, chunks: ReadonlyArray<Uint8Array>): StreamPart[] {
  const translator = call.createStreamTranslator();
  const parts: StreamPart[] = [];
  for (const chunk of chunks) parts.push(...translator.push(chunk));
  parts.push(...translator.end());
  return parts;
}

const dataOf = (parts: readonly StreamPart[]) => parts.flatMap((part) => (part.type === 'data' ? [part.data] : []));

interface Capture {
  text: string;
  requestId: string;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
}

/** What DashScope said, straight from an SSE capture (LF line ends, one `data:` line per event). */
function readCapture(bytes: Uint8Array): Capture {
  const payloads = new TextDecoder()
    .decode(bytes)
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map(
      (line) =>
        JSON.parse(line.slice('data:'.length)) as {
          output: { text?: string; choices?: Array<{ message: { content: string } }> };
          usage: Capture['usage'];
          request_id: string;
        },
    );
  const last = payloads.at(-1)!;
  return {
    text: payloads.map(({ output }) => output.text ?? output.choices?.[0]?.message.content ?? '').join(''),
    requestId: last.request_id,
    usage: last.usage,
  };
}

const usageOf = ({ input_tokens, output_tokens, total_tokens }: Capture['usage']) => ({
  prompt_tokens: input_tokens,
  completion_tokens: output_tokens,
  total_tokens,
});

// --- The request DashScope gets ---------------------------------------------------------------------------------
describe('completionsEndpoint.prepare: the DashScope request', () => {
  it('is the chat conversion of the prompt as one user message', () => {
    const body = {
      model: 'qwen-plus',
      prompt: 'Say this is a test',
      max_tokens: 7,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['\n'],
      seed: 1,
      n: 2,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      user: 'u',
      top_k: 5,
    };
    const call = expectKind(prepare(body), 'json');
    const { prompt, ...shared } = body;
    const chat = convertToDashScopeRequest({ request: { ...shared, messages: [{ role: 'user', content: prompt }] } });
    expect(call).toMatchObject({ path: chat.path, body: chat.body, model: 'qwen-plus' });
    expect(call.body).toEqual({
      model: 'qwen-plus',
      input: { messages: [{ role: 'user', content: 'Say this is a test' }] },
      parameters: {
        result_format: 'message',
        max_tokens: 7,
        temperature: 0.2,
        top_p: 0.9,
        stop: ['\n'],
        seed: 1,
        n: 2,
        presence_penalty: 0.5,
        top_k: 5,
      },
    });
  });

  it('an array of one string is one prompt, one call', () => {
    expect(expectKind(prepare({ model: 'qwen-plus', prompt: ['only'] }), 'json').body).toEqual(
      expectKind(prepare({ model: 'qwen-plus', prompt: 'only' }), 'json').body,
    );
  });

  it('a multimodal model gets the multimodal path, as in chat', () => {
    const call = prepare({ model: 'qwen3-vl-plus', prompt: 'Hi' });
    expect(call.path).toBe(
      convertToDashScopeRequest({ request: { model: 'qwen3-vl-plus', messages: [{ role: 'user', content: 'Hi' }] } }).path,
    );
  });
});

// --- JSON ---------------------------------------------------------------------------------------------------------
describe('a non-stream answer', () => {
  it('is a text_completion with the content as text', () => {
    const response = readJsonFixture('single-generation-message-nosse.json');
    const { body, summary } = expectKind(prepare({ model: 'qwen-max', prompt: '1+1=?' }), 'json').convertResponse(response);
    assertCompletionShape(body);
    expect(body).toEqual({
      id: 'cmpl-e764bfe3-c0b7-97a0-ae57-cd99e1580960',
      object: 'text_completion',
      created: CREATED,
      model: 'qwen-max',
      choices: [
        {
          text: '1+1 等于 2。这是最基本的数学加法之一，在十进制计数体系中，任何两个相同的数字相加都等于该数字的二倍。',
          index: 0,
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 8, completion_tokens: 39, total_tokens: 47 },
    });
    expect(summary).toEqual({
      usage: { prompt_tokens: 8, completion_tokens: 39, total_tokens: 47 },
      finishReason: 'stop',
      requestId: 'e764bfe3-c0b7-97a0-ae57-cd99e1580960',
    });
  });

  it('leaves reasoning out of the text', () => {
    const response = readJsonFixture('single-generation-message-reasoning-nosse.json');
    const { body } = expectKind(prepare({ model: 'deepseek-r1', prompt: 'Why?' }), 'json').convertResponse(response) as {
      body: TextCompletion;
    };
    assertCompletionShape(body);
    const message = (response as { output: { choices: Array<{ message: { content: string; reasoning_content: string } }> } }).output
      .choices[0]!.message;
    expect(message.reasoning_content).not.toBe('');
    expect(body.choices[0]?.text).toBe(message.content);
  });

  it('an error body throws its GatewayError', () => {
    const call = expectKind(prepare({ model: 'qwen-max', prompt: 'x' }), 'json');
    expect(() => call.convertResponse(readJsonFixture('parameter-error-nosse.json'))).toThrow(GatewayError);
  });
});

// --- Several prompts ---------------------------------------------------------------------------------------------
describe('several prompts, non-stream', () => {
  const prompts = ['first', 'second', 'third'];
  /** A DashScope answer with two choices, as `n: 2` gets. */
  const answer = (prompt: number) => ({
    output: {
      choices: [
        { finish_reason: 'stop', message: { role: 'assistant', content: `answer ${prompt}.0` } },
        { finish_reason: 'length', message: { role: 'assistant', content: `answer ${prompt}.1` } },
      ],
    },
    usage: { input_tokens: 5 + prompt, output_tokens: 10 * (prompt + 1), total_tokens: 5 + prompt + 10 * (prompt + 1) },
    request_id: `request-${prompt}`,
  });

  it('are a batch, one body per prompt to one path, merged as OpenAI numbers the choices', () => {
    const call: BatchUpstreamCall = expectKind(prepare({ model: 'qwen-plus', prompt: prompts, n: 2, max_tokens: 20 }), 'batch');
    expect(call.bodies).toHaveLength(3);
    expect(call.body).toBe(call.bodies[0]);
    call.bodies.forEach((body, index) => {
      const single = expectKind(prepare({ model: 'qwen-plus', prompt: prompts[index], n: 2, max_tokens: 20 }), 'json') as JsonUpstreamCall;
      expect(body).toEqual(single.body);
      expect(call.path).toBe(single.path);
    });
    const { body, summary } = call.convertResponses([answer(0), answer(1), answer(2)]);
    assertCompletionShape(body);
    expect(body).toEqual({
      id: 'cmpl-request-0',
      object: 'text_completion',
      created: CREATED,
      model: 'qwen-plus',
      choices: [0, 1, 2].flatMap((prompt) => [
        { text: `answer ${prompt}.0`, index: prompt * 2, logprobs: null, finish_reason: 'stop' },
        { text: `answer ${prompt}.1`, index: prompt * 2 + 1, logprobs: null, finish_reason: 'length' },
      ]),
      usage: { prompt_tokens: 5 + 6 + 7, completion_tokens: 10 + 20 + 30, total_tokens: 18 + 60 },
    });
    expect(summary).toEqual({ usage: (body as TextCompletion).usage, finishReason: 'stop', requestId: 'request-0' });
  });

  it('a part with more choices than n, or a stray choice index, is a bad answer (it would take another prompt’s place)', () => {
    const call = expectKind(prepare({ model: 'qwen-plus', prompt: prompts }), 'batch');
    const stray = {
      ...answer(1),
      output: { choices: [{ index: 5, finish_reason: 'stop', message: { role: 'assistant', content: 'x' } }] },
    };
    for (const part of [answer(1), stray]) {
      expect(() => call.convertResponses([answer(0), part, answer(2)])).toThrow(
        expect.objectContaining({ status: 502, code: 'bad_upstream_response' }),
      );
    }
  });

  it('a failed part throws its GatewayError', () => {
    const call = expectKind(prepare({ model: 'qwen-plus', prompt: prompts }), 'batch');
    expect(() => call.convertResponses([answer(0), readJsonFixture('parameter-error-nosse.json'), answer(2)])).toThrow(GatewayError);
  });
});

// --- Streams ----------------------------------------------------------------------------------------------------
describe.each([
  ['single-generation-message-sse.sse', 'qwen-max'],
  ['single-generation-text-sse.sse', 'qwen-turbo'],
])('the stream of %s', (fixture, model) => {
  const bytes = readFixture(fixture);
  const capture = readCapture(bytes);
  const streamCall = (includeUsage: boolean) =>
    expectKind(
      prepare({ model, prompt: '1+1=?', stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) }),
      'sse',
    );

  it('is text_completion chunks: text pieces, a finish, the usage chunk, [DONE]', () => {
    const call = streamCall(true);
    expect(call.respondAs).toBeUndefined();
    const parts = translate(call, [bytes]);
    const chunks = dataOf(parts) as Array<TextCompletion & { choices: Array<{ finish_reason: string | null }> }>;
    for (const chunk of chunks)
      assertCompletionShape(chunk, chunk.choices.some((choice) => choice.finish_reason === null) ? 'stream' : 'json');
    expect(parts.at(-1)).toEqual({ type: 'done' });
    for (const chunk of chunks)
      expect(chunk).toMatchObject({ id: `cmpl-${capture.requestId}`, object: 'text_completion', created: CREATED, model });
    const pieces = chunks.slice(0, -2);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces)
      expect(piece.choices).toEqual([{ text: expect.any(String), index: 0, logprobs: null, finish_reason: null }]);
    expect(pieces.map((piece) => piece.choices[0]?.text).join('')).toBe(capture.text);
    expect(chunks.at(-2)?.choices).toEqual([{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }]);
    expect(chunks.at(-1)).toEqual({
      id: `cmpl-${capture.requestId}`,
      object: 'text_completion',
      created: CREATED,
      model,
      choices: [],
      usage: usageOf(capture.usage),
    });
    // OpenAI's own framing, as a client reads it.
    expect(parseOpenAISse(encodeStreamParts(parts))).toMatchObject({ events: chunks, done: true });
    expect(call.createStreamTranslator().summary()).toEqual({ usage: undefined, finishReason: null, requestId: undefined });
  });

  it('has no usage chunk without include_usage, and no usage on any chunk', () => {
    const chunks = dataOf(translate(streamCall(false), [bytes])) as TextCompletion[];
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    for (const chunk of chunks) expect(chunk).not.toHaveProperty('usage');
  });

  it('translates the same split at every byte boundary, and byte by byte', () => {
    const call = streamCall(true);
    const whole = encodeStreamParts(translate(call, [bytes]));
    for (let at = 0; at <= bytes.length; at++) {
      expect(encodeStreamParts(translate(call, [bytes.subarray(0, at), bytes.subarray(at)]))).toBe(whole);
    }
    expect(
      encodeStreamParts(
        translate(
          call,
          Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)),
        ),
      ),
    ).toBe(whole);
  });

  it('reports the call in its summary', () => {
    const translator = streamCall(true).createStreamTranslator();
    translator.push(bytes);
    // The message capture has no blank line after its last event: only the end of the stream dispatches it.
    translator.end();
    expect(translator.finished()).toBe(true);
    expect(translator.summary()).toEqual({ usage: usageOf(capture.usage), finishReason: 'stop', requestId: capture.requestId });
  });
});

describe('a stream of two choices (n: 2)', () => {
  it('keeps each choice in its own index, and finishes when both have', () => {
    const event = (index: number, content: string, finish: string) =>
      `event:result\ndata:${JSON.stringify({ output: { choices: [{ index, finish_reason: finish, message: { role: 'assistant', content } }] }, usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 }, request_id: 'r' })}\n\n`;
    const stream = new TextEncoder().encode(event(0, 'a', 'null') + event(1, 'b', 'null') + event(1, '', 'length') + event(0, 'c', 'stop'));
    const chunks = dataOf(
      translate(expectKind(prepare({ model: 'qwen-plus', prompt: 'x', stream: true, n: 2 }), 'sse'), [stream]),
    ) as TextCompletion[];
    for (const chunk of chunks) assertCompletionShape(chunk, 'stream');
    expect(chunks.map((chunk) => chunk.choices)).toEqual([
      [{ text: 'a', index: 0, logprobs: null, finish_reason: null }],
      [{ text: 'b', index: 1, logprobs: null, finish_reason: null }],
      [{ text: '', index: 1, logprobs: null, finish_reason: 'length' }],
      [{ text: 'c', index: 0, logprobs: null, finish_reason: null }],
      [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }],
    ]);
  });
});

describe('a thinking stream', () => {
  it('streams the answer, not the reasoning', () => {
    const bytes = readFixture('single-generation-message-reasoning-sse.sse');
    const chunks = dataOf(
      translate(expectKind(prepare({ model: 'qwen-plus', prompt: 'x', stream: true }), 'sse'), [bytes]),
    ) as TextCompletion[];
    const answer = new TextDecoder()
      .decode(bytes)
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map(
        (line) =>
          (JSON.parse(line.slice(5)) as { output: { choices: Array<{ message: { content?: string } }> } }).output.choices[0]?.message
            .content ?? '',
      )
      .join('');
    expect(chunks.map((chunk) => chunk.choices[0]?.text ?? '').join('')).toBe(answer);
    for (const chunk of chunks) assertCompletionShape(chunk, 'stream');
  });
});

describe('an error event in the stream', () => {
  it("is an error part with DashScope's status, and no data", () => {
    const parts = translate(expectKind(prepare({ model: 'qwen-max', prompt: 'x', stream: true }), 'sse'), [
      readFixture('parameter-error-sse.sse'),
    ]);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ type: 'error', error: { status: 400, upstreamRequestId: '7671ecd8-93cc-9ee9-bc89-739f0fd8b809' } });
  });
});

// --- Collected ----------------------------------------------------------------------------------------------------
describe('a non-stream request DashScope answers only in a stream', () => {
  const call = () => expectKind(prepare({ model: 'qwq-plus', prompt: '1+1=?' } satisfies Partial<CompletionRequest>), 'sse');

  it('is streamed upstream and answered as one text_completion', () => {
    const bytes = readFixture('single-generation-message-sse.sse');
    const capture = readCapture(bytes);
    expect(call()).toMatchObject({ respondAs: 'json', body: { parameters: { incremental_output: true } } });
    const whole = translate(call(), [bytes]);
    expect(whole).toHaveLength(2);
    expect(whole[1]).toEqual({ type: 'done' });
    const [completion] = dataOf(whole);
    assertCompletionShape(completion);
    expect(completion).toEqual({
      id: `cmpl-${capture.requestId}`,
      object: 'text_completion',
      created: CREATED,
      model: 'qwq-plus',
      choices: [{ text: capture.text, index: 0, logprobs: null, finish_reason: 'stop' }],
      usage: usageOf(capture.usage),
    });
    for (let at = 0; at <= bytes.length; at += 7) {
      expect(translate(call(), [bytes.subarray(0, at), bytes.subarray(at)])).toEqual(whole);
    }
  });

  it('passes an error through', () => {
    const parts = translate(call(), [readFixture('parameter-error-sse.sse')]);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ type: 'error', error: { status: 400 } });
  });
});
