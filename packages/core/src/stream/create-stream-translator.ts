import type { CallSummary } from '../endpoints/upstream-call.js';
import { createDashScopeEventDecoder, type DashScopeStreamEvent } from './dashscope-event-decoder.js';
import type { StreamLimits } from './stream-limits.js';
import type { StreamPart } from './stream-part.js';

/** The second stage: one endpoint's translation of DashScope events into its OpenAI stream parts. */
export interface StreamMapper<Data> {
  map(event: DashScopeStreamEvent): StreamPart<Data>[];
  /** The upstream stream ended: closing parts (usage, `[DONE]`) or the error of a cut stream. */
  end(): StreamPart<Data>[];
  /** What the call produced so far (usage, finish reason), for the call-finished report. */
  summary(): CallSummary;
  /** True once the answer is complete: `end()` then closes it, whatever the upstream does next. */
  finished(): boolean;
  /** Characters the mapper itself holds (a collector building one answer); none when absent. */
  bufferedLength?(): number;
}

/**
 * DashScope's SSE bytes → OpenAI stream parts, incrementally and synchronously. A plain push/end
 * object rather than a web TransformStream: the gateway feeds it straight from the socket's `data`
 * events and writes each read's parts in one write, with no stream bridge and no promise per event.
 */
export interface StreamTranslator<Data = unknown> {
  push(chunk: Uint8Array | string): StreamPart<Data>[];
  end(): StreamPart<Data>[];
  summary(): CallSummary;
  finished(): boolean;
  /**
   * How many upstream SSE events were read so far: results and errors, not comment lines, not a
   * partial event, not the error of a broken cap. Progress for idle timers: DashScope's `:`
   * heartbeats do not move it.
   */
  eventCount(): number;
  /**
   * Characters held: upstream text of an incomplete line and event (bounded by the limits), plus what the
   * mapper collects, if it collects (bounded by the stream's byte cap).
   */
  bufferedLength(): number;
}

export interface StreamTranslatorOptions<Data> {
  mapper: StreamMapper<Data>;
  /** Caps on one line and one event of the upstream stream; DEFAULT_STREAM_LIMITS for those not given. */
  limits?: Partial<StreamLimits>;
}

export function createStreamTranslator<Data>({ mapper, limits }: StreamTranslatorOptions<Data>): StreamTranslator<Data> {
  const decoder = createDashScopeEventDecoder({ limits });
  const mapAll = (events: DashScopeStreamEvent[]): StreamPart<Data>[] => {
    if (events.length === 1 && events[0] !== undefined) return mapper.map(events[0]);
    return events.flatMap((event) => mapper.map(event));
  };
  return {
    push: (chunk) => mapAll(decoder.push(chunk)),
    end: () => [...mapAll(decoder.end()), ...mapper.end()],
    summary: () => mapper.summary(),
    finished: () => mapper.finished(),
    eventCount: () => decoder.eventCount(),
    bufferedLength: () => decoder.bufferedLength() + (mapper.bufferedLength?.() ?? 0),
  };
}
