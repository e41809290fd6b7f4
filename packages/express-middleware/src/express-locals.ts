import type { ChatStreamPart } from '@gw/core';

/**
 * One upstream call, prepared by a request rewriter and carried out by the DashScope proxy. The proxy
 * knows nothing of either API's fields: it sends `body` to `path` and hands the reply to these functions.
 */
export interface UpstreamExchange {
  /** DashScope path below the base URL, e.g. /api/v1/services/aigc/text-generation/generation. */
  path: string;
  /** The JSON body to send. */
  body: unknown;
  /** Ask DashScope for SSE and translate the reply incrementally. */
  stream: boolean;
  /** Non-stream: DashScope's parsed JSON → the client's JSON body (throws GatewayError for error bodies). */
  convertResponse: (json: unknown) => unknown;
  /** Stream: a fresh translator from DashScope's SSE bytes to the client's stream parts. */
  createStreamTranslator: () => TransformStream<Uint8Array, ChatStreamPart>;
}

declare global {
  namespace Express {
    interface Locals {
      /** The caller's DashScope key. Lives only here, for this one request. */
      apiKey?: string;
      upstream?: UpstreamExchange;
      /** Set when DashScope's answer has started to arrive: from then on the response handlers own `res`. */
      upstreamResponded?: boolean;
      /** The error this request ended with, for logging. */
      error?: unknown;
    }
  }
}

export {};
