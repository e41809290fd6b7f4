import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isGatewayError } from '@gw/core';
import { createUpstreamAgent, isUpstreamAgent } from './create-upstream-agent.js';

/** An upstream that accepts requests and never answers: every socket stays busy. */
let hanging: Server;
let url: string;
beforeAll(async () => {
  hanging = createServer(() => undefined);
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
});
afterAll(async () => {
  hanging.closeAllConnections();
  await new Promise((resolve) => hanging.close(resolve));
});

function send(agent: ReturnType<typeof createUpstreamAgent>, target = url): { failed: Promise<Error>; destroy: () => void } {
  const outgoing = request(`${target}/`, { method: 'POST', agent });
  const failed = new Promise<Error>((resolve) => outgoing.once('error', resolve));
  outgoing.end('{}');
  return { failed, destroy: () => outgoing.destroy() };
}

describe('createUpstreamAgent', () => {
  it('fails a call that waits for a free socket longer than queueTimeoutMs with 503 upstream_busy, and leaves no queue behind', async () => {
    const agent = createUpstreamAgent({ baseUrl: url, maxSockets: 1, queueTimeoutMs: 150 });
    const first = send(agent);
    const started = performance.now();
    const second = send(agent);
    const error = await second.failed;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(isGatewayError(error)).toBe(true);
    expect(error).toMatchObject({ status: 503, code: 'upstream_busy', headers: { 'retry-after': '1' } });
    expect(Object.keys(agent.requests)).toEqual([]);
    first.destroy();
    agent.destroy();
  });

  it('fails a connection that is not set up within connectTimeoutMs (a DNS server that never answers)', async () => {
    const agent = createUpstreamAgent({ baseUrl: 'http://dashscope.invalid', connectTimeoutMs: 150 });
    // Node passes the agent's options to every connection it opens: a lookup that never calls back.
    (agent as unknown as { options: { lookup?: unknown } }).options.lookup = () => undefined;
    const started = performance.now();
    const error = await send(agent, 'http://dashscope.invalid').failed;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error).toMatchObject({ status: 504, code: 'upstream_connect_timeout' });
    agent.destroy();
  });

  it('keeps sockets alive for reuse, bounded by maxSockets', () => {
    const agent = createUpstreamAgent({ baseUrl: url, maxSockets: 7 });
    expect((agent as unknown as { keepAlive: boolean }).keepAlive).toBe(true);
    expect(agent.maxSockets).toBe(7);
    expect(isUpstreamAgent(agent)).toBe(true);
    expect(isUpstreamAgent(new (Object.getPrototypeOf(agent).constructor as new () => object)())).toBe(false);
    agent.destroy();
  });

  it.each([
    ['maxSockets', 0],
    ['queueTimeoutMs', -1],
    ['connectTimeoutMs', 1.5],
    ['baseUrl', 'not a url'],
  ])('throws at construction for %s = %p', (name, value) => {
    expect(() => createUpstreamAgent({ [name]: value })).toThrow(TypeError);
  });
});
