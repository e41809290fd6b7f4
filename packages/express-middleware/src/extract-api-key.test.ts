import { describe, expect, it } from '@jest/globals';
import express, { type Request, type Response } from 'express';
import request from 'supertest';
import { assertOpenAIShape } from '@gw/testkit';
import { extractApiKey } from './extract-api-key.js';
import { createLogger } from './logger.js';
import { openAIErrorHandler } from './openai-error-handler.js';

/** A tiny app: the key middleware, a route that echoes what it put in res.locals, the error handler. */
function createTestApp() {
  const app = express();
  app.get('/whoami', extractApiKey(), (_req: Request, res: Response) => {
    res.json({ apiKey: res.locals.apiKey ?? null });
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
  ])('puts the key of %j into res.locals.apiKey', async (authorization, expected) => {
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
