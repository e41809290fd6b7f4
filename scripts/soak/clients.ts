import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { readTcpQueues, type TcpQueue } from './proc-stats.ts';
import type { ClientMode, RequestKind } from './scenarios.ts';

// Plain node:http clients, so the soak controls exactly when (and whether) a client reads. Each call
// resolves with one outcome string:
// - "ok": a complete answer (a stream that ended with [DONE]);
// - "<status> <code>": an OpenAI error answer (code, else type), with " no-retry-after" on a 429 or
//   503 without Retry-After;
// - "event <code>": a stream that carried an error event;
// - "cut": a stream that ended without [DONE] or an error event;
// - "client abort"; "cut while stalled" or "held while stalled" (a stalled reader the gateway did or
//   did not cut; "(never blocked)" when the gateway's buffers never filled); "closed by gateway";
// - "client gave up": nothing conclusive before the client's own deadline;
// - "socket <code>": the connection failed before any answer.

export interface GatewayTarget {
  host: string;
  port: number;
  /** Keep-alive agent shared by the well-behaved clients, as a proxy in front would. */
  agent: Agent;
}

export interface CallOptions {
  target: GatewayTarget;
  request: RequestKind;
  client: ClientMode;
  /** The user message (carries the scenario marker). */
  prompt: string;
  key: string;
  random: () => number;
  deadlineMs: number;
}

/** Bodies larger than this are read but not kept. */
const MAX_KEPT_BYTES = 16 * 1024 * 1024;

export function callGateway(options: CallOptions): Promise<string> {
  const { client } = options;
  if (client.kind === 'idle-connection') return idleConnection(options);
  if (client.kind === 'trickle-body') return trickleBody({ ...options, intervalMs: client.intervalMs });
  return httpCall(options);
}

function requestBody({ request, prompt }: Pick<CallOptions, 'request' | 'prompt'>): string {
  return JSON.stringify({
    model: 'qwen-plus',
    messages: [
      { role: 'system', content: 'You are a soak test.' },
      { role: 'user', content: prompt },
    ],
    stream: request === 'chat-stream',
    max_tokens: 4000,
  });
}

function httpCall({ target, request, client, prompt, key, random, deadlineMs }: CallOptions): Promise<string> {
  return new Promise((resolve) => {
    const body = requestBody({ request, prompt });
    let settled = false;
    const cleanups: Array<() => void> = [];
    let outgoing: ClientRequest | undefined;
    const finish = (outcome: string, { destroy = true }: { destroy?: boolean } = {}): void => {
      if (settled) return;
      settled = true;
      for (const cleanup of cleanups) cleanup();
      if (destroy) outgoing?.destroy();
      resolve(outcome);
    };
    const after = (ms: number, action: () => void): void => {
      const timer = setTimeout(action, ms);
      cleanups.push(() => clearTimeout(timer));
    };
    after(deadlineMs, () => finish('client gave up'));
    if (client.kind === 'abort') after(random() * client.maxDelayMs, () => finish('client abort'));

    outgoing = httpRequest({
      host: target.host,
      port: target.port,
      agent: target.agent,
      method: 'POST',
      path: '/v1/chat/completions',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish(`socket ${error.code ?? error.message}`));
    outgoing.on('response', (response) => {
      if (response.statusCode !== 200) {
        readErrorAnswer(response, finish);
        return;
      }
      if (request === 'chat-stream') readStream({ response, client, random, after, cleanups, finish });
      else readJsonAnswer({ response, finish });
    });
    outgoing.end(body);
  });
}

type Finish = (outcome: string, options?: { destroy?: boolean }) => void;

function readErrorAnswer(response: IncomingMessage, finish: Finish): void {
  collect(response, (text, complete) => {
    const status = response.statusCode ?? 0;
    const code = complete ? errorCodeOf(text) : 'cut';
    const unannounced = (status === 429 || status === 503) && response.headers['retry-after'] === undefined;
    // An error answer leaves the connection reusable only if it was read whole.
    finish(`${status} ${code}${unannounced ? ' no-retry-after' : ''}`, { destroy: !complete });
  });
}

function readJsonAnswer({ response, finish }: { response: IncomingMessage; finish: Finish }): void {
  collect(response, (text, complete) => {
    if (!complete) {
      finish('cut');
      return;
    }
    try {
      const { choices } = JSON.parse(text) as { choices?: unknown[] };
      finish(Array.isArray(choices) && choices.length > 0 ? 'ok' : '200 unreadable', { destroy: false });
    } catch {
      finish('200 unreadable');
    }
  });
}

/** Reads a whole body (keeping at most MAX_KEPT_BYTES); `complete` is false when it was cut. */
function collect(response: IncomingMessage, done: (text: string, complete: boolean) => void): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  response.on('data', (chunk: Buffer) => {
    if (kept + chunk.length <= MAX_KEPT_BYTES) {
      chunks.push(chunk);
      kept += chunk.length;
    }
  });
  response.on('end', () => done(Buffer.concat(chunks).toString('utf8'), true));
  response.on('close', () => {
    if (!response.complete) done(Buffer.concat(chunks).toString('utf8'), false);
  });
}

function errorCodeOf(text: string): string {
  try {
    const { error } = JSON.parse(text) as { error?: { code?: unknown; type?: unknown } };
    const code = error?.code ?? error?.type;
    return typeof code === 'string' && code !== '' ? code : 'no-code';
  } catch {
    return 'not-json';
  }
}

function readStream({
  response,
  client,
  random,
  after,
  cleanups,
  finish,
}: {
  response: IncomingMessage;
  client: ClientMode;
  random: () => number;
  after: (ms: number, action: () => void) => void;
  cleanups: Array<() => void>;
  finish: Finish;
}): void {
  const watcher = createSseWatcher();
  const outcome = (): string => (watcher.errorCode !== undefined ? `event ${watcher.errorCode}` : watcher.done ? 'ok' : 'cut');
  const read = (): void => {
    response.on('data', (chunk: Buffer) => watcher.push(chunk));
    response.on('end', () => finish(outcome(), { destroy: outcome() !== 'ok' }));
    response.on('close', () => {
      if (!response.complete) finish(outcome());
    });
  };

  if (client.kind === 'slow') {
    let sincePause = 0;
    read();
    response.on('data', (chunk: Buffer) => {
      sincePause += chunk.length;
      if (sincePause < client.everyBytes) return;
      sincePause = 0;
      response.pause();
      after(client.minPauseMs + random() * (client.maxPauseMs - client.minPauseMs), () => response.resume());
    });
    return;
  }
  if (client.kind === 'stall') {
    stall({ response, client, watcher, after, cleanups, finish });
    return;
  }
  read();
}

/**
 * Stops reading right after the headers. The kernel's queues of both ends of the connection tell when
 * the gateway could no longer send: our receive queue and the gateway's send queue stopped growing
 * (the gateway's send buffer grows for a while after ours is full, and each time it takes more the
 * gateway sees progress). From then on the gateway must cut the client within its send timeout. The
 * peer's FIN shows while we still do not read (CLOSE_WAIT) unless the gateway's unsent data is stuck
 * in front of it, so after `blockedMs` of full queues the client drains: a gateway that cut it lets
 * the drain end at once; one that holds it keeps sending.
 */
function stall({
  response,
  client,
  watcher,
  after,
  cleanups,
  finish,
}: {
  response: IncomingMessage;
  client: Extract<ClientMode, { kind: 'stall' }>;
  watcher: SseWatcher;
  after: (ms: number, action: () => void) => void;
  cleanups: Array<() => void>;
  finish: Finish;
}): void {
  const ours = `${response.socket.localPort}>${response.socket.remotePort}`;
  const theirs = `${response.socket.remotePort}>${response.socket.localPort}`;
  const started = Date.now();
  let queued = '';
  let lastGrowth = started;
  let closed = false;
  let draining = false;
  response.once('close', () => {
    closed = true;
    if (draining) finish('cut while stalled');
  });
  const stopWatching = watchTcpQueues((queues) => {
    const queue = queues.get(ours);
    if (closed || queue === undefined || queue.state === 'CLOSE_WAIT') {
      finish('cut while stalled');
      return;
    }
    const sizes = `${queue.receiveQueue}/${queues.get(theirs)?.sendQueue ?? 'closed'}`;
    if (sizes !== queued) {
      queued = sizes;
      lastGrowth = Date.now();
    }
    const blocked = Date.now() - lastGrowth >= client.blockedMs;
    if (!blocked && Date.now() - started < client.maxStallMs) return;
    stopWatching();
    draining = true;
    response.on('data', (chunk: Buffer) => watcher.push(chunk));
    response.on('end', () => finish('cut while stalled'));
    after(3_000, () => finish(blocked ? 'held while stalled' : 'held while stalled (never blocked)'));
  });
  cleanups.push(stopWatching);
}

// One reading of the TCP table every 250 ms, shared by the stalled clients while any is waiting.
const queueWatchers = new Set<(queues: Map<string, TcpQueue>) => void>();
let queuePoller: NodeJS.Timeout | undefined;

function watchTcpQueues(watcher: (queues: Map<string, TcpQueue>) => void): () => void {
  queueWatchers.add(watcher);
  queuePoller ??= setInterval(() => {
    const queues = readTcpQueues();
    for (const each of [...queueWatchers]) each(queues);
  }, 250);
  return () => {
    queueWatchers.delete(watcher);
    if (queueWatchers.size === 0 && queuePoller !== undefined) {
      clearInterval(queuePoller);
      queuePoller = undefined;
    }
  };
}

interface SseWatcher {
  push(chunk: Buffer): void;
  readonly done: boolean;
  readonly errorCode: string | undefined;
}

/** Watches an OpenAI SSE stream for `data: [DONE]` and error events, line by line, keeping no text. */
function createSseWatcher(): SseWatcher {
  let partial = '';
  let skippingLongLine = false;
  let done = false;
  let errorCode: string | undefined;
  const handleLine = (line: string): void => {
    if (line === 'data: [DONE]') done = true;
    else if (line.startsWith('data: {"error"')) errorCode ??= errorCodeOf(line.slice('data: '.length));
  };
  return {
    push(chunk) {
      // latin1 keeps one character per byte: the markers are ASCII, and no UTF-8 split matters.
      const lines = (partial + chunk.toString('latin1')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (skippingLongLine) skippingLongLine = false;
        else handleLine(line);
      }
      // A data line this long is an answer chunk, not a marker: drop it up to its end.
      if (partial.length > 64 * 1024) {
        partial = '';
        skippingLongLine = true;
      }
    },
    get done() {
      return done;
    },
    get errorCode() {
      return errorCode;
    },
  };
}

/** A connection that never sends a byte: a header timeout must close it. */
function idleConnection({ target, deadlineMs }: CallOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('client gave up');
    }, deadlineMs);
    socket.on('data', (chunk: Buffer) => {
      if (received.length < 4096) received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(rawOutcome(received));
    });
  });
}

/** A request whose body trickles in one byte at a time: a body timeout must answer 408. */
function trickleBody({ target, prompt, key, deadlineMs, intervalMs }: CallOptions & { intervalMs: number }): Promise<string> {
  return new Promise((resolve) => {
    const body = requestBody({ request: 'chat-json', prompt });
    const socket = connect({ host: target.host, port: target.port });
    let received = '';
    let offset = Math.floor(body.length / 2);
    const finish = (outcome: string): void => {
      clearTimeout(deadline);
      clearInterval(trickle);
      socket.destroy();
      resolve(outcome);
    };
    const deadline = setTimeout(() => finish('client gave up'), deadlineMs);
    const trickle = setInterval(() => {
      if (offset < body.length - 1) socket.write(body.slice(offset, (offset += 1)));
    }, intervalMs);
    socket.on('connect', () => {
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nAuthorization: Bearer ${key}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, offset)}`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      if (received.length < 64 * 1024) received += chunk.toString('latin1');
      // One answer is enough; the body after the headers is small.
      if (/\r\n\r\n[\s\S]*\}\s*(\r\n0\r\n\r\n)?$/.test(received)) finish(rawOutcome(received));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(rawOutcome(received)));
  });
}

/** "<status> <code>" from a raw HTTP answer, or "closed by gateway" when none came. */
function rawOutcome(received: string): string {
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
  if (status === undefined) return 'closed by gateway';
  const code = /"code"\s*:\s*"([^"]*)"/.exec(received)?.[1] ?? /"type"\s*:\s*"([^"]*)"/.exec(received)?.[1] ?? 'no-code';
  return `${status} ${code}`;
}
