import { describe, expect, it } from '@jest/globals';
import express, { type Request, type Response } from 'express';
import request from 'supertest';
import { GatewayError } from '@gw/core';
import { assertOpenAIShape } from '@gw/testkit';
import { extractApiKey, type ExtractApiKeyOptions } from './extract-api-key.js';
import { gatewayState } from './gateway-state.js';
import { createLogger } from './logger.js';
import { openAIErrorHandler } from './openai-error-handler.js';

/** A tiny app: the key middleware, a route that echoes what it put in the gateway state, the error handler. */
function createTestApp(options?: ExtractApiKeyOptions) {
  const app = express();
  app.get('/whoami', extractApiKey(options), (_req: Request, res: Response) => {
    res.json({ apiKey: gatewayState(res).apiKey ?? null });
  });
  app.use(openAIErrorHandler({ logger: createLogger({ level: 'silent' }) }));
  return app;
}

describe('extractApiKey', () => {
  const app = createTestApp();

  async function expectAuthError(authorization: string | undefined, code: string) {
    const call = request(app).get('/whoami');
    const response = await (authorization === undefined ? call : call.set('Authorization', authorization));
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    assertOpenAIShape('ErrorResponse', response.body);
    expect(response.body.error).toMatchObject({ type: 'authentication_error', code, param: null });
    expect(typeof response.body.error.message).toBe('string');
    // The handler behind the middleware never ran.
    expect(response.body.apiKey).toBeUndefined();
    return response.body.error as { message: string };
  }

  it('answers 401 missing_authorization without an Authorization header', async () => {
    const error = await expectAuthError(undefined, 'missing_authorization');
    expect(error.message).toContain('Bearer');
  });

  it('treats a blank Authorization header as missing', async () => {
    await expectAuthError('   ', 'missing_authorization');
  });

  it.each([
    ['Basic x', 'Basic x'],
    ['the scheme alone', 'Bearer'],
    ['the scheme and blanks', 'Bearer    '],
    ['a token without a scheme', 'sk-abc'],
    ['a scheme glued to the token', 'Bearersk-abc'],
  ])('answers 401 invalid_authorization_format for %s', async (_name, authorization) => {
    await expectAuthError(authorization, 'invalid_authorization_format');
  });

  it.each([
    ['a key with a space', 'Bearer sk-abc def'],
    ['a key with non-ASCII characters', 'Bearer sk-clé'],
    ['a key of 257 characters', `Bearer sk-${'a'.repeat(254)}`],
  ])('answers 401 invalid_api_key for %s', async (_name, authorization) => {
    const error = await expectAuthError(authorization, 'invalid_api_key');
    // The rejected key is not echoed back.
    expect(error.message).not.toContain('sk-');
  });

  it.each([
    ['Bearer sk-abc123', 'sk-abc123'],
    ['bearer sk-abc123', 'sk-abc123'],
    ['BEARER sk-abc123', 'sk-abc123'],
    ['Bearer \t sk-abc123  ', 'sk-abc123'],
  ])('puts the key of %j into the gateway state', async (authorization, expected) => {
    const response = await request(app).get('/whoami').set('Authorization', authorization);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ apiKey: expected });
  });

  it('accepts a key of exactly 256 printable characters', async () => {
    const key = `sk-${'~'.repeat(253)}`;
    const response = await request(app).get('/whoami').set('Authorization', `Bearer ${key}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ apiKey: key });
  });

  it('keeps one request’s key out of the next request', async () => {
    await request(app).get('/whoami').set('Authorization', 'Bearer sk-first');
    const response = await request(app).get('/whoami');
    expect(response.status).toBe(401);
  });
});

describe('extractApiKey options', () => {
  it('reads api-key and x-api-key when asked, in the order given, and Authorization only if listed', async () => {
    const app = createTestApp({ headers: ['api-key', 'x-api-key'] });
    await request(app).get('/whoami').set('api-key', 'sk-from-api-key').expect(200, { apiKey: 'sk-from-api-key' });
    await request(app).get('/whoami').set('x-api-key', 'sk-from-x').expect(200, { apiKey: 'sk-from-x' });
    await request(app).get('/whoami').set('api-key', 'sk-first').set('x-api-key', 'sk-second').expect(200, { apiKey: 'sk-first' });
    const bearerOnly = await request(app).get('/whoami').set('authorization', 'Bearer sk-ignored');
    expect(bearerOnly.status).toBe(401);
    expect(bearerOnly.body.error.code).toBe('missing_authorization');
    expect(bearerOnly.body.error.message).toContain('"api-key: <key>" or "x-api-key: <key>"');
    const bad = await request(app).get('/whoami').set('x-api-key', 'sk with space');
    expect(bad.body.error.code).toBe('invalid_api_key');
  });

  it('turns a host token into a DashScope key with resolveApiKey, and refuses what it refuses', async () => {
    const seen: string[] = [];
    const app = createTestApp({
      resolveApiKey: async (credential) => {
        seen.push(credential);
        return credential === 'corp-token-1' ? 'sk-dashscope-for-team-1' : undefined;
      },
    });
    await request(app).get('/whoami').set('authorization', 'Bearer corp-token-1').expect(200, { apiKey: 'sk-dashscope-for-team-1' });
    const refused = await request(app).get('/whoami').set('authorization', 'Bearer corp-token-2');
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    expect(seen).toEqual(['corp-token-1', 'corp-token-2']);
  });

  it('answers a resolver that returns an unusable key with a 500 gateway_misconfigured, and a thrown GatewayError as is', async () => {
    const broken = createTestApp({ resolveApiKey: () => 'two words' });
    const misconfigured = await request(broken).get('/whoami').set('authorization', 'Bearer t');
    expect(misconfigured.status).toBe(500);
    expect(misconfigured.body.error.code).toBe('gateway_misconfigured');
    const throwing = createTestApp({
      resolveApiKey: () => {
        throw new GatewayError({ status: 403, type: 'permission_error', code: 'team_disabled', message: 'Team disabled.' });
      },
    });
    const forbidden = await request(throwing).get('/whoami').set('authorization', 'Bearer t');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('team_disabled');
  });

  it('fingerprints the presented credential once, with the given hasher', async () => {
    let calls = 0;
    const app = express();
    app.get(
      '/hash',
      extractApiKey({ hashApiKey: (key) => `h${++calls}-${key.length}` }),
      (_req: Request, res: Response) => void res.json({ keyHash: gatewayState(res).keyHash }),
    );
    await request(app).get('/hash').set('authorization', 'Bearer sk-1234').expect(200, { keyHash: 'h1-7' });
    expect(calls).toBe(1);
  });

  it.each([
    ['an empty header list', { headers: [] }],
    ['an unknown header', { headers: ['cookie'] }],
    ['a resolver that is not a function', { resolveApiKey: 'sk-x' }],
  ])('throws at construction for %s', (_name, options) => {
    expect(() => extractApiKey(options as unknown as ExtractApiKeyOptions)).toThrow(TypeError);
  });
});
