import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { GatewayError, serverShuttingDown } from '@gw/core';
import { createUpstreamAgent } from './create-upstream-agent.js';
import { sendBatchParts, type BatchPartsOptions } from './send-batch-parts.js';

type Handler = (body: { part: number }, res: ServerResponse, req: IncomingMessage) => void;

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A stand-in DashScope that records how many parts it holds at once. */
async function upstream(handle: Handler) {
  const seen = { inFlight: 0, most: 0, closed: 0, headers: [] as IncomingMessage['headers'][] };
  server = createServer((req, res) => {
    seen.inFlight += 1;
    seen.most = Math.max(seen.most, seen.inFlight);
    seen.headers.push(req.headers);
    res.once('close', () => {
      seen.inFlight -= 1;
      if (!res.writableFinished) seen.closed += 1;
    });
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => handle(JSON.parse(text) as { part: number }, res, req));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = new URL(
    `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/v1/services/embeddings/text-embedding/text-embedding`,
  );
  return { url, seen };
}

function options(url: URL, overrides: Partial<BatchPartsOptions> = {}): BatchPartsOptions {
  return {
    url,
    bodies: [0, 1, 2, 3, 4, 5].map((part) => ({ part })),
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json', 'x-request-id': 'req-1' },
    agent: createUpstreamAgent({ baseUrl: url.origin, maxSockets: 16 }),
    concurrency: 2,
    timeoutMs: 2_000,
    idleTimeoutMs: 2_000,
    maxBytes: 1024,
    maxErrorBytes: 1024,
    deadlineMs: 10_000,
    ...overrides,
  };
}

const answerLater =
  (delayMs: number): Handler =>
  (body, res) =>
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body.part })), delayMs);

describe('sendBatchParts', () => {
  it('sends every part with the given headers, at most `concurrency` at once, answers in order', async () => {
    // Later parts answer sooner: order must come from the bodies, not from arrival.
    const { url, seen } = await upstream((body, res) => answerLater(30 - body.part * 5)(body, res, undefined as never));
    const answers = await sendBatchParts(options(url)).answers;
    expect(answers).toEqual([0, 1, 2, 3, 4, 5].map((part) => ({ echo: part })));
    expect(seen.most).toBe(2);
    expect(seen.headers.every((headers) => headers.authorization === 'Bearer sk-test' && headers['x-request-id'] === 'req-1')).toBe(true);
  });

  it('fails with the first failing part’s DashScope error and stops the parts still running', async () => {
    const { url, seen } = await upstream((body, res) => {
      if (body.part === 1)
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ code: 'InvalidParameter', message: 'batch size is invalid', request_id: 'r' }));
      else if (body.part === 0) answerLater(500)(body, res, undefined as never);
    });
    const error = await sendBatchParts(options(url)).answers.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 400, message: 'batch size is invalid' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Part 0 was cut, and parts 2–5 never left.
    expect(seen.closed).toBe(1);
    expect(seen.headers).toHaveLength(2);
  });

  it('stops every part on abort, with the abort’s reason', async () => {
    const { url, seen } = await upstream(() => undefined);
    const batch = sendBatchParts(options(url));
    await new Promise((resolve) => setTimeout(resolve, 50));
    batch.abort(serverShuttingDown());
    await expect(batch.answers).rejects.toMatchObject({ code: 'server_shutting_down' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.inFlight).toBe(0);
  });

  it('times a silent part out (504), and bounds an answer’s size and its memory', async () => {
    const silent = await upstream(() => undefined);
    await expect(sendBatchParts(options(silent.url, { timeoutMs: 100 })).answers).rejects.toMatchObject({ status: 504 });
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;

    const big = await upstream((_body, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`[${'0,'.repeat(2000)}0]`));
    await expect(sendBatchParts(options(big.url)).answers).rejects.toMatchObject({
      code: 'bad_upstream_response',
      message: expect.stringContaining('larger than'),
    });
    const refused = sendBatchParts(
      options(big.url, {
        maxBytes: 1 << 20,
        reserve: () => {
          throw new GatewayError({ status: 503, type: 'server_error', code: 'server_busy', message: 'busy' });
        },
      }),
    );
    await expect(refused.answers).rejects.toMatchObject({ code: 'server_busy' });
  });

  it('holds the whole batch to one deadline, however quickly each part answers', async () => {
    const { url, seen } = await upstream(answerLater(60));
    const failures: unknown[] = [];
    const batch = sendBatchParts(options(url, { concurrency: 1, deadlineMs: 150, onPartFailure: (error) => failures.push(error) }));
    await expect(batch.answers).rejects.toMatchObject({ status: 504, code: 'upstream_timeout' });
    expect(failures).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.inFlight).toBe(0);
    expect(seen.headers.length).toBeLessThan(6);
  });

  it('tells the caller of a part’s failure, and not of its own abort', async () => {
    const failing = await upstream((_body, res) =>
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"code":"InternalError","message":"boom"}'),
    );
    const told: unknown[] = [];
    await sendBatchParts(options(failing.url, { onPartFailure: (error) => told.push(error) })).answers.catch(() => undefined);
    expect(told).toEqual([expect.objectContaining({ status: 500, message: 'boom' })]);
    const aborted: unknown[] = [];
    const batch = sendBatchParts(options(failing.url, { bodies: [], onPartFailure: (error) => aborted.push(error) }));
    batch.abort(serverShuttingDown());
    expect(aborted).toEqual([]);
  });

  it('answers at once for no parts', async () => {
    await expect(sendBatchParts(options(new URL('http://127.0.0.1:9/'), { bodies: [] })).answers).resolves.toEqual([]);
  });
});
