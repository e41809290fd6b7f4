import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { createApiKeyHasher, createLogger, type CallReport } from '@gw/express-middleware';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';
import { createHostApp, type CompanyAccount } from '../../examples/mount-router/create-host-app.js';
import { listen, type Listening } from './listen.js';

const accounts = new Map<string, CompanyAccount>([
  ['tok-alice', { user: 'alice', dashscopeKey: 'sk-alice-dashscope' }],
  ['tok-bob', { user: 'bob', dashscopeKey: 'sk-bob-dashscope' }],
]);
const fingerprint = createApiKeyHasher();
const chat = { model: 'qwen-max', messages: [{ role: 'user', content: 'hello from the host' }] };
const prefix = '/ai/dashscope/v1';

let fake: FakeDashScope;
let host: Listening;
const logs: string[] = [];
const reports: CallReport[] = [];

/** onCallFinished fires on 'close', which may come a moment after the client read the answer. */
async function nextReport(): Promise<CallReport> {
  for (let attempt = 0; attempt < 100 && reports.length === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  const report = reports.shift();
  if (report === undefined) throw new Error('no call report arrived');
  return report;
}

beforeAll(async () => {
  fake = await startFakeDashScope();
  const logger = createLogger({ write: (line) => void logs.push(line) });
  host = await listen(
    createHostApp({ dashscopeBaseUrl: fake.url, accounts, logger, onCallFinished: (report) => void reports.push(report) }),
  );
});
afterAll(async () => {
  await host.close();
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  logs.length = 0;
  reports.length = 0;
});

describe('recipe 1: the router mounted in a host app with its own parser and auth', () => {
  it("leaves the host's own routes, auth and error page alone", async () => {
    await request(host.url).get('/api/me').set('x-company-token', 'tok-alice').expect(200, { user: 'alice' });
    await request(host.url).get('/api/me').expect(401, { ok: false, message: 'Unknown company token.' });
    await request(host.url)
      .post('/api/notes')
      .set('x-company-token', 'tok-bob')
      .send({ text: 'hi' })
      .expect(201, { user: 'bob', note: { text: 'hi' } });
    // The host's parser errors on the host's routes keep the host's shape.
    await request(host.url)
      .post('/api/notes')
      .set('x-company-token', 'tok-bob')
      .set('content-type', 'application/json')
      .send('{"text":')
      .expect(400, { ok: false, message: 'Bad request.' });
    await request(host.url)
      .post('/api/notes')
      .set('x-company-token', 'tok-bob')
      .send({ text: 'x'.repeat(1_100_000) })
      .expect(413, { ok: false, message: 'Bad request.' });
    expect(fake.requests).toHaveLength(0);
  });

  it("answers the host parser's malformed JSON below the prefix with OpenAI's 400 invalid_json", async () => {
    const response = await request(host.url)
      .post(`${prefix}/chat/completions`)
      .set('authorization', 'Bearer tok-alice')
      .set('content-type', 'application/json')
      .send('{"model": "qwen-max", "messages": [');
    expect(response.status).toBe(400);
    assertOpenAIShape('ErrorResponse', response.body);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    expect(fake.requests).toHaveLength(0);
  });

  it("answers a body over the host parser's 1mb limit below the prefix with OpenAI's 413", async () => {
    const response = await request(host.url)
      .post(`${prefix}/chat/completions`)
      .set('authorization', 'Bearer tok-alice')
      .send({ ...chat, messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] });
    expect(response.status).toBe(413);
    assertOpenAIShape('ErrorResponse', response.body);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
    expect(fake.requests).toHaveLength(0);
  });

  it('holds the same limit for the bodies the host parser skips (not application/json), which the router parses', async () => {
    const oversized = JSON.stringify({ ...chat, messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await request(host.url)
        .post(`${prefix}/chat/completions`)
        .set('authorization', 'Bearer tok-alice')
        .set('content-type', type)
        .send(oversized);
      expect(response.status).toBe(413);
      assertOpenAIShape('ErrorResponse', response.body);
      expect(response.body.error.code).toBe('request_too_large');
    }
    const small = await request(host.url)
      .post(`${prefix}/chat/completions`)
      .set('authorization', 'Bearer tok-alice')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(JSON.stringify(chat));
    expect(small.status).toBe(200);
    expect(fake.requests).toHaveLength(1);
  });

  it('sends the DashScope key resolveApiKey mapped the company token to, from either header', async () => {
    const bearer = await request(host.url).post(`${prefix}/chat/completions`).set('authorization', 'Bearer tok-alice').send(chat);
    expect(bearer.status).toBe(200);
    assertOpenAIShape('CreateChatCompletionResponse', bearer.body);
    const azureStyle = await request(host.url).post(`${prefix}/chat/completions`).set('api-key', 'tok-bob').send(chat);
    expect(azureStyle.status).toBe(200);
    expect(fake.requests.map((recorded) => recorded.headers.authorization)).toEqual([
      'Bearer sk-alice-dashscope',
      'Bearer sk-bob-dashscope',
    ]);
    expect(JSON.stringify(fake.requests)).not.toContain('tok-');
  });

  it('refuses an unknown company token OpenAI-shaped, without calling DashScope', async () => {
    const response = await request(host.url).post(`${prefix}/chat/completions`).set('authorization', 'Bearer tok-mallory').send(chat);
    expect(response.status).toBe(401);
    assertOpenAIShape('ErrorResponse', response.body);
    expect(response.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    expect(fake.requests).toHaveLength(0);
  });

  it("runs the host's audit between auth and the endpoint, with the token's fingerprint only", async () => {
    await request(host.url).get(`${prefix}/models`).set('authorization', 'Bearer tok-alice').expect(200);
    const audit = logs.filter((line) => line.includes('Audit'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toContain(`Path: ${prefix}/models`);
    expect(audit[0]).toContain(`API Key Hash: ${fingerprint('tok-alice')}`);
    // Refused requests never reach the audit.
    await request(host.url).get(`${prefix}/models`).set('authorization', 'Bearer tok-mallory').expect(401);
    expect(logs.filter((line) => line.includes('Audit'))).toHaveLength(1);
    expect(logs.join('')).not.toMatch(/tok-alice|sk-alice-dashscope/);
  });

  it('reports each finished call: endpoint, model, status, stream flag, usage and fingerprint', async () => {
    const answered = await request(host.url).post(`${prefix}/chat/completions`).set('authorization', 'Bearer tok-alice').send(chat);
    expect(answered.status).toBe(200);
    const json = await nextReport();
    expect(json).toMatchObject({
      endpoint: 'chat.completions',
      method: 'POST',
      path: `${prefix}/chat/completions`,
      model: 'qwen-max',
      status: 200,
      stream: false,
      finishReason: 'stop',
      errorCode: undefined,
      clientAborted: false,
      keyHash: fingerprint('tok-alice'),
    });
    // The usage the client was told, never the prompt or the answer.
    expect(json.usage).toEqual(answered.body.usage);
    expect(json.usage?.total_tokens).toBeGreaterThan(0);
    expect(JSON.stringify(json)).not.toContain('hello from the host');

    const streamed = await fetch(`${host.url}${prefix}/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': 'tok-bob', 'content-type': 'application/json' },
      body: JSON.stringify({ ...chat, stream: true, stream_options: { include_usage: true } }),
    });
    const parsed = parseOpenAISse(await streamed.text());
    expect(parsed.done).toBe(true);
    for (const event of parsed.events) assertOpenAIShape('CreateChatCompletionStreamResponse', event);
    const stream = await nextReport();
    expect(stream).toMatchObject({
      endpoint: 'chat.completions',
      model: 'qwen-max',
      status: 200,
      stream: true,
      keyHash: fingerprint('tok-bob'),
    });
    expect(stream.usage).toEqual((parsed.events.at(-1) as { usage: unknown }).usage);
    expect(stream.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('reports failures with their error code', async () => {
    fake.enqueue({ type: 'error', status: 401, code: 'InvalidApiKey', message: 'Invalid API-key provided.' });
    const response = await request(host.url).post(`${prefix}/chat/completions`).set('authorization', 'Bearer tok-alice').send(chat);
    expect(response.status).toBe(401);
    assertOpenAIShape('ErrorResponse', response.body);
    expect(await nextReport()).toMatchObject({
      endpoint: 'chat.completions',
      status: 401,
      errorCode: 'invalid_api_key',
      keyHash: fingerprint('tok-alice'),
    });
  });
});
