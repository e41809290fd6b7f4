// A load generator for streams (and for first-byte timings of JSON calls), run as its own process by
// bench/main.ts: `concurrency` clients on one keep-alive pool, each sending the same request again as
// soon as its previous answer ended, until `durationMs` has passed or `requests` were started. Unlike
// autocannon it times each answer's first event (first byte), not just its end. It reads the server's
// CPU time and samples its RSS from /proc around the run.
//
// argv[2]: StreamLoadOptions as JSON; prints one StreamLoadResult as JSON on stdout.
import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { readCpuSeconds, readRssBytes } from '../scripts/soak/proc-stats.ts';
import { summarize, type Distribution } from './summarize.ts';

export interface StreamLoadOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** true: an SSE answer, complete when it ends with `data: [DONE]`; false: a JSON answer. */
  stream: boolean;
  concurrency: number;
  durationMs?: number;
  requests?: number;
  /** The clients start spread over this time (a thousand SYNs at once overflow a listen backlog). */
  rampMs: number;
  serverPid: number;
  rssSampleMs: number;
  /** A call still running after this fails as "timeout". */
  timeoutMs: number;
}

export interface StreamLoadResult {
  completed: number;
  /** Failed calls by reason: "status 503", "incomplete", "timeout", "ECONNRESET", … */
  failed: Record<string, number>;
  wallMs: number;
  /** The server's user+system CPU time during the run, in ms (clock-tick resolution). */
  serverCpuMs: number | null;
  /** Request sent → first body bytes carrying an event (a stream) or any body byte (JSON), in ms. */
  firstByteMs: Distribution | null;
  /** Request sent → last byte, in ms. */
  wholeMs: Distribution | null;
  /** Events received (blank-line-terminated SSE frames, [DONE] included), completed calls only. */
  clientEvents: number;
  serverRssStartBytes: number | null;
  serverRssPeakBytes: number | null;
}

const DONE = Buffer.from('data: [DONE]\n\n');

const options = JSON.parse(process.argv[2] ?? '{}') as StreamLoadOptions;
const result = await runStreamLoad(options);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);

async function runStreamLoad({
  url,
  body,
  headers,
  stream,
  concurrency,
  durationMs,
  requests,
  rampMs,
  serverPid,
  rssSampleMs,
  timeoutMs,
}: StreamLoadOptions): Promise<StreamLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const target = new URL(url);
  const requestHeaders = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers };
  const firstByte: number[] = [];
  const whole: number[] = [];
  const failed: Record<string, number> = {};
  let completed = 0;
  let clientEvents = 0;
  let started = 0;

  const rssStart = readRssBytes(serverPid) ?? null;
  let rssPeak = rssStart;
  const sampler = setInterval(() => {
    const rss = readRssBytes(serverPid);
    if (rss !== undefined && (rssPeak === null || rss > rssPeak)) rssPeak = rss;
  }, rssSampleMs);
  const cpuStart = readCpuSeconds(serverPid);
  const startedAt = performance.now();
  const deadline = durationMs === undefined ? Infinity : startedAt + durationMs;
  const mayStart = (): boolean => (requests === undefined || started < requests) && performance.now() < deadline;

  const call = (): Promise<void> =>
    new Promise((resolve) => {
      const sentAt = performance.now();
      let settled = false;
      const finish = (failure?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (failure === undefined) completed += 1;
        else failed[failure] = (failed[failure] ?? 0) + 1;
        resolve();
      };
      const outgoing = httpRequest(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: requestHeaders, agent },
        (response) => {
          let firstAt: number | undefined;
          let events = 0;
          let endedWithNewline = false;
          let tail = Buffer.alloc(0);
          response.on('data', (chunk: Buffer) => {
            if (firstAt === undefined && (!stream || chunk.includes('data:'))) firstAt = performance.now();
            if (!stream) return;
            // Frames end with a blank line; one may be split between two reads.
            if (endedWithNewline && chunk[0] === 0x0a) events += 1;
            for (let at = chunk.indexOf('\n\n'); at !== -1; at = chunk.indexOf('\n\n', at + 2)) events += 1;
            endedWithNewline = chunk[chunk.length - 1] === 0x0a;
            tail = Buffer.concat([tail, chunk]).subarray(-DONE.length);
          });
          response.on('end', () => {
            if (response.statusCode !== 200) return finish(`status ${response.statusCode}`);
            if (firstAt === undefined || (stream && !tail.equals(DONE))) return finish('incomplete');
            firstByte.push(firstAt - sentAt);
            whole.push(performance.now() - sentAt);
            clientEvents += events;
            finish();
          });
          response.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
        },
      );
      const timer = setTimeout(() => {
        finish('timeout');
        outgoing.destroy();
      }, timeoutMs);
      outgoing.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
      outgoing.end(body);
    });

  const client = async (index: number): Promise<void> => {
    await delay((rampMs * index) / concurrency);
    while (mayStart()) {
      started += 1;
      await call();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, index) => client(index)));
  const wallMs = performance.now() - startedAt;
  const cpuEnd = readCpuSeconds(serverPid);
  clearInterval(sampler);
  agent.destroy();
  return {
    completed,
    failed,
    wallMs,
    serverCpuMs: cpuStart === undefined || cpuEnd === undefined ? null : (cpuEnd - cpuStart) * 1000,
    firstByteMs: summarize(firstByte),
    wholeMs: summarize(whole),
    clientEvents,
    serverRssStartBytes: rssStart,
    serverRssPeakBytes: rssPeak,
  };
}
