import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { FinishReason } from './answers/choice-layout.js';
import { plainMessagePayload } from './answers/plain-message-payload.js';
import type { StreamScript } from './fake-dashscope-types.js';
import { formatErrorBody, formatSseEvent } from './wire-format.js';

// Ready-made `stream` scripts for tests of a DashScope that misbehaves: bodies that never end a line
// or an event, heartbeats with no events, events larger than any sane cap, trickles, long silences
// and huge JSON. Each returns a script to enqueue (or to return from `behave`); spread it to change
// the status, headers or compression: `{ ...eventsWithoutBlankLines(), gzip: true }` is a gzip bomb
// that costs a few hundred bytes on the wire per 64 KiB the gateway has to decode.
//
// The events are in the shape the gateway asks for: result_format "message", incremental output.

/** Bodies are produced and written in pieces of about this size. */
const PIECE_CHARS = 64 * 1024;

// Mixed scripts, so every trickle also splits multi-byte UTF-8 characters.
const ANSWER_TEXT = 'drip 滴 ';

/**
 * A `data:` line that never ends, after one normal event: the gateway's line buffer grows by
 * `pieceChars` per piece, for as long as it keeps reading.
 */
export function neverEndingLine({ pieceChars = PIECE_CHARS }: { pieceChars?: number } = {}): StreamScript {
  assertPositive('pieceChars', pieceChars);
  const requestId = randomUUID();
  return {
    type: 'stream',
    *chunks() {
      yield resultFrame({ id: 1, content: 'Hi', requestId });
      yield 'data:';
      const piece = 'a'.repeat(pieceChars);
      for (;;) yield piece;
    },
  };
}

/**
 * An event's `id:`, `event:` and status lines, then complete `data:` lines forever, never the blank
 * line that ends the event: by the SSE rules every data line belongs to that one event, which grows
 * without end (the 4.3 GB crash of issue 6).
 */
export function eventsWithoutBlankLines({ linesPerPiece = 256 }: { linesPerPiece?: number } = {}): StreamScript {
  assertPositive('linesPerPiece', linesPerPiece);
  const requestId = randomUUID();
  return {
    type: 'stream',
    *chunks() {
      const frame = resultFrame({ id: 1, content: 'x', requestId });
      const dataStart = frame.indexOf('data:');
      yield frame.slice(0, dataStart);
      // The data line with its newline, without the blank line after it.
      const piece = frame.slice(dataStart, -1).repeat(linesPerPiece);
      for (;;) yield piece;
    },
  };
}

/** An SSE comment every `intervalMs`, forever, and never an event: a model that "thinks" endlessly. */
export function commentsOnly({ intervalMs, comment = 'heartbeat' }: { intervalMs: number; comment?: string }): StreamScript {
  assertPositive('intervalMs', intervalMs);
  return {
    type: 'stream',
    async *chunks(signal) {
      while (!signal.aborted) {
        yield `:${comment}\n\n`;
        await sleep(intervalMs, signal);
      }
    },
  };
}

/**
 * A normal answer with one huge intermediate event in the middle: its JSON is about `chars`
 * characters, on one `data:` line, or on lines of at most `lineChars` (data lines join with "\n",
 * which JSON reads as whitespace, so the event stays valid). Without caps a gateway streams it
 * through and completes; the oversized event is written in 64 KiB pieces.
 */
export function oversizedEvent({ chars, lineChars = chars }: { chars: number; lineChars?: number }): StreamScript {
  assertPositive('chars', chars);
  assertPositive('lineChars', lineChars);
  const requestId = randomUUID();
  return {
    type: 'stream',
    *chunks() {
      yield resultFrame({ id: 1, content: 'Big ', requestId });
      yield* oversizedFrame({ id: 2, chars, lineChars, requestId });
      yield resultFrame({ id: 3, content: ' done', requestId });
      yield resultFrame({ id: 4, content: '', finishReason: 'stop', requestId });
    },
  };
}

/**
 * A normal, complete answer of `events` events, written in pieces of `bytesPerPiece` bytes (default:
 * one piece per event) with `intervalMs` between pieces: a slow but healthy upstream, or with tiny
 * pieces a trickle that splits lines and UTF-8 characters.
 */
export function slowDrip({
  events = 20,
  intervalMs = 50,
  bytesPerPiece,
}: {
  events?: number;
  intervalMs?: number;
  bytesPerPiece?: number;
} = {}): StreamScript {
  assertPositive('events', events);
  if (bytesPerPiece !== undefined) assertPositive('bytesPerPiece', bytesPerPiece);
  const requestId = randomUUID();
  return {
    type: 'stream',
    async *chunks(signal) {
      const frames = answerFrames({ events, requestId });
      const pieces = bytesPerPiece === undefined ? frames : cutBytes(Buffer.from(frames.join(''), 'utf8'), bytesPerPiece);
      for (const [index, piece] of pieces.entries()) {
        if (index > 0) await sleep(intervalMs, signal);
        if (signal.aborted) return;
        yield piece;
      }
    },
  };
}

/**
 * The status and headers at once, then nothing for `silenceMs` (a long think), then a normal answer
 * of `events` events: tests heartbeats to the client and the idle timeout.
 */
export function silentThenEvents({ silenceMs, events = 3 }: { silenceMs: number; events?: number }): StreamScript {
  assertPositive('silenceMs', silenceMs);
  assertPositive('events', events);
  const requestId = randomUUID();
  return {
    type: 'stream',
    async *chunks(signal) {
      await sleep(silenceMs, signal);
      if (signal.aborted) return;
      yield* answerFrames({ events, requestId });
    },
  };
}

/**
 * Valid events of about `eventChars` characters of text each, as fast as the reader takes them:
 * `events` of them and a final event, or (the default) forever. For slow readers and backpressure.
 */
export function eventFlood({ events = Infinity, eventChars = 1024 }: { events?: number; eventChars?: number } = {}): StreamScript {
  assertPositive('events', events);
  assertPositive('eventChars', eventChars);
  const requestId = randomUUID();
  return {
    type: 'stream',
    *chunks() {
      const content = ANSWER_TEXT.repeat(Math.ceil(eventChars / ANSWER_TEXT.length)).slice(0, eventChars);
      // One payload for every event (usage stays at its first value), so a flood costs the fake little.
      const data = JSON.stringify(resultPayload({ content, requestId }));
      let batch = '';
      for (let id = 1; id <= events; id += 1) {
        batch += formatSseEvent({ id, event: 'result', status: 200, data });
        if (batch.length >= PIECE_CHARS) {
          yield batch;
          batch = '';
        }
      }
      yield batch + resultFrame({ id: events + 1, content: '', finishReason: 'stop', requestId });
    },
  };
}

/**
 * A valid non-stream answer (result_format message) of about `bytes` bytes, written in 64 KiB
 * pieces, never held whole: a JSON body of N MB.
 */
export function largeJsonAnswer({ bytes }: { bytes: number }): StreamScript {
  assertPositive('bytes', bytes);
  const requestId = randomUUID();
  const payload = plainMessagePayload({
    content: PLACEHOLDER,
    finishReason: 'stop',
    inputTokens: 1,
    outputTokens: Math.ceil(bytes / 2),
    requestId,
    streaming: false,
  });
  return { type: 'stream', headers: jsonHeaders(requestId), chunks: () => padJson({ payload, bytes }) };
}

/** DashScope's flat error JSON with status `status` and a message that makes it about `bytes` bytes. */
export function largeErrorAnswer({
  bytes,
  status = 500,
  code = 'InternalError',
}: {
  bytes: number;
  status?: number;
  code?: string;
}): StreamScript {
  assertPositive('bytes', bytes);
  const requestId = randomUUID();
  const payload = JSON.parse(formatErrorBody({ code, message: PLACEHOLDER, requestId })) as Record<string, unknown>;
  return { type: 'stream', status, headers: jsonHeaders(requestId), chunks: () => padJson({ payload, bytes }) };
}

const PLACEHOLDER = '\u0000placeholder\u0000';

/** The JSON of `payload` with its one placeholder string replaced by filler, about `bytes` in all. */
function* padJson({ payload, bytes }: { payload: unknown; bytes: number }): Generator<string> {
  const [before = '', after = ''] = JSON.stringify(payload).split(JSON.stringify(PLACEHOLDER).slice(1, -1));
  yield before;
  yield* filler(Math.max(0, bytes - before.length - after.length));
  yield after;
}

function* oversizedFrame({
  id,
  chars,
  lineChars,
  requestId,
}: {
  id: number;
  chars: number;
  lineChars: number;
  requestId: string;
}): Generator<string> {
  yield `id:${id}\nevent:result\n:HTTP_STATUS/200\n`;
  const payload = { ...resultPayload({ content: PLACEHOLDER, requestId }) };
  const [before = '', after = ''] = JSON.stringify(payload).split(JSON.stringify(PLACEHOLDER).slice(1, -1));
  const fillerChars = Math.max(0, chars - before.length - after.length);
  if (lineChars >= chars) {
    yield `data:${before}`;
    yield* filler(fillerChars);
    yield `${after}\n\n`;
    return;
  }
  // Many data lines: the text stays short and the size goes into an unknown field, an array of
  // strings with one element per line (the lenient reader keeps unknown fields).
  const short = JSON.stringify(resultPayload({ content: '', requestId }));
  const elementChars = Math.max(1, lineChars - 'data:"",'.length);
  const element = `data:"${'p'.repeat(elementChars)}",\n`;
  yield `data:${short.slice(0, -1)},"padding":[\n`;
  let piece = '';
  // Counted as the event's data: the lines without their `data:` field names, joined by newlines.
  for (let written = short.length + 'padding":[]'.length; written < chars; written += element.length - 'data:'.length) {
    piece += element;
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}data:""]}\n\n`;
}

function* filler(chars: number): Generator<string> {
  const piece = 'x'.repeat(Math.min(chars, PIECE_CHARS));
  for (let left = chars; left > 0; left -= piece.length) yield left >= piece.length ? piece : piece.slice(0, left);
}

/** The frames of a complete answer: `events` text events and the empty final one with "stop". */
function answerFrames({ events, requestId }: { events: number; requestId: string }): string[] {
  const frames: string[] = [];
  for (let id = 1; id <= events; id += 1) frames.push(resultFrame({ id, content: ANSWER_TEXT, requestId }));
  frames.push(resultFrame({ id: events + 1, content: '', finishReason: 'stop', requestId }));
  return frames;
}

function resultFrame({
  id,
  content,
  finishReason = 'null',
  requestId,
}: {
  id: number;
  content: string;
  finishReason?: FinishReason;
  requestId: string;
}): string {
  return formatSseEvent({
    id,
    event: 'result',
    status: 200,
    data: JSON.stringify(resultPayload({ content, finishReason, outputTokens: id, requestId })),
  });
}

function resultPayload({
  content,
  finishReason = 'null',
  outputTokens = 1,
  requestId,
}: {
  content: string;
  finishReason?: FinishReason;
  outputTokens?: number;
  requestId: string;
}): Record<string, unknown> {
  return plainMessagePayload({ content, finishReason, inputTokens: 1, outputTokens, requestId, streaming: true });
}

function jsonHeaders(requestId: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-request-id': requestId };
}

function cutBytes(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return pieces;
}

/** Waits `ms` milliseconds, returning early (without throwing) when the signal aborts. */
async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await delay(ms, undefined, { signal }).catch(() => undefined);
}

function assertPositive(name: string, value: number): void {
  if (!(value > 0)) throw new RangeError(`misbehaving upstream: ${name} must be positive, got ${value}`);
}
