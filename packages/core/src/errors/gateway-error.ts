/**
 * The one error type of the gateway. Everything that goes wrong, at the edge (a bad request), upstream
 * (a DashScope error) or in between (an unreachable upstream), ends up as a GatewayError, and
 * `toOpenAIError` turns it into the OpenAI error body and HTTP status in one place.
 */

/** OpenAI's `error.type` values this gateway emits. */
export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  /** OpenAI's own per-minute request limits answer with this type (`tokens` for token limits). */
  | 'requests'
  | 'insufficient_quota'
  | 'server_error';

export interface GatewayErrorOptions {
  status: number;
  type: OpenAIErrorType;
  message: string;
  code?: string | null;
  param?: string | null;
  /** Response headers the client should see, e.g. `Retry-After` passed on from DashScope. */
  headers?: Readonly<Record<string, string>>;
  /** DashScope's `request_id`, kept so users can quote it to Alibaba Cloud support. */
  upstreamRequestId?: string;
  /** DashScope's own error code (`InvalidParameter`, `Throttling.RateQuota`…), for operators' logs. */
  upstreamCode?: string;
  cause?: unknown;
}

/** A registry symbol, so two copies of @gw/core in one process (src and dist, say) still agree. */
const gatewayErrorBrand = Symbol.for('@gw/core/GatewayError');

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly [gatewayErrorBrand] = true;
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly upstreamRequestId: string | undefined;
  readonly upstreamCode: string | undefined;

  constructor({
    status,
    type,
    message,
    code = null,
    param = null,
    headers = {},
    upstreamRequestId,
    upstreamCode,
    cause,
  }: GatewayErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.headers = headers;
    this.upstreamRequestId = upstreamRequestId;
    this.upstreamCode = upstreamCode;
  }
}

export function isGatewayError(error: unknown): error is GatewayError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[gatewayErrorBrand] === true;
}

/** A 400 about one request parameter, the most common error at the edge. */
export function invalidRequest(
  message: string,
  { param = null, code = null }: { param?: string | null; code?: string | null } = {},
): GatewayError {
  return new GatewayError({ status: 400, type: 'invalid_request_error', message, param, code });
}
