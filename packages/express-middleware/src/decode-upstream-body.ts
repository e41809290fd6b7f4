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

/** Reads a whole (small) body as text, refusing more than `limit` bytes. */
export async function readBodyText(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      throw new RangeError(`upstream body larger than ${limit} bytes`);
    }
    chunks.push(buffer);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
