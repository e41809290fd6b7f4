/**
 * How much of one DashScope stream the gateway holds at a time, in UTF-16 characters of decoded text.
 * An upstream that never ends a line or an event would otherwise grow the gateway's buffers without end;
 * over a cap, the stream fails with a 502 `bad_upstream_response` and the buffers are dropped.
 */
export interface StreamLimits {
  /** The longest SSE line, without its line end. */
  maxLineLength: number;
  /**
   * The longest SSE event: its `data:` lines as they arrive, one character counted for each line end
   * (comments and other fields are not kept, so they do not count).
   */
  maxEventLength: number;
}

/** 1 Mi characters a line, 4 Mi an event: far above DashScope's incremental events, far below harm. */
export const DEFAULT_STREAM_LIMITS: Readonly<StreamLimits> = Object.freeze({ maxLineLength: 1_048_576, maxEventLength: 4_194_304 });

/** The defaults, overridden by the limits given; throws a RangeError for a limit that is not a positive integer. */
export function resolveStreamLimits(limits: Partial<StreamLimits> = {}): StreamLimits {
  const resolved = {
    maxLineLength: limits.maxLineLength ?? DEFAULT_STREAM_LIMITS.maxLineLength,
    maxEventLength: limits.maxEventLength ?? DEFAULT_STREAM_LIMITS.maxEventLength,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}.`);
  }
  return resolved;
}
