import { finished } from 'node:stream/promises';
import { constants, createGzip } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import type { ResponseTarget } from './response-target.js';

export interface BodyWriter {
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
export function startResponse({
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
