import { dashScopeErrorBodySchema } from '../dashscope/generation-response-schema.js';
import { fromDashScopeError } from './dashscope-error-map.js';
import type { GatewayError } from './gateway-error.js';

/**
 * A DashScope error body (`{"code","message","request_id"}`, `msg` accepted as the SDKs do) → GatewayError.
 * A body that is not of that shape still gives an error, classified by status alone.
 */
export function dashScopeErrorFromBody({
  body,
  status,
  retryAfter,
}: {
  body: unknown;
  status: number;
  retryAfter?: string | undefined;
}): GatewayError {
  const parsed = dashScopeErrorBodySchema.safeParse(body);
  const error = parsed.success ? parsed.data : {};
  return fromDashScopeError({ status, code: error.code, message: error.message ?? error.msg, requestId: error.request_id, retryAfter });
}
