import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { decodeUpstreamBody, readBodyText } from './decode-upstream-body.js';

/** An upstream response as http.IncomingMessage presents it: a readable body and its headers. */
function upstream(body: Buffer, contentEncoding?: string): IncomingMessage {
  const stream = Readable.from([body.subarray(0, 7), body.subarray(7)]);
  return Object.assign(stream, {
    headers: contentEncoding === undefined ? {} : { 'content-encoding': contentEncoding },
  }) as unknown as IncomingMessage;
}

const text = '{"output":{"text":"你好 😊"}}';

describe('decodeUpstreamBody', () => {
  it.each([
    ['identity', Buffer.from(text), undefined],
    ['gzip', gzipSync(text), 'gzip'],
    ['x-gzip', gzipSync(text), 'x-gzip'],
    ['deflate', deflateSync(text), 'deflate'],
    ['br', brotliCompressSync(text), 'br'],
    ['GZIP in upper case', gzipSync(text), ' GZIP '],
  ])('decodes %s', async (_name, body, encoding) => {
    expect(await readBodyText(decodeUpstreamBody(upstream(body, encoding)), { limit: 1024 })).toBe(text);
  });

  it('passes an unknown encoding (or a prototype key) through untouched', async () => {
    expect(await readBodyText(decodeUpstreamBody(upstream(Buffer.from(text), 'constructor')), { limit: 1024 })).toBe(text);
  });

  it('reports a corrupt compressed body as an error to the reader', async () => {
    await expect(readBodyText(decodeUpstreamBody(upstream(Buffer.from('not gzip at all'), 'gzip')), { limit: 1024 })).rejects.toThrow();
  });
});

describe('readBodyText', () => {
  it('refuses a body over the limit with the caller’s error', async () => {
    const tooLarge = () => new RangeError('too large');
    await expect(readBodyText(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { limit: 1000, tooLarge })).rejects.toThrow(
      'too large',
    );
  });

  it('without an error for it, keeps only the start of a body over the limit', async () => {
    const body = Readable.from([Buffer.from('abcdef'), Buffer.from('ghijkl'), Buffer.from('mnop')]);
    expect(await readBodyText(body, { limit: 8 })).toBe('abcdefgh');
    expect(body.destroyed).toBe(true);
  });

  it('reserves each kept chunk, and stops when the reservation is refused', async () => {
    const reserved: number[] = [];
    const reserve = (bytes: number) => {
      if (reserved.length === 1) throw new Error('budget full');
      reserved.push(bytes);
    };
    await expect(readBodyText(Readable.from([Buffer.alloc(3), Buffer.alloc(4)]), { limit: 100, reserve })).rejects.toThrow('budget full');
    expect(reserved).toEqual([3]);
  });

  it('decodes UTF-8 split across chunks and drops a byte-order mark', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('中文')]);
    expect(await readBodyText(Readable.from([bytes.subarray(0, 4), bytes.subarray(4)]), { limit: 100 })).toBe('中文');
  });
});
