// How long and how hard each part of `pnpm bench` runs. The shapes of the streams are fixed by the
// issue's targets (a fast 200-event stream, a paced stream of 20 events 20 ms apart, 64 concurrent
// streams, 1,000 concurrent slow streams); the profiles only change the durations and counts.

export type ProfileName = 'smoke' | 'quick' | 'full';

export interface StreamShape {
  /** Events per stream (the last one carries the finish reason). */
  events: number;
  /** Pause between two events, in milliseconds; 0: one event per event-loop turn, as fast as possible. */
  intervalMs: number;
}

export interface BenchProfile {
  name: ProfileName;
  /** Mixed load sent to each server before anything is measured (JIT, pools, heap). */
  warmUpSeconds: number;
  nonStream: { concurrencies: readonly number[]; seconds: number };
  /** The fast 200-event stream, at concurrency 1 and at MEMORY_STREAMS. */
  fastStream: { seconds: number };
  /** The paced stream at concurrency 1. */
  pacedStream: { seconds: number };
  /** Concurrent slow streams, all open at once (opened over `rampMs`), each read to its end. */
  slowStreams: { streams: number; rampMs: number; shape: StreamShape };
  tls: { sequentialRequests: number; burstRequests: number };
}

export const FAST_STREAM: StreamShape = { events: 200, intervalMs: 0 };
export const PACED_STREAM: StreamShape = { events: 20, intervalMs: 20 };
/** Concurrency of the fast-stream run that also gives the peak RSS "under 64 concurrent streams". */
export const MEMORY_STREAMS = 64;
/** Concurrency of the non-stream run whose CPU per request has a target. */
export const TARGET_CONCURRENCY = 64;
/** Added before the fake's TLS listener starts each handshake: a far-away DashScope, roughly. */
export const TLS_ACCEPT_DELAY_MS = 20;
export const TLS_BURST_CONCURRENCY = 64;

export const PROFILES: Readonly<Record<ProfileName, BenchProfile>> = {
  // For the smoke test in `pnpm test`: every row, tiny durations; the figures mean nothing.
  smoke: {
    name: 'smoke',
    warmUpSeconds: 0,
    nonStream: { concurrencies: [1, 16, 64], seconds: 0.2 },
    fastStream: { seconds: 0.2 },
    pacedStream: { seconds: 0.2 },
    slowStreams: { streams: 20, rampMs: 50, shape: { events: 3, intervalMs: 100 } },
    tls: { sequentialRequests: 10, burstRequests: 64 },
  },
  quick: {
    name: 'quick',
    warmUpSeconds: 0.75,
    nonStream: { concurrencies: [1, 16, 64], seconds: 1.5 },
    fastStream: { seconds: 1.5 },
    pacedStream: { seconds: 1.5 },
    slowStreams: { streams: 1000, rampMs: 500, shape: { events: 6, intervalMs: 300 } },
    tls: { sequentialRequests: 50, burstRequests: 1000 },
  },
  full: {
    name: 'full',
    warmUpSeconds: 3,
    nonStream: { concurrencies: [1, 16, 64], seconds: 15 },
    fastStream: { seconds: 15 },
    // About 100 streams: the p99 of the first byte is the second-slowest, not the slowest.
    pacedStream: { seconds: 40 },
    slowStreams: { streams: 1000, rampMs: 1000, shape: { events: 10, intervalMs: 1000 } },
    tls: { sequentialRequests: 500, burstRequests: 5000 },
  },
};
