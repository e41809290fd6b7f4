import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

const decoders: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * DashScope's body without its Content-Encoding. The gateway asks for identity, but DashScope has been
 * seen gzip-encoding replies regardless; decoding is incremental, so SSE still flows event by event.
 * Every reader of the result counts decompressed bytes against its own cap (a gzip bomb is tiny on the wire).
 */
export function decodeUpstreamBody(response: IncomingMessage): Readable {
  const encoding = String(response.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const createDecoder = Object.hasOwn(decoders, encoding) ? decoders[encoding] : undefined;
  if (createDecoder === undefined) return response;
  // Errors on either side end up on the decoder, where the reader sees them.
  return pipeline(response, createDecoder(), () => undefined);
}

export interface ReadBodyOptions {
  /** Most decompressed bytes read. */
  limit: number;
  /** The error for a body over the limit; without it, the body is cut at the limit and its start returned. */
  tooLarge?: () => Error;
  /** Called before each chunk is kept, with its size; throws to refuse it (a shared memory budget). */
  reserve?: (bytes: number) => void;
}

/**
 * Reads a whole (small) body as text, never holding more than `limit` bytes: over it, the body is
 * destroyed and either `tooLarge()` is thrown or the first `limit` bytes are returned (an error body
 * is still worth reading in part).
 */
export async function readBodyText(body: Readable, { limit, tooLarge, reserve }: ReadBodyOptions): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    let buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    const over = size + buffer.length > limit;
    if (over) {
      body.destroy();
      if (tooLarge !== undefined) throw tooLarge();
      buffer = buffer.subarray(0, limit - size);
    }
    reserve?.(buffer.length);
    size += buffer.length;
    chunks.push(buffer);
    if (over) break;
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
