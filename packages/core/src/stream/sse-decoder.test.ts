import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it, expect } from '@jest/globals';
import { createSseParser, type SseEvent, type SseParser } from './sse-decoder.js';

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

describe('createSseParser limits', () => {
  const limits = { maxLineLength: 100, maxEventLength: 250 };

  /** Pushes each piece and records what came back, and whether the parser had overflowed by then. */
  function feed(parser: SseParser, pieces: readonly string[]) {
    return pieces.map((piece) => ({ events: parser.push(piece), overflow: parser.overflow() }));
  }

  it('accepts a line of exactly maxLineLength and an event of exactly maxEventLength', () => {
    const line = `data:${'x'.repeat(95)}`;
    expect(line).toHaveLength(100);
    // An event counts its data lines and one character for each line end: 101 + 48 + 101.
    const body = `${line}\n\ndata:${'y'.repeat(95)}\r\ndata: ${'z'.repeat(41)}\ndata:${'w'.repeat(95)}\n\n`;
    const data = `${'y'.repeat(95)}\n${'z'.repeat(41)}\n${'w'.repeat(95)}`;
    const parser = createSseParser(limits);
    expect([...parser.push(body), ...parser.end()]).toEqual([
      { event: 'message', data: 'x'.repeat(95) },
      { event: 'message', data },
    ]);
    expect(parser.overflow()).toBeUndefined();
  });

  it('gives up on a line that never ends as soon as it is longer than maxLineLength, whatever the pieces', () => {
    const parser = createSseParser(limits);
    const results = feed(parser, ['data:', 'x'.repeat(40), 'x'.repeat(55), 'x', 'x'.repeat(1000), '\n\n', 'data:later\n\n']);
    // 5 + 40 + 55 = 100 characters are still a line; the 101st is not.
    expect(results.slice(0, 3)).toEqual(Array(3).fill({ events: [], overflow: undefined }));
    expect(results.slice(3)).toEqual(Array(4).fill({ events: [], overflow: { limit: 'line', maxLength: 100 } }));
    expect(parser.end()).toEqual([]);
  });

  it('gives up on a line longer than maxLineLength that arrives whole, after the events before it', () => {
    const parser = createSseParser(limits);
    expect(parser.push(`data:a\n\ndata:${'x'.repeat(96)}\n\ndata:b\n\n`)).toEqual([{ event: 'message', data: 'a' }]);
    expect(parser.overflow()).toEqual({ limit: 'line', maxLength: 100 });
    expect(parser.end()).toEqual([]);
  });

  it('counts a line held back by a CR at the end of a push', () => {
    const parser = createSseParser(limits);
    expect(parser.push(`data:${'x'.repeat(96)}\r`)).toEqual([]);
    expect(parser.overflow()).toEqual({ limit: 'line', maxLength: 100 });
    expect(parser.push('\n\n')).toEqual([]);
  });

  it('gives up on data lines that never end their event once they are longer than maxEventLength', () => {
    const parser = createSseParser(limits);
    // Each line counts 50 characters with its line end: 5 lines are 250 characters, the 6th makes 300.
    const dataLine = `data:${'d'.repeat(44)}\n`;
    const results = feed(parser, [':HTTP_STATUS/200\n', ...Array<string>(8).fill(dataLine), '\n']);
    expect(results.slice(0, 6).every((result) => result.events.length === 0 && result.overflow === undefined)).toBe(true);
    expect(results.slice(6)).toEqual(Array(4).fill({ events: [], overflow: { limit: 'event', maxLength: 250 } }));
    expect(parser.end()).toEqual([]);
  });

  it('counts empty data lines too, so that they cannot pile up without end', () => {
    const parser = createSseParser({ maxLineLength: 100, maxEventLength: 60 });
    // "data:" and its line end are 6 characters: 10 lines fit, the 11th does not.
    expect(parser.push('data:\n'.repeat(10))).toEqual([]);
    expect(parser.overflow()).toBeUndefined();
    expect(parser.push('data:\n')).toEqual([]);
    expect(parser.overflow()).toEqual({ limit: 'event', maxLength: 60 });
  });

  it('gives up on one huge event whose lines are each short enough', () => {
    const parser = createSseParser({ maxLineLength: 1000, maxEventLength: 500 });
    expect(parser.push(`id:1\nevent:result\ndata:{"a":1}\n\nid:2\nevent:result\ndata:${'h'.repeat(501)}\n\n`)).toEqual([
      { id: '1', event: 'result', data: '{"a":1}' },
    ]);
    expect(parser.overflow()).toEqual({ limit: 'event', maxLength: 500 });
    expect(parser.end()).toEqual([]);
  });

  it('does not count comments and other fields towards the event', () => {
    // The one data line and its line end are 16 characters.
    const parser = createSseParser({ maxLineLength: 100, maxEventLength: 16 });
    const comments = Array<string>(50)
      .fill(`: ${'c'.repeat(90)}\nretry:${'1'.repeat(90)}\nevent:result\n`)
      .join('');
    expect([...parser.push(`${comments}data:0123456789\n\n`), ...parser.end()]).toEqual([{ event: 'result', data: '0123456789' }]);
    expect(parser.overflow()).toBeUndefined();
  });

  it('gives the same events and the same overflow however the input is split', () => {
    const body = `data:a\r\n\r\n${'data:bb\r\n'.repeat(90)}\r\ndata:${'c'.repeat(120)}\r\n\r\n`;
    const whole = createSseParser(limits);
    const wholeEvents = [...whole.push(body), ...whole.end()];
    expect(wholeEvents).toEqual([{ event: 'message', data: 'a' }]);
    expect(whole.overflow()).toEqual({ limit: 'event', maxLength: 250 });
    for (let index = 1; index < body.length; index++) {
      const split = createSseParser(limits);
      const events = [...split.push(body.slice(0, index)), ...split.push(body.slice(index)), ...split.end()];
      expect({ index, events, overflow: split.overflow() }).toEqual({ index, events: wholeEvents, overflow: whole.overflow() });
    }
  });

  it('refuses limits that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createSseParser({ maxLineLength: bad })).toThrow(RangeError);
      expect(() => createSseParser({ maxEventLength: bad })).toThrow(RangeError);
    }
  });
});

/**
 * Linear work, measured without a clock: the total length of the strings the parser searches. A parser
 * that appends each push to one buffer and searches that (V8 then flattens the whole buffer on every
 * push) searches a line that never ends quadratically often; this one searches each push once.
 */
describe('createSseParser work', () => {
  function searchedLength(run: () => void): number {
    const prototype = String.prototype as unknown as Record<'indexOf' | 'includes' | 'lastIndexOf', (...args: unknown[]) => unknown>;
    const originals = { indexOf: prototype.indexOf, includes: prototype.includes, lastIndexOf: prototype.lastIndexOf };
    let searched = 0;
    for (const name of ['indexOf', 'includes', 'lastIndexOf'] as const) {
      const original = originals[name];
      prototype[name] = function (this: string, ...args: unknown[]) {
        searched += this.length;
        return original.apply(this, args);
      };
    }
    try {
      run();
    } finally {
      Object.assign(prototype, originals);
    }
    return searched;
  }

  it('searches a long line that arrives in many pushes in time linear in its length', () => {
    const pieces = Array<string>(2000).fill('x'.repeat(100));
    const parser = createSseParser({ maxLineLength: 1_000_000 });
    const searched = searchedLength(() => {
      parser.push('data:');
      for (const piece of pieces) parser.push(piece);
      parser.push('\n\n');
    });
    // Two searches (LF, CR) per push, plus one for the colon of the finished line.
    expect(searched).toBeLessThanOrEqual(2 * 200_000 + 2 * 2010 + 200_005 + 100);
  });

  it('does not read what arrives after a cap was hit', () => {
    const parser = createSseParser({ maxLineLength: 10 });
    parser.push('data:0123456789');
    expect(parser.overflow()).toEqual({ limit: 'line', maxLength: 10 });
    expect(searchedLength(() => parser.push('x\n\n'.repeat(10_000)))).toBe(0);
  });

  it('keeps no more than the data of an unfinished event, not the chunks it was cut from', () => {
    // A garbage collector to call, so that the heap can be measured: --expose-gc, switched on here.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const parser = createSseParser();
    gc();
    const before = process.memoryUsage().heapUsed;
    // 2,000 chunks of 64 KB of comments, each with one short data line of the same unfinished event.
    for (let index = 0; index < 2000; index++) parser.push(`: ${'c'.repeat(65_000)}${index}\ndata:${'x'.repeat(20)}${index}\n`);
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    // The event's data is about 50 KB; the chunks would be 130 MB.
    expect(retained).toBeLessThan(20_000_000);
    expect(parser.end()[0]?.data).toHaveLength(48_889);
  });
});
