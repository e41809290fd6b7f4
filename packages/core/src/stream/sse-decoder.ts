import { resolveStreamLimits, type StreamLimits } from './stream-limits.js';

/** One server-sent event as DashScope frames it. */
export interface SseEvent {
  id?: string;
  /** `result` or `error` from DashScope; `message` when the event has no `event:` line. */
  event: string;
  data: string;
  /** From DashScope's `:HTTP_STATUS/NNN` comment line: the real status of an `event:error`. */
  status?: number;
}

/** The cap a stream broke: a line (`maxLineLength`) or an event (`maxEventLength`) grew past it. */
export interface SseOverflow {
  limit: 'line' | 'event';
  /** The cap, in UTF-16 characters. */
  maxLength: number;
}

export interface SseParser {
  /** Feeds decoded text (any split, even mid-line); returns the events completed by it. */
  push(text: string): SseEvent[];
  /** End of input: returns the last event if it was not terminated by a blank line. */
  end(): SseEvent[];
  /**
   * Set once the input broke a cap. The parser then drops what it buffered and reads nothing more:
   * `push` and `end` return no events. The events returned before it came before the overflow.
   */
  overflow(): SseOverflow | undefined;
  /** Characters held for the event and line not yet complete: what a shared memory budget must count. */
  bufferedLength(): number;
}

const httpStatusComment = /^HTTP_STATUS\/(\d{3})/;
const LF = 10;
const CR = 13;

/**
 * An incremental SSE parser (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream)
 * with two DashScope habits: the status lives in a comment line, and some real captures have no blank
 * line between events, so an `id:` line that arrives after `data:` also starts a new event.
 *
 * Linear in its input however it is split: each push is searched once, from its start, and never
 * again; a line that spans pushes is kept as pieces and joined once, when it ends. Lines and events
 * are capped (see StreamLimits), so an upstream that never ends one cannot grow the buffers.
 */
export function createSseParser(limits: Partial<StreamLimits> = {}): SseParser {
  const { maxLineLength, maxEventLength } = resolveStreamLimits(limits);
  let event: { id?: string; event?: string; data: string[]; status?: number } = { data: [] };
  /** The length of the event so far: its data lines, one character for each line end. */
  let eventLength = 0;
  /** The start of a line that has not ended yet, one piece per push. */
  let pieces: string[] = [];
  let piecesLength = 0;
  /** The last push ended with CR: the line before it is complete, and an LF starting the next push belongs to it. */
  let awaitingLineFeed = false;
  let overflow: SseOverflow | undefined;

  function fail(limit: SseOverflow['limit']): void {
    overflow = { limit, maxLength: limit === 'line' ? maxLineLength : maxEventLength };
    event = { data: [] };
    eventLength = 0;
    pieces = [];
    piecesLength = 0;
    awaitingLineFeed = false;
  }

  function dispatch(into: SseEvent[]): void {
    if (event.data.length > 0) {
      const completed: SseEvent = { event: event.event ?? 'message', data: event.data.join('\n') };
      if (event.id !== undefined) completed.id = event.id;
      if (event.status !== undefined) completed.status = event.status;
      into.push(completed);
    }
    event = { data: [] };
    eventLength = 0;
  }

  function processLine(line: string, into: SseEvent[]): void {
    if (line.length > maxLineLength) return fail('line');
    if (line === '') return dispatch(into);
    if (line.startsWith(':')) {
      const match = httpStatusComment.exec(line.slice(1).trimStart());
      if (match?.[1] !== undefined) event.status = Number(match[1]);
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data': {
        // Whole lines, not only their values: so that empty data lines, too, add up to the cap.
        const length = eventLength + line.length + 1;
        if (length > maxEventLength) return fail('event');
        event.data.push(detach(value));
        eventLength = length;
        break;
      }
      case 'id':
        if (event.data.length > 0) dispatch(into);
        event.id = value;
        break;
      case 'event':
        if (event.data.length > 0) dispatch(into);
        event.event = value;
        break;
      default:
        // `retry:` and unknown fields carry nothing the gateway needs.
        break;
    }
  }

  /** The pending line, completed by `tail` (the rest of it in this push). */
  function completeLine(tail: string, into: SseEvent[]): void {
    if (pieces.length === 0) return processLine(tail, into);
    pieces.push(tail);
    const line = pieces.join('');
    pieces = [];
    piecesLength = 0;
    processLine(line, into);
  }

  /** Keeps the start of a line that has not ended, unless it is already too long. */
  function keepPiece(piece: string): void {
    if (piecesLength + piece.length > maxLineLength) return fail('line');
    if (piece === '') return;
    pieces.push(piece);
    piecesLength += piece.length;
  }

  return {
    push(text) {
      const events: SseEvent[] = [];
      if (overflow !== undefined || text === '') return events;
      let start = 0;
      if (awaitingLineFeed) {
        awaitingLineFeed = false;
        if (text.charCodeAt(0) === LF) start = 1;
        completeLine('', events);
      }
      // The next LF and the next CR at or after `start` (-1: none left in this push). Each search
      // resumes after the last one found, so every character is looked at once per kind.
      let nextLineFeed = -2;
      let nextCarriageReturn = -2;
      while (overflow === undefined) {
        if (nextLineFeed !== -1 && nextLineFeed < start) nextLineFeed = text.indexOf('\n', start);
        if (nextCarriageReturn !== -1 && nextCarriageReturn < start) nextCarriageReturn = text.indexOf('\r', start);
        const lineEnd =
          nextLineFeed === -1 ? nextCarriageReturn : nextCarriageReturn === -1 ? nextLineFeed : Math.min(nextLineFeed, nextCarriageReturn);
        if (lineEnd === -1) {
          keepPiece(text.slice(start));
          break;
        }
        // A CR at the very end may be the first half of CRLF: the line waits for the next push (or the end).
        if (lineEnd === text.length - 1 && text.charCodeAt(lineEnd) === CR) {
          keepPiece(text.slice(start, lineEnd));
          awaitingLineFeed = overflow === undefined;
          break;
        }
        completeLine(text.slice(start, lineEnd), events);
        start = lineEnd + (text.charCodeAt(lineEnd) === CR && text.charCodeAt(lineEnd + 1) === LF ? 2 : 1);
      }
      return events;
    },
    end() {
      const events: SseEvent[] = [];
      if (overflow !== undefined) return events;
      // The last line, ended by a CR or by nothing at all.
      if (awaitingLineFeed || pieces.length > 0) completeLine('', events);
      awaitingLineFeed = false;
      if (overflow === undefined) dispatch(events);
      return events;
    },
    overflow: () => overflow,
    bufferedLength: () => eventLength + piecesLength,
  };
}

/**
 * A copy of `text` that does not keep the string it was cut from alive. V8 represents a slice of 13
 * or more characters as a view into its parent, so a data line kept until its event ends would keep
 * its whole chunk (comments and all) in memory, and the event cap would not bound memory.
 */
function detach(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}
