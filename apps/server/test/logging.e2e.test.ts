import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { parseOpenAISse } from '@gw/testkit';
import { chatBody, postChat, startStack, type Stack } from './start-stack.js';

const key = 'sk-logging-secret-4f2a9c1e7b';
const prompt = 'Summarise the confidential kumquat merger';
const md5Hash = createHash('md5').update(key).digest('hex').slice(0, 8);
const timestamp = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}`;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The completed line is written when the response finishes on the server, possibly just after the client read it. */
async function waitFor(condition: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function expectNoSecrets(logs: readonly string[]) {
  const all = logs.join('');
  expect(all).not.toContain(key);
  expect(all).not.toContain('4f2a9c1e7b');
  expect(all).not.toContain(prompt);
  expect(all).not.toContain('kumquat');
}

const completedLines = (logs: readonly string[]) => logs.filter((line) => line.includes('Request completed'));

describe('request logging, text format', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Slow enough events that the stream visibly takes time.
    stack = await startStack({ fake: { eventDelayMs: 8 } });
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    stack.logs.length = 0;
    stack.fake.reset();
  });

  it('logs started and completed lines for a streamed request, the latter after the stream ends', async () => {
    const response = await postChat(stack.url, chatBody({ stream: true, messages: [{ role: 'user', content: prompt }] }), { key });
    expect(response.status).toBe(200);
    const headersAt = Date.now();
    // The stream is flowing: the request has started, and has not completed.
    expect(stack.logs).toHaveLength(1);
    expect(stack.logs[0]).toMatch(
      new RegExp(
        `^${timestamp} - Request started - IP: 127\\.0\\.0\\.1, Method: POST, Path: /v1/chat/completions, API Key Hash: ${md5Hash}(?:, [^\\n]*)?\\n$`,
      ),
    );
    expect(completedLines(stack.logs)).toEqual([]);

    const text = await response.text();
    const streamedMs = Date.now() - headersAt;
    const { events, done } = parseOpenAISse(text);
    expect(done).toBe(true);
    // The fake echoes the prompt: it went through the gateway both ways, just not into the logs.
    const content = (events as Array<{ choices: Array<{ delta: { content?: string } }> }>)
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(content).toContain('kumquat');
    await waitFor(() => completedLines(stack.logs).length === 1, 'the completed line');

    expect(stack.logs).toHaveLength(2);
    const completed = stack.logs[1] ?? '';
    expect(completed).toMatch(
      new RegExp(
        `^${timestamp} - Request completed - IP: 127\\.0\\.0\\.1, Status: 200, Time: \\d+\\.\\d{3}s, API Key Hash: ${md5Hash}(?:, [^\\n]*)?\\n$`,
      ),
    );
    // The time covers the whole stream, not just the time to the first byte.
    const seconds = Number(/Time: (\d+\.\d{3})s/.exec(completed)?.[1]);
    expect(streamedMs).toBeGreaterThan(30);
    expect(seconds * 1000).toBeGreaterThanOrEqual(streamedMs - 5);
    expectNoSecrets(stack.logs);
  });

  it('logs a non-streamed request the same way', async () => {
    const response = await postChat(stack.url, chatBody({ messages: [{ role: 'user', content: prompt }] }), { key });
    expect(response.status).toBe(200);
    await response.json();
    await waitFor(() => stack.logs.length === 2, 'two lines');
    expect(stack.logs[0]).toContain(
      `Request started - IP: 127.0.0.1, Method: POST, Path: /v1/chat/completions, API Key Hash: ${md5Hash}, Request ID: `,
    );
    expect(stack.logs[1]).toMatch(
      new RegExp(`Request completed - IP: 127\\.0\\.0\\.1, Status: 200, Time: \\d+\\.\\d{3}s, API Key Hash: ${md5Hash}(?:, [^\\n]*)?\\n$`),
    );
    expectNoSecrets(stack.logs);
  });

  it('logs refused requests with their status, a "-" hash for unusable keys, and never the key', async () => {
    const badKey = 'sk kumquat 4f2a9c1e7b';
    await (await postChat(stack.url, chatBody({ messages: [{ role: 'user', content: prompt }] }), { key: badKey })).text();
    await (await postChat(stack.url, chatBody({ temperature: 3, messages: [{ role: 'user', content: prompt }] }), { key })).text();
    await waitFor(() => completedLines(stack.logs).length === 2, 'two completed lines');
    expect(stack.logs).toHaveLength(4);
    expect(stack.logs[1]).toMatch(/Status: 401, Time: \d+\.\d{3}s, API Key Hash: -, Error: invalid_api_key(?:, [^\n]*)?\n$/);
    expect(stack.logs[3]).toMatch(
      new RegExp(`Status: 400, Time: \\d+\\.\\d{3}s, API Key Hash: ${md5Hash}, Error: invalid_value(?:, [^\\n]*)?\\n$`),
    );
    expectNoSecrets(stack.logs);
  });

  it('logs a stream that failed midway with its error code beside its 200', async () => {
    stack.fake.enqueue({ type: 'fail-after', events: 2, status: 500, code: 'InternalError', message: 'Internal error' });
    const text = await (await postChat(stack.url, chatBody({ stream: true }), { key })).text();
    expect(text).toContain('"code":"internal_error"');
    await waitFor(() => completedLines(stack.logs).length === 1, 'a completed line');
    expect(completedLines(stack.logs)[0]).toMatch(
      new RegExp(`Status: 200, Time: \\d+\\.\\d{3}s, API Key Hash: ${md5Hash}, Error: internal_error(?:, [^\\n]*)?\\n$`),
    );
  });

  it('logs the path without its query string', async () => {
    await (await fetch(`${stack.url}/v1/models?api_key=${key}`, { headers: { authorization: `Bearer ${key}` } })).text();
    await waitFor(() => stack.logs.length === 2, 'two lines');
    expect(stack.logs[0]).toContain('Method: GET, Path: /v1/models, API Key Hash');
    expectNoSecrets(stack.logs);
  });
});

describe('request logging at debug level, with DashScope failing', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { logLevel: 'debug' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('still never writes the key or the prompt, whatever else it logs', async () => {
    // A dropped parameter (logged at debug), an upstream error (logged at error), a stream cut short.
    await (await postChat(stack.url, chatBody({ user: 'kumquat-user', messages: [{ role: 'user', content: prompt }] }), { key })).text();
    stack.fake.enqueue({ type: 'error', status: 500, code: 'InternalError', message: 'Internal error' });
    await (await postChat(stack.url, chatBody({ messages: [{ role: 'user', content: prompt }] }), { key })).text();
    stack.fake.enqueue({ type: 'drop', afterEvents: 1 });
    await (await postChat(stack.url, chatBody({ stream: true, messages: [{ role: 'user', content: prompt }] }), { key })).text();
    await waitFor(() => completedLines(stack.logs).length === 3, 'three completed lines');

    expect(stack.logs.some((line) => / - DEBUG - /.test(line))).toBe(true);
    expect(stack.logs.some((line) => / - ERROR - /.test(line))).toBe(true);
    expectNoSecrets(stack.logs);
  });
});

describe('request logging with KEY_HASH_SECRET', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { keyHashSecret: 'log-pepper' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('logs the HMAC fingerprint instead of the MD5 one', async () => {
    await (await postChat(stack.url, chatBody(), { key })).text();
    await waitFor(() => completedLines(stack.logs).length === 1, 'the completed line');
    const hmac = createHmac('sha256', 'log-pepper').update(key).digest('hex').slice(0, 8);
    const requestLines = stack.logs.filter((line) => line.includes('Request '));
    expect(requestLines).toHaveLength(2);
    for (const line of requestLines) expect(line).toMatch(new RegExp(`API Key Hash: ${escape(hmac)}(?:, [^\\n]*)?\\n$`));
    expect(stack.logs.join('')).not.toContain(md5Hash);
    expectNoSecrets(stack.logs);
  });
});

describe('request logging, json format', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { logFormat: 'json' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('writes one JSON object per line, the pair joined by the request id, the completion saying how it went', async () => {
    await (await postChat(stack.url, chatBody({ stream: true, messages: [{ role: 'user', content: prompt }] }), { key })).text();
    await waitFor(() => stack.logs.length === 2, 'two lines');
    for (const line of stack.logs) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
    }
    const [started, completed] = stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(started).toEqual({
      time: expect.any(String),
      level: 'info',
      msg: 'Request started',
      ip: '127.0.0.1',
      method: 'POST',
      path: '/v1/chat/completions',
      key_hash: md5Hash,
      request_id: expect.any(String),
    });
    expect(completed).toEqual({
      time: expect.any(String),
      level: 'info',
      msg: 'Request completed',
      ip: '127.0.0.1',
      status: 200,
      duration_ms: expect.any(Number),
      key_hash: md5Hash,
      request_id: started?.request_id,
      outcome: 'completed',
      dashscope_request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      bytes_sent: expect.any(Number),
      events_sent: expect.any(Number),
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });
    expect(completed?.events_sent).toBeGreaterThan(1);
    expect(Number.isNaN(Date.parse(String(started?.time)))).toBe(false);
    expectNoSecrets(stack.logs);
  });
});

describe('request logging at warn level', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { logLevel: 'warn' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('writes no request lines', async () => {
    await (await postChat(stack.url, chatBody(), { key })).text();
    await (await fetch(`${stack.url}/health`)).text();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stack.logs).toEqual([]);
  });
});
