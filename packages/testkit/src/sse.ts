// Strict parser for OpenAI-style streaming bodies (Server-Sent Events as OpenAI sends them).

export interface ParsedOpenAISse {
  /** The JSON payloads of the `data:` events, in order ([DONE] excluded). */
  events: unknown[];
  /** True when the stream ended with `data: [DONE]` (which must be the last event). */
  done: boolean;
  /** The raw `data` payload text of every event, in order ([DONE] included). */
  raw: string[];
  /** Comment blocks (`: keep-alive`): the gateway's heartbeats, which SSE readers skip. */
  comments: number;
}

const PREFIX = 'data: ';
const DONE = '[DONE]';

function snippet(s: string): string {
  const j = JSON.stringify(s);
  return j.length > 120 ? `${j.slice(0, 117)}...` : j;
}

/**
 * Parses an OpenAI-style SSE body (`data: {...}\n\n` ... `data: [DONE]\n\n`) into its JSON payloads, strictly:
 * every event must be exactly one `data: ` line (with the space) followed by a blank line (`\n` line ends only;
 * no `event:`/`id:`/`retry:` fields, or CR). A one-line comment block (`: keep-alive`, a heartbeat) is counted
 * and skipped. Returns { events, done, raw } and throws on malformed
 * framing, anything after [DONE], or non-JSON data. An empty body gives no events and done: false.
 */
export function parseOpenAISse(body: string): ParsedOpenAISse {
  if (typeof body !== 'string') throw new TypeError(`parseOpenAISse: body must be a string, got ${typeof body}`);
  const result: ParsedOpenAISse = { events: [], done: false, raw: [], comments: 0 };
  if (body === '') return result;
  if (body.includes('\r')) throw new Error('parseOpenAISse: body contains CR; OpenAI streams use bare \\n line ends');
  if (!body.endsWith('\n\n')) {
    throw new Error(`parseOpenAISse: body does not end with a blank line ("\\n\\n"); tail: ${snippet(body.slice(-80))}`);
  }
  const blocks = body.slice(0, -2).split('\n\n');
  blocks.forEach((block, i) => {
    const where = `event ${i + 1}`;
    if (result.done) throw new Error(`parseOpenAISse: ${where} comes after data: [DONE]: ${snippet(block)}`);
    if (block === '' || block.startsWith('\n')) {
      throw new Error(`parseOpenAISse: extra blank line before ${where} (events are separated by exactly one blank line)`);
    }
    if (block.startsWith(':') && !block.includes('\n')) {
      result.comments += 1;
      return;
    }
    if (block.includes('\n')) {
      throw new Error(`parseOpenAISse: ${where} has more than one line (expected exactly one "data: " line): ${snippet(block)}`);
    }
    if (!block.startsWith(PREFIX)) {
      throw new Error(`parseOpenAISse: ${where} is not a "data: " line: ${snippet(block)}`);
    }
    const data = block.slice(PREFIX.length);
    result.raw.push(data);
    if (data === DONE) {
      result.done = true;
      return;
    }
    try {
      result.events.push(JSON.parse(data));
    } catch (err) {
      throw new Error(`parseOpenAISse: ${where} data is not JSON (${(err as Error).message}): ${snippet(data)}`);
    }
  });
  return result;
}
