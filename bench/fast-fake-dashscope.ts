// The benchmark's fake DashScope, run as its own process by bench/main.ts: a plain node:http server
// that answers from Buffers rendered at start-up, so its own cost stays small and the same for the
// gateway and the passthrough. It serves DashScope's native chat endpoint (JSON and SSE) for the
// gateway and an OpenAI-shaped /v1/chat/completions for the passthrough, over HTTP and, when given a
// certificate, over HTTPS with a delay before each TLS handshake. It counts the connections it accepts.
//
// argv[2]: FakeOptions as JSON. IPC: sends { type: 'ready', port, httpsPort } once listening (port: HTTP);
// answers { id, type: 'stats' } and { id, type: 'close-connections', value } with { id, ... }.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { renderReplies, streamMarker, type RenderedJson, type RenderedStream, type StreamKind } from './fake-replies.ts';
import type { StreamShape } from './profiles.ts';

export interface FakeOptions {
  shapes: Record<StreamKind, StreamShape>;
  tls?: { keyFile: string; certFile: string; acceptDelayMs: number };
}

export interface FakeStats {
  connections: { http: number; https: number };
  requests: number;
}

export type FakeMessage = { id: number; type: 'stats' } | { id: number; type: 'close-connections'; value: boolean };

const NATIVE_CHAT_PATH = '/api/v1/services/aigc/text-generation/generation';
const OPENAI_CHAT_PATH = '/v1/chat/completions';
// Longer than any client pool keeps an idle socket, so the fake never closes one under a reuse.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

const options = JSON.parse(process.argv[2] ?? '{}') as FakeOptions;
const replies = renderReplies(options.shapes);
const stats: FakeStats = { connections: { http: 0, https: 0 }, requests: 0 };
// "Without keep-alive": every answer says `Connection: close`, so no client pool can keep its socket.
let closeConnections = false;

const http = configure(createServer(handleRequest));
http.on('connection', () => (stats.connections.http += 1));
const httpPort = await listen(http);

let httpsPort: number | null = null;
if (options.tls !== undefined) {
  const { keyFile, certFile, acceptDelayMs } = options.tls;
  const https = configure(createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, handleRequest));
  // A TCP listener in front holds each new connection (unread) for acceptDelayMs, then hands it to the
  // TLS server: every new upstream connection costs that delay plus a handshake; a reused one costs neither.
  const tcp = createTcpServer({ pauseOnConnect: true }, (socket) => {
    stats.connections.https += 1;
    setTimeout(() => https.emit('connection', socket), acceptDelayMs);
  });
  httpsPort = await listen(tcp);
}

process.on('message', (message: FakeMessage) => {
  if (message.type === 'stats') process.send?.({ id: message.id, ...stats });
  if (message.type === 'close-connections') {
    closeConnections = message.value;
    process.send?.({ id: message.id });
  }
});
// The parent going away (normally or not) ends the fake.
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', port: httpPort, httpsPort });

function configure<T extends Server>(server: T): T {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

function listen(server: { listen(port: number, host: string, callback: () => void): unknown; address(): unknown }): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function handleRequest(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => reply(request, response, Buffer.concat(chunks)));
}

function reply(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
  stats.requests += 1;
  const extraHeaders: OutgoingHttpHeaders = closeConnections ? { connection: 'close' } : {};
  if (request.method === 'POST' && request.url === NATIVE_CHAT_PATH) {
    // Either header turns SSE on at DashScope (the gateway sends X-DashScope-SSE: enable).
    const sse = request.headers['x-dashscope-sse'] === 'enable' || (request.headers.accept ?? '').includes('text/event-stream');
    if (sse) writeStream(response, replies.nativeStreams[streamKind(body)], extraHeaders);
    else writeJson(response, replies.nativeJson, extraHeaders);
    return;
  }
  if (request.method === 'POST' && request.url === OPENAI_CHAT_PATH) {
    // The bench's clients serialise with JSON.stringify: no space after the colon.
    if (body.includes('"stream":true')) writeStream(response, replies.openAIStreams[streamKind(body)], extraHeaders);
    else writeJson(response, replies.openAIJson, extraHeaders);
    return;
  }
  response.writeHead(404, { 'content-type': 'application/json', ...extraHeaders }).end('{"code":"InvalidURL"}');
}

function streamKind(body: Buffer): StreamKind {
  if (body.includes(streamMarker('paced'))) return 'paced';
  if (body.includes(streamMarker('slow'))) return 'slow';
  return 'fast';
}

function writeJson(response: ServerResponse, json: RenderedJson, extraHeaders: OutgoingHttpHeaders): void {
  response.writeHead(200, { ...json.headers, ...extraHeaders }).end(json.body);
}

/**
 * One write per event, each in its own event-loop turn (or after intervalMs), as an upstream flushes
 * each token: Node would coalesce writes made in the same turn into one.
 */
function writeStream(response: ServerResponse, stream: RenderedStream, extraHeaders: OutgoingHttpHeaders): void {
  response.writeHead(200, { ...stream.headers, ...extraHeaders });
  let next = 0;
  let cancel = (): void => {};
  const writeNext = (): void => {
    if (response.destroyed) return;
    response.write(stream.events[next]);
    next += 1;
    if (next === stream.events.length) {
      response.end();
    } else if (stream.intervalMs > 0) {
      const timer = setTimeout(writeNext, stream.intervalMs);
      cancel = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(writeNext);
      cancel = () => clearImmediate(immediate);
    }
  };
  response.once('close', () => cancel());
  writeNext();
}
