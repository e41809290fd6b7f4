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
    expect(await readBodyText(decodeUpstreamBody(upstream(body, encoding)), 1024)).toBe(text);
  });

  it('passes an unknown encoding (or a prototype key) through untouched', async () => {
    expect(await readBodyText(decodeUpstreamBody(upstream(Buffer.from(text), 'constructor')), 1024)).toBe(text);
  });

  it('reports a corrupt compressed body as an error to the reader', async () => {
    await expect(readBodyText(decodeUpstreamBody(upstream(Buffer.from('not gzip at all'), 'gzip')), 1024)).rejects.toThrow();
  });
});

describe('readBodyText', () => {
  it('refuses a body over the limit', async () => {
    await expect(readBodyText(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000)).rejects.toThrow(RangeError);
  });

  it('decodes UTF-8 split across chunks and drops a byte-order mark', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('中文')]);
    expect(await readBodyText(Readable.from([bytes.subarray(0, 4), bytes.subarray(4)]), 100)).toBe('中文');
  });
});
