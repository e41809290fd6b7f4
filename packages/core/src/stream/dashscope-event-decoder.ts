import { dashScopeErrorFromBody } from '../errors/dashscope-error-from-body.js';
import { isRecord } from '../dashscope/is-record.js';
import type { GatewayError } from '../errors/gateway-error.js';
import { badUpstreamResponse } from '../errors/upstream-transport-error.js';
import { parseJsonSafely } from '../dashscope/parse-json-safely.js';
import { createSseParser, type SseEvent, type SseOverflow } from './sse-decoder.js';
import type { StreamLimits } from './stream-limits.js';

/** A DashScope stream event, read but not yet translated: a result payload, or a failure. */
export type DashScopeStreamEvent = { type: 'result'; payload: Record<string, unknown> } | { type: 'error'; error: GatewayError };

export interface DashScopeEventDecoder {
  /** Feeds upstream bytes (split anywhere, even inside a UTF-8 character) or decoded text. */
  push(chunk: Uint8Array | string): DashScopeStreamEvent[];
  /** The upstream body ended: the last unterminated event, if any. */
  end(): DashScopeStreamEvent[];
  /** How many SSE events were read so far: results and errors, not comments or a partial event. */
  eventCount(): number;
  /** Characters held for an incomplete line and event. */
  bufferedLength(): number;
}

/**
 * The first stage of every streaming endpoint: DashScope's SSE bytes → result payloads or errors.
 * Decodes UTF-8 with a streaming decoder, frames events (DashScope's habits included), parses each
 * `data:` payload once, and turns `event:error`, error-shaped results and unreadable data into
 * GatewayErrors, so the endpoint mappers after it only ever see results.
 *
 * A line or an event longer than the limits (DEFAULT_STREAM_LIMITS unless given) yields one 502
 * `bad_upstream_response` error; everything after it is ignored, unread.
 */
export function createDashScopeEventDecoder({ limits }: { limits?: Partial<StreamLimits> } = {}): DashScopeEventDecoder {
  const decoder = new TextDecoder();
  const parser = createSseParser(limits);
  let eventCount = 0;

  function read(events: readonly SseEvent[]): DashScopeStreamEvent[] {
    eventCount += events.length;
    const read: DashScopeStreamEvent[] = [];
    for (const event of events) {
      const payload = parseJsonSafely(event.data);
      // Without a `:HTTP_STATUS/` line, both official SDKs assume 400 for an event:error.
      if (event.event === 'error')
        read.push({ type: 'error', error: dashScopeErrorFromBody({ body: payload, status: event.status ?? 400 }) });
      else if (!isRecord(payload)) read.push({ type: 'error', error: badUpstreamResponse('an unreadable stream event') });
      // An error in a result event's clothing: no output, a code. Its status is the code's to decide.
      else if (payload.output === undefined && typeof payload.code === 'string')
        read.push({ type: 'error', error: dashScopeErrorFromBody({ body: payload, status: 500 }) });
      else read.push({ type: 'result', payload });
    }
    // The events before a broken cap, then its error; push and end read nothing after it.
    const overflow = parser.overflow();
    if (overflow !== undefined) read.push({ type: 'error', error: overflowError(overflow) });
    return read;
  }

  return {
    push(chunk) {
      if (parser.overflow() !== undefined) return [];
      return read(parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })));
    },
    end() {
      if (parser.overflow() !== undefined) return [];
      return read([...parser.push(decoder.decode()), ...parser.end()]);
    },
    eventCount: () => eventCount,
    bufferedLength: () => parser.bufferedLength(),
  };
}

function overflowError({ limit, maxLength }: SseOverflow): GatewayError {
  return badUpstreamResponse(`a stream ${limit} longer than ${maxLength} characters`);
}
