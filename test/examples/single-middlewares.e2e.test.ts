import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createApiKeyHasher, createLogger } from '@gw/express-middleware';
import { assertOpenAIShape } from '@gw/testkit';
import { createHostApp } from '../../examples/single-middlewares/create-host-app.js';
import { listen, type Listening } from './listen.js';

const key = 'sk-single-middlewares-secret-key';
const fingerprint = createApiKeyHasher()(key);
let host: Listening;
const logs: string[] = [];

/** The request log's "Request completed" line is written once the response is over. */
async function logLines(count: number): Promise<string[]> {
  for (let attempt = 0; attempt < 100 && logs.length < count; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  return logs.splice(0);
}

beforeAll(async () => {
  host = await listen(createHostApp({ logger: createLogger({ write: (line) => void logs.push(line) }) }));
});
afterAll(() => host.close());
beforeEach(() => void logs.splice(0));

describe('recipe 2: single middlewares in front of the host’s own routes', () => {
  it('answers the key’s fingerprint, and logs the fingerprint, never the key', async () => {
    await request(host.url).get('/keys/fingerprint').set('authorization', `Bearer ${key}`).expect(200, { fingerprint });
    const lines = await logLines(2);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      / - Request started - IP: [^,]+, Method: GET, Path: \/keys\/fingerprint, API Key Hash: [0-9a-f]{8}(?:, [^\n]*)?\n$/,
    );
    expect(lines[1]).toMatch(/ - Request completed - IP: [^,]+, Status: 200, Time: \d+\.\d{3}s, API Key Hash: [0-9a-f]{8}(?:, [^\n]*)?\n$/);
    for (const line of lines) expect(line).toContain(`API Key Hash: ${fingerprint}`);
    expect(lines.join('')).not.toContain(key);
  });

  it('reads the key from x-api-key too, with the same fingerprint in the answer and the log', async () => {
    await request(host.url).get('/keys/fingerprint').set('x-api-key', key).expect(200, { fingerprint });
    const lines = await logLines(2);
    expect(lines.join('')).toContain(`API Key Hash: ${fingerprint}`);
    expect(lines.join('')).not.toContain(key);
  });

  it('answers a missing key OpenAI-shaped through openAIErrorHandler, and logs its error code', async () => {
    const response = await request(host.url).get('/keys/fingerprint');
    expect(response.status).toBe(401);
    assertOpenAIShape('ErrorResponse', response.body);
    expect(response.body.error).toMatchObject({ type: 'authentication_error', code: 'missing_authorization' });
    const lines = await logLines(2);
    expect(lines[1]).toMatch(/Request completed - .*Status: 401, .*API Key Hash: -, Error: missing_authorization(?:, [^\n]*)?\n$/);
  });

  it('answers a malformed Authorization header OpenAI-shaped, without logging what was sent', async () => {
    const response = await request(host.url).get('/keys/fingerprint').set('authorization', `Basic ${key}`);
    expect(response.status).toBe(401);
    assertOpenAIShape('ErrorResponse', response.body);
    expect(response.body.error.code).toBe('invalid_authorization_format');
    expect((await logLines(2)).join('')).not.toContain(key);
  });

  it('logs keyless host routes too, and answers unknown ones with an OpenAI 404', async () => {
    await request(host.url).get('/health').expect(200, { ok: true });
    expect((await logLines(2)).join('')).toContain('API Key Hash: -');
    const unknown = await request(host.url).get('/nowhere').set('authorization', `Bearer ${key}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error: { message: 'Invalid URL (GET /nowhere)', type: 'invalid_request_error', param: null, code: 'unknown_url' },
    });
    expect((await logLines(2)).join('')).not.toContain(key);
  });

  it('fingerprints with an HMAC when the host sets a secret', async () => {
    const secretLogs: string[] = [];
    const keyed = await listen(
      createHostApp({ keyHashSecret: 'company-secret', logger: createLogger({ write: (line) => void secretLogs.push(line) }) }),
    );
    try {
      const hmac = createApiKeyHasher({ secret: 'company-secret' })(key);
      expect(hmac).not.toBe(fingerprint);
      await request(keyed.url).get('/keys/fingerprint').set('authorization', `Bearer ${key}`).expect(200, { fingerprint: hmac });
      for (let attempt = 0; attempt < 100 && secretLogs.length < 2; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(secretLogs.join('')).toContain(`API Key Hash: ${hmac}`);
      expect(secretLogs.join('')).not.toContain(fingerprint);
      expect(secretLogs.join('')).not.toContain(key);
    } finally {
      await keyed.close();
    }
  });
});
