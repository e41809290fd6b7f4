import { GatewayError, type OpenAIErrorType } from './gateway-error.js';

/** What DashScope tells us about a failure: its HTTP status (or `:HTTP_STATUS/NNN` in a stream) and body. */
export interface DashScopeFailure {
  status: number;
  code?: string | undefined;
  message?: string | undefined;
  requestId?: string | undefined;
  /** DashScope's `Retry-After` header, passed on for 429 and 503. */
  retryAfter?: string | undefined;
}

interface OpenAIErrorClass {
  status: number;
  type: OpenAIErrorType;
  /** OpenAI-style error code; by default the DashScope code in snake_case. */
  code?: string;
}

interface ErrorRule extends OpenAIErrorClass {
  matches: (code: string, message: string) => boolean;
}

const is =
  (...codes: string[]) =>
  (code: string) =>
    codes.includes(code);
const startsWith =
  (...prefixes: string[]) =>
  (code: string) =>
    prefixes.some((prefix) => code.startsWith(prefix));

/**
 * DashScope error code → OpenAI error class. The first matching rule wins. Codes and statuses from
 * DashScope's error-code reference (see shared/dashscope-protocol.md §6); the OpenAI side follows what
 * OpenAI SDKs key on: the HTTP status first, then `type`/`code`.
 */
const dashScopeErrorRules: readonly ErrorRule[] = [
  { matches: is('InvalidApiKey', 'invalid_api_key', 'NOT AUTHORIZED'), status: 401, type: 'authentication_error', code: 'invalid_api_key' },
  // The native API reports an unknown model as 400 InvalidParameter "Model not exist."; OpenAI says 404.
  {
    matches: (code, message) => is('ModelNotFound', 'model_not_found')(code) || /^model not exist/i.test(message),
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
  },
  {
    matches: is('Arrearage', 'PrepaidBillOverdue', 'PostpaidBillOverdue', 'CommodityNotPurchased', 'AllocationQuota.FreeTierOnly'),
    status: 429,
    type: 'insufficient_quota',
    code: 'insufficient_quota',
  },
  { matches: (code) => code === 'AccessDenied' || code.includes('AccessDenied'), status: 403, type: 'permission_error' },
  {
    matches: (code) => startsWith('Throttling')(code) || code === 'LimitRequests',
    status: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
  },
  { matches: is('DataInspectionFailed', 'data_inspection_failed'), status: 400, type: 'invalid_request_error', code: 'content_filter' },
  { matches: is('BadRequest.TooLarge'), status: 413, type: 'invalid_request_error' },
  { matches: is('RequestTimeOut', 'InternalError.Timeout'), status: 504, type: 'server_error', code: 'timeout' },
  { matches: is('ModelUnavailable', 'ModelServingError'), status: 503, type: 'server_error', code: 'service_unavailable' },
  // Before the generic InternalError rule: this one is the client's fault (input too long, bad content items).
  { matches: is('InternalError.Algo.InvalidParameter'), status: 400, type: 'invalid_request_error' },
  {
    matches: (code) =>
      startsWith('InternalError', 'SystemError')(code) ||
      is('ModelServiceFailed', 'RewriteFailed', 'RetrivalFailed', 'AppProcessFailed', 'InvokePluginFailed')(code),
    status: 500,
    type: 'server_error',
  },
  {
    matches: (code) => startsWith('InvalidParameter', 'invalid_parameter', 'BadRequest', 'InvalidURL', 'UnsupportedOperation')(code),
    status: 400,
    type: 'invalid_request_error',
  },
];

/** For codes the table does not know: classify by DashScope's HTTP status. */
function classifyByStatus(status: number): OpenAIErrorClass {
  if (status === 401) return { status, type: 'authentication_error' };
  if (status === 403) return { status, type: 'permission_error' };
  if (status === 404) return { status, type: 'not_found_error' };
  if (status === 408) return { status: 504, type: 'server_error', code: 'timeout' };
  if (status === 429) return { status, type: 'rate_limit_error', code: 'rate_limit_exceeded' };
  if (status >= 400 && status < 500) return { status, type: 'invalid_request_error' };
  if (status === 502 || status === 503 || status === 504) return { status, type: 'server_error' };
  if (status >= 500 && status < 600) return { status: 500, type: 'server_error' };
  // A success or redirect status with an error body is not something DashScope does: a bad gateway.
  return { status: 502, type: 'server_error', code: 'bad_upstream_response' };
}

/** `Throttling.RateQuota` → `throttling_rate_quota`, the OpenAI habit for codes. */
export function toSnakeCaseCode(code: string): string {
  return code
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** Turns a DashScope failure into the gateway's error, keeping DashScope's own message and request id. */
export function fromDashScopeError({ status, code = '', message = '', requestId, retryAfter }: DashScopeFailure): GatewayError {
  const rule = code === '' && message === '' ? undefined : dashScopeErrorRules.find((candidate) => candidate.matches(code, message));
  const errorClass = rule ?? classifyByStatus(status);
  const headers: Record<string, string> = {};
  if (retryAfter !== undefined && (errorClass.status === 429 || errorClass.status === 503)) headers['retry-after'] = retryAfter;
  return new GatewayError({
    status: errorClass.status,
    type: errorClass.type,
    code: errorClass.code ?? (code === '' ? null : toSnakeCaseCode(code)),
    message: message === '' ? `DashScope returned HTTP ${status}${code === '' ? '' : ` (${code})`}.` : message,
    headers,
    upstreamRequestId: requestId,
    upstreamCode: code === '' ? undefined : code,
  });
}
