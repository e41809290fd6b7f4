import { describe, it, expect } from '@jest/globals';
import { GatewayError } from '../errors/gateway-error.js';
import { createDashScopeEventDecoder, type DashScopeStreamEvent } from './dashscope-event-decoder.js';
import { DEFAULT_STREAM_LIMITS } from './stream-limits.js';

const result = (id: number, text: string) =>
  `id:${id}\nevent:result\n:HTTP_STATUS/200\ndata:${JSON.stringify({ output: { text }, request_id: 'r' })}\n\n`;

/** The one error a broken cap yields, checked in full. */
function expectOverflowError(event: DashScopeStreamEvent | undefined, detail: string): void {
  expect(event?.type).toBe('error');
  const error = event?.type === 'error' ? event.error : undefined;
  expect(error).toBeInstanceOf(GatewayError);
  expect(error).toMatchObject({
    status: 502,
    type: 'server_error',
    code: 'bad_upstream_response',
    message: `DashScope sent a response the gateway could not read: ${detail}`,
  });
}

describe('createDashScopeEventDecoder limits', () => {
  it('defaults to 1 Mi characters a line and 4 Mi an event', () => {
    expect(DEFAULT_STREAM_LIMITS).toEqual({ maxLineLength: 1_048_576, maxEventLength: 4_194_304 });
    const atLimit = createDashScopeEventDecoder();
    expect(atLimit.push(`data:${'x'.repeat(1_048_576 - 5)}\n`)).toEqual([]);
    const overLimit = createDashScopeEventDecoder();
    const events = overLimit.push(`data:${'x'.repeat(1_048_576 - 4)}`);
    expect(events).toHaveLength(1);
    expectOverflowError(events[0], 'a stream line longer than 1048576 characters');
  });

  it('yields one error for a line that never ends, then ignores everything', () => {
    const decoder = createDashScopeEventDecoder({ limits: { maxLineLength: 64 } });
    expect(decoder.push(result(1, 'a'))).toEqual([{ type: 'result', payload: { output: { text: 'a' }, request_id: 'r' } }]);
    expect(decoder.push('id:2\nevent:result\ndata:{"output":')).toEqual([]);
    const pieces = Array.from({ length: 20 }, () => decoder.push(new TextEncoder().encode('{"text":"杭州"}'.repeat(3))));
    expect(pieces.flat()).toHaveLength(1);
    expectOverflowError(pieces.flat()[0], 'a stream line longer than 64 characters');
    expect(decoder.push(`\n\n${result(3, 'b')}`)).toEqual([]);
    expect(decoder.end()).toEqual([]);
    expect(decoder.eventCount()).toBe(1);
  });

  it('yields one error for data lines that never end their event', () => {
    const decoder = createDashScopeEventDecoder({ limits: { maxEventLength: 1000 } });
    const yielded = Array.from({ length: 200 }, () => decoder.push('data:{"output":{"text":"again"}}\n')).flat();
    expect(yielded).toHaveLength(1);
    expectOverflowError(yielded[0], 'a stream event longer than 1000 characters');
    expect(decoder.end()).toEqual([]);
    expect(decoder.eventCount()).toBe(0);
  });

  it('yields the events before a huge single event, then one error for it, and nothing after', () => {
    const decoder = createDashScopeEventDecoder({ limits: { maxLineLength: 10_000, maxEventLength: 5_000 } });
    const huge = `id:2\nevent:result\ndata:${JSON.stringify({ output: { text: 'h'.repeat(6_000) } })}\n\n`;
    const events = decoder.push(result(1, 'a') + huge + result(3, 'c'));
    expect(events.map((event) => event.type)).toEqual(['result', 'error']);
    expectOverflowError(events[1], 'a stream event longer than 5000 characters');
    expect(decoder.push(result(4, 'd'))).toEqual([]);
    expect(decoder.end()).toEqual([]);
  });

  it('yields the error from end() when the last bytes break the cap', () => {
    const decoder = createDashScopeEventDecoder({ limits: { maxLineLength: 8 } });
    // 8 characters, then the first byte of a three-byte character: end() decodes it as U+FFFD, the 9th.
    expect(decoder.push(new Uint8Array([...new TextEncoder().encode('data:abc'), 0xe6]))).toEqual([]);
    const events = decoder.end();
    expect(events).toHaveLength(1);
    expectOverflowError(events[0], 'a stream line longer than 8 characters');
  });

  it('refuses limits that are not positive integers when it is created', () => {
    expect(() => createDashScopeEventDecoder({ limits: { maxLineLength: 0 } })).toThrow(RangeError);
  });
});

describe('createDashScopeEventDecoder eventCount', () => {
  it('does not count comments, blank lines or a partial event', () => {
    const decoder = createDashScopeEventDecoder();
    for (let index = 0; index < 100; index++) decoder.push(': keep-alive\n\n:HTTP_STATUS/200\n\n');
    expect(decoder.eventCount()).toBe(0);
    decoder.push('id:1\nevent:result\n:HTTP_STATUS/200\ndata:{"output":{"text":"a"}}\n');
    // The event is complete only at its blank line (or at the next id:, or at the end).
    expect(decoder.eventCount()).toBe(0);
    decoder.push('\n');
    expect(decoder.eventCount()).toBe(1);
  });

  it('counts results, errors and unreadable events, including the last one end() completes', () => {
    const decoder = createDashScopeEventDecoder();
    decoder.push(result(1, 'a'));
    decoder.push('id:2\nevent:result\ndata:{not json\n\n');
    decoder.push('id:3\nevent:error\n:HTTP_STATUS/500\ndata:{"code":"InternalError","message":"x"}\n\n');
    expect(decoder.eventCount()).toBe(3);
    decoder.push('data:{"output":{"text":"b"}}');
    expect(decoder.eventCount()).toBe(3);
    expect(decoder.end()).toHaveLength(1);
    expect(decoder.eventCount()).toBe(4);
  });
});
