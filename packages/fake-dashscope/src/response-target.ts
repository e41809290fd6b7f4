import type { ServerResponse } from 'node:http';

/** Where and how one answer is written: the response plus the server's body-writing options. */
export interface ResponseTarget {
  response: ServerResponse;
  /** Aborted when the response closes (finished, client gone, or the fake shutting down). */
  signal: AbortSignal;
  gzip: boolean;
  splitBytes: number;
  eventDelayMs: number;
}
