import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { GatewayError } from './gateway-error.js';
import { toOpenAIError } from './to-openai-error.js';
import { fromDashScopeError, toSnakeCaseCode } from './dashscope-error-map.js';

const REQUEST_ID = '7671ecd8-93cc-9ee9-bc89-739f0fd8b809';

describe('fromDashScopeError maps DashScope codes to OpenAI error classes', () => {
  it.each([
    // [DashScope status, code, message, OpenAI status, type, code]
    [401, 'InvalidApiKey', 'Invalid API-key provided.', 401, 'authentication_error', 'invalid_api_key'],
    [401, 'NOT AUTHORIZED', 'Workspace not authorized.', 401, 'authentication_error', 'invalid_api_key'],
    [
      400,
      'InvalidParameter',
      'Role must be user or assistant and Content length must be greater than 0',
      400,
      'invalid_request_error',
      'invalid_parameter',
    ],
    [400, 'InvalidParameter', 'Model not exist.', 404, 'invalid_request_error', 'model_not_found'],
    [404, 'InvalidParameter', 'Model not exist.', 404, 'invalid_request_error', 'model_not_found'],
    [404, 'ModelNotFound', 'Model not found.', 404, 'invalid_request_error', 'model_not_found'],
    [403, 'AccessDenied', 'Access denied.', 403, 'permission_error', 'access_denied'],
    [403, 'Model.AccessDenied', 'Model access denied.', 403, 'permission_error', 'model_access_denied'],
    [403, 'Workspace.AccessDenied', 'Workspace access denied.', 403, 'permission_error', 'workspace_access_denied'],
    [403, 'AccessDenied.Unpurchased', 'Access to model denied.', 403, 'permission_error', 'access_denied_unpurchased'],
    [429, 'Throttling', 'Requests throttling triggered.', 429, 'rate_limit_error', 'rate_limit_exceeded'],
    [429, 'Throttling.RateQuota', 'Requests rate limit exceeded, please try again later.', 429, 'rate_limit_error', 'rate_limit_exceeded'],
    [
      429,
      'Throttling.AllocationQuota',
      'Allocated quota exceeded, please increase your quota limit.',
      429,
      'rate_limit_error',
      'rate_limit_exceeded',
    ],
    [
      400,
      'Arrearage',
      'Access denied, please make sure your account is in good standing.',
      429,
      'insufficient_quota',
      'insufficient_quota',
    ],
    [429, 'PrepaidBillOverdue', 'The prepaid bill is overdue.', 429, 'insufficient_quota', 'insufficient_quota'],
    [429, 'PostpaidBillOverdue', 'The postpaid bill is overdue.', 429, 'insufficient_quota', 'insufficient_quota'],
    [400, 'DataInspectionFailed', 'Input data may contain inappropriate content.', 400, 'invalid_request_error', 'content_filter'],
    [500, 'InternalError', 'An internal error has occured, please try again later.', 500, 'server_error', 'internal_error'],
    [500, 'InternalError.Algo', 'Missing Content-Length of multimodal url.', 500, 'server_error', 'internal_error_algo'],
    [500, 'SystemError', 'An system error has occured.', 500, 'server_error', 'system_error'],
    [
      400,
      'InternalError.Algo.InvalidParameter',
      'Range of input length should be [1, 6000]',
      400,
      'invalid_request_error',
      'internal_error_algo_invalid_parameter',
    ],
    [503, 'ModelUnavailable', 'Model is unavailable, please try again later.', 503, 'server_error', 'service_unavailable'],
    [408, 'RequestTimeOut', 'Request timed out, please try again later.', 504, 'server_error', 'timeout'],
    [500, 'RequestTimeOut', 'Request timed out, please try again later.', 504, 'server_error', 'timeout'],
    [413, 'BadRequest.TooLarge', 'Payload Too Large', 413, 'invalid_request_error', 'bad_request_too_large'],
    [
      400,
      'BadRequest.EmptyInput',
      'Required input parameter missing from request.',
      400,
      'invalid_request_error',
      'bad_request_empty_input',
    ],
    [400, 'InvalidURL', 'Invalid URL provided in your request.', 400, 'invalid_request_error', 'invalid_url'],
  ])('%i %s (%s) → %i %s %s', (status, code, message, openAIStatus, type, openAICode) => {
    const error = fromDashScopeError({ status, code, message, requestId: REQUEST_ID });
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      status: openAIStatus,
      type,
      code: openAICode,
      message,
      param: null,
      upstreamRequestId: REQUEST_ID,
      headers: {},
    });
    const { status: responseStatus, body } = toOpenAIError(error);
    expect(responseStatus).toBe(openAIStatus);
    expect(body).toEqual({ error: { message, type, param: null, code: openAICode }, request_id: REQUEST_ID });
    assertOpenAIShape('ErrorResponse', body);
  });

  it('matches "Model not exist." whatever the case, and only at the start of the message', () => {
    expect(fromDashScopeError({ status: 400, code: 'InvalidParameter', message: 'model not exist' }).status).toBe(404);
    expect(fromDashScopeError({ status: 400, code: 'InvalidParameter', message: 'The parameter model not exist in schema' }).status).toBe(
      400,
    );
  });

  it.each(['Throttling', 'Throttling.RateQuota', 'Throttling.AllocationQuota'])('passes Retry-After on for %s', (code) => {
    const error = fromDashScopeError({ status: 429, code, message: 'slow down', retryAfter: '7' });
    expect(error.headers).toEqual({ 'retry-after': '7' });
    expect(toOpenAIError(error).headers).toEqual({ 'retry-after': '7' });
  });

  it('passes Retry-After on for 503 and for a 429 classified by status', () => {
    expect(fromDashScopeError({ status: 503, code: 'ModelUnavailable', message: 'busy', retryAfter: '30' }).headers).toEqual({
      'retry-after': '30',
    });
    expect(fromDashScopeError({ status: 429, retryAfter: '2' }).headers).toEqual({ 'retry-after': '2' });
  });

  it('sends no Retry-After when DashScope gave none, nor for errors that retrying does not fix', () => {
    expect(fromDashScopeError({ status: 429, code: 'Throttling.RateQuota', message: 'slow down' }).headers).toEqual({});
    expect(fromDashScopeError({ status: 400, code: 'InvalidParameter', message: 'bad', retryAfter: '5' }).headers).toEqual({});
    expect(fromDashScopeError({ status: 500, code: 'InternalError', message: 'oops', retryAfter: '5' }).headers).toEqual({});
  });

  it('leaves request_id out of the body when DashScope sent none', () => {
    const { body } = toOpenAIError(fromDashScopeError({ status: 400, code: 'InvalidParameter', message: 'bad' }));
    expect(body).not.toHaveProperty('request_id');
  });
});

describe('fromDashScopeError classifies unknown codes by status', () => {
  it.each([
    [400, 400, 'invalid_request_error', 'brand_new_code'],
    [401, 401, 'authentication_error', 'brand_new_code'],
    [403, 403, 'permission_error', 'brand_new_code'],
    [404, 404, 'not_found_error', 'brand_new_code'],
    [413, 413, 'invalid_request_error', 'brand_new_code'],
    [429, 429, 'rate_limit_error', 'rate_limit_exceeded'],
    [500, 500, 'server_error', 'brand_new_code'],
    [502, 502, 'server_error', 'brand_new_code'],
    [503, 503, 'server_error', 'brand_new_code'],
    [504, 504, 'server_error', 'brand_new_code'],
    [599, 500, 'server_error', 'brand_new_code'],
    // An error body on a success status is not something DashScope does: a bad gateway.
    [200, 502, 'server_error', 'bad_upstream_response'],
  ])('%i → %i %s %s', (status, openAIStatus, type, code) => {
    const error = fromDashScopeError({ status, code: 'Brand.NewCode', message: 'Something new.', requestId: REQUEST_ID });
    expect(error).toMatchObject({ status: openAIStatus, type, code, message: 'Something new.', upstreamRequestId: REQUEST_ID });
    assertOpenAIShape('ErrorResponse', toOpenAIError(error).body);
  });

  it('turns a 408 without a code into a 504 timeout', () => {
    expect(fromDashScopeError({ status: 408 })).toMatchObject({ status: 504, type: 'server_error', code: 'timeout' });
  });

  it('turns a bare non-error status into a 502', () => {
    expect(fromDashScopeError({ status: 200 })).toMatchObject({ status: 502, type: 'server_error', code: 'bad_upstream_response' });
  });

  it('writes a message of its own when DashScope sent neither code nor message', () => {
    const error = fromDashScopeError({ status: 503 });
    expect(error).toMatchObject({ status: 503, type: 'server_error', code: null, message: 'DashScope returned HTTP 503.' });
    assertOpenAIShape('ErrorResponse', toOpenAIError(error).body);
  });

  it('names the code in its own message when DashScope sent a code but no message', () => {
    expect(fromDashScopeError({ status: 429, code: 'Throttling' }).message).toBe('DashScope returned HTTP 429 (Throttling).');
  });
});

describe('toSnakeCaseCode', () => {
  it.each([
    ['Throttling.RateQuota', 'throttling_rate_quota'],
    ['InvalidApiKey', 'invalid_api_key'],
    ['InternalError.Algo.InvalidParameter', 'internal_error_algo_invalid_parameter'],
    ['NOT AUTHORIZED', 'not_authorized'],
    ['invalid_parameter_error', 'invalid_parameter_error'],
    ['BadRequest.TooLarge', 'bad_request_too_large'],
  ])('%s → %s', (code, expected) => {
    expect(toSnakeCaseCode(code)).toBe(expected);
  });
});
