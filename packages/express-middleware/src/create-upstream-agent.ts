import type { ClientRequest } from 'node:http';
import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { upstreamBusy, upstreamConnectTimeout } from '@gw/core';

export interface UpstreamAgentOptions {
  /** DashScope's base URL: picks http or https. */
  baseUrl?: string;
  /** Sockets open to DashScope at once; requests beyond wait for a free one. */
  maxSockets?: number;
  /** Longest wait for a free socket, in milliseconds; then the call fails with 503 `upstream_busy`. */
  queueTimeoutMs?: number;
  /** Longest DNS + TCP + TLS setup of a new socket, in milliseconds; then 504 `upstream_connect_timeout`. */
  connectTimeoutMs?: number;
  /** Idle kept-alive sockets kept for reuse; default maxSockets, so a burst's connections serve the next. */
  maxFreeSockets?: number;
  /**
   * How long an idle kept-alive socket is kept, in milliseconds. Below the far side's own idle close on
   * purpose: reusing a socket it is just closing fails the request, and a POST cannot be retried safely.
   */
  freeSocketTimeoutMs?: number;
}

const upstreamAgentBrand = Symbol.for('@gw/express-middleware/UpstreamAgent');

/** The bounded pool the DashScope proxy sends through; pass it as the proxy's `agent` option. */
export type UpstreamAgent = (HttpAgent | HttpsAgent) & { readonly [upstreamAgentBrand]: true };

/** Node's Agent internals this relies on (stable since Node 0.x and used by every keep-alive agent). */
interface AgentInternals {
  requests: Record<string, ClientRequest[] | undefined>;
  getName(options: object): string;
  addRequest(request: ClientRequest, options: object): void;
  createConnection(options: object, callback: (error: Error | null, socket?: Socket) => void): Socket;
}

/**
 * The pool of connections to DashScope, sized by settings, with bounded waits. Without an explicit agent
 * the proxy library uses a hidden 256-socket pool whose queue never times out, and some client headers
 * (an HTTP/2 client, `Connection: upgrade`) make it open an unpooled socket per request. With this agent
 * as the proxy's `agent`, every call goes through one pool: a call that finds it full waits at most
 * `queueTimeoutMs`, and a new socket must connect within `connectTimeoutMs`.
 */
export function createUpstreamAgent({
  baseUrl = 'https://dashscope.aliyuncs.com',
  maxSockets = 256,
  queueTimeoutMs = 5_000,
  connectTimeoutMs = 10_000,
  maxFreeSockets = maxSockets,
  freeSocketTimeoutMs = 10_000,
}: UpstreamAgentOptions = {}): UpstreamAgent {
  for (const [name, value] of Object.entries({ maxSockets, queueTimeoutMs, connectTimeoutMs, maxFreeSockets, freeSocketTimeoutMs })) {
    if (!Number.isInteger(value) || value <= 0) throw new TypeError(`createUpstreamAgent: ${name} must be a positive integer`);
  }
  if (!URL.canParse(baseUrl)) throw new TypeError(`createUpstreamAgent: baseUrl must be a URL, got ${JSON.stringify(baseUrl)}`);
  const retryAfterSeconds = Math.max(1, Math.ceil(queueTimeoutMs / 1000));
  // Node applies `timeout` to pooled sockets and destroys idle ones on it; the handlers time active calls.
  const options: AgentOptions = { keepAlive: true, maxSockets, maxFreeSockets, timeout: freeSocketTimeoutMs, scheduling: 'lifo' };
  const created = new URL(baseUrl).protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
  const agent = created as unknown as AgentInternals;

  const addRequest = agent.addRequest.bind(agent);
  agent.addRequest = (request, requestOptions) => {
    addRequest(request, requestOptions);
    const name = agent.getName(requestOptions);
    if (agent.requests[name]?.includes(request) !== true) return;
    // Queued: every socket is busy. Bounded, so a full pool answers 503 instead of hanging.
    const timer = setTimeout(() => {
      const queue = agent.requests[name];
      const at = queue?.indexOf(request) ?? -1;
      if (at === -1) return;
      queue!.splice(at, 1);
      if (queue!.length === 0) delete agent.requests[name];
      // How Node's own agent fails a request it cannot give a socket: the request emits the error.
      (request as ClientRequest & { onSocket(socket: undefined, error: Error): void }).onSocket(undefined, upstreamBusy(retryAfterSeconds));
    }, queueTimeoutMs);
    timer.unref();
    request.once('socket', () => clearTimeout(timer));
    request.once('close', () => clearTimeout(timer));
  };

  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = (connectionOptions, callback) => {
    const socket = createConnection(connectionOptions, callback);
    // A dropped SYN or a DNS server that never answers would otherwise hold the call for minutes.
    const timer = setTimeout(() => socket.destroy(upstreamConnectTimeout(connectTimeoutMs)), connectTimeoutMs);
    timer.unref();
    const connected = () => clearTimeout(timer);
    socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', connected);
    socket.once('close', connected);
    return socket;
  };

  return Object.defineProperty(created, upstreamAgentBrand, { value: true }) as UpstreamAgent;
}

export function isUpstreamAgent(agent: unknown): agent is UpstreamAgent {
  return typeof agent === 'object' && agent !== null && (agent as Record<symbol, unknown>)[upstreamAgentBrand] === true;
}
