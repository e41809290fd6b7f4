import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { GatewayError, invalidRequest, serverBusy } from '@gw/core';
import type { MemoryBudget } from './memory-budget.js';

export interface JsonBodyOptions {
  /** Largest body accepted, in bytes or as "10mb"; larger bodies get a 413. */
  limit?: number | string;
  /** The whole body must arrive within this many milliseconds, else 408 `request_timeout`; default 30000. */
  timeoutMs?: number;
  /**
   * The in-flight bytes shared with other buffers (see createMemoryBudget). Each body reserves its
   * Content-Length (the limit when the length is unknown or the body is compressed) before a byte is
   * read, until its response closes; when there is no room the request gets 503 `server_busy`.
   */
  budget?: MemoryBudget;
}

const BUSY_RETRY_AFTER_SECONDS = 2;
/** How long a refused connection goes on reading after its answer, at most, before it closes. */
const LINGER_MS = 2000;

/**
 * Parses the JSON body whatever the Content-Type (curl's -d sends form encoding by default). A host app
 * that already parsed the body keeps its parse: a parsed object is used as is, text or bytes are parsed.
 *
 * A body this middleware reads itself is bounded three ways: in size (413, at once when Content-Length
 * says so), in time (408), and together with every other body in flight (503 with Retry-After). Each
 * refusal closes the connection, so the unread rest of the body cannot be taken for the next request.
 */
export function jsonBody({ limit = '10mb', timeoutMs = 30_000, budget }: JsonBodyOptions = {}) {
  const limitBytes = parseByteSize(limit);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError('jsonBody: timeoutMs must be a positive number');
  if (budget !== undefined && budget.maxBytes < limitBytes) {
    throw new TypeError(`jsonBody: budget.maxBytes (${budget.maxBytes}) must be at least the body limit (${limitBytes} bytes)`);
  }
  const parse = express.json({ limit: limitBytes, type: () => true, strict: false });

  return function jsonBodyMiddleware(req: Request, res: Response, next: NextFunction): void {
    const body: unknown = req.body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      try {
        req.body = JSON.parse(body.toString()) as unknown;
      } catch {
        next(invalidRequest('We could not parse the JSON body of your request.', { code: 'invalid_json' }));
        return;
      }
      next();
      return;
    }
    // Parsed or read by the host already, or nothing to read: body-parser's own checks, as always.
    if (body !== undefined || req.readableEnded || !hasBody(req)) {
      parse(req, res, next);
      return;
    }

    const lengthHeader = req.headers['content-length'];
    const declaredLength = lengthHeader === undefined ? undefined : Number(lengthHeader);
    if (declaredLength !== undefined && declaredLength > limitBytes) {
      closeAfterAnswer(req, res);
      next(requestTooLarge(limitBytes));
      return;
    }
    const compressed = (req.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity';
    let release = noop;
    if (budget !== undefined) {
      const reservation = budget.tryReserve(declaredLength === undefined || compressed ? limitBytes : declaredLength);
      if (reservation === undefined) {
        closeAfterAnswer(req, res);
        next(serverBusy('too many request bodies are being read at once.', BUSY_RETRY_AFTER_SECONDS));
        return;
      }
      release = reservation;
    }

    let settled = false;
    let refused = false;
    let received = 0;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', countBytes);
      next(error);
    };
    // Stop reading, answer, and let the answer close the connection.
    const refuse = (error: GatewayError) => {
      if (settled) return;
      refused = true;
      req.pause();
      closeAfterAnswer(req, res);
      settle(error);
    };
    // body-parser answers an oversized chunked body only after reading it to the end; this answers at once.
    const countBytes = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) refuse(requestTooLarge(limitBytes));
    };
    const timer = setTimeout(() => refuse(requestTimeout(timeoutMs)), timeoutMs);
    if (res.closed) release();
    else
      res.once('close', () => {
        clearTimeout(timer);
        // A refused body may still sit in body-parser's buffers until its lingering connection is gone.
        if (refused && !req.socket.destroyed) req.socket.once('close', release);
        else release();
      });
    req.on('data', countBytes);
    // On a refusal, body-parser still calls back once the connection is gone: `settle` ignores that.
    parse(req, res, settle);
  };
}

function noop(): void {}

/**
 * Answers with `Connection: close`, so the unread rest of the body is never taken for a next request.
 * Node ends such an exchange with `socket.destroySoon()`: a FIN, then a close as soon as it is sent.
 * Bytes the client is still sending then meet a closed socket, the kernel answers them with a reset,
 * and a reset can wipe the answer from the client's buffers before it was read. So this one socket
 * closes as RFC 9112 §9.6 asks: half-close, go on reading (Node discards the rest of the body), and
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
