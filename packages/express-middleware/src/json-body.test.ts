import { describe, expect, it } from '@jest/globals';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import request from 'supertest';
import { assertOpenAIShape } from '@gw/testkit';
import { jsonBody } from './json-body.js';
import { createLogger } from './logger.js';
import { openAIErrorHandler } from './openai-error-handler.js';

/** A tiny app: optional host body parser, jsonBody, a route echoing the parsed body, the error handler. */
function createTestApp({ hostParser, limit = 100 }: { hostParser?: RequestHandler; limit?: number | string } = {}): Express {
  const app = express();
  if (hostParser !== undefined) app.use(hostParser);
  app.post('/echo', jsonBody({ limit }), (req: Request, res: Response) => {
    res.json({ body: req.body as unknown, contentType: req.headers['content-type'] ?? null });
  });
  app.use(openAIErrorHandler({ logger: createLogger({ level: 'silent' }) }));
  return app;
}

function expectOpenAIError(response: request.Response, status: number, fields: Record<string, unknown>) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  assertOpenAIShape('ErrorResponse', response.body);
  expect(response.body.error).toMatchObject(fields);
}

describe('jsonBody on its own', () => {
  const app = createTestApp();

  it('parses a JSON body', async () => {
    const response = await request(app).post('/echo').set('Content-Type', 'application/json').send('{"model":"farui-plus","n":[1,2]}');
    expect(response.status).toBe(200);
    expect(response.body.body).toEqual({ model: 'farui-plus', n: [1, 2] });
  });

  it('parses JSON whatever the Content-Type says (curl -d sends a form type)', async () => {
    const response = await request(app).post('/echo').set('Content-Type', 'application/x-www-form-urlencoded').send('{"a":1}');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ body: { a: 1 }, contentType: 'application/x-www-form-urlencoded' });
  });

  it('parses JSON sent without any Content-Type', async () => {
    const response = await request(app).post('/echo').send(Buffer.from('{"a":"ü"}'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ body: { a: 'ü' }, contentType: null });
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const response = await request(app).post('/echo').set('Content-Type', 'application/json').send('{"model": "farui-plus",');
    expectOpenAIError(response, 400, { type: 'invalid_request_error', code: 'invalid_json' });
  });

  it('answers a body over the limit with 413 without parsing it', async () => {
    const body = JSON.stringify({ text: 'x'.repeat(200) });
    const response = await request(app).post('/echo').set('Content-Type', 'application/json').send(body);
    expectOpenAIError(response, 413, { type: 'invalid_request_error', code: 'request_too_large' });
  });

  it('accepts a body of exactly the limit and refuses one byte more', async () => {
    const body = JSON.stringify({ t: 'x'.repeat(100 - 8) });
    expect(Buffer.byteLength(body)).toBe(100);
    const atLimit = await request(app).post('/echo').set('Content-Type', 'application/json').send(body);
    expect(atLimit.status).toBe(200);
    const overLimit = await request(app).post('/echo').set('Content-Type', 'application/json').send(`${body} `);
    expect(overLimit.status).toBe(413);
  });

  it('understands limits written as "1kb"', async () => {
    const kb = createTestApp({ limit: '1kb' });
    const fits = await request(kb)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ t: 'x'.repeat(900) }));
    expect(fits.status).toBe(200);
    const tooBig = await request(kb)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ t: 'x'.repeat(1100) }));
    expect(tooBig.status).toBe(413);
  });
});

describe('jsonBody behind a host app that parsed the body with express.json()', () => {
  const app = createTestApp({ hostParser: express.json({ limit: '1mb' }) });

  it('uses the already parsed object', async () => {
    const response = await request(app).post('/echo').set('Content-Type', 'application/json').send('{"a":[1,{"b":null}]}');
    expect(response.status).toBe(200);
    expect(response.body.body).toEqual({ a: [1, { b: null }] });
  });

  it('still parses bodies the host parser left alone (another Content-Type)', async () => {
    const response = await request(app).post('/echo').set('Content-Type', 'text/plain').send('{"a":2}');
    expect(response.status).toBe(200);
    expect(response.body.body).toEqual({ a: 2 });
  });

  it('answers the host parser’s JSON errors OpenAI-shaped', async () => {
    const response = await request(app).post('/echo').set('Content-Type', 'application/json').send('{oops');
    expectOpenAIError(response, 400, { type: 'invalid_request_error', code: 'invalid_json' });
  });
});

describe('jsonBody behind a host app that parsed the body with express.text()', () => {
  const app = createTestApp({ hostParser: express.text({ type: '*/*' }) });

  it('parses the text the host read', async () => {
    const response = await request(app).post('/echo').set('Content-Type', 'application/json').send('{"a":3}');
    expect(response.status).toBe(200);
    expect(response.body.body).toEqual({ a: 3 });
  });

  it('answers malformed text with 400 invalid_json', async () => {
    const response = await request(app).post('/echo').set('Content-Type', 'application/json').send('not json');
    expectOpenAIError(response, 400, { type: 'invalid_request_error', code: 'invalid_json' });
  });
});

describe('jsonBody behind a host app that read raw bytes with express.raw()', () => {
  const app = createTestApp({ hostParser: express.raw({ type: '*/*' }) });

  it('parses the bytes', async () => {
    const response = await request(app).post('/echo').set('Content-Type', 'application/json').send('{"a":"中文"}');
    expect(response.status).toBe(200);
    expect(response.body.body).toEqual({ a: '中文' });
  });
});
