import { describe, it, expect } from '@jest/globals';
import { parseOpenAISse } from '@gw/testkit';

const a = { id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] };
const b = { id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
const sse = (...lines: string[]) => lines.map((l) => `data: ${l}\n\n`).join('');

describe('parseOpenAISse accepts well-formed bodies', () => {
  it('parses events and [DONE]', () => {
    const body = sse(JSON.stringify(a), JSON.stringify(b), '[DONE]');
    const parsed = parseOpenAISse(body);
    expect(parsed.events).toEqual([a, b]);
    expect(parsed.done).toBe(true);
    expect(parsed.raw).toEqual([JSON.stringify(a), JSON.stringify(b), '[DONE]']);
  });

  it('reports done: false when the stream has no [DONE]', () => {
    const parsed = parseOpenAISse(sse(JSON.stringify(a)));
    expect(parsed).toEqual({ events: [a], done: false, raw: [JSON.stringify(a)], comments: 0 });
  });

  it('handles a bare [DONE], an empty body and data containing "\\n\\n" escaped inside JSON strings', () => {
    expect(parseOpenAISse('data: [DONE]\n\n')).toEqual({ events: [], done: true, raw: ['[DONE]'], comments: 0 });
    expect(parseOpenAISse('')).toEqual({ events: [], done: false, raw: [], comments: 0 });
    const withNewlines = { choices: [{ delta: { content: 'line1\n\nline2' } }] };
    expect(parseOpenAISse(sse(JSON.stringify(withNewlines), '[DONE]')).events).toEqual([withNewlines]);
  });
});

describe('parseOpenAISse and heartbeats', () => {
  it('counts and skips one-line comment blocks between events', () => {
    const parsed = parseOpenAISse(`: keep-alive\n\ndata: ${JSON.stringify(a)}\n\n: keep-alive\n\ndata: [DONE]\n\n`);
    expect(parsed).toEqual({ events: [a], done: true, raw: [JSON.stringify(a), '[DONE]'], comments: 2 });
  });
});

describe('parseOpenAISse rejects malformed bodies', () => {
  const good = JSON.stringify(a);
  it.each([
    ['missing space after data:', `data:${good}\n\ndata: [DONE]\n\n`, /not a "data: " line/],
    ['missing trailing blank line', `data: ${good}\n`, /does not end with a blank line/],
    ['no line end at all', `data: ${good}`, /does not end with a blank line/],
    ['single newline between events', `data: ${good}\ndata: [DONE]\n\n`, /more than one line/],
    ['extra blank line between events', `data: ${good}\n\n\ndata: [DONE]\n\n`, /extra blank line/],
    ['extra blank line at the end', `data: ${good}\n\n\n\n`, /extra blank line/],
    ['event: field', `event: message\ndata: ${good}\n\n`, /more than one line/],
    ['comment block of two lines', `: keep-alive\n: again\n\ndata: ${good}\n\n`, /more than one line/],
    ['comment after [DONE]', `data: [DONE]\n\n: keep-alive\n\n`, /after data: \[DONE\]/],
    ['CRLF line ends', `data: ${good}\r\n\r\n`, /CR/],
    ['non-JSON data', `data: hello\n\ndata: [DONE]\n\n`, /not JSON/],
    ['truncated JSON', `data: {"id":\n\n`, /not JSON/],
    ['empty data', `data: \n\n`, /not JSON/],
    ['event after [DONE]', `data: [DONE]\n\ndata: ${good}\n\n`, /after data: \[DONE\]/],
    ['second [DONE]', `data: [DONE]\n\ndata: [DONE]\n\n`, /after data: \[DONE\]/],
    ['multi-line data event', `data: {"a":\ndata: 1}\n\n`, /more than one line/],
  ])('%s', (_name, body, message) => {
    expect(() => parseOpenAISse(body)).toThrow(message);
  });
});
