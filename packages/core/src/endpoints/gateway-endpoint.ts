import type { z } from 'zod';
import type { GatewayWarning } from '../parameters/gateway-warning.js';
import type { RequestLimits } from './request-limits.js';
import type { UpstreamCall } from './upstream-call.js';

/** Injected so that ids and timestamps are testable. */
export interface PrepareContext {
  /** Unix seconds for `created`. */
  created: number;
  /** Used for ids when DashScope sends no request_id. */
  generateId: () => string;
}

/** An endpoint that calls DashScope: validate, then prepare the upstream call. */
export interface UpstreamEndpoint<Request = unknown> {
  kind: 'upstream';
  /** A stable name for logs and metrics, e.g. `chat.completions`. */
  id: string;
  method: 'POST';
  /** Below the OpenAI base URL (`/v1`), in Express's route syntax. */
  path: string;
  /** What the endpoint accepts, for documentation (the parser applies it). */
  requestSchema: z.ZodType<Request>;
  /**
   * Validates a client's body; throws a 400 GatewayError naming the offending `param`. `limits` (default
   * DEFAULT_REQUEST_LIMITS) are checked on the raw body first, before any schema walks it.
   */
  parse(body: unknown, limits?: RequestLimits): { request: Request; warnings: GatewayWarning[] };
  /** The DashScope call for a validated request. */
  prepare(request: Request, context: PrepareContext): UpstreamCall;
}

/** An endpoint the gateway answers itself (the model list): DashScope has no native equivalent. */
export interface LocalEndpoint {
  kind: 'local';
  id: string;
  method: 'GET';
  path: string;
  /** The response body, from the route's path parameters; throws a GatewayError (a 404, say). */
  answer(params: Readonly<Record<string, string>>): unknown;
}

// Methods (not function properties) keep `prepare` bivariant, so a typed endpoint fits the table.
export type GatewayEndpoint = UpstreamEndpoint<unknown> | LocalEndpoint;
