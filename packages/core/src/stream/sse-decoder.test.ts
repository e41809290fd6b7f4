import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import { createSseParser, type SseEvent } from './sse-decoder.js';

/** Feeds the pieces one push at a time and returns every event, including the ones `end()` emits. */
function parseAll(...pieces: string[]): SseEvent[] {
  const parser = createSseParser();
  const events: SseEvent[] = [];
  for (const piece of pieces) events.push(...parser.push(piece));
  events.push(...parser.end());
  return events;
}

const twoEvents = [
  'id:1',
  'event:result',
  ':HTTP_STATUS/200',
  'data:{"a":1}',
  '',
  'id:2',
  'event:result',
  ':HTTP_STATUS/200',
  'data:{"a":2}',
  '',
  '',
];
const expectedTwoEvents: SseEvent[] = [
  { id: '1', event: 'result', data: '{"a":1}', status: 200 },
  { id: '2', event: 'result', data: '{"a":2}', status: 200 },
];

describe('createSseParser line ends', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['lone CR', '\r'],
  ])('parses events with %s line ends', (_name, lineEnd) => {
    expect(parseAll(twoEvents.join(lineEnd))).toEqual(expectedTwoEvents);
  });

  it('parses mixed line ends within one body', () => {
    expect(
      parseAll('id:1\r\nevent:result\r:HTTP_STATUS/200\ndata:{"a":1}\r\n\rid:2\nevent:result\r\n:HTTP_STATUS/200\rdata:{"a":2}\n\r\n'),
    ).toEqual(expectedTwoEvents);
  });

  it('treats a CRLF split between two pushes as one line end, not two', () => {
    const parser = createSseParser();
    // A CR at the very end of a push may be half of a CRLF: nothing may be dispatched yet.
    expect(parser.push('data:one\r')).toEqual([]);
    // If the LF after it counted as a second line end, this would dispatch "one" as its own event.
    expect(parser.push('\ndata:two\r')).toEqual([]);
    expect(parser.push('\n\r')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: 'one\ntwo' }]);
    expect(parser.end()).toEqual([]);
  });

  it('splits the same CRLF body at every character and gets the same events', () => {
    const body = twoEvents.join('\r\n');
    for (let index = 1; index < body.length; index++) {
      expect(parseAll(body.slice(0, index), body.slice(index))).toEqual(expectedTwoEvents);
    }
  });

  it('takes a lone CR at the end of one push as a line end once the next push does not start with LF', () => {
    const parser = createSseParser();
    expect(parser.push('data:a\r')).toEqual([]);
    expect(parser.push('\rdata:b\r\r')).toEqual([{ event: 'message', data: 'a' }]);
    expect(parser.end()).toEqual([{ event: 'message', data: 'b' }]);
  });

  it('parses a body fed one character at a time', () => {
    const body = twoEvents.join('\r\n');
    expect(parseAll(...body)).toEqual(expectedTwoEvents);
  });
});

describe('createSseParser fields', () => {
  it('accepts data with and without a space after the colon, and removes only one space', () => {
    expect(parseAll('data:{"x":1}\n\ndata: {"x":2}\n\ndata:  two spaces\n\n')).toEqual([
      { event: 'message', data: '{"x":1}' },
      { event: 'message', data: '{"x":2}' },
      { event: 'message', data: ' two spaces' },
    ]);
  });

  it('joins multi-line data with "\\n"', () => {
    expect(parseAll('data:first\ndata: second\ndata:\ndata:fourth\n\n')).toEqual([{ event: 'message', data: 'first\nsecond\n\nfourth' }]);
  });

  it('keeps a colon inside the value', () => {
    expect(parseAll('data:{"url":"https://example.com"}\n\n')).toEqual([{ event: 'message', data: '{"url":"https://example.com"}' }]);
  });

  it('defaults the event type to "message"', () => {
    const [event] = parseAll('id:7\ndata:x\n\n');
    expect(event).toEqual({ id: '7', event: 'message', data: 'x' });
    expect(event).not.toHaveProperty('status');
  });

  it('ignores comments but captures :HTTP_STATUS/NNN as status', () => {
    expect(parseAll(': keep-alive\n:just a comment\nevent:error\n:HTTP_STATUS/400\ndata:{"code":"InvalidParameter"}\n\n')).toEqual([
      { event: 'error', data: '{"code":"InvalidParameter"}', status: 400 },
    ]);
    expect(parseAll(': HTTP_STATUS/429\ndata:x\n\n')).toEqual([{ event: 'message', data: 'x', status: 429 }]);
  });

  it('does not carry a status over to the next event', () => {
    expect(parseAll(':HTTP_STATUS/500\ndata:a\n\ndata:b\n\n')).toEqual([
      { event: 'message', data: 'a', status: 500 },
      { event: 'message', data: 'b' },
    ]);
  });

  it('ignores retry: and unknown fields, and lines without a colon other than data', () => {
    expect(parseAll('retry:1000\nfoo:bar\nbaz\ndata:x\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('dispatches nothing for an event without data, and ignores extra blank lines', () => {
    expect(parseAll('\n\n\nid:1\nevent:result\n\n:comment only\n\n\ndata:x\n\n\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('dispatches an event whose only data line is empty', () => {
    expect(parseAll('data:\n\n')).toEqual([{ event: 'message', data: '' }]);
  });
});

describe('createSseParser event boundaries', () => {
  it('starts a new event at an id: line that follows data (no blank line between events, as in the 2024 capture)', () => {
    const body = 'id:1\nevent:result\n:HTTP_STATUS/200\ndata:{"a":1}\nid:2\nevent:result\n:HTTP_STATUS/200\ndata:{"a":2}\n';
    expect(parseAll(body)).toEqual(expectedTwoEvents);
  });

  it('starts a new event at an event: line that follows data', () => {
    expect(parseAll('event:result\ndata:a\nevent:error\ndata:b\n\n')).toEqual([
      { event: 'result', data: 'a' },
      { event: 'error', data: 'b' },
    ]);
  });

  it('returns events from push() as soon as their blank line arrives', () => {
    const parser = createSseParser();
    expect(parser.push('data:a\n')).toEqual([]);
    expect(parser.push('\ndata:b')).toEqual([{ event: 'message', data: 'a' }]);
    expect(parser.push('\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: 'b' }]);
  });

  it('end() emits an unterminated last event', () => {
    const parser = createSseParser();
    expect(parser.push('id:1\nevent:result\n:HTTP_STATUS/200\ndata:{"a":1}\n')).toEqual([]);
    expect(parser.end()).toEqual([{ id: '1', event: 'result', data: '{"a":1}', status: 200 }]);
  });

  it('end() emits a last line that has no line end at all', () => {
    const parser = createSseParser();
    expect(parser.push('event:result\ndata:{"a"')).toEqual([]);
    expect(parser.push(':1}')).toEqual([]);
    expect(parser.end()).toEqual([{ event: 'result', data: '{"a":1}' }]);
  });

  it('end() takes a trailing CR as a line end', () => {
    const parser = createSseParser();
    expect(parser.push('data:a\r')).toEqual([]);
    expect(parser.end()).toEqual([{ event: 'message', data: 'a' }]);
  });

  it('end() emits nothing on empty input or after a complete event', () => {
    expect(parseAll()).toEqual([]);
    expect(parseAll('')).toEqual([]);
    const parser = createSseParser();
    expect(parser.push('data:a\n\n')).toHaveLength(1);
    expect(parser.end()).toEqual([]);
  });
});

describe('createSseParser on the recorded captures', () => {
  const read = (name: string) => readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8');

  it('reads the 2024 capture without blank lines as ten result events', () => {
    const events = parseAll(read('single-generation-message-sse.sse'));
    expect(events.map((event) => event.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    for (const event of events) {
      expect(event.event).toBe('result');
      expect(event.status).toBe(200);
      expect(() => JSON.parse(event.data)).not.toThrow();
    }
  });

  it('reads the error capture as one error event with status 400', () => {
    expect(parseAll(read('parameter-error-sse.sse'))).toEqual([
      {
        id: '1',
        event: 'error',
        status: 400,
        data: '{"code":"InvalidParameter","message":"Role must be user or assistant and Content length must be greater than 0","request_id":"7671ecd8-93cc-9ee9-bc89-739f0fd8b809"}',
      },
    ]);
  });
});
