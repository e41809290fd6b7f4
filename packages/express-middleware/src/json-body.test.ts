import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from '@jest/globals';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import request from 'supertest';
import { assertOpenAIShape } from '@gw/testkit';
import { jsonBody, type JsonBodyOptions } from './json-body.js';
import { createLogger } from './logger.js';
import { createMemoryBudget, type MemoryBudget } from './memory-budget.js';
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

/** The bounded reads: an app on a real port, spoken to over raw sockets so each byte's timing is ours. */
describe('jsonBody bounds the bodies it reads', () => {
  const servers: Array<{ close(): void; closeAllConnections(): void }> = [];
  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  async function listen(options: JsonBodyOptions): Promise<number> {
    const app = express();
    app.post('/echo', jsonBody(options), (req: Request, res: Response) => {
      res.json({ body: req.body as unknown });
    });
    app.use(openAIErrorHandler({ logger: createLogger({ level: 'silent' }) }));
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return (server.address() as AddressInfo).port;
  }

  function budgetOf(maxBytes: number): MemoryBudget {
    return createMemoryBudget({ maxBytes });
  }

  async function waitFor(condition: () => boolean): Promise<void> {
    for (let attempt = 0; attempt < 500 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(condition()).toBe(true);
  }

  it('answers a Content-Length over the limit with 413 at once, without waiting for the body', async () => {
    const port = await listen({ limit: 100 });
    const client = openRawRequest(port, { 'content-length': '1000000' });
    const response = await client.response;
    expectRawOpenAIError(response, 413, 'request_too_large');
    expect(response.headers.connection).toBe('close');
    await client.closed;
  });

  it('answers a chunked body that grows over the limit with 413 while the client is still sending', async () => {
    const port = await listen({ limit: 100 });
    const client = openRawRequest(port, { 'transfer-encoding': 'chunked' });
    client.socket.write(chunk('x'.repeat(60)));
    client.socket.write(chunk('x'.repeat(60)));
    const response = await client.response;
    expectRawOpenAIError(response, 413, 'request_too_large');
    await client.closed;
  });

  it('still answers a gzip bomb with 413, and gives its reservation back', async () => {
    const budget = budgetOf(1000);
    const port = await listen({ limit: 100, budget });
    const bomb = gzipSync(Buffer.alloc(100_000, 0x20));
    const client = openRawRequest(port, { 'content-length': String(bomb.length), 'content-encoding': 'gzip' });
    client.socket.write(bomb);
    expectRawOpenAIError(await client.response, 413, 'request_too_large');
    await client.closed;
    await waitFor(() => budget.inUse() === 0);
  });

  it('reserves the Content-Length, or the whole limit when the length is unknown, until the response closes', async () => {
    const budget = budgetOf(1000);
    const port = await listen({ limit: 100, budget });
    const known = openRawRequest(port, { 'content-length': '7' });
    known.socket.write('{"a"');
    await waitFor(() => budget.inUse() === 7);
    const chunked = openRawRequest(port, { 'transfer-encoding': 'chunked' });
    chunked.socket.write(chunk('{"b"'));
    await waitFor(() => budget.inUse() === 107);
    known.socket.write(':1}');
    chunked.socket.write(chunk(':2}') + '0\r\n\r\n');
    expect(parseJson(await known.response)).toEqual({ body: { a: 1 } });
    expect(parseJson(await chunked.response)).toEqual({ body: { b: 2 } });
    await waitFor(() => budget.inUse() === 0);
    known.socket.destroy();
    chunked.socket.destroy();
  });

  it('answers 503 server_busy with Retry-After when the budget is full, without reading the body, and serves again once it frees', async () => {
    const budget = budgetOf(150);
    const port = await listen({ limit: 100, budget });
    const body = JSON.stringify({ t: 'x'.repeat(100 - 8) });
    const holder = openRawRequest(port, { 'content-length': String(body.length) });
    holder.socket.write(body.slice(0, 10));
    await waitFor(() => budget.inUse() === 100);

    const refused = openRawRequest(port, { 'content-length': String(body.length) });
    const busy = await refused.response;
    expectRawOpenAIError(busy, 503, 'server_busy');
    expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(busy.headers.connection).toBe('close');
    await refused.closed;
    expect(budget.inUse()).toBe(100);

    holder.socket.write(body.slice(10));
    expect((await holder.response).status).toBe(200);
    await waitFor(() => budget.inUse() === 0);
    const served = await request(`http://127.0.0.1:${port}`).post('/echo').set('Content-Type', 'application/json').send(body);
    expect(served.status).toBe(200);
    holder.socket.destroy();
  });

  it('keeps reading what a refused client still sends, so a reset cannot wipe the answer before it is read', async () => {
    const budget = budgetOf(150);
    const port = await listen({ limit: 100, budget });
    const holder = openRawRequest(port, { 'content-length': '100' });
    holder.socket.write('{');
    await waitFor(() => budget.inUse() === 100);

    const refused = openRawRequest(port, { 'content-length': '100' }, { allowHalfOpen: true });
    expectRawOpenAIError(await refused.response, 503, 'server_busy');
    // The server half-closed (RFC 9112 §9.6): it sent its FIN and still takes the rest of the body.
    await new Promise((resolve) => refused.socket.once('end', resolve));
    let failure: unknown;
    refused.socket.on('error', (error) => (failure = error));
    for (let piece = 0; piece < 10; piece += 1) {
      refused.socket.write('x'.repeat(9));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(failure).toBeUndefined();
    expect(refused.socket.destroyed).toBe(false);
    refused.socket.destroy();
    holder.socket.destroy();
  });

  it('answers a body that trickles in past the timeout with 408 request_timeout and closes the connection', async () => {
    const budget = budgetOf(1000);
    const port = await listen({ limit: 100, timeoutMs: 300, budget });
    const client = openRawRequest(port, { 'content-length': '50' });
    const trickle = setInterval(() => client.socket.writable && client.socket.write(' '), 20);
    try {
      const response = await client.response;
      expectRawOpenAIError(response, 408, 'request_timeout');
      expect(response.body).toMatchObject({ error: { type: 'invalid_request_error' } });
      expect(response.headers.connection).toBe('close');
      await client.closed;
    } finally {
      clearInterval(trickle);
    }
    await waitFor(() => budget.inUse() === 0);
  });

  it('gives the reservation back when the client leaves halfway through its body', async () => {
    const budget = budgetOf(1000);
    const port = await listen({ limit: 100, budget });
    const client = openRawRequest(port, { 'content-length': '80' });
    client.socket.write('{"a":');
    await waitFor(() => budget.inUse() === 80);
    client.socket.destroy();
    await waitFor(() => budget.inUse() === 0);
  });

  it('refuses options that cannot work, at construction', () => {
    expect(() => jsonBody({ limit: 'ten megabytes' })).toThrow(TypeError);
    expect(() => jsonBody({ limit: 0 })).toThrow(TypeError);
    expect(() => jsonBody({ timeoutMs: 0 })).toThrow(TypeError);
    expect(() => jsonBody({ limit: '2kb', budget: budgetOf(1024) })).toThrow(TypeError);
    expect(() => jsonBody({ limit: '1.5kb', budget: budgetOf(1536) })).not.toThrow();
  });
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Sends a POST head (no body yet) and reads one response, whenever it comes, over a plain socket. */
function openRawRequest(port: number, headers: Record<string, string>, { allowHalfOpen = false } = {}) {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen });
  socket.on('error', () => {});
  const head = Object.entries({ host: '127.0.0.1', 'content-type': 'application/json', ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(`POST /echo HTTP/1.1\r\n${head}\r\n`);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const response = new Promise<RawResponse>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const parsed = parseRawResponse(received);
      if (parsed === undefined) return;
      socket.off('data', onData);
      resolve(parsed);
    };
    socket.on('data', onData);
    void closed.then(() => reject(new Error(`connection closed before a whole response: ${received.toString()}`)));
  });
  // Tests that end the connection themselves never await the response.
  response.catch(() => {});
  return { socket, response, closed };
}

function parseRawResponse(data: Buffer): RawResponse | undefined {
  const text = data.toString();
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, headEnd).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const body = text.slice(headEnd + 4);
  if (Buffer.byteLength(body) < Number(headers['content-length'])) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as unknown };
}

function parseJson(response: RawResponse): unknown {
  expect(response.status).toBe(200);
  return response.body;
}

function expectRawOpenAIError(response: RawResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  assertOpenAIShape('ErrorResponse', response.body);
  expect(response.body).toMatchObject({ error: { code } });
}

function chunk(text: string): string {
  return `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
}
