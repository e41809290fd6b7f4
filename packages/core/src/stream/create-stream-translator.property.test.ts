import { readFileSync } from 'node:fs';
import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { createChatStreamTranslator } from '../chat/create-chat-stream-translator.js';
import { createSseParser, type SseEvent } from './sse-decoder.js';
import { encodeStreamParts } from './sse-encoder.js';
import type { StreamLimits } from './stream-limits.js';

/**
 * The network may split DashScope's bytes anywhere: inside a UTF-8 character, between the CR and LF of
 * a line end, inside a field name. Whatever the split, the chat translator must say exactly what it
 * says when the body arrives in one piece, including where a broken cap stops it.
 */

const fixtures = [
  'single-generation-message-sse.sse',
  'single-generation-text-sse.sse',
  'single-generation-message-reasoning-sse.sse',
  'single-generation-message-search-sse.sse',
  'single-generation-message-with-tools-sse.sse',
  'multimodal-generation-vl-sse.sse',
  'parameter-error-sse.sse',
] as const;

const readFixture = (name: string) => readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8');
const utf8 = new TextEncoder();

/** A capture with its LF line ends rewritten: the same events, so the same output. */
function withLineEnds(text: string, lineEnd: string): Uint8Array {
  return utf8.encode(text.replaceAll('\n', lineEnd));
}

interface Translation {
  output: string;
  summary: unknown;
  finished: boolean;
  eventCount: number;
}

function translate({
  chunks,
  includeUsage,
  limits,
}: {
  chunks: readonly Uint8Array[];
  includeUsage: boolean;
  limits?: Partial<StreamLimits>;
}): Translation {
  const translator = createChatStreamTranslator({
    model: 'qwen-max',
    includeUsage,
    created: 1_700_000_000,
    generateId: () => 'id',
    limits,
  });
  const parts = [...chunks.flatMap((chunk) => translator.push(chunk)), ...translator.end()];
  return {
    output: encodeStreamParts(parts),
    summary: translator.summary(),
    finished: translator.finished(),
    eventCount: translator.eventCount(),
  };
}

/** Cuts `bytes` into chunks by cycling through `sizes` (small sizes give many cuts, many mid-character). */
function cut(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let start = 0, index = 0; start < bytes.length; index++) {
    const size = sizes[index % sizes.length] ?? bytes.length;
    chunks.push(bytes.subarray(start, start + size));
    start += size;
  }
  return chunks;
}

/** How often the runs cut inside a UTF-8 character and between CR and LF, to show they did. */
function countAwkwardCuts(chunks: readonly Uint8Array[], seen: { midCharacter: number; midCrlf: number }): void {
  for (let index = 1; index < chunks.length; index++) {
    const first = chunks[index]?.[0];
    const previous = chunks[index - 1]?.at(-1);
    if (first !== undefined && (first & 0xc0) === 0x80) seen.midCharacter++;
    if (previous === 13 && first === 10) seen.midCrlf++;
  }
}

/** The SSE events in the bytes, through the streaming UTF-8 decoder and the parser. */
function parseEvents(chunks: readonly Uint8Array[]): SseEvent[] {
  const decoder = new TextDecoder();
  const parser = createSseParser();
  const events = chunks.flatMap((chunk) => parser.push(decoder.decode(chunk, { stream: true })));
  return [...events, ...parser.push(decoder.decode()), ...parser.end()];
}

const chunkSizes = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 50 }),
  fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 20 }),
);
const lineEnds = fc.constantFrom('\n', '\r\n', '\r');

describe('createChatStreamTranslator split anywhere (property)', () => {
  const wholeByFixture = new Map(
    fixtures.map((name) => [
      name,
      [true, false].map((includeUsage) => translate({ chunks: [withLineEnds(readFixture(name), '\n')], includeUsage })),
    ]),
  );

  it('gives the output of the whole body for every capture, any line ends and any chunks', () => {
    const seen = { midCharacter: 0, midCrlf: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), lineEnds, fc.boolean(), chunkSizes, (name, lineEnd, includeUsage, sizes) => {
        const chunks = cut(withLineEnds(readFixture(name), lineEnd), sizes);
        countAwkwardCuts(chunks, seen);
        const split = translate({ chunks, includeUsage });
        expect(split).toEqual(wholeByFixture.get(name)?.[includeUsage ? 0 : 1]);
      }),
      { numRuns: 200 },
    );
    expect(seen.midCharacter).toBeGreaterThan(0);
    expect(seen.midCrlf).toBeGreaterThan(0);
  });

  // The chat translator ignores some fields (a result's `id:`, its HTTP_STATUS): the events themselves
  // must not change either.
  it('gives the SSE events of the whole body for every capture, any line ends and any chunks', () => {
    const wholeEvents = new Map(fixtures.map((name) => [name, parseEvents([withLineEnds(readFixture(name), '\n')])]));
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), lineEnds, chunkSizes, (name, lineEnd, sizes) => {
        expect(parseEvents(cut(withLineEnds(readFixture(name), lineEnd), sizes))).toEqual(wholeEvents.get(name));
      }),
      { numRuns: 200 },
    );
  });

  it('stops at the same place with the same error under small limits, whatever the chunks', () => {
    // The captures' data lines are 150 to 1,100 characters long: some runs break a cap, some do not.
    const limits = fc.record({ maxLineLength: fc.integer({ min: 20, max: 1_200 }), maxEventLength: fc.integer({ min: 20, max: 1_200 }) });
    const outcomes = { overflowed: 0, completed: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), lineEnds, limits, chunkSizes, (name, lineEnd, limits, sizes) => {
        const bytes = withLineEnds(readFixture(name), lineEnd);
        const whole = translate({ chunks: [bytes], includeUsage: true, limits });
        expect(translate({ chunks: cut(bytes, sizes), includeUsage: true, limits })).toEqual(whole);
        if (/a stream (line|event) longer than/.test(whole.output)) outcomes.overflowed++;
        else outcomes.completed++;
      }),
      { numRuns: 200 },
    );
    expect(outcomes.overflowed).toBeGreaterThan(0);
    expect(outcomes.completed).toBeGreaterThan(0);
  });
});
