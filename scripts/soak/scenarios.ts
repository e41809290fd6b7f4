import {
  commentsOnly,
  eventFlood,
  eventsWithoutBlankLines,
  largeErrorAnswer,
  largeJsonAnswer,
  neverEndingLine,
  oversizedEvent,
  silentThenEvents,
  slowDrip,
  type FakeScript,
} from '../../packages/fake-dashscope/dist/index.js';

// The soak's traffic: each scenario pairs what the fake DashScope does with what the client does,
// and says which outcomes count as the gateway doing its job. Weights are relative frequencies.

/** The gateway's limits during the soak: small, so that every fault resolves within seconds. */
export const SOAK_LIMITS: Readonly<Record<string, string>> = {
  BODY_TIMEOUT_MS: '3000',
  HEADERS_TIMEOUT_MS: '5000',
  SEND_TIMEOUT_MS: '3000',
  UPSTREAM_CONNECT_TIMEOUT_MS: '2000',
  UPSTREAM_TIMEOUT_MS: '3000',
  UPSTREAM_IDLE_TIMEOUT_MS: '3000',
  STREAM_MAX_DURATION_MS: '20000',
  HEARTBEAT_INTERVAL_MS: '1000',
  UPSTREAM_QUEUE_TIMEOUT_MS: '3000',
  UPSTREAM_MAX_JSON_BYTES: '4mb',
  UPSTREAM_MAX_STREAM_BYTES: '32mb',
  UPSTREAM_MAX_LINE_CHARS: '262144',
  UPSTREAM_MAX_EVENT_CHARS: '1048576',
  BUFFER_MEMORY_LIMIT: '64mb',
  // Every soak client connects from 127.0.0.1, so the per-address limits are off; the per-key ones
  // stay on (one key per client slot, one call at a time).
  RATE_LIMIT_IP_PER_MINUTE: '0',
  MAX_CONNECTIONS_PER_IP: '0',
};

export type ClientMode =
  /** Reads the whole answer. */
  | { kind: 'read' }
  /** Closes the connection after a random delay up to `maxDelayMs` (possibly before any answer). */
  | { kind: 'abort'; maxDelayMs: number }
  /** Reads, pausing `minPauseMs`..`maxPauseMs` after every `everyBytes` bytes. */
  | { kind: 'slow'; everyBytes: number; minPauseMs: number; maxPauseMs: number }
  /**
   * Stops reading right after the headers; once the gateway could send nothing for `blockedMs` (or
   * after `maxStallMs` in any case) drains briefly to see whether the gateway cut it.
   */
  | { kind: 'stall'; blockedMs: number; maxStallMs: number }
  /** Opens a connection and never sends a byte. */
  | { kind: 'idle-connection' }
  /** Sends the headers and part of the body, then one byte every `intervalMs`. */
  | { kind: 'trickle-body'; intervalMs: number };

export type RequestKind = 'chat-stream' | 'chat-json';

export interface Scenario {
  name: string;
  weight: number;
  request: RequestKind;
  client: ClientMode;
  /** What the fake does; undefined: its normal answer. */
  upstream?: () => FakeScript;
  /**
   * Outcomes that count as the gateway doing its job ("*" matches anything). A healthy scenario
   * must end in one of them (or in load shedding); for the others they are what the limits promise.
   */
  expected: string[];
  healthy: boolean;
}

const MIB = 1024 * 1024;

export const SCENARIOS: readonly Scenario[] = [
  { name: 'stream', weight: 16, request: 'chat-stream', client: { kind: 'read' }, expected: ['ok'], healthy: true },
  {
    name: 'stream-paced',
    weight: 14,
    request: 'chat-stream',
    client: { kind: 'read' },
    upstream: () => slowDrip({ events: 30, intervalMs: 60 }),
    expected: ['ok'],
    healthy: true,
  },
  { name: 'json', weight: 8, request: 'chat-json', client: { kind: 'read' }, expected: ['ok'], healthy: true },
  {
    name: 'silent-think',
    weight: 3,
    request: 'chat-stream',
    client: { kind: 'read' },
    upstream: () => silentThenEvents({ silenceMs: 2_000 }),
    expected: ['ok'],
    healthy: true,
  },
  {
    name: 'slow-reader',
    weight: 4,
    request: 'chat-stream',
    client: { kind: 'slow', everyBytes: 32 * 1024, minPauseMs: 100, maxPauseMs: 500 },
    upstream: () => eventFlood({ events: 600, eventChars: 1000 }),
    expected: ['ok'],
    healthy: true,
  },
  {
    name: 'big-json-ok',
    weight: 2,
    request: 'chat-json',
    client: { kind: 'read' },
    upstream: () => largeJsonAnswer({ bytes: 1.5 * MIB }),
    expected: ['ok'],
    healthy: true,
  },
  {
    name: 'abort-stream',
    weight: 8,
    request: 'chat-stream',
    client: { kind: 'abort', maxDelayMs: 2_500 },
    upstream: () => slowDrip({ events: 40, intervalMs: 50 }),
    expected: ['client abort', 'ok'],
    healthy: false,
  },
  {
    name: 'abort-json',
    weight: 3,
    request: 'chat-json',
    client: { kind: 'abort', maxDelayMs: 2_500 },
    upstream: () => ({ type: 'hang' }),
    expected: ['client abort'],
    healthy: false,
  },
  {
    name: 'stalled-reader',
    weight: 3,
    request: 'chat-stream',
    client: { kind: 'stall', blockedMs: Number(SOAK_LIMITS.SEND_TIMEOUT_MS) + 2_000, maxStallMs: 20_000 },
    upstream: () => eventFlood(),
    expected: ['cut while stalled'],
    healthy: false,
  },
  {
    name: 'drop-mid-stream',
    weight: 4,
    request: 'chat-stream',
    client: { kind: 'read' },
    upstream: () => ({ type: 'drop', afterEvents: 2 }),
    expected: ['event *'],
    healthy: false,
  },
  {
    name: 'drop-before-headers',
    weight: 2,
    request: 'chat-json',
    client: { kind: 'read' },
    upstream: () => ({ type: 'drop' }),
    expected: ['502 *'],
    healthy: false,
  },
  {
    name: 'fail-after',
    weight: 4,
    request: 'chat-stream',
    client: { kind: 'read' },
    upstream: () => ({ type: 'fail-after', events: 2, status: 500, code: 'InternalError.Algo', message: 'soak failure' }),
    expected: ['event *'],
    healthy: false,
  },
  {
    name: 'hang',
    weight: 3,
    request: 'chat-stream',
    client: { kind: 'read' },
    upstream: () => ({ type: 'hang' }),
    expected: ['504 upstream_timeout'],
    healthy: false,
  },
  {
    name: 'oversized-event',
    weight: 3,
    request: 'chat-stream',
    client: { kind: 'read' },
    upstream: () => oversizedEvent({ chars: 2 * MIB, lineChars: 64 * 1024 }),
    expected: ['event bad_upstream_response', 'event upstream_timeout'],
    healthy: false,
  },
  {
    name: 'never-ending-line',
    weight: 2,
    request: 'chat-stream',
    client: { kind: 'read' },
    upstream: () => neverEndingLine(),
    expected: ['event bad_upstream_response', 'event upstream_timeout'],
    healthy: false,
  },
  {
    name: 'never-ending-line-gzip',
    weight: 1,
    request: 'chat-stream',
    client: { kind: 'read' },
    upstream: () => ({ ...neverEndingLine(), gzip: true }),
    expected: ['event bad_upstream_response', 'event upstream_timeout'],
    healthy: false,
  },
  {
    name: 'no-blank-lines',
    weight: 2,
    request: 'chat-stream',
    client: { kind: 'read' },
    upstream: () => eventsWithoutBlankLines(),
    expected: ['event bad_upstream_response', '502 bad_upstream_response', 'event upstream_timeout'],
    healthy: false,
  },
  {
    name: 'gzip-bomb',
    weight: 1,
    request: 'chat-stream',
    client: { kind: 'read' },
    upstream: () => ({ ...eventsWithoutBlankLines(), gzip: true }),
    expected: ['event bad_upstream_response', '502 bad_upstream_response', 'event upstream_timeout'],
    healthy: false,
  },
  {
    name: 'comments-only',
    weight: 3,
    request: 'chat-stream',
    client: { kind: 'read' },
    upstream: () => commentsOnly({ intervalMs: 250 }),
    expected: ['event upstream_timeout'],
    healthy: false,
  },
  {
    name: 'big-json',
    weight: 2,
    request: 'chat-json',
    client: { kind: 'read' },
    upstream: () => largeJsonAnswer({ bytes: 6 * MIB }),
    expected: ['502 bad_upstream_response'],
    healthy: false,
  },
  {
    name: 'big-error',
    weight: 2,
    request: 'chat-json',
    client: { kind: 'read' },
    upstream: () => largeErrorAnswer({ bytes: 2 * MIB }),
    expected: ['500 *', '502 bad_upstream_response'],
    healthy: false,
  },
  {
    name: 'trickle-body',
    weight: 2,
    request: 'chat-json',
    client: { kind: 'trickle-body', intervalMs: 300 },
    expected: ['408 request_timeout'],
    healthy: false,
  },
  {
    name: 'idle-connection',
    weight: 2,
    request: 'chat-json',
    client: { kind: 'idle-connection' },
    expected: ['closed by gateway', '408 *'],
    healthy: false,
  },
];

/** Load shedding a healthy call may meet under this load: a 503 that says when to come back. */
export function isLoadShedding(outcome: string): boolean {
  return /^503 (server_busy|upstream_busy)$/.test(outcome);
}

/** Whether an outcome matches one of the patterns ("*" matches anything). */
export function matchesExpected(outcome: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${source}$`).test(outcome);
  });
}

/** The marker the fake reads from the user message to pick a scenario's upstream behaviour. */
export function scenarioMarker(name: string): string {
  return `#soak:${name}`;
}

/** The fake's `behave` option: the scenario named in the last user message decides. */
export function behaveByMarker(request: { body: unknown }): FakeScript | undefined {
  const match = /#soak:([a-z-]+)/.exec(lastUserText(request.body));
  const scenario = SCENARIOS.find((candidate) => candidate.name === match?.[1]);
  return scenario?.upstream?.();
}

function lastUserText(body: unknown): string {
  const messages = (body as { input?: { messages?: Array<{ role?: string; content?: unknown }> } } | null)?.input?.messages;
  if (!Array.isArray(messages)) return '';
  const last = messages.findLast((message) => message.role === 'user');
  return typeof last?.content === 'string' ? last.content : '';
}
