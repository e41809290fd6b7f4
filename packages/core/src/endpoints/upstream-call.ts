import type { StreamTranslator } from '../stream/create-stream-translator.js';
import type { StreamLimits } from '../stream/stream-limits.js';

/** OpenAI's usage object, as every endpoint reports it (chat, completions, embeddings). */
export interface CallUsage {
  prompt_tokens: number;
  completion_tokens?: number;
  total_tokens: number;
}

/** What a finished call produced, for logs and metrics. */
export interface CallSummary {
  usage?: CallUsage | undefined;
  /** The first choice's OpenAI finish reason, when the endpoint has one. */
  finishReason?: string | null | undefined;
  /** DashScope's `request_id`, for support and the `x-dashscope-request-id` header. */
  requestId?: string | undefined;
}

interface UpstreamCallBase {
  /** DashScope path below the base URL (one of DASHSCOPE_PATHS). */
  path: string;
  /** The JSON body to send. */
  body: unknown;
  /** The model as the client named it. */
  model: string;
}

/** A non-stream call: DashScope answers JSON, converted whole. */
export interface JsonUpstreamCall extends UpstreamCallBase {
  kind: 'json';
  /** DashScope's parsed 200 body → the client's body; throws a GatewayError for error bodies. */
  convertResponse(json: unknown): { body: unknown; summary: CallSummary };
}

/**
 * A non-stream call DashScope takes in parts: an embedding batch over the model's per-call limit. Each
 * of `bodies` goes to `path` (`body` is the first); the HTTP layer sends them with bounded parallelism
 * and hands their parsed 200 answers to `convertResponses` in order. One failed part fails the call
 * with its error, and the parts still running are abandoned.
 */
export interface BatchUpstreamCall extends UpstreamCallBase {
  kind: 'batch';
  bodies: readonly unknown[];
  convertResponses(jsons: readonly unknown[]): { body: unknown; summary: CallSummary };
}

/** A streaming call: DashScope answers SSE, translated event by event. */
export interface SseUpstreamCall extends UpstreamCallBase {
  kind: 'sse';
  /**
   * What the client gets. `sse` (the default): the translated stream. `json`: one JSON body, for a client
   * that did not ask for a stream when DashScope can only answer in one; the translator then emits a
   * single data part (the whole answer) before `done`, and nothing before it but an error.
   */
  respondAs?: 'sse' | 'json';
  /** A fresh translator for this call's reply; `limits` cap its lines and events (DEFAULT_STREAM_LIMITS otherwise). */
  createStreamTranslator(limits?: Partial<StreamLimits>): StreamTranslator;
}

/**
 * One prepared DashScope call: where it goes, what it sends, and how its answer comes back. The HTTP
 * layer knows nothing of either API's fields; it sends `body` to `path` and hands the reply over.
 */
export type UpstreamCall = JsonUpstreamCall | BatchUpstreamCall | SseUpstreamCall;
