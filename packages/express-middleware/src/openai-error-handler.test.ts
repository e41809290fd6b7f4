import { describe, expect, it } from '@jest/globals';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { GatewayError } from '@gw/core';
import { assertOpenAIShape } from '@gw/testkit';
import { createLogger } from './logger.js';
import { openAINotFound } from './not-found.js';
import { openAIErrorHandler } from './openai-error-handler.js';

const secretText = 'ECONNREFUSED /srv/app/secrets.json at line 42';

/** A tiny app: routes that fail in various ways, then the 404 and the error handler under test. */
function createTestApp() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', write: (line) => void lines.push(line) });
  const app = express();
  app.get('/v1/models', (_req: Request, res: Response) => {
    res.json({ ok: true });
  });
  app.get('/throws', () => {
    throw new Error(secretText);
  });
  app.get('/rejects', async () => {
    throw new Error(secretText);
  });
  app.get('/throws-string', () => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw secretText;
  });
  app.get('/gateway-error', (_req: Request, _res: Response, next: NextFunction) => {
    next(
      new GatewayError({
        status: 429,
        type: 'rate_limit_error',
        code: 'rate_limit_exceeded',
        message: 'Slow down.',
        headers: { 'retry-after': '3' },
        upstreamRequestId: 'req-1',
      }),
    );
  });
  app.get('/half-sent', (_req: Request, res: Response, next: NextFunction) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial');
    next(new Error(secretText));
  });
  app.use(openAINotFound());
  app.use(openAIErrorHandler({ logger }));
  return { app, lines };
}

describe('openAINotFound', () => {
  const { app, lines } = createTestApp();

  it.each([
    ['GET', '/v1/nope', 'Invalid URL (GET /v1/nope)'],
    ['POST', '/nope', 'Invalid URL (POST /nope)'],
    ['DELETE', '/v1/models', 'Invalid URL (DELETE /v1/models)'],
    ['GET', '/v1/nope?api_key=sk-leak', 'Invalid URL (GET /v1/nope)'],
  ])('answers %s %s with OpenAI’s 404', async (method, path, message) => {
    const response = await request(app)[method.toLowerCase() as 'get' | 'post' | 'delete'](path);
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    assertOpenAIShape('ErrorResponse', response.body);
    expect(response.body).toEqual({ error: { message, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
  });

  it('leaves known routes alone and logs no error for a 404', async () => {
    lines.length = 0;
    expect((await request(app).get('/v1/models')).body).toEqual({ ok: true });
    await request(app).get('/v1/nope');
    expect(lines).toEqual([]);
  });
});

describe('openAIErrorHandler', () => {
  const { app, lines } = createTestApp();

  it.each(['/throws', '/rejects', '/throws-string'])(
    'turns an unknown failure at %s into a 500 that does not leak its text',
    async (path) => {
      lines.length = 0;
      const response = await request(app).get(path);
      expect(response.status).toBe(500);
      assertOpenAIShape('ErrorResponse', response.body);
      expect(response.body.error).toMatchObject({ type: 'server_error', code: 'internal_error', param: null });
      expect(response.text).not.toContain('ECONNREFUSED');
      expect(response.text).not.toContain('secrets.json');
      // The operator still gets the real cause, once, at error level.
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/ - ERROR - Request failed - Status: 500, Code: internal_error, error: .*ECONNREFUSED/);
    },
  );

  it('answers a GatewayError with its status, body, headers and request id', async () => {
    lines.length = 0;
    const response = await request(app).get('/gateway-error');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
    assertOpenAIShape('ErrorResponse', response.body);
    expect(response.body).toEqual({
      error: { message: 'Slow down.', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
      request_id: 'req-1',
    });
    // Client errors are the client's business; nothing is logged for them.
    expect(lines).toEqual([]);
  });

  it('ends a response whose headers were already sent instead of writing a second one', async () => {
    const response = await request(app).get('/half-sent');
    expect(response.status).toBe(200);
    expect(response.text).toBe('partial');
  });

  it('answers Express body-parser errors through normalizeError', async () => {
    const parsing = express();
    parsing.post('/json', express.json({ limit: 10 }), (_req: Request, res: Response) => {
      res.json({});
    });
    parsing.use(openAIErrorHandler({ logger: createLogger({ level: 'silent' }) }));
    const malformed = await request(parsing).post('/json').set('Content-Type', 'application/json').send('{');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
    const large = await request(parsing).post('/json').set('Content-Type', 'application/json').send('{"a":"0123456789"}');
    expect(large.status).toBe(413);
    expect(large.body.error.code).toBe('request_too_large');
    const charset = await request(parsing).post('/json').set('Content-Type', 'application/json; charset=klingon').send('{}');
    expect(charset.status).toBe(415);
    expect(charset.body.error.code).toBe('unsupported_encoding');
    for (const response of [malformed, large, charset]) assertOpenAIShape('ErrorResponse', response.body);
  });
});
