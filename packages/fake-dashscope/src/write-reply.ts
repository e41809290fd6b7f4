import type { ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { constants, createGzip } from 'node:zlib';
import type { ChunkSource, FakeScript } from './fake-dashscope-types.js';
import { DashScopeError, formatErrorBody, formatErrorEvent, sseHeaders } from './wire-format.js';

/** Where and how one answer is written: the response plus the server's body-writing options. */
export interface ResponseTarget {
  response: ServerResponse;
  /** Aborted when the response closes (finished, client gone, or the fake shutting down). */
  signal: AbortSignal;
  gzip: boolean;
  splitBytes: number;
  eventDelayMs: number;
}

/**
 * A JSON answer, chunked like DashScope's (no content-length). `truncate` writes only the first half
 * of the body and then destroys the socket, to simulate a connection lost mid-body.
 */
export async function sendJson({
  target,
  status,
  requestId,
  body,
  headers = {},
  truncate = false,
}: {
  target: ResponseTarget;
  status: number;
  requestId: string;
  body: string;
  headers?: Record<string, string> | undefined;
  truncate?: boolean;
}): Promise<void> {
  const writer = startResponse({
    target,
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
  });
  if (truncate) {
    const bytes = Buffer.from(body, 'utf8');
    await writer.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    target.response.destroy();
    return;
  }
  await writer.write(body);
  await writer.end();
}

/**
 * Writes SSE frames one by one, waiting `eventDelayMs` between them, then ends the response:
 * DashScope closes the stream after its last event, without any `[DONE]`. With `destroyAfter`,
 * the socket is destroyed after that many frames instead (or after all of them, if fewer).
 */
export async function sendEvents({
  target,
  status,
  headers,
  frames,
  destroyAfter,
}: {
  target: ResponseTarget;
  status: number;
  headers: Record<string, string>;
  frames: ReadonlyArray<string | Uint8Array>;
  destroyAfter?: number | undefined;
}): Promise<void> {
  const writer = startResponse({ target, status, headers });
  for (const [index, frame] of frames.entries()) {
    if (index > 0) await sleep(target.eventDelayMs, target.signal);
    if (target.signal.aborted) return;
    await writer.write(frame);
    if (destroyAfter !== undefined && index + 1 >= destroyAfter) break;
  }
  if (destroyAfter !== undefined) {
    target.response.destroy();
    return;
  }
  await writer.end();
}

/**
 * Writes whatever `chunks` produces, one chunk at a time and only once the previous one reached the
 * socket, so a reader that stops also stops the source. The headers are flushed first: a source that
 * is silent at first is silence inside the body, not a missing answer. Stops pulling once the
 * connection closed; an error from the source propagates (the caller destroys the socket).
 */
export async function sendChunks({
  target,
  status,
  headers,
  chunks,
}: {
  target: ResponseTarget;
  status: number;
  headers: Record<string, string>;
  chunks: ChunkSource;
}): Promise<void> {
  const writer = startResponse({ target, status, headers });
  target.response.flushHeaders();
  for await (const chunk of chunks(target.signal)) {
    // Leaving the loop returns the source, so a generator's finally blocks run.
    if (target.signal.aborted || target.response.destroyed) return;
    await writer.write(chunk);
  }
  if (!target.signal.aborted) await writer.end();
}

/**
 * The three ways a DashScope request fails (protocol §5.4): 'json' = error status + JSON body;
 * 'sse-event' = 200 + one event:error (as recorded); 'sse-body' = error status with that SSE body,
 * which both official SDKs also handle.
 */
export function sendScriptedError({
  target,
  script,
  requestId,
}: {
  target: ResponseTarget;
  script: Extract<FakeScript, { type: 'error' }>;
  requestId: string;
}): Promise<void> {
  const error = new DashScopeError(script);
  const mode = script.as ?? 'json';
  if (mode === 'json') {
    return sendJson({
      target,
      status: script.status,
      requestId,
      headers: script.headers,
      body: formatErrorBody({ code: error.code, message: error.message, requestId }),
    });
  }
  return sendEvents({
    target,
    status: mode === 'sse-event' ? 200 : script.status,
    headers: { ...sseHeaders(requestId), ...script.headers },
    frames: [formatErrorEvent({ error, requestId, id: 1 })],
  });
}

const EVENT_END = Buffer.from('\n\n');

/**
 * Splits a scripted raw body after each blank line, so an SSE body is written event by event
 * (and `eventDelayMs` applies between events); any other body stays one piece.
 */
export function splitRawBody(body: string | Uint8Array): Buffer[] {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const pieces: Buffer[] = [];
  let start = 0;
  for (let end = bytes.indexOf(EVENT_END); end !== -1; end = bytes.indexOf(EVENT_END, start)) {
    pieces.push(bytes.subarray(start, end + EVENT_END.length));
    start = end + EVENT_END.length;
  }
  if (start < bytes.length || pieces.length === 0) pieces.push(bytes.subarray(start));
  return pieces;
}

interface BodyWriter {
  /** Resolves once the bytes were handed to the socket (or the socket is gone). */
  write(chunk: string | Uint8Array): Promise<void>;
  end(): Promise<void>;
}

/**
 * Sends the status line and headers with the first write and returns a writer for the body. Every
 * write goes out before the next one starts, so `splitBytes` really produces separate socket writes
 * (and UTF-8 characters split across them). With `gzip`, each chunk is compressed with a sync flush
 * so streamed events still arrive one by one, like DashScope's gzipped SSE responses.
 */
function startResponse({
  target,
  status,
  headers,
}: {
  target: ResponseTarget;
  status: number;
  headers: Record<string, string>;
}): BodyWriter {
  const { response, gzip, splitBytes } = target;
  response.writeHead(status, gzip ? withGzipHeaders(headers) : headers);
  const send = async (bytes: Buffer): Promise<void> => {
    const size = splitBytes > 0 ? splitBytes : Math.max(bytes.length, 1);
    for (let offset = 0; offset < bytes.length; offset += size) {
      await writeToResponse(response, bytes.subarray(offset, offset + size));
    }
  };
  if (!gzip) {
    return { write: (chunk) => send(toBuffer(chunk)), end: () => endResponse(response) };
  }

  const compressor = createGzip();
  const compressed: Buffer[] = [];
  compressor.on('data', (data: Buffer) => compressed.push(data));
  compressor.on('error', () => response.destroy());
  response.once('close', () => compressor.destroy());
  const sendCompressed = (): Promise<void> => send(Buffer.concat(compressed.splice(0)));
  return {
    async write(chunk) {
      if (compressor.destroyed) return;
      compressor.write(toBuffer(chunk));
      await new Promise<void>((resolve) => compressor.flush(constants.Z_SYNC_FLUSH, () => resolve()));
      // Output pushed while flushing may be delivered on a later tick.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await sendCompressed();
    },
    async end() {
      if (!compressor.destroyed) {
        compressor.end();
        await finished(compressor).catch(() => undefined);
        await sendCompressed();
      }
      await endResponse(response);
    },
  };
}

function withGzipHeaders(headers: Record<string, string>): Record<string, string> {
  // A given content-length would describe the uncompressed bytes.
  const kept = Object.entries(headers).filter(([name]) => !/^content-(length|encoding)$/i.test(name));
  return { ...Object.fromEntries(kept), 'content-encoding': 'gzip', vary: 'Accept-Encoding' };
}

function toBuffer(chunk: string | Uint8Array): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function writeToResponse(response: ServerResponse, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed || response.writableEnded) {
      resolve();
      return;
    }
    const done = (): void => {
      response.off('close', done);
      resolve();
    };
    response.once('close', done);
    response.write(bytes, () => done());
  });
}

function endResponse(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed || response.writableEnded) {
      resolve();
      return;
    }
    response.once('close', () => resolve());
    response.end(() => resolve());
  });
}

/** Waits `ms` milliseconds, returning early (without throwing) when the signal aborts. */
async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return;
  await delay(ms, undefined, { signal }).catch(() => undefined);
}
