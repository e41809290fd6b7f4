import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { assertOpenAIShape } from '@gw/testkit';
import { chatBody, postChat, startStack, type Stack } from './start-stack.js';

const bodyLimitBytes = 1024;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { bodyLimitBytes } });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.fake.reset());

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** The answer must be an OpenAI error, and DashScope must never have been called for it. */
async function expectRejected(response: Response, status: number, error: Partial<ErrorBody['error']>): Promise<ErrorBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as ErrorBody;
  assertOpenAIShape('ErrorResponse', body);
  expect(body.error).toMatchObject(error);
  expect(stack.fake.requests).toEqual([]);
  return body;
}

describe('authentication on POST /v1/chat/completions', () => {
  it('answers 401 missing_authorization without a key', async () => {
    await expectRejected(await postChat(stack.url, chatBody(), { key: null }), 401, {
      type: 'authentication_error',
      code: 'missing_authorization',
    });
  });

  it('answers 401 invalid_authorization_format for another scheme', async () => {
    const response = await postChat(stack.url, chatBody(), { key: null, headers: { authorization: 'Basic c2stYWJj' } });
    await expectRejected(response, 401, { type: 'authentication_error', code: 'invalid_authorization_format' });
  });

  it('answers 401 invalid_api_key for a key that cannot be one', async () => {
    await expectRejected(await postChat(stack.url, chatBody(), { key: 'sk two words' }), 401, {
      type: 'authentication_error',
      code: 'invalid_api_key',
    });
    await expectRejected(await postChat(stack.url, chatBody(), { key: `sk-${'a'.repeat(300)}` }), 401, { code: 'invalid_api_key' });
  });

  it('checks the key before reading the body', async () => {
    await expectRejected(await postChat(stack.url, '{not json', { key: null }), 401, { code: 'missing_authorization' });
  });

  it('passes a well-formed key on to DashScope, which judges it', async () => {
    const response = await postChat(stack.url, chatBody(), { key: 'sk-invalid' });
    expect(response.status).toBe(401);
    expect(stack.fake.requests).toHaveLength(1);
    expect(stack.fake.requests[0]?.headers.authorization).toBe('Bearer sk-invalid');
  });
});

describe('request bodies the gateway refuses', () => {
  it('answers malformed JSON with 400 invalid_json', async () => {
    await expectRejected(await postChat(stack.url, '{"model": "farui-plus", "messages": ['), 400, {
      type: 'invalid_request_error',
      code: 'invalid_json',
    });
  });

  it('answers a body that is not an object with 400', async () => {
    await expectRejected(await postChat(stack.url, '[1,2,3]'), 400, { type: 'invalid_request_error' });
    await expectRejected(await postChat(stack.url, 'null'), 400, { type: 'invalid_request_error' });
  });

  it('answers an empty body with 400', async () => {
    await expectRejected(await postChat(stack.url, ''), 400, { type: 'invalid_request_error' });
  });

  it(`answers a body over the configured limit (${bodyLimitBytes} bytes) with 413`, async () => {
    const body = chatBody({ messages: [{ role: 'user', content: 'x'.repeat(bodyLimitBytes) }] });
    await expectRejected(await postChat(stack.url, body), 413, { type: 'invalid_request_error', code: 'request_too_large' });
  });

  it('accepts a body just under the limit', async () => {
    const body = JSON.stringify(chatBody({ messages: [{ role: 'user', content: 'x'.repeat(bodyLimitBytes - 100) }] }));
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(bodyLimitBytes);
    const response = await postChat(stack.url, body);
    expect(response.status).toBe(200);
    expect(stack.fake.requests).toHaveLength(1);
  });

  it('parses JSON sent with a form Content-Type (curl -d)', async () => {
    const response = await postChat(stack.url, chatBody(), { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(200);
    expect(stack.fake.requests).toHaveLength(1);
  });

  it.each([
    ['temperature 3', chatBody({ temperature: 3 }), 'temperature'],
    ['temperature as a string', chatBody({ temperature: 'hot' }), 'temperature'],
    ['top_p above 1', chatBody({ top_p: 1.5 }), 'top_p'],
    ['max_tokens 0', chatBody({ max_tokens: 0 }), 'max_tokens'],
    ['a numeric message content', chatBody({ messages: [{ role: 'user', content: 42 }] }), 'messages[0].content'],
    [
      'a second message with a number as content',
      chatBody({
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 42 },
        ],
      }),
      'messages[1].content',
    ],
    ['no messages', { model: 'farui-plus' }, 'messages'],
    ['no model', { messages: [{ role: 'user', content: 'hi' }] }, 'model'],
  ])('answers %s with 400 naming the param', async (_name, body, param) => {
    await expectRejected(await postChat(stack.url, body), 400, { type: 'invalid_request_error', param });
  });

  it('names an unknown field as OpenAI does', async () => {
    const body = await expectRejected(await postChat(stack.url, chatBody({ foo: 1 })), 400, {
      type: 'invalid_request_error',
      param: 'foo',
    });
    expect(body.error.message).toBe('Unrecognized request argument supplied: foo');
  });

  it('answers tool_choice "required", which DashScope cannot do, with 400 unsupported_parameter', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
    await expectRejected(await postChat(stack.url, chatBody({ model: 'qwen-plus', tools, tool_choice: 'required' })), 400, {
      type: 'invalid_request_error',
      code: 'unsupported_parameter',
      param: 'tool_choice',
    });
    expect(stack.fake.requests).toHaveLength(0);
  });

  it('answers stream_options without stream with 400', async () => {
    await expectRejected(await postChat(stack.url, chatBody({ stream_options: { include_usage: true } })), 400, {
      param: 'stream_options',
    });
  });

  it('refuses the same bodies when a stream was asked for', async () => {
    await expectRejected(await postChat(stack.url, chatBody({ stream: true, temperature: 3 })), 400, { param: 'temperature' });
    await expectRejected(await postChat(stack.url, chatBody({ stream: true, foo: 1 })), 400, { param: 'foo' });
  });
});
