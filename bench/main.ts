// `pnpm bench [--quick | --smoke] [--out <dir>] [--gateway <main.js>]`
//
// Measures what the gateway adds on top of the stack it is built on. One run starts, each in its own
// process, on loopback only: a fast fake DashScope (bench/fast-fake-dashscope.ts), a bare Express 5 +
// http-proxy-middleware 4 passthrough to the fake's OpenAI-shaped endpoint (bench/passthrough.js), the
// built gateway translating to the fake's native endpoint, and the load generators (autocannon for
// JSON calls, bench/load-streams.ts for streams). Every scenario runs against the passthrough and then
// the gateway, so each figure has its ratio from the same run. Writes bench/results/latest.md and
// latest.json (latest-quick.* for --quick) and prints the table. Never part of `pnpm test`, whose smoke
// test runs `--smoke` (every row, tiny durations, figures meaningless).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import type { FakeOptions, FakeStats } from './fast-fake-dashscope.ts';
import { streamMarker, type StreamKind } from './fake-replies.ts';
import type { JsonLoadOptions, JsonLoadResult } from './load-json.ts';
import type { StreamLoadOptions, StreamLoadResult } from './load-streams.ts';
import {
  FAST_STREAM,
  MEMORY_STREAMS,
  PACED_STREAM,
  PROFILES,
  TARGET_CONCURRENCY,
  TLS_ACCEPT_DELAY_MS,
  TLS_BURST_CONCURRENCY,
  type BenchProfile,
} from './profiles.ts';
import { buildReport, formatMarkdown, type Machine, type Measurements, type PerTarget, type Target, type TlsRun } from './report.ts';
import { RUN_TYPESCRIPT, runJob, startServerProcess, type ServerProcess } from './server-process.ts';
import { createTlsCertificate } from './tls-certificate.ts';

const BENCH_STARTED = Date.now();
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const BENCH = (file: string): string => join(REPO_ROOT, 'bench', file);

const { values: args } = parseArgs({
  // `pnpm bench -- --quick` passes the separator through.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    quick: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    gateway: { type: 'string' },
  },
});
const profile: BenchProfile = PROFILES[args.smoke ? 'smoke' : args.quick ? 'quick' : 'full'];
const outDirectory = resolve(args.out ?? BENCH('results'));
const gatewayEntry = resolve(args.gateway ?? join(REPO_ROOT, 'apps/server/dist/main.js'));
if (!existsSync(gatewayEntry)) {
  process.stderr.write(`no gateway at ${gatewayEntry}: run \`pnpm run build\` first (\`pnpm bench\` does)\n`);
  process.exit(2);
}

// Whatever happens, the run ends: the full profile takes about six minutes.
const HARD_DEADLINE_MS = { smoke: 120_000, quick: 180_000, full: 900_000 }[profile.name];
setTimeout(() => {
  process.stderr.write(`bench: still running after ${HARD_DEADLINE_MS / 1000} s, giving up\n`);
  process.exit(1);
}, HARD_DEADLINE_MS).unref();

// The gateway as operators run it, minus the limits a benchmark from one address would trip.
const GATEWAY_SETTINGS = {
  LOG_LEVEL: 'info',
  RATE_LIMIT_IP_PER_MINUTE: '0',
  RATE_LIMIT_KEY_PER_MINUTE: '0',
  MAX_CONCURRENT_PER_KEY: '0',
  MAX_CONNECTIONS_PER_IP: '0',
  // The default (256) would queue the 1,000 slow streams; the passthrough's pool has no bound.
  UPSTREAM_MAX_SOCKETS: '2048',
};
const SLOW_STREAM_SLACK_MS = 60_000;
/** Passthrough first, then gateway: the same order in every scenario. */
const TARGETS: readonly Target[] = ['passthrough', 'gateway'];

const work = mkdtempSync(join(tmpdir(), 'gw-bench-'));
process.once('exit', () => rmSync(work, { recursive: true, force: true }));
const certificate = createTlsCertificate(work);
const fakeOptions: FakeOptions = {
  shapes: { fast: FAST_STREAM, paced: PACED_STREAM, slow: profile.slowStreams.shape },
  ...('skipped' in certificate ? {} : { tls: { ...certificate, acceptDelayMs: TLS_ACCEPT_DELAY_MS } }),
};

log(`pnpm bench, ${profile.name} profile: fake DashScope, passthrough and gateway (${gatewayEntry}) on loopback`);
const fake = await startServerProcess({
  name: 'fake DashScope',
  args: [...RUN_TYPESCRIPT, BENCH('fast-fake-dashscope.ts'), JSON.stringify(fakeOptions)],
  ready: 'ipc',
}).catch(async (error: unknown) => fail(error));
const fakeHttpUrl = fake.url;
const fakeHttpsUrl = typeof fake.ready.httpsPort === 'number' ? `https://127.0.0.1:${fake.ready.httpsPort}` : undefined;

// Phase 1, CPU and latency: streams first (their peak RSS is the "64 concurrent streams" figure, so
// no JSON load runs before them), then JSON calls.
let servers = await startServers({ upstream: fakeHttpUrl });
for (const target of TARGETS) await warmUp(servers[target], { kind: 'stream' });
const fastConcurrent = await forEachTarget((target) =>
  streamLoad(servers[target], { kind: 'fast', concurrency: MEMORY_STREAMS, durationMs: profile.fastStream.seconds * 1000 }),
);
const fastSingle = await forEachTarget((target) =>
  streamLoad(servers[target], { kind: 'fast', concurrency: 1, durationMs: profile.fastStream.seconds * 1000 }),
);
const paced = await forEachTarget((target) =>
  streamLoad(servers[target], { kind: 'paced', concurrency: 1, durationMs: profile.pacedStream.seconds * 1000 }),
);
for (const target of TARGETS) await warmUp(servers[target], { kind: 'json' });
const nonStream: Measurements['nonStream'] = [];
for (const concurrency of profile.nonStream.concurrencies) {
  nonStream.push({
    concurrency,
    results: await forEachTarget((target) => jsonLoad(servers[target], { concurrency, seconds: profile.nonStream.seconds })),
  });
}
await stopServers(servers);

// Phase 2, memory: fresh processes, so the slow streams' peak is theirs and not the JSON load's.
servers = await startServers({ upstream: fakeHttpUrl });
for (const target of TARGETS) {
  await streamLoad(servers[target], { kind: 'fast', concurrency: 4, requests: 40, quiet: true });
}
const { streams, rampMs, shape } = profile.slowStreams;
const slow = await forEachTarget((target) =>
  streamLoad(servers[target], {
    kind: 'slow',
    concurrency: streams,
    requests: streams,
    rampMs,
    timeoutMs: shape.events * shape.intervalMs + SLOW_STREAM_SLACK_MS,
  }),
);
await stopServers(servers);

// Phase 3: logging is part of the cost; the gateway at LOG_LEVEL=warn, for the two CPU targets.
const quiet = await startGateway({ name: 'gateway (LOG_LEVEL=warn)', upstream: fakeHttpUrl, logLevel: 'warn' });
await warmUp(quiet, { kind: 'stream' });
const quietStream = await streamLoad(quiet, { kind: 'fast', concurrency: MEMORY_STREAMS, durationMs: profile.fastStream.seconds * 1000 });
await warmUp(quiet, { kind: 'json' });
const gatewayAtWarn: Measurements['gatewayAtWarn'] = {
  nonStream: await jsonLoad(quiet, { concurrency: TARGET_CONCURRENCY, seconds: profile.nonStream.seconds }),
  fastStream: quietStream,
};
await quiet.stop();

// Phase 4, TLS.
const tls: Measurements['tls'] =
  'skipped' in certificate || fakeHttpsUrl === undefined
    ? { skipped: 'skipped' in certificate ? certificate.skipped : 'the fake has no TLS listener' }
    : await measureTls({ upstream: fakeHttpsUrl, certFile: certificate.certFile });
await fake.stop();

const report = buildReport({
  profile,
  machine: describeMachine(),
  settings: GATEWAY_SETTINGS,
  measurements: {
    nonStream,
    fastStream: { single: fastSingle, concurrent: fastConcurrent },
    pacedStream: paced,
    slowStreams: slow,
    gatewayAtWarn,
    tls,
  },
});
const name = profile.name === 'full' ? 'latest' : `latest-${profile.name}`;
// Written as `pnpm format` would leave them, so the committed result passes `pnpm format:check`.
const markdown = await formatFile({ path: join(outDirectory, `${name}.md`), text: formatMarkdown(report) });
mkdirSync(outDirectory, { recursive: true });
writeFileSync(join(outDirectory, `${name}.md`), markdown);
writeFileSync(
  join(outDirectory, `${name}.json`),
  await formatFile({ path: join(outDirectory, `${name}.json`), text: JSON.stringify(report) }),
);
process.stdout.write(`\n${markdown}\nwritten: ${join(outDirectory, `${name}.md`)} and ${name}.json\n`);
process.exit(0);

async function startServers({ upstream, env = {} }: { upstream: string; env?: Record<string, string> }): Promise<PerTarget<ServerProcess>> {
  const tls = upstream.startsWith('https:') ? ' (TLS upstream)' : '';
  return {
    passthrough: await startPassthrough({ name: `passthrough${tls}`, upstream, env }),
    gateway: await startGateway({ name: `gateway${tls}`, upstream, logLevel: 'info', env }),
  };
}

async function stopServers(running: PerTarget<ServerProcess>): Promise<void> {
  await Promise.all(TARGETS.map((target) => running[target].stop()));
}

async function forEachTarget<T>(run: (target: Target) => Promise<T>): Promise<PerTarget<T>> {
  const results: Partial<PerTarget<T>> = {};
  for (const target of TARGETS) results[target] = await run(target);
  return results as PerTarget<T>;
}

function startPassthrough({
  name,
  upstream,
  env = {},
}: {
  name: string;
  upstream: string;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  return startServerProcess({
    name,
    args: [BENCH('passthrough.js'), JSON.stringify({ upstream })],
    env,
    ready: 'ipc',
  }).catch(async (error: unknown) => fail(error));
}

function startGateway({
  name,
  upstream,
  logLevel,
  env = {},
}: {
  name: string;
  upstream: string;
  logLevel: 'info' | 'warn';
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  return startServerProcess({
    name,
    args: [gatewayEntry],
    env: {
      ...GATEWAY_SETTINGS,
      PORT: '0',
      HOST: '127.0.0.1',
      DASHSCOPE_BASE_URL: upstream,
      LOG_LEVEL: logLevel,
      // Set in the caller's shell, these would change what is measured; empty counts as unset.
      REDIS_URL: '',
      CORS_ORIGINS: '',
      TRUST_PROXY: '',
      SHUTDOWN_DRAIN_MS: '500',
      ...env,
    },
    ready: 'listening-socket',
    // Its log lines go to a file, as an operator keeps them.
    logFile: join(work, `${name.replace(/\W+/g, '-')}.log`),
  }).catch(async (error: unknown) => fail(error));
}

function chatRequest({ stream, kind }: { stream: boolean; kind: StreamKind }): { body: string; headers: Record<string, string> } {
  return {
    body: JSON.stringify({
      model: 'qwen-plus',
      messages: [
        { role: 'system', content: 'You are a benchmark.' },
        { role: 'user', content: `${streamMarker(kind)} What is 1+1?` },
      ],
      ...(stream ? { stream: true } : {}),
    }),
    headers: { authorization: 'Bearer sk-bench' },
  };
}

/** Load that is not measured: compiles the hot paths and fills the pools. */
async function warmUp(server: ServerProcess, { kind }: { kind: 'json' | 'stream' }): Promise<void> {
  if (profile.warmUpSeconds === 0) return;
  log(`warm-up (${kind === 'json' ? 'JSON calls' : 'streams'}): ${server.name}`);
  if (kind === 'json') await jsonLoad(server, { concurrency: 16, seconds: profile.warmUpSeconds, quiet: true });
  else await streamLoad(server, { kind: 'fast', concurrency: 16, durationMs: profile.warmUpSeconds * 1000, quiet: true });
}

async function jsonLoad(
  server: ServerProcess,
  { concurrency, seconds, quiet = false }: { concurrency: number; seconds: number; quiet?: boolean },
): Promise<JsonLoadResult> {
  const options: JsonLoadOptions = {
    url: `${server.url}/v1/chat/completions`,
    ...chatRequest({ stream: false, kind: 'fast' }),
    concurrency,
    durationSeconds: seconds,
    serverPid: server.pid,
  };
  const result = await runJob<JsonLoadResult>({
    name: `autocannon against ${server.name}`,
    args: [...RUN_TYPESCRIPT, BENCH('load-json.ts'), JSON.stringify(options)],
    timeoutMs: seconds * 1000 + 60_000,
  }).catch(async (error: unknown) => fail(error));
  if (!quiet) {
    log(
      `non-stream c=${concurrency}, ${server.name}: ${Math.round((result.completed * 1000) / result.wallMs)} req/s, ` +
        `p50 ${format(result.latencyMs?.p50)} ms, p99 ${format(result.latencyMs?.p99)} ms, ` +
        `CPU ${format(result.serverCpuMs === null ? undefined : result.serverCpuMs / result.completed, 3)} ms/request${failedText(result.failed)}`,
    );
  }
  return result;
}

async function streamLoad(
  server: ServerProcess,
  {
    kind,
    stream = true,
    concurrency,
    durationMs,
    requests,
    rampMs = 0,
    timeoutMs = 60_000,
    headers = {},
    quiet = false,
    label,
  }: {
    kind: StreamKind;
    stream?: boolean;
    concurrency: number;
    durationMs?: number;
    requests?: number;
    rampMs?: number;
    timeoutMs?: number;
    headers?: Record<string, string>;
    quiet?: boolean;
    label?: string;
  },
): Promise<StreamLoadResult> {
  const request = chatRequest({ stream, kind });
  const options: StreamLoadOptions = {
    url: `${server.url}/v1/chat/completions`,
    body: request.body,
    headers: { ...request.headers, ...headers },
    stream,
    concurrency,
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(requests === undefined ? {} : { requests }),
    rampMs,
    serverPid: server.pid,
    rssSampleMs: 50,
    timeoutMs,
  };
  const expectedMs = (durationMs ?? 0) + rampMs + timeoutMs;
  const result = await runJob<StreamLoadResult>({
    name: `stream client against ${server.name}`,
    args: [...RUN_TYPESCRIPT, BENCH('load-streams.ts'), JSON.stringify(options)],
    timeoutMs: expectedMs + 60_000,
  }).catch(async (error: unknown) => fail(error));
  if (!quiet) {
    log(
      `${label ?? `${stream ? `${kind} stream` : 'JSON'} c=${concurrency}`}, ${server.name}: ${result.completed} done, ` +
        `first byte p50 ${format(result.firstByteMs?.p50)} ms p99 ${format(result.firstByteMs?.p99)} ms, ` +
        `whole p50 ${format(result.wholeMs?.p50)} ms, CPU ${format(result.serverCpuMs === null ? undefined : result.serverCpuMs / result.completed, 3)} ms/call, ` +
        `peak RSS ${format((result.serverRssPeakBytes ?? Number.NaN) / 1e6, 1)} MB${failedText(result.failed)}`,
    );
  }
  return result;
}

/**
 * The TLS scenario: a passthrough and a gateway that reach the fake over HTTPS (trusting its
 * certificate through NODE_EXTRA_CA_CERTS), each measured with and without keep-alive. The fake counts
 * the connections it accepts; "without keep-alive" is the fake answering `Connection: close`, as no
 * gateway setting turns its pool's keep-alive off.
 */
async function measureTls({ upstream, certFile }: { upstream: string; certFile: string }): Promise<Measurements['tls']> {
  const tlsServers = await startServers({ upstream, env: { NODE_EXTRA_CA_CERTS: certFile } });
  const { sequentialRequests, burstRequests } = profile.tls;
  const counted = async (
    target: Target,
    options: { concurrency: number; requests: number; headers?: Record<string, string>; label: string },
  ): Promise<TlsRun> => {
    const before = await fake.call<FakeStats>({ type: 'stats' });
    const result = await streamLoad(tlsServers[target], { kind: 'fast', stream: false, ...options });
    const after = await fake.call<FakeStats>({ type: 'stats' });
    return { ...result, upstreamConnections: after.connections.https - before.connections.https };
  };
  // A few calls first, so the keep-alive figures start from a warm pool, as a running gateway's does.
  for (const target of TARGETS)
    await streamLoad(tlsServers[target], { kind: 'fast', stream: false, concurrency: 1, requests: 10, quiet: true });
  // Sequential calls first, while each pool holds about one socket: with many idle sockets kept, the
  // calls without keep-alive would use them up one by one before opening any.
  const keepAlive = await forEachTarget((target) =>
    counted(target, { concurrency: 1, requests: sequentialRequests, label: 'TLS keep-alive c=1' }),
  );
  const upgradeHeader = await forEachTarget((target) =>
    counted(target, {
      concurrency: 1,
      requests: sequentialRequests,
      headers: { connection: 'Upgrade' },
      label: 'TLS, client sends Connection: Upgrade',
    }),
  );
  await fake.call({ type: 'close-connections', value: true });
  const noKeepAlive = await forEachTarget((target) =>
    counted(target, { concurrency: 1, requests: sequentialRequests, label: 'TLS no keep-alive c=1' }),
  );
  await fake.call({ type: 'close-connections', value: false });
  const burst = await forEachTarget((target) =>
    counted(target, { concurrency: TLS_BURST_CONCURRENCY, requests: burstRequests, label: `TLS keep-alive c=${TLS_BURST_CONCURRENCY}` }),
  );
  await stopServers(tlsServers);
  return { keepAlive, burst, upgradeHeader, noKeepAlive };
}

async function formatFile({ path, text }: { path: string; text: string }): Promise<string> {
  return prettier.format(text, { ...(await prettier.resolveConfig(path)), filepath: path });
}

function describeMachine(): Machine {
  const cpuinfo = readText('/proc/cpuinfo');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  const processors = cpuinfo.match(/^processor\s*:/gm)?.length ?? availableParallelism();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['describe', '--always', '--dirty'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // Not a git checkout.
  }
  return { date: new Date().toISOString(), node: process.version, cpuModel, cores: processors, commit };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function format(value: number | undefined, digits = 2): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function failedText(failed: Record<string, number>): string {
  const entries = Object.entries(failed);
  return entries.length === 0 ? '' : `; FAILED: ${entries.map(([reason, count]) => `${reason} × ${count}`).join(', ')}`;
}

function log(line: string): void {
  process.stdout.write(`[${((Date.now() - BENCH_STARTED) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
}

async function fail(error: unknown): Promise<never> {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
