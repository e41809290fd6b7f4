import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { chatBody, postChat, startStack, type Stack } from './start-stack.js';

/**
 * Issue 7: against the real DashScope every new connection is a TLS handshake across the sea, so the
 * pool keeps them: sequential calls share one, and a burst's connections serve the next burst. A
 * counting proxy in front of the fake tells how many connections the gateway opened.
 */
let fake: FakeDashScope;
let counter: Server;
let stack: Stack;
let opened = 0;

beforeAll(async () => {
  // Paced events keep a burst's streams open together (even on a loaded CI machine), so it needs as many
  // connections as calls.
  fake = await startFakeDashScope({ eventDelayMs: 40 });
  const target = new URL(fake.url);
  // Forwards each request to the fake over its own keep-alive agent; counts the gateway's connections.
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  counter = createServer((incoming, outgoing) => {
    const forwarded = request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(forwarded);
  });
  counter.on('connection', () => (opened += 1));
  counter.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
  stack = await startStack({ config: { dashscopeBaseUrl: `http://127.0.0.1:${(counter.address() as AddressInfo).port}` } });
});
afterAll(async () => {
  await stack.close();
  counter.closeAllConnections();
  await new Promise((resolve) => counter.close(resolve));
  await fake.close();
});

describe('the upstream pool keeps its connections', () => {
  it('sends ten sequential calls, JSON and streams, over one connection', async () => {
    opened = 0;
    for (let index = 0; index < 10; index++) {
      const response = await postChat(stack.url, chatBody({ stream: index % 2 === 1 }));
      expect(response.status).toBe(200);
      await response.text();
    }
    expect(opened).toBe(1);
  });

  it("serves a second burst of 100 concurrent streams over the first burst's connections", async () => {
    const burst = async () => {
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, index) =>
          postChat(stack.url, chatBody({ stream: true, messages: [{ role: 'user', content: `burst ${index}` }] })),
        ),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        await answer.text();
      }
    };
    opened = 0;
    await burst();
    const first = opened;
    expect(first).toBeGreaterThanOrEqual(50);
    // The clients have [DONE]; the pool gets each socket back once the rest of its body is read.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await burst();
    // At most 100 calls are ever in flight, so 100 connections serve both bursts (the second may peak
    // higher than the first and open the difference); without reuse it would open ~100 more.
    expect(opened).toBeLessThanOrEqual(100);
  });
});
