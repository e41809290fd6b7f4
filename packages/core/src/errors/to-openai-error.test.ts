import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { GatewayError, invalidRequest, isGatewayError } from './gateway-error.js';
import { toOpenAIError } from './to-openai-error.js';
import { badUpstreamResponse, upstreamTimeout, upstreamUnreachable } from './upstream-transport-error.js';

describe('toOpenAIError', () => {
  it('maps a GatewayError to its status, headers and OpenAI error body', () => {
    const error = new GatewayError({
      status: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      message: 'Requests rate limit exceeded, please try again later.',
      headers: { 'retry-after': '3' },
      upstreamRequestId: 'abc-123',
    });
    const response = toOpenAIError(error);
    expect(response).toEqual({
      status: 429,
      headers: { 'retry-after': '3' },
      body: {
        error: {
          message: 'Requests rate limit exceeded, please try again later.',
          type: 'rate_limit_error',
          param: null,
          code: 'rate_limit_exceeded',
        },
        request_id: 'abc-123',
      },
    });
    assertOpenAIShape('ErrorResponse', response.body);
  });

  it('keeps param and code of a request error, and has no request_id for an error of the gateway itself', () => {
    const response = toOpenAIError(invalidRequest("Invalid value for 'temperature'.", { param: 'temperature', code: 'invalid_value' }));
    expect(response).toEqual({
      status: 400,
      headers: {},
      body: {
        error: { message: "Invalid value for 'temperature'.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' },
      },
    });
    assertOpenAIShape('ErrorResponse', response.body);
  });

  it('defaults code and param to null', () => {
    const { body } = toOpenAIError(invalidRequest('Bad.'));
    expect(body.error).toEqual({ message: 'Bad.', type: 'invalid_request_error', param: null, code: null });
    assertOpenAIShape('ErrorResponse', body);
  });

  it.each([
    ['an Error', new Error('ENOENT: no such file /srv/secret/config.json')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'apiKey')")],
    ['a string', 'sk-secret-key leaked'],
    ['undefined', undefined],
    ['null', null],
    ['an object that looks like a GatewayError', { status: 400, type: 'invalid_request_error', message: 'sk-secret fake' }],
  ])('maps %s to a 500 with a generic message that does not leak the original text', (_name, thrown) => {
    const response = toOpenAIError(thrown);
    expect(response).toEqual({
      status: 500,
      headers: {},
      body: { error: { message: 'The gateway failed to process the request.', type: 'server_error', param: null, code: 'internal_error' } },
    });
    const serialised = JSON.stringify(response);
    expect(serialised).not.toMatch(/secret|ENOENT|apiKey/);
    assertOpenAIShape('ErrorResponse', response.body);
  });

  it.each([
    ['upstreamUnreachable', upstreamUnreachable(new Error('connect ECONNREFUSED 10.0.0.1:443')), 502, 'upstream_unreachable'],
    ['upstreamTimeout', upstreamTimeout(), 504, 'upstream_timeout'],
    ['badUpstreamResponse', badUpstreamResponse('not JSON'), 502, 'bad_upstream_response'],
  ])('maps %s to %i server_error', (_name, error, status, code) => {
    const response = toOpenAIError(error);
    expect(response.status).toBe(status);
    expect(response.body.error).toMatchObject({ type: 'server_error', code, param: null });
    expect(JSON.stringify(response)).not.toContain('ECONNREFUSED');
    assertOpenAIShape('ErrorResponse', response.body);
  });
});

describe('GatewayError', () => {
  it('is an Error with its fields and cause, and isGatewayError recognises it', () => {
    const cause = new Error('socket hang up');
    const error = new GatewayError({ status: 502, type: 'server_error', message: 'Upstream failed.', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'GatewayError',
      status: 502,
      type: 'server_error',
      message: 'Upstream failed.',
      code: null,
      param: null,
      headers: {},
    });
    expect(error.upstreamRequestId).toBeUndefined();
    expect(error.cause).toBe(cause);
    expect(isGatewayError(error)).toBe(true);
    expect(isGatewayError(new Error('x'))).toBe(false);
  });
});

describe('isGatewayError across copies of @gw/core', () => {
  it('recognises an error branded by another copy of the class (src and dist loaded together)', () => {
    const fromOtherCopy = Object.assign(new Error('Rate limited.'), {
      [Symbol.for('@gw/core/GatewayError')]: true,
      status: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      param: null,
      headers: {},
      upstreamRequestId: undefined,
    });
    expect(isGatewayError(fromOtherCopy)).toBe(true);
    expect(toOpenAIError(fromOtherCopy)).toMatchObject({
      status: 429,
      body: { error: { message: 'Rate limited.', code: 'rate_limit_exceeded' } },
    });
  });
});
