import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { GatewayError } from './gateway-error.js';
import { toOpenAIError } from './to-openai-error.js';
import { parseDashScopeErrorResponse } from './parse-dashscope-error-response.js';

const readFixture = (name: string) => readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8');

function expectValid(error: GatewayError): GatewayError {
  expect(error).toBeInstanceOf(GatewayError);
  assertOpenAIShape('ErrorResponse', toOpenAIError(error).body);
  return error;
}

describe('parseDashScopeErrorResponse', () => {
  it('reads the recorded 401 JSON body', () => {
    const error = parseDashScopeErrorResponse({ status: 401, contentType: 'application/json', text: readFixture('auth-error-nosse.json') });
    expect(expectValid(error)).toMatchObject({
      status: 401,
      type: 'authentication_error',
      code: 'invalid_api_key',
      message: 'Invalid API-key provided.',
      upstreamRequestId: 'a1c0561c-1dfe-98a6-a62f-983577b8bc5e',
    });
    expect(toOpenAIError(error).body.request_id).toBe('a1c0561c-1dfe-98a6-a62f-983577b8bc5e');
  });

  it('reads the recorded 400 JSON body, whatever the content type says', () => {
    for (const contentType of ['application/json', 'application/json;charset=UTF-8', undefined]) {
      const error = parseDashScopeErrorResponse({ status: 400, contentType, text: readFixture('parameter-error-nosse.json') });
      expect(expectValid(error)).toMatchObject({
        status: 400,
        type: 'invalid_request_error',
        code: 'invalid_parameter',
        message: 'Role must be user or assistant and Content length must be greater than 0',
        upstreamRequestId: 'a5898c04-d210-901b-965f-e4bd90478805',
      });
    }
  });

  it('reads the first data: line of a non-200 SSE body', () => {
    const error = parseDashScopeErrorResponse({
      status: 400,
      contentType: 'text/event-stream;charset=UTF-8',
      text: readFixture('parameter-error-sse.sse'),
    });
    expect(expectValid(error)).toMatchObject({
      status: 400,
      code: 'invalid_parameter',
      message: 'Role must be user or assistant and Content length must be greater than 0',
      upstreamRequestId: '7671ecd8-93cc-9ee9-bc89-739f0fd8b809',
    });
  });

  it('reads an SSE body with CRLF line ends and a space after data:', () => {
    const text =
      'id:1\r\nevent:error\r\n:HTTP_STATUS/429\r\ndata: {"code":"Throttling.RateQuota","message":"Requests rate limit exceeded, please try again later.","request_id":"r-1"}\r\n\r\n';
    const error = parseDashScopeErrorResponse({ status: 429, contentType: 'text/event-stream', text, retryAfter: '5' });
    expect(expectValid(error)).toMatchObject({
      status: 429,
      type: 'rate_limit_error',
      message: 'Requests rate limit exceeded, please try again later.',
      upstreamRequestId: 'r-1',
      headers: { 'retry-after': '5' },
    });
  });

  it('accepts msg as an alias of message, as the SDKs do', () => {
    const error = parseDashScopeErrorResponse({
      status: 400,
      contentType: 'application/json',
      text: '{"code":"InvalidParameter","msg":"Bad input.","request_id":"r"}',
    });
    expect(error.message).toBe('Bad input.');
  });

  it('passes Retry-After on for a JSON 429', () => {
    const error = parseDashScopeErrorResponse({
      status: 429,
      contentType: 'application/json',
      text: '{"code":"Throttling","message":"Requests throttling triggered.","request_id":"r"}',
      retryAfter: '12',
    });
    expect(error.headers).toEqual({ 'retry-after': '12' });
  });

  it.each([
    ['an empty body', 502, 'text/plain', '', 502, 'server_error'],
    ['an HTML error page', 502, 'text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>', 502, 'server_error'],
    ['an HTML 503 page', 503, 'text/html', '<html>Service Unavailable</html>', 503, 'server_error'],
    ['an empty 404', 404, undefined, '', 404, 'not_found_error'],
    ['an empty 401', 401, 'application/json', '', 401, 'authentication_error'],
    ['an empty 429', 429, 'application/json', '', 429, 'rate_limit_error'],
    ['a 500 with truncated JSON', 500, 'application/json', '{"code":"Internal', 500, 'server_error'],
    ['JSON that is not an object', 400, 'application/json', '"oops"', 400, 'invalid_request_error'],
    ['an SSE body without data', 500, 'text/event-stream', 'id:1\nevent:error\n\n', 500, 'server_error'],
  ])('classifies %s by its status', (_name, status, contentType, text, openAIStatus, type) => {
    const error = expectValid(parseDashScopeErrorResponse({ status, contentType, text }));
    expect(error).toMatchObject({ status: openAIStatus, type, message: `DashScope returned HTTP ${status}.` });
    expect(error.upstreamRequestId).toBeUndefined();
    // Nothing of the page itself reaches the client.
    expect(JSON.stringify(toOpenAIError(error).body)).not.toContain('<html');
  });
});
