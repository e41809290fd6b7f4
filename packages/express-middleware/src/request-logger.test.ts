import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import express, { type Request, type Response } from 'express';
import request from 'supertest';
import { createApiKeyHasher } from './hash-api-key.js';
import { createLogger, type LogLevel, type LogFormat } from './logger.js';
import { requestLogger, type RequestLoggerOptions } from './request-logger.js';

const key = 'sk-secret-0123456789abcdef';
const prompt = 'my very private prompt about 上海';
const md5Hash = createHash('md5').update(key).digest('hex').slice(0, 8);

const timestamp = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}`;
const ip = String.raw`(?:::ffff:)?127\.0\.0\.1`;

/** A tiny app behind requestLogger, writing its lines into `lines`. */
function createTestApp({
  level = 'info',
  format = 'text',
  hashApiKey,
}: { level?: LogLevel; format?: LogFormat; hashApiKey?: RequestLoggerOptions['hashApiKey'] } = {}) {
  const lines: string[] = [];
  const logger = createLogger({ level, format, write: (line) => void lines.push(line) });
  const linesSeenByHandlers: number[] = [];
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(requestLogger(hashApiKey === undefined ? { logger } : { logger, hashApiKey }));
  app.post('/v1/x', express.json(), (req: Request, res: Response) => {
    linesSeenByHandlers.push(lines.length);
    res.status(201).json({ echoed: (req.body as { prompt?: string }).prompt ?? null });
  });
  app.get('/slow', (_req: Request, res: Response) => {
    setTimeout(() => res.send('late'), 60);
  });
  app.get('/stream', (_req: Request, res: Response) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: 1\n\n');
    setTimeout(() => {
      linesSeenByHandlers.push(lines.length);
      res.end('data: [DONE]\n\n');
    }, 40);
  });
  return { app, lines, linesSeenByHandlers };
}

/** The completed line is written when the response finishes, which may be a tick after the client has it. */
async function waitForLines(lines: string[], count: number): Promise<void> {
  const deadline = Date.now() + 1000;
  while (lines.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  // Give a stray third line the chance to show up.
  await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('requestLogger, text format', () => {
  const { app, lines, linesSeenByHandlers } = createTestApp();

  it('writes exactly a started and a completed line, in the original product’s format, with the key’s hash', async () => {
    lines.length = 0;
    linesSeenByHandlers.length = 0;
    const response = await request(app).post('/v1/x?api_key=leaky&user=bob').set('Authorization', `Bearer ${key}`).send({ prompt });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ echoed: prompt });
    await waitForLines(lines, 2);

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^${timestamp} - Request started - IP: ${ip}, Method: POST, Path: /v1/x, API Key Hash: ${md5Hash}(?:, [^\\n]*)?\\n$`),
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^${timestamp} - Request completed - IP: ${ip}, Status: 201, Time: \\d+\\.\\d{3}s, API Key Hash: ${md5Hash}(?:, [^\\n]*)?\\n$`,
      ),
    );
    // "Request started" is written when the request arrives, before the handler runs.
    expect(linesSeenByHandlers).toEqual([1]);
  });

  it('never logs the key, the body or the query string', async () => {
    lines.length = 0;
    await request(app).post('/v1/x?api_key=leaky&user=bob').set('Authorization', `Bearer ${key}`).send({ prompt });
    await waitForLines(lines, 2);
    const all = lines.join('');
    expect(all).not.toContain(key);
    expect(all).not.toContain('0123456789abcdef');
    expect(all).not.toContain(prompt);
    expect(all).not.toContain('private');
    expect(all).not.toContain('leaky');
    expect(all).not.toContain('?');
  });

  it('logs "-" as the hash when there is no usable key', async () => {
    for (const authorization of [undefined, 'Basic Zm9vOmJhcg==', 'Bearer two words']) {
      lines.length = 0;
      const call = request(app).post('/v1/x').send({});
      await (authorization === undefined ? call : call.set('Authorization', authorization));
      await waitForLines(lines, 2);
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).toMatch(/, API Key Hash: -(?:, [^\n]*)?\n$/);
      expect(lines.join('')).not.toContain('Zm9vOmJhcg');
      expect(lines.join('')).not.toContain('two words');
    }
  });

  it('logs the real status and a time that covers the whole response', async () => {
    lines.length = 0;
    await request(app).get('/slow').set('Authorization', `Bearer ${key}`);
    await waitForLines(lines, 2);
    expect(lines[0]).toContain('Method: GET, Path: /slow,');
    const time = Number(/Time: (\d+\.\d{3})s/.exec(lines[1] ?? '')?.[1]);
    expect(time).toBeGreaterThanOrEqual(0.05);
    expect(time).toBeLessThan(2);

    lines.length = 0;
    await request(app).get('/nothing-here');
    await waitForLines(lines, 2);
    expect(lines[1]).toContain('Status: 404,');
  });

  it('writes the completed line only once a streamed response has ended', async () => {
    lines.length = 0;
    linesSeenByHandlers.length = 0;
    const response = await request(app).get('/stream').set('Authorization', `Bearer ${key}`);
    expect(response.text).toBe('data: 1\n\ndata: [DONE]\n\n');
    await waitForLines(lines, 2);
    // When the stream's last write ran, only the started line existed.
    expect(linesSeenByHandlers).toEqual([1]);
    expect(lines).toHaveLength(2);
    expect(Number(/Time: (\d+\.\d{3})s/.exec(lines[1] ?? '')?.[1])).toBeGreaterThanOrEqual(0.03);
  });

  it('logs the client address Express resolved (trust proxy applies)', async () => {
    lines.length = 0;
    await request(app).post('/v1/x').set('X-Forwarded-For', '203.0.113.7').send({});
    await waitForLines(lines, 2);
    expect(lines[0]).toContain('IP: 203.0.113.7,');
    expect(lines[1]).toContain('IP: 203.0.113.7,');
  });
});

describe('requestLogger with a secret hasher', () => {
  const { app, lines } = createTestApp({ hashApiKey: createApiKeyHasher({ secret: 'pepper' }) });

  it('logs the HMAC fingerprint, not the MD5 one', async () => {
    await request(app).post('/v1/x').set('Authorization', `Bearer ${key}`).send({});
    await waitForLines(lines, 2);
    const hmac = createHmac('sha256', 'pepper').update(key).digest('hex').slice(0, 8);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(new RegExp(`API Key Hash: ${hmac}(?:, [^\\n]*)?\\n$`));
    expect(lines.join('')).not.toContain(md5Hash);
  });
});

describe('requestLogger, json format', () => {
  const { app, lines } = createTestApp({ format: 'json' });

  it('writes two JSON lines with the same fields', async () => {
    await request(app).post('/v1/x?q=1').set('Authorization', `Bearer ${key}`).send({ prompt });
    await waitForLines(lines, 2);
    expect(lines).toHaveLength(2);
    const [started, completed] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(started).toEqual({
      time: expect.any(String),
      level: 'info',
      msg: 'Request started',
      ip: expect.stringMatching(new RegExp(`^${ip}$`)),
      method: 'POST',
      path: '/v1/x',
      key_hash: md5Hash,
    });
    expect(completed).toEqual({
      time: expect.any(String),
      level: 'info',
      msg: 'Request completed',
      ip: expect.stringMatching(new RegExp(`^${ip}$`)),
      status: 201,
      duration_ms: expect.any(Number),
      key_hash: md5Hash,
      outcome: 'completed',
    });
    expect(lines.join('')).not.toContain(key);
    expect(lines.join('')).not.toContain(prompt);
  });
});

describe('requestLogger above info', () => {
  for (const level of ['warn', 'error', 'silent'] as const) {
    it(`writes nothing at level ${level}`, async () => {
      const { app, lines } = createTestApp({ level });
      const response = await request(app).post('/v1/x').set('Authorization', `Bearer ${key}`).send({ prompt });
      expect(response.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lines).toEqual([]);
    });
  }
});
