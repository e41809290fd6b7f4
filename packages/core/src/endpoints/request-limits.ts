/**
 * Caps on what one request may ask the gateway to check and forward, applied to the raw parsed body
 * before the schema walks it: a 10 MB body of 340,000 empty messages costs the schema most of a second
 * of CPU, and would then be re-serialised and sent upstream whole.
 */
export interface RequestLimits {
  /** Messages per request (OpenAI's own cap is 2048). Also caps the content parts across all messages. */
  maxMessages: number;
  /** Characters of text across all messages (string contents and text parts), in UTF-16 code units. */
  maxTextLength: number;
}

export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({ maxMessages: 2048, maxTextLength: 2_000_000 });

/** Throws a TypeError naming `owner` unless both limits are positive integers; for option checks at construction. */
export function assertRequestLimits(limits: RequestLimits, owner: string): void {
  for (const name of ['maxMessages', 'maxTextLength'] as const) {
    const value = limits?.[name];
    if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${owner}: limits.${name} must be a positive integer`);
  }
}
