import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  badUpstreamResponse,
  isGatewayError,
  parseDashScopeErrorResponse,
  upstreamAnswerTooLarge,
  upstreamConnectionLost,
  upstreamTimeout,
  upstreamUnreachable,
  type GatewayError,
} from '@gw/core';
import { decodeUpstreamBody, readBodyText } from './decode-upstream-body.js';

export interface BatchPartsOptions {
  /** The absolute URL every part goes to. */
  url: URL;
  /** The parts' JSON bodies, in order. */
  bodies: readonly unknown[];
  /** The headers the proxied first part left with (key, request id, workspace…); content-length is set per part. */
  headers: Readonly<Record<string, string>>;
  /** The handlers' bounded pool: parts wait in its queue like any call. */
  agent: Agent;
  /** Most parts in flight at once. */
  concurrency: number;
  /** Longest wait for a part's answer to start. */
  timeoutMs: number;
  /** Longest silence inside a part's body, and its total reading time. */
  idleTimeoutMs: number;
  /** Largest answer of one part (decompressed). */
  maxBytes: number;
  /** Most of an error body read. */
  maxErrorBytes: number;
  /** Each kept chunk is reserved here first (the shared memory budget); throws to refuse. */
  reserve?: (bytes: number) => void;
  /** The whole batch must be answered within this many milliseconds (504 after). */
  deadlineMs: number;
  /** Told when a part fails (not when the batch is aborted): the caller stops its own part with it. */
  onPartFailure?: (error: GatewayError) => void;
}

export interface BatchParts {
  /** The parsed 200 answers in order; rejects with the first part's error that failed. */
  readonly answers: Promise<unknown[]>;
  /** Stops every part still running (the client left, the first part failed, shutdown). */
  abort(reason: GatewayError): void;
}

/**
 * The parts of a batch call beyond the one the proxy sends (an embedding request over a model's per-call
 * limit): each is sent like the proxied call (same pool, same headers, the same bounds on every wait and
 * buffer), at most `concurrency` at a time, and the first failure stops the rest, so a failed batch
 * holds no socket and no memory. The whole batch has one deadline besides each part's own timers.
 */
export function sendBatchParts(options: BatchPartsOptions): BatchParts {
  const { bodies, concurrency } = options;
  const answers: unknown[] = new Array(bodies.length);
  const running = new Set<ClientRequest>();
  let next = 0;
  let done = 0;
  let failure: GatewayError | undefined;
  let settle: { resolve: (value: unknown[]) => void; reject: (error: GatewayError) => void };
  const promise = new Promise<unknown[]>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A batch abandoned before anyone awaits it must not surface as an unhandled rejection.
  promise.catch(() => undefined);

  function fail(error: GatewayError): void {
    if (failure !== undefined) return;
    failure = error;
    clearTimeout(deadline);
    for (const request of running) request.destroy(error);
    running.clear();
    settle.reject(error);
  }
  const partFailed = (error: GatewayError) => {
    if (failure !== undefined) return;
    fail(error);
    options.onPartFailure?.(error);
  };
  // Each part has its own timers; without a deadline for them all, hundreds of parts one after another
  // could hold a request for hours.
  const deadline = setTimeout(() => partFailed(upstreamTimeout()), options.deadlineMs);
  deadline.unref();

  function startNext(): void {
    while (failure === undefined && running.size < concurrency && next < bodies.length) {
      const index = next++;
      const request = sendPart(options, bodies[index], (error, answer) => {
        running.delete(request);
        if (failure !== undefined) return;
        if (error !== undefined) return partFailed(error);
        answers[index] = answer;
        done += 1;
        if (done === bodies.length) {
          clearTimeout(deadline);
          settle.resolve(answers);
        } else startNext();
      });
      running.add(request);
    }
  }

  if (bodies.length === 0) {
    clearTimeout(deadline);
    settle!.resolve(answers);
  } else startNext();
  return { answers: promise, abort: fail };
}

function sendPart(
  { url, headers, agent, timeoutMs, idleTimeoutMs, maxBytes, maxErrorBytes, reserve }: BatchPartsOptions,
  body: unknown,
  callback: (error: GatewayError | undefined, answer?: unknown) => void,
): ClientRequest {
  const text = JSON.stringify(body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  let timedOut = false;
  let finished = false;
  const finish = (error: GatewayError | undefined, answer?: unknown) => {
    if (finished) return;
    finished = true;
    clearTimeout(firstByteTimer);
    callback(error, answer);
  };
  const request = send(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(text)) } });
  const firstByteTimer = setTimeout(() => {
    timedOut = true;
    request.destroy(upstreamTimeout());
  }, timeoutMs);
  // The pool's idle-socket timeout must not cut a part; the timers here bound it.
  request.setTimeout(0);
  request.on('error', (error) => {
    if (isGatewayError(error)) return finish(error);
    finish(timedOut ? upstreamTimeout(error) : upstreamUnreachable(error));
  });
  request.on('response', (response: IncomingMessage) => {
    clearTimeout(firstByteTimer);
    const expire = () => {
      timedOut = true;
      response.destroy(upstreamTimeout());
    };
    response.setTimeout(idleTimeoutMs, expire);
    const deadline = setTimeout(expire, idleTimeoutMs);
    deadline.unref();
    readAnswer(response, { maxBytes, maxErrorBytes, reserve })
      .then((answer) => finish(undefined, answer))
      .catch((error: unknown) => finish(isGatewayError(error) ? error : timedOut ? upstreamTimeout(error) : upstreamConnectionLost(error)))
      .finally(() => clearTimeout(deadline));
  });
  request.end(text);
  return request;
}

async function readAnswer(
  response: IncomingMessage,
  { maxBytes, maxErrorBytes, reserve }: Pick<BatchPartsOptions, 'maxBytes' | 'maxErrorBytes' | 'reserve'>,
): Promise<unknown> {
  const status = response.statusCode ?? 502;
  const contentType = response.headers['content-type'];
  if (status !== 200) {
    const text = await readBodyText(decodeUpstreamBody(response), { limit: maxErrorBytes });
    const retryAfter = response.headers['retry-after'];
    throw parseDashScopeErrorResponse({ status, contentType, text, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter });
  }
  const text = await readBodyText(decodeUpstreamBody(response), {
    limit: maxBytes,
    tooLarge: () => upstreamAnswerTooLarge('the answer', maxBytes),
    reserve,
  });
  try {
    return JSON.parse(text);
  } catch {
    throw badUpstreamResponse('the body is not JSON.');
  }
}
