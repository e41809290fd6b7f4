import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import {
  commentsOnly,
  DASHSCOPE_PATHS,
  eventFlood,
  eventsWithoutBlankLines,
  largeErrorAnswer,
  largeJsonAnswer,
  neverEndingLine,
  oversizedEvent,
  silentThenEvents,
  slowDrip,
  startFakeDashScope,
  type FakeDashScope,
  type RecordedRequest,
} from './index.js';

type Json = Record<string, unknown>;

const CHAT = JSON.stringify({ model: 'qwen-plus', input: { messages: [{ role: 'user', content: 'hi' }] }, parameters: {} });

/** Starts a streaming call and resolves with the response once its headers arrived. */
function open(fake: FakeDashScope, body: string = CHAT): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      `${fake.url}${DASHSCOPE_PATHS.textGeneration}`,
      { method: 'POST', headers: { authorization: 'Bearer sk-test', accept: 'text/event-stream', 'content-type': 'application/json' } },
      resolve,
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The whole body as it arrived, and whether the connection broke before its end. */
function readAll(response: IncomingMessage): Promise<{ body: Buffer; chunks: Buffer[]; broken: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve({ body: Buffer.concat(chunks), chunks, broken: false }));
    response.on('error', () => resolve({ body: Buffer.concat(chunks), chunks, broken: true }));
  });
}

/** Reads until at least `bytes` arrived, then destroys the connection. */
function readAtLeast(response: IncomingMessage, bytes: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= bytes) {
        response.destroy();
        resolve(Buffer.concat(chunks));
      }
    });
  });
}

/** SSE events as field lists; comment lines are kept as `comment` fields. */
function parseEvents(text: string): Array<{ id?: string; event?: string; data: string; comments: string[] }> {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      const event: { id?: string; event?: string; data: string; comments: string[] } = { data: '', comments: [] };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) event.comments.push(line.slice(1));
        else if (line.startsWith('data:')) data.push(line.slice('data:'.length));
        else if (line.startsWith('id:')) event.id = line.slice('id:'.length);
        else if (line.startsWith('event:')) event.event = line.slice('event:'.length);
        else throw new Error(`unexpected line ${line.slice(0, 40)}`);
      }
      event.data = data.join('\n');
      return event;
    });
}

function contentOf(data: string): string {
  const payload = JSON.parse(data) as { output: { choices: Array<{ message: { content: string }; finish_reason: string }> } };
  return payload.output.choices[0]!.message.content;
}

function finishOf(data: string): string {
  return (JSON.parse(data) as { output: { choices: Array<{ finish_reason: string }> } }).output.choices[0]!.finish_reason;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await delay(5);
}

describe('stream scripts', () => {
  let fake: FakeDashScope;
  beforeAll(async () => {
    fake = await startFakeDashScope();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it("writes each chunk as the source produces it, with DashScope's SSE headers by default", async () => {
    const sent: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    fake.enqueue({
      type: 'stream',
      async *chunks() {
        sent.push('one');
        yield 'one|';
        await gate;
        sent.push('two');
        yield new TextEncoder().encode('two|');
      },
    });
    const response = await open(fake);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream;charset=UTF-8');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const first = await new Promise<Buffer>((resolve) => response.once('data', resolve));
    expect(first.toString()).toBe('one|');
    expect(sent).toEqual(['one']);
    release();
    expect((await readAll(response)).body.toString()).toBe('two|');
  });

  it('uses the given status and headers, and destroys the socket when the source throws', async () => {
    fake.enqueue({
      type: 'stream',
      status: 503,
      headers: { 'content-type': 'text/plain', 'x-extra': 'yes' },
      *chunks() {
        yield 'partial';
        throw new Error('upstream lost');
      },
    });
    const response = await open(fake);
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.headers['x-extra']).toBe('yes');
    const { body, broken } = await readAll(response);
    expect(broken).toBe(true);
    expect(body.toString()).toBe('partial');
    const next = await open(fake);
    expect((await readAll(next)).broken).toBe(false);
  });

  it('sends the headers before a source that is silent at first', async () => {
    fake.enqueue(silentThenEvents({ silenceMs: 3_600_000 }));
    const response = await open(fake);
    expect(response.statusCode).toBe(200);
    response.destroy();
    await until(() => fake.openResponses === 0);
  });

  it('stops pulling a source once the reader stops, and returns it when the connection closes', async () => {
    let pulled = 0;
    let returned = false;
    fake.enqueue({
      type: 'stream',
      *chunks() {
        try {
          for (;;) {
            pulled += 1;
            yield 'x'.repeat(64 * 1024);
          }
        } finally {
          returned = true;
        }
      },
    });
    const response = await open(fake);
    response.pause();
    // Without backpressure the source would be pulled without end; with it, it stalls once the
    // socket buffers are full (a few MB on loopback).
    let previous = -1;
    while (pulled !== previous) {
      previous = pulled;
      await delay(100);
    }
    expect(pulled * 64 * 1024).toBeLessThan(64 * 1024 * 1024);
    expect(fake.openResponses).toBe(1);
    response.destroy();
    await until(() => returned && fake.openResponses === 0);
  });

  it('gzips one script when asked, flushing each chunk: a gzip bomb costs little on the wire', async () => {
    fake.enqueue({ ...eventsWithoutBlankLines(), gzip: true });
    const response = await open(fake);
    expect(response.headers['content-encoding']).toBe('gzip');
    const inflated: Buffer[] = [];
    let inflatedBytes = 0;
    let wireBytes = 0;
    const gunzip = createGunzip();
    gunzip.on('data', (chunk: Buffer) => {
      inflated.push(chunk);
      inflatedBytes += chunk.length;
    });
    response.on('data', (chunk: Buffer) => {
      wireBytes += chunk.length;
      gunzip.write(chunk);
    });
    await until(() => inflatedBytes >= 8 * 1024 * 1024);
    response.destroy();
    // Inflate whatever already arrived before comparing.
    await new Promise<void>((resolve) => gunzip.flush(() => resolve()));
    expect(wireBytes * 100).toBeLessThan(inflatedBytes);
    const text = Buffer.concat(inflated).toString('utf8');
    const [header, ...lines] = text.split('\n');
    expect(header).toBe('id:1');
    expect(lines.slice(0, 3)).toEqual(['event:result', ':HTTP_STATUS/200', expect.stringMatching(/^data:\{.*\}$/)]);
    // Nothing but data lines after the header, and never a blank one.
    expect(lines.slice(2, -1).every((line) => line.startsWith('data:{') && line.endsWith('}'))).toBe(true);
    await until(() => fake.openResponses === 0);
  });
});

describe('misbehaving upstream scripts', () => {
  let fake: FakeDashScope;
  beforeAll(async () => {
    fake = await startFakeDashScope();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('neverEndingLine: one event, then a data line that never ends', async () => {
    fake.enqueue(neverEndingLine({ pieceChars: 1000 }));
    const text = (await readAtLeast(await open(fake), 1024 * 1024)).toString('utf8');
    const [event, rest = ''] = text.split('\n\n');
    expect(contentOf(parseEvents(`${event}\n\n`)[0]!.data)).toBe('Hi');
    expect(rest).toMatch(/^data:a{1000000,}$/);
    await until(() => fake.openResponses === 0);
  });

  it('commentsOnly: comments and blank lines, never an event', async () => {
    fake.enqueue(commentsOnly({ intervalMs: 1 }));
    const text = (await readAtLeast(await open(fake), 200)).toString('utf8');
    expect(text).toMatch(/^(:heartbeat\n\n)+(:[a-z]*\n?)?$/);
    await until(() => fake.openResponses === 0);
  });

  it('oversizedEvent: a valid answer around one event of the given size, on one line or many', async () => {
    fake.enqueue(oversizedEvent({ chars: 300_000 }), oversizedEvent({ chars: 300_000, lineChars: 1000 }));
    for (const lineChars of [300_000, 1000]) {
      const text = (await readAll(await open(fake))).body.toString('utf8');
      const events = parseEvents(text);
      expect(events.map((event) => event.id)).toEqual(['1', '2', '3', '4']);
      const big = events[1]!;
      expect(big.data.length).toBeGreaterThanOrEqual(300_000);
      expect(big.data.length).toBeLessThan(300_000 + 2 * lineChars);
      expect(Math.max(...big.data.split('\n').map((line) => line.length))).toBeLessThanOrEqual(lineChars);
      expect(finishOf(big.data)).toBe('null');
      expect(finishOf(events[3]!.data)).toBe('stop');
      expect(events.map((event) => contentOf(event.data).length > 1000)).toEqual([false, lineChars === 300_000, false, false]);
    }
  });

  it('slowDrip: a complete answer in pieces of the given size', async () => {
    fake.enqueue(slowDrip({ events: 4, intervalMs: 1, bytesPerPiece: 3 }));
    const { body, chunks } = await readAll(await open(fake));
    expect(chunks.length).toBeGreaterThan(10);
    const events = parseEvents(body.toString('utf8'));
    expect(events.map((event) => contentOf(event.data)).join('')).toBe('drip 滴 '.repeat(4));
    expect(finishOf(events.at(-1)!.data)).toBe('stop');
  });

  it('silentThenEvents: a complete answer after the silence', async () => {
    fake.enqueue(silentThenEvents({ silenceMs: 10, events: 2 }));
    const events = parseEvents((await readAll(await open(fake))).body.toString('utf8'));
    expect(events.map((event) => event.id)).toEqual(['1', '2', '3']);
    expect(finishOf(events[2]!.data)).toBe('stop');
  });

  it('eventFlood: valid events of the given size, then the final event', async () => {
    fake.enqueue(eventFlood({ events: 500, eventChars: 100 }));
    const events = parseEvents((await readAll(await open(fake))).body.toString('utf8'));
    expect(events).toHaveLength(501);
    expect(events.slice(0, -1).every((event) => Array.from(contentOf(event.data)).length === 100)).toBe(true);
    expect(finishOf(events[500]!.data)).toBe('stop');
  });

  it('largeJsonAnswer and largeErrorAnswer: JSON bodies of the given size', async () => {
    fake.enqueue(largeJsonAnswer({ bytes: 3_000_000 }), largeErrorAnswer({ bytes: 2_000_000 }));
    const answer = await open(fake);
    expect(answer.headers['content-type']).toBe('application/json');
    const body = (await readAll(answer)).body;
    expect(Math.abs(body.length - 3_000_000)).toBeLessThan(100);
    const json = JSON.parse(body.toString('utf8')) as { output: { choices: Array<{ finish_reason: string; message: Json }> } };
    expect(json.output.choices[0]!.finish_reason).toBe('stop');
    expect(json.output.choices[0]!.message.role).toBe('assistant');

    const error = await open(fake);
    expect(error.statusCode).toBe(500);
    const errorBody = (await readAll(error)).body;
    expect(Math.abs(errorBody.length - 2_000_000)).toBeLessThan(100);
    expect(JSON.parse(errorBody.toString('utf8'))).toMatchObject({ code: 'InternalError', request_id: expect.any(String) });
  });

  it('rejects sizes that are not positive', () => {
    expect(() => oversizedEvent({ chars: 0 })).toThrow(RangeError);
    expect(() => commentsOnly({ intervalMs: -1 })).toThrow(RangeError);
  });
});

describe('the behave option and openResponses', () => {
  it('picks a script from the request when the queue is empty; undefined answers normally', async () => {
    const seen: RecordedRequest[] = [];
    const fake = await startFakeDashScope({
      behave: (request) => {
        seen.push(request);
        const text = JSON.stringify(request.body);
        return text.includes('#fault:hang') ? { type: 'hang' } : undefined;
      },
    });
    try {
      const chat = (content: string): string =>
        JSON.stringify({
          model: 'qwen-plus',
          input: { messages: [{ role: 'user', content }] },
          parameters: { result_format: 'message', incremental_output: true },
        });
      fake.enqueue({ type: 'reply', text: 'queued first' });
      const queued = (await readAll(await open(fake, chat('#fault:hang')))).body.toString('utf8');
      expect(
        parseEvents(queued)
          .map((event) => contentOf(event.data))
          .join(''),
      ).toBe('queued first');
      expect(seen).toHaveLength(0);

      const hanging = httpRequest(`${fake.url}${DASHSCOPE_PATHS.textGeneration}`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-test' },
      });
      hanging.on('error', () => undefined);
      hanging.end(chat('please #fault:hang'));
      await until(() => fake.openResponses === 1 && seen.length === 1);

      const normal = (await readAll(await open(fake, chat('plain')))).body.toString('utf8');
      expect(
        parseEvents(normal)
          .map((event) => contentOf(event.data))
          .join(''),
      ).toContain('You said: plain');
      expect(seen).toHaveLength(2);
      expect(fake.openResponses).toBe(1);

      hanging.destroy();
      await until(() => fake.openResponses === 0);
    } finally {
      await fake.close();
    }
  });

  it('answers 500 when behave throws, and keeps serving', async () => {
    let calls = 0;
    const fake = await startFakeDashScope({
      behave: () => {
        calls += 1;
        if (calls === 1) throw new Error('behave exploded');
        return undefined;
      },
    });
    try {
      expect((await open(fake)).statusCode).toBe(500);
      expect((await open(fake)).statusCode).toBe(200);
    } finally {
      await fake.close();
    }
  });
});
