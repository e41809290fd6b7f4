import { createHash } from 'node:crypto';
import type { EmbeddingRequest, GenerationRequest } from './endpoints.js';

// What the fake answers: a deterministic answer text cut to the request's limits, its usage, and the
// JSON payloads DashScope would send for it, key for key as recorded.

// Mixes ASCII, CJK and an astral-plane emoji so every answer exercises UTF-8 splitting and surrogate
// pairs in the gateway; echoing the user text makes answers easy to tell apart in tests.
const ECHO_LENGTH = 40;

export function generateAnswer({ lastUserText }: { lastUserText: string }): string {
  const echo = Array.from(lastUserText).slice(0, ECHO_LENGTH).join('');
  return `您好！这是模拟的 DashScope 回答 😊 You said: ${echo}`;
}

// Real Qwen tokens are one to a few characters; a fixed cycle of sizes keeps the fake deterministic.
// Splitting code points (not UTF-16 units) never separates the halves of a surrogate pair.
const TOKEN_SIZES = [2, 1, 3, 1, 2] as const;

export function tokenizeAnswer(text: string): string[] {
  const codePoints = Array.from(text);
  const tokens: string[] = [];
  for (let index = 0, turn = 0; index < codePoints.length; turn += 1) {
    const size = TOKEN_SIZES[turn % TOKEN_SIZES.length] ?? 1;
    tokens.push(codePoints.slice(index, index + size).join(''));
    index += size;
  }
  return tokens;
}

export interface AnswerPlan {
  tokens: string[];
  finishReason: 'stop' | 'length';
}

/**
 * Applies the request's limits to the answer text: the text is cut before the first stop string
 * (finish "stop"), then at most `maxTokens` tokens are kept (finish "length"). A scripted finish
 * reason overrides the computed one.
 */
export function planAnswer({
  text,
  stop,
  maxTokens,
  finishReason,
}: {
  text: string;
  stop: readonly string[];
  maxTokens: number | undefined;
  finishReason?: 'stop' | 'length' | undefined;
}): AnswerPlan {
  const stopAt = Math.min(...stop.map((sequence) => text.indexOf(sequence)).filter((index) => index >= 0), text.length);
  const tokens = tokenizeAnswer(text.slice(0, stopAt));
  const truncated = maxTokens !== undefined && tokens.length > maxTokens;
  return {
    tokens: truncated ? tokens.slice(0, maxTokens) : tokens,
    finishReason: finishReason ?? (truncated ? 'length' : 'stop'),
  };
}

// A stand-in for the tokenizer: about two characters per token, close to Qwen's ratio for mixed
// Chinese/English text, and deterministic so tests can assert usage numbers.
function countTextTokens(text: string): number {
  return Math.ceil(Array.from(text).length / 2);
}

// A fixed per-image cost; real image tokens depend on resolution (1247 and 3577 in the recordings).
const TOKENS_PER_IMAGE = 256;

/** Input-side usage: text tokens of all messages (at least 1) plus image tokens. */
export function countGenerationInput(request: Pick<GenerationRequest, 'inputTexts' | 'imageCount'>): {
  inputTokens: number;
  imageTokens: number;
} {
  const textTokens = Math.max(
    1,
    request.inputTexts.reduce((sum, text) => sum + countTextTokens(text), 0),
  );
  const imageTokens = request.imageCount * TOKENS_PER_IMAGE;
  return { inputTokens: textTokens + imageTokens, imageTokens };
}

export type FinishReason = 'null' | 'stop' | 'length';

export interface GenerationUsage {
  inputTokens: number;
  outputTokens: number;
  imageTokens: number;
}

/**
 * One `{output, usage, request_id}` object, with keys in the order of the recordings:
 * - text models, streaming: single-generation-message-with-tools-sse / single-generation-text-sse (2025);
 * - text models, non-stream message: single-generation-message-nosse (choices without index);
 * - multimodal: multimodal-generation-vl-sse / -nosse (content is a list of {text}, usage without total_tokens).
 * Intermediate events carry the string "null" as finish reason (protocol §4.3).
 */
export function buildGenerationPayload({
  request,
  content,
  finishReason,
  usage,
  requestId,
  streaming,
}: {
  request: Pick<GenerationRequest, 'endpoint' | 'resultFormat'>;
  content: string;
  finishReason: FinishReason;
  usage: GenerationUsage;
  requestId: string;
  streaming: boolean;
}): Record<string, unknown> {
  if (request.endpoint === 'multimodal-generation') {
    return {
      output: { choices: [multimodalChoice({ content, finishReason, streaming })] },
      usage: multimodalUsage({ usage, streaming }),
      request_id: requestId,
    };
  }
  const textUsage = {
    total_tokens: usage.inputTokens + usage.outputTokens,
    output_tokens: usage.outputTokens,
    input_tokens: usage.inputTokens,
    prompt_tokens_details: { cached_tokens: 0 },
  };
  if (request.resultFormat === 'text') {
    return { output: { finish_reason: finishReason, text: content }, usage: textUsage, request_id: requestId };
  }
  const choice = streaming
    ? { message: { content, role: 'assistant' }, index: 0, finish_reason: finishReason }
    : { finish_reason: finishReason, message: { role: 'assistant', content } };
  return { output: { choices: [choice] }, usage: textUsage, request_id: requestId };
}

function multimodalChoice({
  content,
  finishReason,
  streaming,
}: {
  content: string;
  finishReason: FinishReason;
  streaming: boolean;
}): Record<string, unknown> {
  if (!streaming) return { finish_reason: finishReason, message: { role: 'assistant', content: [{ text: content }] } };
  // Stream events without text carry an empty list, as the recorded reasoning/tool-call events do.
  return { message: { content: content === '' ? [] : [{ text: content }], role: 'assistant' }, finish_reason: finishReason };
}

function multimodalUsage({ usage, streaming }: { usage: GenerationUsage; streaming: boolean }): Record<string, number> {
  const images: Record<string, number> = usage.imageTokens > 0 ? { image_tokens: usage.imageTokens } : {};
  return streaming
    ? { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, ...images }
    : { output_tokens: usage.outputTokens, input_tokens: usage.inputTokens, ...images };
}

// Tokens per event cycle like this, so streams mix one-token and multi-token events as upstream does.
const TOKENS_PER_EVENT = [1, 2, 1, 3] as const;

/**
 * The data payloads (JSON text) of a streamed answer; the last one carries the finish reason.
 * - incremental_output true: each event has only its new text;
 * - false: each event repeats the whole text so far (protocol §5.2).
 * Text models end with a separate final event ("" in incremental mode, the full text in cumulative
 * mode); multimodal models put the finish reason on the last text event (multimodal-generation-vl-sse).
 * `usage` is cumulative on every event.
 */
export function buildGenerationEvents({
  request,
  plan,
  inputTokens,
  imageTokens,
  requestId,
}: {
  request: Pick<GenerationRequest, 'endpoint' | 'resultFormat' | 'incrementalOutput'>;
  plan: AnswerPlan;
  inputTokens: number;
  imageTokens: number;
  requestId: string;
}): string[] {
  const events: Array<{ delta: string; text: string; outputTokens: number }> = [];
  for (let index = 0, turn = 0; index < plan.tokens.length; turn += 1) {
    const end = index + (TOKENS_PER_EVENT[turn % TOKENS_PER_EVENT.length] ?? 1);
    events.push({
      delta: plan.tokens.slice(index, end).join(''),
      text: plan.tokens.slice(0, end).join(''),
      outputTokens: Math.min(end, plan.tokens.length),
    });
    index = end;
  }
  const payload = (content: string, finishReason: FinishReason, outputTokens: number): string =>
    JSON.stringify(
      buildGenerationPayload({
        request,
        content,
        finishReason,
        usage: { inputTokens, outputTokens, imageTokens },
        requestId,
        streaming: true,
      }),
    );
  const fullText = plan.tokens.join('');
  const contentOf = (event: { delta: string; text: string }): string => (request.incrementalOutput ? event.delta : event.text);

  if (request.endpoint === 'multimodal-generation') {
    if (events.length === 0) return [payload('', plan.finishReason, 0)];
    return events.map((event, index) =>
      payload(contentOf(event), index === events.length - 1 ? plan.finishReason : 'null', event.outputTokens),
    );
  }
  return [
    ...events.map((event) => payload(contentOf(event), 'null', event.outputTokens)),
    payload(request.incrementalOutput ? '' : fullText, plan.finishReason, plan.tokens.length),
  ];
}

/**
 * A deterministic unit-length vector derived from SHA-256 of the text: equal texts get equal
 * vectors, different texts different ones, and values fall in the same small range as real
 * DashScope embeddings (which are L2-normalised).
 */
function embedText({ text, dimension }: { text: string; dimension: number }): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimension; block += 1) {
    const digest = createHash('sha256').update(`${block}\u0000${text}`).digest();
    for (let offset = 0; offset + 4 <= digest.length && values.length < dimension; offset += 4) {
      values.push((digest.readUInt32BE(offset) / 0xffffffff) * 2 - 1);
    }
  }
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0)) || 1;
  return values.map((value) => value / norm);
}

/** The JSON of text-embedding-nosse: embeddings in input order with `text_index`, usage with total_tokens only. */
export function buildEmbeddingBody({ request, requestId }: { request: EmbeddingRequest; requestId: string }): string {
  const embeddings = request.texts.map((text, index) => ({
    embedding: embedText({ text, dimension: request.dimension }),
    text_index: index,
  }));
  const totalTokens = request.texts.reduce((sum, text) => sum + Math.max(1, countTextTokens(text)), 0);
  return JSON.stringify({ output: { embeddings }, usage: { total_tokens: totalTokens }, request_id: requestId });
}
