import { GatewayError, invalidRequest, isGatewayError } from '@gw/core';

interface HttpErrorLike {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
}

/**
 * Errors thrown by Express's body parser (and other http-errors) → GatewayError, so that malformed JSON,
 * oversized bodies and bad encodings get OpenAI-shaped answers. Anything else is left to toOpenAIError.
 */
export function normalizeError(error: unknown): unknown {
  if (isGatewayError(error) || typeof error !== 'object' || error === null) return error;
  const { status, statusCode, type } = error as HttpErrorLike;
  const httpStatus = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  switch (type) {
    case 'entity.parse.failed':
      return invalidRequest(
        'We could not parse the JSON body of your request. The gateway expects a JSON payload, but what was sent was not valid JSON.',
        {
          code: 'invalid_json',
        },
      );
    case 'entity.too.large':
      return new GatewayError({
        status: 413,
        type: 'invalid_request_error',
        code: 'request_too_large',
        message: 'The request body is larger than the gateway accepts.',
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new GatewayError({
        status: 415,
        type: 'invalid_request_error',
        code: 'unsupported_encoding',
        message: 'The request body encoding or charset is not supported.',
      });
    case 'request.aborted':
    case 'request.size.invalid':
      return invalidRequest('The request body was incomplete.', { code: 'incomplete_body' });
    default:
      if (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500) {
        return new GatewayError({
          status: httpStatus,
          type: 'invalid_request_error',
          code: 'bad_request',
          message: 'The request could not be read.',
        });
      }
      return error;
  }
}
