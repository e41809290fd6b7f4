import type { Transform } from 'node:stream';
import { TextDecoder } from 'node:util';
import zlib from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import { GatewayError, invalidRequest, serverBusy, serverShuttingDown } from '@gw/core';
import { clientNetwork } from './client-network.js';
import { createJsonNestingCheck, type JsonNestingExcess, type JsonNestingLimits } from './create-json-nesting-check.js';
import { createBudgetReservation, type MemoryBudget } from './memory-budget.js';

export interface JsonBodyOptions {
  /** Largest body accepted, in bytes or as "10mb", decompressed; larger bodies get a 413. */
  limit?: number | string;
  /** The whole body must arrive within this many milliseconds, else 408 `request_timeout`; default 30000. */
  timeoutMs?: number;
  /**
   * The in-flight bytes shared with other buffers (see createMemoryBudget). A body reserves its bytes
   * as they arrive (decompressed, when it is compressed), never what it announces, under its client
   * (see clientKey), and holds them until its response closes; a chunk that finds no room, in the
   * budget or in its client's share, ends the read with 503 `server_busy`.
   */
  budget?: MemoryBudget;
  /**
   * The client a body's bytes count against in the budget's per-client share. Default: `req.ip` (so
   * it follows the app's "trust proxy" setting), an IPv6 address grouped by its /64 and an IPv4-mapped
   * one read as IPv4, as rateLimitByIp counts them. Undefined counts the body in the total only.
   */
  clientKey?: (req: Request) => string | undefined;
  /** Deepest nesting of objects and arrays, counted before parsing; deeper gets 400 `json_too_complex`. Default 64. */
  maxDepth?: number;
  /**
   * Most values in one body (the body's own, every array element and every object member's value; each
   * object and array is one too), counted before parsing; more gets 400 `json_too_complex`. Default 200000.
   */
  maxValues?: number;
  /**
   * Abort it when the server shuts down: a body still being read then is answered 503
   * `server_shutting_down` (the router passes its shutdownSignal).
   */
  signal?: AbortSignal;
}

const BUSY_RETRY_AFTER_SECONDS = 2;
/** The per-client share counts IPv6 clients by this prefix, as rateLimitByIp does by default. */
const CLIENT_IPV6_SUBNET = 64;
/** How long a refused connection goes on reading after its answer, at most, before it closes. */
const LINGER_MS = 2000;

/** What each Content-Encoding the body may come in is read with (the ones body-parser reads). */
const DECOMPRESSORS: Readonly<Record<string, () => Transform>> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
  zstd: () => zlib.createZstdDecompress(),
};

/**
 * Parses the JSON body whatever the Content-Type (curl's -d sends form encoding by default), as any JSON
 * value. A host app that already parsed the body keeps its parse: a parsed object is used as is, text or
 * bytes are checked and parsed here.
 *
 * A body this middleware reads itself is bounded five ways: in size (413, at once when Content-Length
 * says so), in time (408), together with every other body in flight and with the other bodies of its
 * client (503 with Retry-After), in shape (400 `json_too_complex`: nesting depth and the number of
 * values, counted on the text as it arrives, before JSON.parse builds anything), and by the server's
 * shutdown (503 `server_shutting_down`). Each refusal closes the connection, so the unread rest of the
 * body cannot be taken for the next request.
 */
export function jsonBody({
  limit = '10mb',
  timeoutMs = 30_000,
  budget,
  clientKey = clientAddress,
  maxDepth = 64,
  maxValues = 200_000,
  signal,
}: JsonBodyOptions = {}) {
  const limitBytes = parseByteSize(limit);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError('jsonBody: timeoutMs must be a positive number');
  if (budget !== undefined && budget.maxBytes < limitBytes) {
    throw new TypeError(`jsonBody: budget.maxBytes (${budget.maxBytes}) must be at least the body limit (${limitBytes} bytes)`);
  }
  if (budget !== undefined && budget.maxBytesPerClient < limitBytes) {
    throw new TypeError(
      `jsonBody: budget.maxBytesPerClient (${budget.maxBytesPerClient}) must be at least the body limit (${limitBytes} bytes)`,
    );
  }
  if (typeof clientKey !== 'function') throw new TypeError('jsonBody: clientKey must be a function of the request');
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1) throw new TypeError('jsonBody: maxDepth must be a positive integer');
  if (!Number.isSafeInteger(maxValues) || maxValues < 1) throw new TypeError('jsonBody: maxValues must be a positive integer');
  const nesting: JsonNestingLimits = { maxDepth, maxValues };

  return function jsonBodyMiddleware(req: Request, res: Response, next: NextFunction): void {
    const body: unknown = req.body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      const text = body.toString();
      const excess = createJsonNestingCheck(nesting)(text);
      if (excess !== undefined) {
        next(jsonTooComplex(excess, nesting));
        return;
      }
      parseInto(req, text, next);
      return;
    }
    // Nothing to read, or read to the end by the host already (its parse stands; when it left no body,
    // rewriteRequest names the missing parser).
    if (!hasBody(req) || req.readableEnded) {
      next();
      return;
    }
    if (isBodyLost(req)) {
      next(incompleteBody());
      return;
    }
    readJsonBody({
      req,
      res,
      next,
      limitBytes,
      timeoutMs,
      budget,
      client: budget === undefined ? undefined : clientKey(req),
      nesting,
      signal,
    });
  };
}

interface ReadJsonBodyOptions {
  req: Request;
  res: Response;
  next: NextFunction;
  limitBytes: number;
  timeoutMs: number;
  budget: MemoryBudget | undefined;
  client: string | undefined;
  nesting: JsonNestingLimits;
  signal: AbortSignal | undefined;
}

/**
 * Reads the body chunk by chunk: each (decompressed) chunk is counted against the limit, reserved in the
 * budget under the body's client, decoded with a streaming decoder and its text checked for nesting and
 * values before it is kept. The first check that fails stops the read and answers (as does the shutdown
 * signal); otherwise the whole text is parsed at the end.
 */
function readJsonBody({ req, res, next, limitBytes, timeoutMs, budget, client, nesting, signal }: ReadJsonBodyOptions): void {
  const lengthHeader = req.headers['content-length'];
  const refuseAtOnce = (error: GatewayError) => {
    closeAfterAnswer(req, res);
    next(error);
  };
  if (signal?.aborted === true) {
    refuseAtOnce(serverShuttingDown());
    return;
  }
  if (lengthHeader !== undefined && Number(lengthHeader) > limitBytes) {
    refuseAtOnce(requestTooLarge(limitBytes));
    return;
  }
  const decoder = createDecoder(charsetOf(req));
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const createDecompressor = DECOMPRESSORS[contentEncoding];
  if (decoder === undefined || (contentEncoding !== 'identity' && createDecompressor === undefined)) {
    refuseAtOnce(unsupportedEncoding());
    return;
  }

  const decompressor = createDecompressor?.();
  const source = decompressor ?? req;
  const reservation = createBudgetReservation(budget, client);
  const checkNesting = createJsonNestingCheck(nesting);
  const pieces: string[] = [];
  let received = 0;
  let settled = false;

  // Detaches everything this read attached; the body's bytes are dropped here or handed to the parse.
  const stop = () => {
    settled = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onShutdown);
    source.off('data', onData);
    source.off('end', onEnd);
    source.off('error', onSourceError);
    req.off('error', onBroken);
    req.off('close', onBroken);
    if (decompressor !== undefined) {
      req.unpipe(decompressor);
      decompressor.on('error', noop);
      decompressor.destroy();
    }
  };
  // Stop reading, answer, and let the answer close the connection; what the client still sends while
  // the connection lingers is read and dropped.
  const refuse = (error: GatewayError) => {
    if (settled) return;
    stop();
    pieces.length = 0;
    closeAfterAnswer(req, res);
    if (!req.destroyed) req.resume();
    next(error);
  };
  const keep = (text: string): boolean => {
    const excess = checkNesting(text);
    if (excess !== undefined) {
      refuse(jsonTooComplex(excess, nesting));
      return false;
    }
    pieces.push(text);
    return true;
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limitBytes) refuse(requestTooLarge(limitBytes));
    else if (!reservation.resizeTo(received)) refuse(bufferFull(reservation.isOverShare(received)));
    else keep(decoder.decode(chunk, { stream: true }));
  };
  const onEnd = () => {
    if (settled || !keep(decoder.decode())) return;
    stop();
    // A compressed body may be followed by bytes its decompressor ignores: read them off the wire.
    if (decompressor !== undefined && !req.readableEnded) req.resume();
    const text = pieces.join('');
    pieces.length = 0;
    parseInto(req, text, next);
  };
  const onSourceError = () => {
    refuse(source === req ? incompleteBody() : undecodableBody(contentEncoding));
  };
  // The client left, or Node refused the rest of the framing and destroyed the connection. (A request
  // read whole closes too, possibly before its decompressor has given out the last of the body.)
  const onBroken = () => {
    if (!req.complete) refuse(incompleteBody());
  };
  const onShutdown = () => refuse(serverShuttingDown());
  const timer = setTimeout(() => refuse(requestTimeout(timeoutMs)), timeoutMs);

  res.once('close', () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onShutdown);
    reservation.release();
  });
  signal?.addEventListener('abort', onShutdown, { once: true });
  source.on('data', onData);
  source.on('end', onEnd);
  source.on('error', onSourceError);
  if (decompressor !== undefined) {
    req.on('error', onBroken);
    req.pipe(decompressor);
  }
  req.on('close', onBroken);
}

/** `JSON.parse` with body-parser's `strict: false` semantics: any JSON value, and an empty body is `{}`. */
function parseInto(req: Request, text: string, next: NextFunction): void {
  try {
    req.body = text.length === 0 ? {} : (JSON.parse(text) as unknown);
  } catch {
    next(invalidRequest('We could not parse the JSON body of your request.', { code: 'invalid_json' }));
    return;
  }
  next();
}

function noop(): void {}

/** The charset named by Content-Type; JSON's own (RFC 8259 §8.1) when none is. */
function charsetOf(req: Request): string {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(req.headers['content-type'] ?? '');
  return (match?.[1] ?? match?.[2] ?? 'utf-8').toLowerCase();
}

/** A streaming decoder for UTF-8 or UTF-16 (as body-parser's JSON parser takes them; a BOM is dropped), else undefined. */
function createDecoder(charset: string): TextDecoder | undefined {
  if (!charset.startsWith('utf-')) return undefined;
  try {
    const decoder = new TextDecoder(charset);
    return ['utf-8', 'utf-16le', 'utf-16be'].includes(decoder.encoding) ? decoder : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Answers with `Connection: close`, so the unread rest of the body is never taken for a next request.
 * Node ends such an exchange with `socket.destroySoon()`: a FIN, then a close as soon as it is sent.
 * Bytes the client is still sending then meet a closed socket, the kernel answers them with a reset,
 * and a reset can wipe the answer from the client's buffers before it was read. So this one socket
 * closes as RFC 9112 §9.6 asks: half-close, go on reading (the rest of the body is dropped), and
 * close once the client is done, or after LINGER_MS.
 */
function closeAfterAnswer(req: Request, res: Response): void {
  if (res.headersSent) return;
  res.setHeader('Connection', 'close');
  const socket = req.socket;
  socket.destroySoon = function lingeringClose() {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    socket.once('close', () => clearTimeout(timer));
  };
}

/** The default client of a body: its address as `req.ip` gives it, an IPv6 one grouped by its network. */
function clientAddress(req: Request): string | undefined {
  return clientNetwork(req.ip ?? req.socket.remoteAddress, CLIENT_IPV6_SUBNET);
}

/** RFC 9112 §6.3: a request has a body when it says so with Transfer-Encoding or a Content-Length. */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;
}

function requestTooLarge(limitBytes: number): GatewayError {
  return new GatewayError({
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: `The request body is larger than the gateway accepts (${limitBytes} bytes).`,
  });
}

function requestTimeout(timeoutMs: number): GatewayError {
  return new GatewayError({
    status: 408,
    type: 'invalid_request_error',
    code: 'request_timeout',
    message: `The request body did not arrive within ${timeoutMs} ms.`,
  });
}

/** 503 `server_busy`: the body's next bytes do not fit in its client's share, or else in the whole budget. */
function bufferFull(overShare: boolean): GatewayError {
  return serverBusy(
    overShare
      ? 'the requests from your address hold all of its share of the memory for request bodies.'
      : 'too many request bodies are being read at once.',
    BUSY_RETRY_AFTER_SECONDS,
  );
}

function jsonTooComplex(excess: JsonNestingExcess, { maxDepth, maxValues }: JsonNestingLimits): GatewayError {
  const detail =
    excess === 'maxDepth'
      ? `objects and arrays nest deeper than ${maxDepth} levels`
      : `it holds more than ${maxValues} values (array elements and object members)`;
  return invalidRequest(`The JSON body of your request is too complex to accept: ${detail}.`, { code: 'json_too_complex' });
}

/**
 * The connection broke, or Node refused the request's framing (a chunk-extension flood, a chunk size that
 * overflows) and answered it itself, before the body was read: the body is gone, which is the client's
 * doing, not a wiring mistake.
 */
export function isBodyLost(req: Request): boolean {
  return !req.readableEnded && (req.destroyed || (!req.complete && !req.socket.readable));
}

/** 400 `incomplete_body`: the body did not arrive whole (also what a host's body-parser error maps to). */
export function incompleteBody(): GatewayError {
  return invalidRequest('The request body could not be read: the connection ended or broke before the whole body arrived.', {
    code: 'incomplete_body',
  });
}

function undecodableBody(contentEncoding: string): GatewayError {
  return invalidRequest(`The request body could not be read: its ${contentEncoding} encoding is corrupt.`, { code: 'invalid_body' });
}

function unsupportedEncoding(): GatewayError {
  return new GatewayError({
    status: 415,
    type: 'invalid_request_error',
    code: 'unsupported_encoding',
    message:
      'The request body encoding or charset is not supported: send JSON in UTF-8, compressed with gzip, deflate, br or zstd or not at all.',
  });
}

const BYTE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** "10mb" → 10485760, as body-parser reads its `limit` (binary units). */
export function parseByteSize(size: number | string): number {
  if (typeof size === 'number') {
    if (Number.isSafeInteger(size) && size > 0) return size;
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(size);
    const bytes = match === null ? Number.NaN : Math.floor(Number(match[1]) * (BYTE_UNITS[(match[2] ?? 'b').toLowerCase()] ?? Number.NaN));
    if (Number.isSafeInteger(bytes) && bytes > 0) return bytes;
  }
  throw new TypeError(`jsonBody: limit must be a positive number of bytes or a size such as "10mb", not ${JSON.stringify(size)}`);
}
