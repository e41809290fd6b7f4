import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  commentsOnly,
  eventFlood,
  eventsWithoutBlankLines,
  largeErrorAnswer,
  largeJsonAnswer,
  neverEndingLine,
  oversizedEvent,
  silentThenEvents,
  type StreamScript,
} from '@gw/fake-dashscope';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';
import { chatBody, postChat, startStack, waitFor, type Stack } from './start-stack.js';

/**
 * Issue 6, findings 1, 6, 8 and 9: a DashScope that misbehaves (lines or events that never end, gzip
 * bombs, endless heartbeats, huge answers) fails only the request it answers, within a bounded time
 * and bounded memory, while the gateway goes on serving everyone else.
 */

const mb = 1024 * 1024;

async function healthMs(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/health`);
  expect(response.status).toBe(200);
  await response.json();
  return performance.now() - started;
}

/** The last SSE data payload's error, or the JSON error body. */
async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const text = await response.text();
  if (response.headers.get('content-type')?.includes('text/event-stream')) {
    const { events, done } = parseOpenAISse(text);
    expect(done).toBe(false);
    const last = events.at(-1) as { error?: { code: string; message: string } } | undefined;
    if (last?.error === undefined) throw new Error(`no error event at the end of: ${text.slice(0, 500)}`);
    return last.error;
  }
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  assertOpenAIShape('ErrorResponse', body);
  return body.error;
}

describe('bounded stream decoding (finding 1)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { upstreamMaxLineChars: 256 * 1024, upstreamMaxEventChars: 512 * 1024 } });
  });
  afterAll(() => stack.close());
  afterEach(() => stack.fake.reset());

  it.each([
    ['a line that never ends', () => neverEndingLine()],
    ['data lines that never end an event', () => dataLinesForever()],
    ['the same, gzip-encoded (a bomb: tiny on the wire)', () => ({ ...dataLinesForever(), gzip: true })],
    ['one event larger than the cap', () => oversizedEvent({ chars: 2 * mb, lineChars: 4096 })],
  ])('ends %s with bad_upstream_response, in bounded memory, and keeps serving', async (_name, script) => {
    const before = process.memoryUsage().rss;
    const streams = 8;
    for (let index = 0; index < streams; index++) stack.fake.enqueue(script());
    const answers = await Promise.all(Array.from({ length: streams }, () => postChat(stack.url, chatBody({ stream: true }))));
    for (const response of answers) expect((await errorOf(response)).code).toBe('bad_upstream_response');
    // Without caps each stream grows without end; with them, each holds at most ~1 MB of text.
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * mb);
    expect(await healthMs(stack.url)).toBeLessThan(1_000);
    const ok = await postChat(stack.url, chatBody());
    expect(ok.status).toBe(200);
    // The upstream side was closed too: nothing is left writing into the void.
    await waitFor(() => stack.fake.openResponses === 0);
  });

  it('caps the decompressed size of a whole stream: endless valid events, gzip-encoded', async () => {
    const capped = await startStack({ config: { upstreamMaxStreamBytes: 256 * 1024 } });
    try {
      // DashScope's habit of starting an event with `id:` without a blank line: each is a whole event.
      capped.fake.enqueue({ ...eventsWithoutBlankLines(), gzip: true });
      const response = await postChat(capped.url, chatBody({ stream: true }));
      const error = await errorOf(response);
      expect(error.code).toBe('bad_upstream_response');
      expect(error.message).toContain('262144 bytes');
      expect(error.message).not.toMatch(/retry/i);
    } finally {
      await capped.close();
    }
  });
});

describe('bounded waits inside a stream (finding 6)', () => {
  it('times out DashScope heartbeats without events: comments are no progress', async () => {
    const stack = await startStack({ config: { upstreamIdleTimeoutMs: 400, heartbeatIntervalMs: 0 } });
    try {
      stack.fake.enqueue(commentsOnly({ intervalMs: 50 }));
      const started = performance.now();
      const response = await postChat(stack.url, chatBody({ stream: true }));
      const error = await errorOf(response);
      expect(error.code).toBe('upstream_timeout');
      expect(performance.now() - started).toBeLessThan(3_000);
      await waitFor(() => stack.fake.openResponses === 0);
    } finally {
      await stack.close();
    }
  });

  it('cuts a stream at the total duration, however lively', async () => {
    const stack = await startStack({ config: { streamMaxDurationMs: 500 }, fake: { eventDelayMs: 20 } });
    try {
      stack.fake.enqueue(eventFlood({ eventChars: 16 }));
      const response = await postChat(stack.url, chatBody({ stream: true }));
      expect(response.status).toBe(200);
      const error = await errorOf(response);
      expect(error.code).toBe('stream_too_long');
    } finally {
      await stack.close();
    }
  });

  it('sends SSE comments while DashScope is silent, and the answer still completes', async () => {
    const stack = await startStack({ config: { heartbeatIntervalMs: 100, upstreamIdleTimeoutMs: 5_000 } });
    try {
      stack.fake.enqueue(silentThenEvents({ silenceMs: 450 }));
      const response = await postChat(stack.url, chatBody({ stream: true }));
      expect(response.status).toBe(200);
      const text = await response.text();
      const heartbeats = text.split('\n').filter((line) => line === ': keep-alive').length;
      expect(heartbeats).toBeGreaterThanOrEqual(3);
      expect(parseOpenAISse(text).done).toBe(true);
    } finally {
      await stack.close();
    }
  });
});

describe('bounded buffers of JSON answers (findings 8 and 9)', () => {
  it('answers an oversized JSON answer as a deterministic bad_upstream_response, not "please retry"', async () => {
    const stack = await startStack({ config: { upstreamMaxJsonBytes: 64 * 1024 } });
    try {
      stack.fake.enqueue(largeJsonAnswer({ bytes: 1 * mb }));
      const response = await postChat(stack.url, chatBody());
      expect(response.status).toBe(502);
      const error = await errorOf(response);
      expect(error.code).toBe('bad_upstream_response');
      expect(error.message).not.toMatch(/retry/i);
    } finally {
      await stack.close();
    }
  });

  it('reads the start of a huge DashScope error body and answers the error it names', async () => {
    const stack = await startStack();
    try {
      stack.fake.enqueue(largeErrorAnswer({ status: 500, bytes: 3 * mb }));
      const response = await postChat(stack.url, chatBody());
      expect(response.status).toBeGreaterThanOrEqual(500);
      const error = await errorOf(response);
      expect(error.code).not.toBe('upstream_connection_lost');
      expect(error.message).not.toContain('connection to DashScope broke');
    } finally {
      await stack.close();
    }
  });

  it('counts a JSON answer at three times its bytes: parsing it and writing it back cost about that', async () => {
    // 4 MB of answer fits an 8 MB budget as text, not as what holding it really costs.
    const stack = await startStack({ config: { bufferMemoryLimitBytes: 8 * mb, bodyLimitBytes: mb, upstreamMaxJsonBytes: 6 * mb } });
    try {
      stack.fake.enqueue(largeJsonAnswer({ bytes: 4 * mb }));
      const response = await postChat(stack.url, chatBody());
      expect(response.status).toBe(503);
      expect((await errorOf(response)).code).toBe('server_busy');
      stack.fake.enqueue(largeJsonAnswer({ bytes: 2 * mb }));
      expect((await postChat(stack.url, chatBody())).status).not.toBe(503);
    } finally {
      await stack.close();
    }
  });

  it('shares one memory budget across concurrent JSON answers: past it, 503 server_busy with Retry-After', async () => {
    const stack = await startStack({ config: { bufferMemoryLimitBytes: 8 * mb, bodyLimitBytes: mb, upstreamMaxJsonBytes: 6 * mb } });
    try {
      const before = process.memoryUsage().rss;
      for (let index = 0; index < 6; index++) stack.fake.enqueue(largeJsonAnswer({ bytes: 5 * mb }));
      const answers = await Promise.all(Array.from({ length: 6 }, () => postChat(stack.url, chatBody())));
      const statuses = answers.map((response) => response.status);
      expect(statuses).toContain(503);
      for (const response of answers.filter((answer) => answer.status === 503)) {
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
        expect((await errorOf(response)).code).toBe('server_busy');
      }
      await Promise.all(answers.filter((response) => !response.bodyUsed).map((response) => response.body?.cancel()));
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * mb);
      expect((await postChat(stack.url, chatBody())).status).toBe(200);
    } finally {
      await stack.close();
    }
  });
});

/** `data:` lines forever, no blank line and no `id:`: one event that grows without end. */
function dataLinesForever(): StreamScript {
  return {
    type: 'stream',
    *chunks() {
      const piece = 'data: {"output":{"choices":[]}}\n'.repeat(2048);
      for (;;) yield piece;
    },
  };
}

describe('attack pass: waits and buffers that were still open', () => {
  it('answers 502 when DashScope switches protocols instead of answering (Node drops the request silently)', async () => {
    const upstream = createNetServer((socket) => {
      socket.once('data', () => socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n'));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const stack = await startStack({ config: { dashscopeBaseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` } });
    try {
      const response = await postChat(stack.url, chatBody());
      expect(response.status).toBe(502);
      expect((await errorOf(response)).code).toBe('bad_upstream_response');
    } finally {
      await stack.close();
      upstream.close();
    }
  });

  it('times out a stream request answered with a 200 that is not a stream and then stalls', async () => {
    const stack = await startStack({ config: { upstreamIdleTimeoutMs: 300 } });
    try {
      stack.fake.enqueue(stallAfter('{"output":', { 'content-type': 'application/json' }));
      const started = performance.now();
      const response = await postChat(stack.url, chatBody({ stream: true }));
      expect(response.status).toBe(504);
      expect((await errorOf(response)).code).toBe('upstream_timeout');
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      await stack.close();
    }
  });

  it('bounds a JSON answer trickled a byte at a time by one total deadline', async () => {
    const stack = await startStack({ config: { upstreamIdleTimeoutMs: 400 } });
    try {
      stack.fake.enqueue({
        type: 'stream',
        headers: { 'content-type': 'application/json' },
        async *chunks(signal) {
          while (!signal.aborted) {
            yield ' ';
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        },
      });
      const started = performance.now();
      const response = await postChat(stack.url, chatBody());
      expect(response.status).toBe(504);
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      await stack.close();
    }
  });

  it('counts the text of events that never end against the shared memory budget', async () => {
    const stack = await startStack({ config: { bufferMemoryLimitBytes: 3 * mb, bodyLimitBytes: mb, upstreamIdleTimeoutMs: 2_000 } });
    try {
      for (let index = 0; index < 6; index++) stack.fake.enqueue(stallAfter(`data:{"output":"${'x'.repeat(400_000)}`));
      const answers = await Promise.all(Array.from({ length: 6 }, () => postChat(stack.url, chatBody({ stream: true }))));
      const codes = await Promise.all(answers.map(async (response) => (await errorOf(response)).code));
      expect(codes).toContain('server_busy');
    } finally {
      await stack.close();
    }
  });

  it('drops a DashScope request id that would break a header or a log line, and answers normally', async () => {
    const stack = await startStack();
    try {
      const body = JSON.stringify({
        output: { choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: 'hi' } }] },
        usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
        request_id: 'abc\r\nSet-Cookie: x=1\nFORGED LINE',
      });
      stack.fake.enqueue({ type: 'raw', status: 200, headers: { 'content-type': 'application/json' }, body });
      const response = await postChat(stack.url, chatBody());
      expect(response.status).toBe(200);
      expect(response.headers.get('x-dashscope-request-id')).toBeNull();
      expect(response.headers.get('set-cookie')).toBeNull();
      await response.json();
      await waitFor(() => stack.logs.some((line) => line.includes('Request completed')));
      expect(stack.logs.join('')).not.toContain('\nFORGED LINE');
      expect((await fetch(`${stack.url}/health`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  });
});

/** Headers, then `text`, then nothing until the gateway hangs up. */
function stallAfter(text: string, headers: Record<string, string> = {}): StreamScript {
  return {
    type: 'stream',
    headers,
    async *chunks(signal) {
      yield text;
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    },
  };
}
