import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { chatBody, postChat, startStack, type Stack } from './start-stack.js';

/**
 * Issue 6, finding 8: one id per request, accepted from the client when sane or generated, returned,
 * sent to DashScope and written on both log lines; DashScope's own request id comes back as
 * `x-dashscope-request-id`; error lines say why.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
afterEach(() => {
  stack.fake.reset();
  stack.logs.length = 0;
});

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function linesWith(id: string): string[] {
  return stack.logs.filter((line) => line.includes(`Request ID: ${id}`));
}

async function waitForLines(id: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 3_000;
  while (linesWith(id).length < count) {
    if (Date.now() > deadline) throw new Error(`no ${count} lines for ${id}:\n${stack.logs.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return linesWith(id);
}

describe('request ids', () => {
  it('keeps a sane X-Request-Id: returned, sent upstream, on the started and the completed line', async () => {
    const id = 'client-req_42.a:b';
    const response = await postChat(stack.url, chatBody(), { headers: { 'x-request-id': id } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(id);
    expect(stack.fake.requests[0]?.headers['x-request-id']).toBe(id);
    const [started, completed] = await waitForLines(id, 2);
    expect(started).toContain('Request started');
    expect(completed).toContain('Request completed');
  });

  it.each([
    ['too long', 'x'.repeat(129)],
    ['with spaces', 'two words'],
    ['with a quote', 'a"b'],
    ['with a comma (two ids)', 'a,b'],
  ])('replaces an id %s with a generated one', async (_case, id) => {
    const response = await postChat(stack.url, chatBody(), { headers: { 'x-request-id': id } });
    const returned = response.headers.get('x-request-id') ?? '';
    expect(returned).toMatch(uuid);
    expect(stack.fake.requests[0]?.headers['x-request-id']).toBe(returned);
    expect(stack.logs.join('')).not.toContain(id);
  });

  it('generates one per request, different each time, also for requests that never reach DashScope', async () => {
    const [first, second, refused] = await Promise.all([
      postChat(stack.url, chatBody()),
      postChat(stack.url, chatBody()),
      postChat(stack.url, chatBody(), { key: null }),
    ]);
    const ids = [first, second, refused].map((response) => response.headers.get('x-request-id') ?? '');
    for (const id of ids) expect(id).toMatch(uuid);
    expect(new Set(ids).size).toBe(3);
    expect(refused.status).toBe(401);
    const [, completed] = await waitForLines(ids[2] ?? '', 2);
    expect(completed).toContain('Outcome: rejected');
  });

  it("returns DashScope's request id as x-dashscope-request-id, for JSON and for streams", async () => {
    for (const stream of [false, true]) {
      const response = await postChat(stack.url, chatBody({ stream }));
      await response.text();
      const upstream = response.headers.get('x-dashscope-request-id');
      expect(upstream).toMatch(uuid);
      expect(upstream).not.toBe(response.headers.get('x-request-id'));
    }
  });

  it("names DashScope's code and request id on the completed line of a DashScope error, and never calls it retryable", async () => {
    stack.fake.enqueue({ type: 'error', status: 400, code: 'InvalidParameter', message: 'bad things' });
    const response = await postChat(stack.url, chatBody(), { headers: { 'x-request-id': 'trace-1' } });
    expect(response.status).toBe(400);
    const upstreamId = response.headers.get('x-dashscope-request-id');
    expect(upstreamId).toMatch(uuid);
    const [, completed] = await waitForLines('trace-1', 2);
    expect(completed).toContain('Outcome: upstream_error');
    expect(completed).toContain('DashScope Code: InvalidParameter');
    expect(completed).toContain(`DashScope Request ID: ${upstreamId}`);
  });

  it('puts the request id, the key fingerprint, the client IP and the cause on an upstream error line', async () => {
    const broken = await startStack({ config: { dashscopeBaseUrl: 'http://127.0.0.1:1' } });
    try {
      const response = await postChat(broken.url, chatBody(), { headers: { 'x-request-id': 'trace-2' } });
      expect(response.status).toBe(502);
      const errorLine = broken.logs.find((line) => line.includes('ERROR - Upstream request failed')) ?? '';
      expect(errorLine).toContain('Request ID: trace-2');
      expect(errorLine).toContain('IP: 127.0.0.1');
      expect(errorLine).toMatch(/API Key Hash: [0-9a-f]{8}/);
      expect(errorLine).toContain('Cause: ECONNREFUSED');
    } finally {
      await broken.close();
    }
  });
});
