import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { brotliCompressSync, constants, createGzip, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import { afterEach, describe, expect, it } from '@jest/globals';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import request from 'supertest';
import { assertOpenAIShape } from '@gw/testkit';
import { jsonBody, type JsonBodyOptions } from './json-body.js';
import { createLogger } from './logger.js';
import { createMemoryBudget, type MemoryBudget } from './memory-budget.js';
import { openAIErrorHandler } from './openai-error-handler.js';
import { rewriteChatRequest } from './rewrite-chat-request.js';

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

  /** With `trustProxy`, each request picks its client address with X-Forwarded-For. */
  async function listen(options: JsonBodyOptions, { trustProxy = false } = {}): Promise<number> {
    const app = express();
    app.set('trust proxy', trustProxy);
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

  it('reserves the bytes that arrive, not the length a header announces, until the response closes', async () => {
    const budget = budgetOf(1000);
    const port = await listen({ limit: 100, budget });
    const known = openRawRequest(port, { 'content-length': '7' });
    known.socket.write('{"a"');
    await waitFor(() => budget.inUse() === 4);
    const chunked = openRawRequest(port, { 'transfer-encoding': 'chunked' });
    chunked.socket.write(chunk('{"b"'));
    await waitFor(() => budget.inUse() === 8);
    known.socket.write(':1}');
    chunked.socket.write(chunk(':2}') + '0\r\n\r\n');
    expect(parseJson(await known.response)).toEqual({ body: { a: 1 } });
    expect(parseJson(await chunked.response)).toEqual({ body: { b: 2 } });
    await waitFor(() => budget.inUse() === 0);
    known.socket.destroy();
    chunked.socket.destroy();
  });

  it('lets connections that send headers and then nothing hold none of the budget, so other bodies are still read', async () => {
    // Each announces the whole limit or close to it; reserved up front, they would fill the budget 20 times over.
    const budget = budgetOf(150);
    const port = await listen({ limit: 100, budget });
    const idle = Array.from({ length: 20 }, (_, index) =>
      openRawRequest(port, index % 2 === 0 ? { 'transfer-encoding': 'chunked' } : { 'content-length': '100' }),
    );
    await Promise.all(idle.map((client) => new Promise((resolve) => client.socket.once('ready', resolve))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(budget.inUse()).toBe(0);
    const served = await request(`http://127.0.0.1:${port}`).post('/echo').set('Content-Type', 'application/json').send('{"a":1}');
    expect(served.status).toBe(200);
    expect(served.body).toEqual({ body: { a: 1 } });
    for (const client of idle) client.socket.destroy();
  });

  it('answers 503 server_busy with Retry-After when arriving bytes find the budget full, and serves again once it frees', async () => {
    const budget = budgetOf(150);
    const port = await listen({ limit: 100, budget });
    const body = JSON.stringify({ t: 'x'.repeat(100 - 8) });
    const holder = openRawRequest(port, { 'content-length': String(body.length) });
    holder.socket.write(body.slice(0, 99));
    await waitFor(() => budget.inUse() === 99);

    const refused = openRawRequest(port, { 'content-length': String(body.length) });
    refused.socket.write(body.slice(0, 40));
    await waitFor(() => budget.inUse() === 139);
    refused.socket.write(body.slice(40, 60));
    const busy = await refused.response;
    expectRawOpenAIError(busy, 503, 'server_busy');
    expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(busy.headers.connection).toBe('close');
    await refused.closed;
    await waitFor(() => budget.inUse() === 99);

    holder.socket.write(body.slice(99));
    expect((await holder.response).status).toBe(200);
    await waitFor(() => budget.inUse() === 0);
    const served = await request(`http://127.0.0.1:${port}`).post('/echo').set('Content-Type', 'application/json').send(body);
    expect(served.status).toBe(200);
    holder.socket.destroy();
  });

  it('reserves a compressed body by its decompressed bytes', async () => {
    const budget = budgetOf(1000);
    const port = await listen({ limit: 500, budget });
    const gzip = createGzip();
    const compressed: Buffer[] = [];
    gzip.on('data', (data: Buffer) => compressed.push(data));
    const head = `{"t":"${'x'.repeat(300)}`;
    gzip.write(head);
    await new Promise<void>((resolve) => gzip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    const client = openRawRequest(port, { 'transfer-encoding': 'chunked', 'content-encoding': 'gzip' });
    const first = Buffer.concat(compressed.splice(0));
    expect(first.length).toBeLessThan(100);
    client.socket.write(`${first.length.toString(16)}\r\n`);
    client.socket.write(first);
    client.socket.write('\r\n');
    await waitFor(() => budget.inUse() === head.length);
    gzip.end('"}');
    await new Promise((resolve) => gzip.once('end', resolve));
    const rest = Buffer.concat(compressed);
    client.socket.write(`${rest.length.toString(16)}\r\n`);
    client.socket.write(rest);
    client.socket.write('\r\n0\r\n\r\n');
    expect(parseJson(await client.response)).toEqual({ body: { t: 'x'.repeat(300) } });
    await waitFor(() => budget.inUse() === 0);
    client.socket.destroy();
  });

  it('keeps reading what a refused client still sends, so a reset cannot wipe the answer before it is read', async () => {
    const budget = budgetOf(150);
    const port = await listen({ limit: 100, budget });
    const holder = openRawRequest(port, { 'content-length': '100' });
    holder.socket.write('{' + ' '.repeat(98));
    await waitFor(() => budget.inUse() === 99);

    const refused = openRawRequest(port, { 'content-length': '100' }, { allowHalfOpen: true });
    refused.socket.write(' '.repeat(60));
    expectRawOpenAIError(await refused.response, 503, 'server_busy');
    // The server half-closed (RFC 9112 §9.6): it sent its FIN and still takes the rest of the body.
    await new Promise((resolve) => refused.socket.once('end', resolve));
    let failure: unknown;
    refused.socket.on('error', (error) => (failure = error));
    for (let piece = 0; piece < 4; piece += 1) {
      refused.socket.write('x'.repeat(9));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(failure).toBeUndefined();
    expect(refused.socket.destroyed).toBe(false);
    refused.socket.destroy();
    holder.socket.destroy();
  });

  /**
   * Opens a gzip upload from `address` that inflates to `text` and then stalls (no end, no gzip trailer),
   * and waits until the budget holds its bytes, or until it is answered.
   */
  async function stalledGzipUpload(port: number, budget: MemoryBudget, address: string, text: string) {
    const gzip = createGzip();
    const compressed: Buffer[] = [];
    gzip.on('data', (data: Buffer) => compressed.push(data));
    gzip.write(text);
    await new Promise<void>((resolve) => gzip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    const bytes = Buffer.concat(compressed);
    const before = budget.inUse();
    let answered = false;
    const client = openRawRequest(port, { 'transfer-encoding': 'chunked', 'content-encoding': 'gzip', 'x-forwarded-for': address });
    client.response.then(() => (answered = true)).catch(() => {});
    client.socket.write(Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]));
    await waitFor(() => answered || budget.inUse() === before + text.length);
    gzip.close();
    return client;
  }

  it('gives each client address a share of the budget: one client’s stalled gzip uploads get 503 past it, another client is still read', async () => {
    // 150 bytes of a valid prefix each, a few bytes on the wire; without the share, two would hold 300 of
    // the 400 bytes and the other client’s 150-byte body would find no room.
    const budget = createMemoryBudget({ maxBytes: 400, maxBytesPerClient: 200 });
    const port = await listen({ limit: 200, budget }, { trustProxy: true });
    const prefix = `{"t":"${'x'.repeat(144)}`;
    const first = await stalledGzipUpload(port, budget, '203.0.113.1', prefix);
    expect(budget.inUse('203.0.113.1')).toBe(150);
    const refused = await Promise.all([1, 2, 3].map(() => stalledGzipUpload(port, budget, '203.0.113.1', prefix)));
    for (const upload of refused) {
      const busy = await upload.response;
      expectRawOpenAIError(busy, 503, 'server_busy');
      expect(busy.body).toMatchObject({ error: { message: expect.stringContaining('share') } });
      expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(busy.headers.connection).toBe('close');
      await upload.closed;
    }
    await waitFor(() => budget.inUse() === 150);

    const other = await request(`http://127.0.0.1:${port}`)
      .post('/echo')
      .set('x-forwarded-for', '198.51.100.7')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ t: 'y'.repeat(150 - 10) }));
    expect(other.status).toBe(200);
    first.socket.destroy();
    await waitFor(() => budget.inUse() === 0);
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as the IPv4 one, or by the clientKey given', async () => {
    const budget = createMemoryBudget({ maxBytes: 1000, maxBytesPerClient: 100 });
    const port = await listen({ limit: 100, budget }, { trustProxy: true });
    const holders = [
      await stalledGzipUpload(port, budget, '2001:db8:1:2::1', `[${' '.repeat(59)}`),
      await stalledGzipUpload(port, budget, '192.0.2.7', `[${' '.repeat(59)}`),
    ];
    expect(budget.inUse('2001:db8:1:2:0:0:0:0/64')).toBe(60);
    expect(budget.inUse('192.0.2.7')).toBe(60);
    for (const address of ['2001:db8:1:2:ffff::9', '::ffff:192.0.2.7']) {
      const sameClient = await stalledGzipUpload(port, budget, address, `[${' '.repeat(59)}`);
      expectRawOpenAIError(await sameClient.response, 503, 'server_busy');
    }
    const otherNetwork = await stalledGzipUpload(port, budget, '2001:db8:1:3::1', `[${' '.repeat(59)}`);
    expect(budget.inUse('2001:db8:1:3:0:0:0:0/64')).toBe(60);
    for (const client of [...holders, otherNetwork]) client.socket.destroy();
    await waitFor(() => budget.inUse() === 0);

    const byTenant = createMemoryBudget({ maxBytes: 1000, maxBytesPerClient: 100 });
    const tenantPort = await listen({ limit: 100, budget: byTenant, clientKey: (req) => req.get('x-tenant') });
    const tenant = openRawRequest(tenantPort, { 'content-length': '80', 'x-tenant': 'acme' });
    tenant.socket.write(`[${' '.repeat(59)}`);
    await waitFor(() => byTenant.inUse('acme') === 60);
    tenant.socket.destroy();
    await waitFor(() => byTenant.inUse() === 0);
  });

  it('answers a body still arriving when the shutdown signal aborts with 503 server_shutting_down, and closes the connection', async () => {
    const budget = budgetOf(1000);
    const shutdown = new AbortController();
    const port = await listen({ limit: 100, budget, signal: shutdown.signal });
    const client = openRawRequest(port, { 'content-length': '50' });
    const trickle = setInterval(() => client.socket.writable && client.socket.write(' '), 20);
    try {
      await waitFor(() => budget.inUse() >= 3);
      shutdown.abort();
      const response = await client.response;
      expectRawOpenAIError(response, 503, 'server_shutting_down');
      expect(response.headers.connection).toBe('close');
      await client.closed;
    } finally {
      clearInterval(trickle);
    }
    await waitFor(() => budget.inUse() === 0);
    // A body that starts reading after the signal aborted is answered at once.
    const late = openRawRequest(port, { 'content-length': '50' });
    expectRawOpenAIError(await late.response, 503, 'server_shutting_down');
    await late.closed;
  });

  it('lets bodies read before the shutdown signal aborts go on', async () => {
    const shutdown = new AbortController();
    const port = await listen({ limit: 100, signal: shutdown.signal });
    const served = await request(`http://127.0.0.1:${port}`).post('/echo').set('Content-Type', 'application/json').send('{"a":1}');
    expect(served.status).toBe(200);
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
    await waitFor(() => budget.inUse() === 5);
    client.socket.destroy();
    await waitFor(() => budget.inUse() === 0);
  });

  it('refuses options that cannot work, at construction', () => {
    expect(() => jsonBody({ limit: 'ten megabytes' })).toThrow(TypeError);
    expect(() => jsonBody({ limit: 0 })).toThrow(TypeError);
    expect(() => jsonBody({ timeoutMs: 0 })).toThrow(TypeError);
    expect(() => jsonBody({ limit: '2kb', budget: budgetOf(1024) })).toThrow(TypeError);
    expect(() => jsonBody({ limit: '1.5kb', budget: budgetOf(1536) })).not.toThrow();
    expect(() => jsonBody({ maxDepth: 0 })).toThrow(TypeError);
    expect(() => jsonBody({ maxValues: 1.5 })).toThrow(TypeError);
    expect(() => jsonBody({ maxValues: 0 })).toThrow(TypeError);
    expect(() => jsonBody({ limit: '2kb', budget: createMemoryBudget({ maxBytes: 4096, maxBytesPerClient: 1024 }) })).toThrow(
      /maxBytesPerClient/,
    );
    expect(() => jsonBody({ clientKey: 'ip' as never })).toThrow(TypeError);
  });

  it('refuses a deeply nested body with 400 json_too_complex as soon as the nesting arrives, not at its end', async () => {
    const port = await listen({ limit: 1_000_000, maxDepth: 64 });
    const client = openRawRequest(port, { 'content-length': '1000000' });
    client.socket.write(`{"response_format":{"type":"text","x":${'['.repeat(200)}`);
    const response = await client.response;
    expectRawOpenAIError(response, 400, 'json_too_complex');
    expect(response.body).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('64 levels') } });
    expect(response.headers.connection).toBe('close');
    await client.closed;
  });

  it('counts the nesting of a compressed body as it decompresses (10 MB of brackets, 10 KB on the wire)', async () => {
    const budget = budgetOf(20 * 1024 * 1024);
    const port = await listen({ limit: '10mb', budget });
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"x":'), Buffer.alloc(10 * 1024 * 1024 - 10, '[')]));
    expect(bomb.length).toBeLessThan(20_000);
    const client = openRawRequest(port, { 'content-length': String(bomb.length), 'content-encoding': 'gzip' });
    client.socket.write(bomb);
    expectRawOpenAIError(await client.response, 400, 'json_too_complex');
    await client.closed;
    await waitFor(() => budget.inUse() === 0);
  });
});

describe('jsonBody bounds the shape of the JSON before parsing it', () => {
  const app = createTestApp({ limit: '10mb' });
  const post = (body: string) => request(app).post('/echo').set('Content-Type', 'application/json').send(body);

  it('refuses nesting deeper than maxDepth (default 64), naming the limit', async () => {
    const deep = await post(`{"messages":${'['.repeat(65)}${']'.repeat(65)}}`);
    expectOpenAIError(deep, 400, { type: 'invalid_request_error', code: 'json_too_complex' });
    expect(deep.body.error.message).toMatch(/deeper than 64 levels/);
    const objects = await post(`${'{"a":'.repeat(65)}1${'}'.repeat(65)}`);
    expectOpenAIError(objects, 400, { code: 'json_too_complex' });
    const fits = await post(`${'{"a":'.repeat(64)}1${'}'.repeat(64)}`);
    expect(fits.status).toBe(200);
  });

  it('refuses more than maxValues values (default 200000), naming the limit', async () => {
    // The array and its 200,000 elements: one value too many, whatever the elements are.
    for (const element of ['[]', '0', '"a"', '{"k":null}']) {
      const count = element === '{"k":null}' ? 100_000 : 200_000;
      const flood = await post(`[${Array.from({ length: count }, () => element).join(',')}]`);
      expectOpenAIError(flood, 400, { code: 'json_too_complex' });
      expect(flood.body.error.message).toMatch(/more than 200000 values/);
    }
    const fits = await post(`[${Array.from({ length: 199_999 }, () => '0').join(',')}]`);
    expect(fits.status).toBe(200);
    expect((fits.body.body as unknown[]).length).toBe(199_999);
  });

  it('does not count brackets inside strings, nor quotes that are escaped', async () => {
    const small = createTestApp({ limit: '1mb' });
    const text = `a\\"[[[${'['.repeat(1000)}\\\\`;
    const body = JSON.stringify({ a: [text, { b: text }] });
    const strict = express();
    strict.post('/echo', jsonBody({ maxDepth: 3, maxValues: 5 }), (req: Request, res: Response) => {
      res.json({ body: req.body as unknown });
    });
    strict.use(openAIErrorHandler({ logger: createLogger({ level: 'silent' }) }));
    const response = await request(strict).post('/echo').set('Content-Type', 'application/json').send(body);
    expect(response.status).toBe(200);
    expect(response.body.body).toEqual({ a: [text, { b: text }] });
    expect((await request(small).post('/echo').send(body)).status).toBe(200);
    const fourDeep = await request(strict).post('/echo').set('Content-Type', 'application/json').send('{"a":[{"b":[]}]}');
    expectOpenAIError(fourDeep, 400, { code: 'json_too_complex' });
  });

  it('still reads ordinary requests: a tool whose JSON schema nests 20 levels', async () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < 20; level += 1) schema = { type: 'object', properties: { [`level${level}`]: schema } };
    const body = {
      model: 'qwen-plus',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'fill the form [[{{' }] }],
      tools: [{ type: 'function', function: { name: 'fill_form', parameters: schema } }],
    };
    const response = await post(JSON.stringify(body));
    expect(response.status).toBe(200);
    expect(response.body.body).toEqual(body);
  });

  it('still reads ordinary requests: 2048 messages of text parts, and a 10 MB image', async () => {
    const messages = Array.from({ length: 2048 }, (_, index) => ({
      role: index % 2 === 0 ? 'user' : 'assistant',
      content: [{ type: 'text', text: `turn ${index}, [with, brackets]` }],
    }));
    const conversation = await post(JSON.stringify({ model: 'qwen-plus', messages }));
    expect(conversation.status).toBe(200);
    expect(conversation.body.body.messages).toHaveLength(2048);
    const head =
      '{"model":"qwen-vl-plus","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,';
    const tail = '"}}]}]}';
    const image = Buffer.alloc(10 * 1024 * 1024 - head.length - tail.length, 'QUJD').toString();
    const picture = await post(`${head}${image}${tail}`);
    expect(picture.status).toBe(200);
    expect(picture.body.body.messages[0].content[0].image_url.url).toHaveLength(image.length + 'data:image/png;base64,'.length);
  });

  it('checks text a host app read before it the same way', async () => {
    const hosted = createTestApp({ hostParser: express.text({ type: '*/*', limit: '1mb' }) });
    const deep = await request(hosted).post('/echo').set('Content-Type', 'application/json').send('['.repeat(100));
    expectOpenAIError(deep, 400, { code: 'json_too_complex' });
    const raw = createTestApp({ hostParser: express.raw({ type: '*/*', limit: '1mb' }) });
    const flood = await request(raw)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send(`[${'{},'.repeat(200_000)}{}]`);
    expectOpenAIError(flood, 400, { code: 'json_too_complex' });
  });
});

describe('jsonBody reads what body-parser read', () => {
  const app = createTestApp({ limit: '1kb' });

  it('takes any JSON value, and an empty body as {}', async () => {
    for (const [text, value] of [
      ['"text"', 'text'],
      ['42', 42],
      ['null', null],
      ['', {}],
    ] as const) {
      const response = await request(app)
        .post('/echo')
        .set('Content-Type', 'application/json')
        .set('Content-Length', String(text.length))
        .send(text);
      expect(response.status).toBe(200);
      expect(response.body.body).toEqual(value);
    }
  });

  // superagent serialises a Buffer sent as application/json; sent as octet-stream, its bytes go as they are.
  const postBytes = (headers: Record<string, string>, bytes: Buffer) =>
    request(app)
      .post('/echo')
      .set({ 'Content-Type': 'application/octet-stream', ...headers })
      .send(bytes);

  it('decompresses gzip, deflate, br and zstd, and drops a UTF-8 byte order mark', async () => {
    const json = Buffer.from('\uFEFF{"a":"ü"}');
    for (const [encoding, bytes] of [
      ['gzip', gzipSync(json)],
      ['deflate', deflateSync(json)],
      ['br', brotliCompressSync(json)],
      ['zstd', zstdCompressSync(json)],
      ['identity', json],
    ] as const) {
      const response = await postBytes({ 'Content-Encoding': encoding }, bytes);
      expect([encoding, response.status, response.body.body]).toEqual([encoding, 200, { a: 'ü' }]);
    }
  });

  it('decodes UTF-16 when the charset says so', async () => {
    const response = await postBytes({ 'Content-Type': 'text/plain; charset=utf-16le' }, Buffer.from('{"a":"中文"}', 'utf16le'));
    expect(response.status).toBe(200);
    expect(response.body.body).toEqual({ a: '中文' });
  });

  it('answers 415 unsupported_encoding for another charset or Content-Encoding, and 400 invalid_body for corrupt gzip', async () => {
    const latin = await request(app).post('/echo').set('Content-Type', 'application/json; charset=latin1').send('{}');
    expectOpenAIError(latin, 415, { code: 'unsupported_encoding' });
    const compress = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'compress')
      .send('{}');
    expectOpenAIError(compress, 415, { code: 'unsupported_encoding' });
    const corrupt = await postBytes({ 'Content-Encoding': 'gzip' }, Buffer.from('{"not":"gzip"}'));
    expectOpenAIError(corrupt, 400, { code: 'invalid_body' });
  });
});

/**
 * A body Node itself refused: a flood of chunk extensions (413) or a chunk size that overflows (400).
 * Node answers and closes the connection on its own, but the request was already handed to Express.
 */
describe('jsonBody with a body Node refused', () => {
  const servers: Array<{ close(): void; closeAllConnections(): void }> = [];
  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  /**
   * `before` runs ahead of the body parser, as an async auth or rate limit does; what reaches the end is
   * recorded. The parser is jsonBody, or a host's express.json() and rewriteChatRequest.
   */
  async function listen(before: RequestHandler, parse: RequestHandler[] = [jsonBody()]) {
    const reached: string[] = [];
    const errors: unknown[] = [];
    const app = express();
    app.post('/echo', before, ...parse, (_req: Request, res: Response) => {
      reached.push('route');
      res.json({});
    });
    app.use((error: unknown, _req: Request, _res: Response, next: (error: unknown) => void) => {
      errors.push(error);
      next(error);
    });
    app.use(openAIErrorHandler({ logger: createLogger({ level: 'silent' }) }));
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return { port: (server.address() as AddressInfo).port, reached, errors };
  }

  const BROKEN_CHUNKS = {
    'a flood of chunk extensions': `1;${'x'.repeat(20_000)}\r\n{\r\n`,
    'a chunk size that overflows': 'FFFFFFFFFFFFFFFFFFFFFFFF\r\n{',
  };

  it.each(Object.entries(BROKEN_CHUNKS))(
    '%s, found when jsonBody starts: a 400 incomplete_body, never an empty body passed on',
    async (_name, broken) => {
      const { port, reached, errors } = await listen((_req, _res, next) => void setTimeout(next, 50));
      const client = openRawRequest(port, { 'transfer-encoding': 'chunked' });
      client.socket.write(broken);
      await client.closed;
      for (let attempt = 0; attempt < 100 && errors.length === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(reached).toEqual([]);
      expect(errors).toEqual([expect.objectContaining({ status: 400, code: 'incomplete_body' })]);
    },
  );

  it.each(Object.entries(BROKEN_CHUNKS))(
    '%s, behind a host express.json() that passes such a request on without a body: rewriteRequest answers 400, not gateway_misconfigured',
    async (_name, broken) => {
      const hostParser = express.json({ type: () => true });
      const { port, reached, errors } = await listen(
        (_req, _res, next) => void setTimeout(next, 50),
        [hostParser, rewriteChatRequest({ logger: createLogger({ level: 'silent' }) })],
      );
      const client = openRawRequest(port, { 'transfer-encoding': 'chunked' });
      client.socket.write(broken);
      await client.closed;
      for (let attempt = 0; attempt < 100 && errors.length === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(reached).toEqual([]);
      expect(errors).toEqual([expect.objectContaining({ status: 400, code: 'incomplete_body' })]);
    },
  );

  it.each(Object.entries(BROKEN_CHUNKS))('%s, arriving while jsonBody reads: a 400 incomplete_body', async (_name, broken) => {
    const { port, reached, errors } = await listen((_req, _res, next) => next());
    const client = openRawRequest(port, { 'transfer-encoding': 'chunked' });
    client.socket.write(chunk('{"a":'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.socket.write(broken);
    await client.closed;
    for (let attempt = 0; attempt < 100 && errors.length === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reached).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ status: 400, code: 'incomplete_body' })]);
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
  // Node's own answers (to framing it refuses) carry no JSON.
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: headers['content-type']?.startsWith('application/json') ? (JSON.parse(body) as unknown) : body,
  };
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
