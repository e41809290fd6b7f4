import { describe, expect, it } from '@jest/globals';
import { GatewayError, toOpenAIError } from '@gw/core';
import { normalizeError } from './normalize-error.js';

/** An error as http-errors (used by Express's body parsers) builds it. */
function httpError(status: number, type?: string): Error {
  return Object.assign(new Error(`http error ${status}`), {
    status,
    statusCode: status,
    expose: status < 500,
    ...(type === undefined ? {} : { type }),
  });
}

describe('normalizeError', () => {
  it.each([
    ['entity.parse.failed', 400, 400, 'invalid_json'],
    ['entity.too.large', 413, 413, 'request_too_large'],
    ['encoding.unsupported', 415, 415, 'unsupported_encoding'],
    ['charset.unsupported', 415, 415, 'unsupported_encoding'],
    ['request.aborted', 400, 400, 'incomplete_body'],
    ['request.size.invalid', 400, 400, 'incomplete_body'],
    ['entity.verify.failed', 403, 403, 'bad_request'],
    [undefined, 400, 400, 'bad_request'],
  ])('maps body-parser type %s (HTTP %i) to %i %s', (type, status, expectedStatus, code) => {
    const normalized = normalizeError(httpError(status, type));
    expect(normalized).toBeInstanceOf(GatewayError);
    expect(normalized).toMatchObject({ status: expectedStatus, type: 'invalid_request_error', code, param: null });
    // The body parser's own message (which may quote the body) is not what the client sees.
    expect((normalized as GatewayError).message).not.toContain('http error');
  });

  it('reads statusCode when status is absent', () => {
    const error = Object.assign(new Error('x'), { statusCode: 422 });
    expect(normalizeError(error)).toMatchObject({ status: 422, code: 'bad_request' });
  });

  it('returns a GatewayError untouched', () => {
    const error = new GatewayError({ status: 404, type: 'invalid_request_error', message: 'gone' });
    expect(normalizeError(error)).toBe(error);
  });

  it.each([
    ['a plain Error', new Error('boom')],
    ['a 5xx http error', httpError(503)],
    ['a 3xx-ish status', Object.assign(new Error('x'), { status: 302 })],
    ['a string', 'boom'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
  ])('leaves %s to toOpenAIError, which makes it a generic 500', (_name, error) => {
    const normalized = normalizeError(error);
    expect(normalized).toBe(error);
    const { status, body } = toOpenAIError(normalized);
    expect(status).toBe(500);
    expect(body.error).toMatchObject({ type: 'server_error', code: 'internal_error' });
    expect(body.error.message).not.toContain('boom');
  });
});
