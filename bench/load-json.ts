// The non-stream load generator, run as its own process by bench/main.ts: autocannon at a fixed
// concurrency for a fixed time. It reads the server's CPU time from /proc right around the run, and
// takes each response's latency from autocannon's `response` event (sub-millisecond; the result's
// own histograms are in whole milliseconds).
//
// argv[2]: JsonLoadOptions as JSON; prints one JsonLoadResult as JSON on stdout.
import autocannon from 'autocannon';
import { readCpuSeconds } from '../scripts/soak/proc-stats.ts';
import { summarize, type Distribution } from './summarize.ts';

export interface JsonLoadOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  concurrency: number;
  durationSeconds: number;
  serverPid: number;
}

export interface JsonLoadResult {
  /** 2xx responses. */
  completed: number;
  /** Other statuses, socket errors and timeouts. */
  failed: Record<string, number>;
  wallMs: number;
  serverCpuMs: number | null;
  latencyMs: Distribution | null;
}

const { url, body, headers, concurrency, durationSeconds, serverPid } = JSON.parse(process.argv[2] ?? '{}') as JsonLoadOptions;

const latencies: number[] = [];
const cpuStart = readCpuSeconds(serverPid);
const startedAt = performance.now();
const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const instance = autocannon(
    {
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      connections: concurrency,
      duration: durationSeconds,
      // autocannon stops at its first sample tick after the duration: 100 ms late at most, not a second.
      sampleInt: 100,
      timeout: 30,
    },
    (error, finished) => (error === null ? resolve(finished) : reject(error)),
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
});
const wallMs = performance.now() - startedAt;
const cpuEnd = readCpuSeconds(serverPid);

const failed: Record<string, number> = {};
if (result.non2xx > 0) failed['non-2xx'] = result.non2xx;
if (result.errors - result.timeouts > 0) failed.errors = result.errors - result.timeouts;
if (result.timeouts > 0) failed.timeout = result.timeouts;
const output: JsonLoadResult = {
  completed: latencies.length,
  failed,
  wallMs,
  serverCpuMs: cpuStart === undefined || cpuEnd === undefined ? null : (cpuEnd - cpuStart) * 1000,
  latencyMs: summarize(latencies),
};
process.stdout.write(`${JSON.stringify(output)}\n`);
process.exit(0);
