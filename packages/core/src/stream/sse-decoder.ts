/** One server-sent event as DashScope frames it. */
export interface SseEvent {
  id?: string;
  /** `result` or `error` from DashScope; `message` when the event has no `event:` line. */
  event: string;
  data: string;
  /** From DashScope's `:HTTP_STATUS/NNN` comment line: the real status of an `event:error`. */
  status?: number;
}

export interface SseParser {
  /** Feeds decoded text (any split, even mid-line); returns the events completed by it. */
  push(text: string): SseEvent[];
  /** End of input: returns the last event if it was not terminated by a blank line. */
  end(): SseEvent[];
}

const httpStatusComment = /^HTTP_STATUS\/(\d{3})/;

/**
 * An incremental SSE parser (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream)
 * with two DashScope habits: the status lives in a comment line, and some real captures have no blank
 * line between events, so an `id:` line that arrives after `data:` also starts a new event.
 */
export function createSseParser(): SseParser {
  let buffer = '';
  let event: { id?: string; event?: string; data: string[]; status?: number } = { data: [] };

  function dispatch(into: SseEvent[]): void {
    if (event.data.length > 0) {
      const completed: SseEvent = { event: event.event ?? 'message', data: event.data.join('\n') };
      if (event.id !== undefined) completed.id = event.id;
      if (event.status !== undefined) completed.status = event.status;
      into.push(completed);
    }
    event = { data: [] };
  }

  function processLine(line: string, into: SseEvent[]): void {
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
      case 'data':
        event.data.push(value);
        break;
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

  // Where the search for the next line end resumes: text before it holds none (no rescans of a long line).
  let scanned = 0;

  function drainLines(into: SseEvent[], atEnd: boolean): void {
    // DashScope ends lines with LF only; look for CR (a character-by-character scan) only when there is one.
    const hasCarriageReturn = buffer.includes('\r', scanned);
    let start = 0;
    for (;;) {
      const lineEnd = hasCarriageReturn ? findLineEnd(buffer, Math.max(start, scanned)) : buffer.indexOf('\n', Math.max(start, scanned));
      if (lineEnd === -1) break;
      const char = buffer.charCodeAt(lineEnd);
      // A CR at the very end may be the first half of CRLF: wait for the next chunk unless input ended.
      if (char === 13 && lineEnd === buffer.length - 1 && !atEnd) break;
      processLine(buffer.slice(start, lineEnd), into);
      start = lineEnd + (char === 13 && buffer.charCodeAt(lineEnd + 1) === 10 ? 2 : 1);
    }
    buffer = buffer.slice(start);
    // A trailing CR may still pair with an LF, so it is looked at again.
    scanned = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
  }

  return {
    push(text) {
      const events: SseEvent[] = [];
      buffer += text;
      drainLines(events, false);
      return events;
    },
    end() {
      const events: SseEvent[] = [];
      drainLines(events, true);
      if (buffer !== '') processLine(buffer, events);
      buffer = '';
      scanned = 0;
      dispatch(events);
      return events;
    },
  };
}

function findLineEnd(text: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 10 || char === 13) return index;
  }
  return -1;
}
