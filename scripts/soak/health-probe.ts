import { request as httpRequest } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

// GET /health on a fresh connection every interval, from a worker thread: the soak's main thread is
// busy with hundreds of clients and the fake, and its own delays must not count as the gateway's.

interface ProbeTarget {
  host: string;
  port: number;
  intervalMs: number;
}

export interface HealthSummary {
  probes: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
}

export interface HealthProbe {
  /** Forgets the probes so far (after the warm-up). */
  reset(): void;
  summary(): HealthSummary;
  stop(): Promise<void>;
}

export function startHealthProbe(target: ProbeTarget): HealthProbe {
  const worker = new Worker(new URL(import.meta.url), { workerData: { healthProbe: target } });
  let latencies: number[] = [];
  let failed = 0;
  worker.on('message', (latency: number | null) => {
    if (latency === null) failed += 1;
    else latencies.push(latency);
  });
  return {
    reset() {
      latencies = [];
      failed = 0;
    },
    summary() {
      const sorted = [...latencies].sort((a, b) => a - b);
      const at = (fraction: number): number => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
      return { probes: latencies.length + failed, failed, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
    },
    async stop() {
      await worker.terminate();
    },
  };
}

function probe({ host, port }: ProbeTarget): Promise<number | null> {
  return new Promise((resolve) => {
    const started = performance.now();
    const outgoing = httpRequest({ host, port, path: '/health', agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200 ? performance.now() - started : null));
      response.on('error', () => resolve(null));
    });
    outgoing.on('timeout', () => outgoing.destroy());
    outgoing.on('error', () => resolve(null));
    outgoing.end();
  });
}

const probeTarget = (workerData as { healthProbe?: ProbeTarget } | null)?.healthProbe;
if (!isMainThread && probeTarget !== undefined) {
  setInterval(() => {
    void probe(probeTarget).then((latency) => parentPort?.postMessage(latency));
  }, probeTarget.intervalMs);
}
