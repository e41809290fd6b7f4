import { GatewayError, isGatewayError } from './gateway-error.js';

/** OpenAI's error body (`ErrorResponse` in OpenAI's OpenAPI document). */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
  /** DashScope's request id, beside `error` as DashScope's own compatible mode places it. */
  request_id?: string;
}

export interface OpenAIErrorResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: OpenAIErrorBody;
}

/**
 * Maps any thrown value to the OpenAI error body and HTTP status. Unknown errors become a 500 with a
 * generic message: their text may carry internals (paths, upstream details) that clients must not see.
 */
export function toOpenAIError(error: unknown): OpenAIErrorResponse {
  const gatewayError = isGatewayError(error) ? error : internalError(error);
  const body: OpenAIErrorBody = {
    error: {
      message: gatewayError.message,
      type: gatewayError.type,
      param: gatewayError.param,
      code: gatewayError.code,
    },
  };
  if (gatewayError.upstreamRequestId !== undefined) body.request_id = gatewayError.upstreamRequestId;
  return { status: gatewayError.status, headers: gatewayError.headers, body };
}

function internalError(cause: unknown): GatewayError {
  return new GatewayError({
    status: 500,
    type: 'server_error',
    code: 'internal_error',
    message: 'The gateway failed to process the request.',
    cause,
  });
}
