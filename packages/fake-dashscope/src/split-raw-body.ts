const EVENT_END = Buffer.from('\n\n');

/**
 * Splits a scripted raw body after each blank line, so an SSE body is written event by event
 * (and `eventDelayMs` applies between events); any other body stays one piece.
 */
export function splitRawBody(body: string | Uint8Array): Buffer[] {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const pieces: Buffer[] = [];
  let start = 0;
  for (let end = bytes.indexOf(EVENT_END); end !== -1; end = bytes.indexOf(EVENT_END, start)) {
    pieces.push(bytes.subarray(start, end + EVENT_END.length));
    start = end + EVENT_END.length;
  }
  if (start < bytes.length || pieces.length === 0) pieces.push(bytes.subarray(start));
  return pieces;
}
