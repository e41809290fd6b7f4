import type { StreamShape } from './profiles.ts';

// Every reply of the benchmark's fake, rendered once at start-up: DashScope's native JSON answer and
// native SSE frames (shapes as recorded in packages/core/src/__fixtures__/single-generation-message-*),
// and the same answer in OpenAI's shapes for the passthrough, so both servers relay the same content.

export type StreamKind = 'fast' | 'paced' | 'slow';

/** What a client writes in its prompt to pick the fake's stream; the gateway passes prompts through. */
export function streamMarker(kind: StreamKind): string {
  return `bench:${kind}`;
}

export interface RenderedStream {
  headers: Record<string, string>;
  /** One Buffer per event; the last one of an OpenAI stream also carries `data: [DONE]`. */
  events: Buffer[];
  intervalMs: number;
}

export interface RenderedJson {
  headers: Record<string, string>;
  body: Buffer;
}

export interface RenderedReplies {
  nativeJson: RenderedJson;
  openAIJson: RenderedJson;
  nativeStreams: Record<StreamKind, RenderedStream>;
  openAIStreams: Record<StreamKind, RenderedStream>;
}

const REQUEST_ID = 'd272255f-82d7-9cc7-93c5-17ff77024349';
const MODEL = 'qwen-plus';
const CREATED = 1_767_225_600;
const INPUT_TOKENS = 18;
// Token-sized pieces as Qwen streams them, mixing ASCII, CJK and an astral-plane emoji.
const TOKENS = ['1', '+', '1', ' 等于 ', '2。', '这是', '最基本的', '数学', '加法', '之一', '，', ' Hello', ' world', ' 😊'];
const JSON_ANSWER_TOKENS = 40;

function tokenAt(index: number): string {
  return TOKENS[index % TOKENS.length] ?? '';
}

export function renderReplies(shapes: Readonly<Record<StreamKind, StreamShape>>): RenderedReplies {
  const answer = Array.from({ length: JSON_ANSWER_TOKENS }, (_, index) => tokenAt(index)).join('');
  const nativeStream = (shape: StreamShape): RenderedStream => ({
    headers: { 'content-type': 'text/event-stream;charset=UTF-8', 'x-request-id': REQUEST_ID },
    events: Array.from({ length: shape.events }, (_, index) => Buffer.from(nativeEvent({ index, last: index === shape.events - 1 }))),
    intervalMs: shape.intervalMs,
  });
  const openAIStream = (shape: StreamShape): RenderedStream => ({
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
    events: Array.from({ length: shape.events }, (_, index) => Buffer.from(openAIEvent({ index, last: index === shape.events - 1 }))),
    intervalMs: shape.intervalMs,
  });
  return {
    nativeJson: json(
      {
        output: { choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: answer } }] },
        usage: { total_tokens: INPUT_TOKENS + JSON_ANSWER_TOKENS, output_tokens: JSON_ANSWER_TOKENS, input_tokens: INPUT_TOKENS },
        request_id: REQUEST_ID,
      },
      { 'x-request-id': REQUEST_ID },
    ),
    openAIJson: json({
      id: `chatcmpl-${REQUEST_ID}`,
      object: 'chat.completion',
      created: CREATED,
      model: MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: INPUT_TOKENS, completion_tokens: JSON_ANSWER_TOKENS, total_tokens: INPUT_TOKENS + JSON_ANSWER_TOKENS },
    }),
    nativeStreams: { fast: nativeStream(shapes.fast), paced: nativeStream(shapes.paced), slow: nativeStream(shapes.slow) },
    openAIStreams: { fast: openAIStream(shapes.fast), paced: openAIStream(shapes.paced), slow: openAIStream(shapes.slow) },
  };
}

function json(value: unknown, headers: Record<string, string> = {}): RenderedJson {
  const body = Buffer.from(JSON.stringify(value));
  return { headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers }, body };
}

// incremental_output: each event carries only its piece; the last one is empty with the finish reason
// (DashScope writes the string "null" until then).
function nativeEvent({ index, last }: { index: number; last: boolean }): string {
  const data = JSON.stringify({
    output: { choices: [{ message: { content: last ? '' : tokenAt(index), role: 'assistant' }, finish_reason: last ? 'stop' : 'null' }] },
    usage: { total_tokens: INPUT_TOKENS + index + 1, input_tokens: INPUT_TOKENS, output_tokens: index + 1 },
    request_id: REQUEST_ID,
  });
  return `id:${index + 1}\nevent:result\n:HTTP_STATUS/200\ndata:${data}\n\n`;
}

// What the gateway writes for the same event: the role on the first chunk, an empty delta with the
// finish reason on the last, then [DONE].
function openAIEvent({ index, last }: { index: number; last: boolean }): string {
  const delta = last ? {} : index === 0 ? { role: 'assistant', content: tokenAt(index) } : { content: tokenAt(index) };
  const data = JSON.stringify({
    id: `chatcmpl-${REQUEST_ID}`,
    object: 'chat.completion.chunk',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: last ? 'stop' : null }],
  });
  return `data: ${data}\n\n${last ? 'data: [DONE]\n\n' : ''}`;
}
