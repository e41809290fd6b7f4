// `pnpm soak [--duration <seconds>] [--concurrency <clients>] [--seed <n>] [--gateway <main.js>] [--scenarios a,b]`
//
// Runs the built gateway as a child process against a fake DashScope in this process, under a few
// hundred concurrent clients mixing normal calls, client aborts, slow and stalled readers, hostile
// connections and a misbehaving upstream (see scenarios.ts). Then it checks that the gateway is
// still alive, holds no socket open, and gave back its memory. Exits 1 when it does not, or when a
// healthy call failed, or when a key or prompt reached a log line. Never part of `pnpm test`.
import { Agent } from 'node:http';
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startFakeDashScope } from '../../packages/fake-dashscope/dist/index.js';
import { callGateway, type GatewayTarget } from './clients.ts';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.ts';
import { startHealthProbe } from './health-probe.ts';
import { countFileDescriptors, listTcpSockets, readCpuSeconds, readRssBytes } from './proc-stats.ts';
import { formatReport, type SoakResult } from './report.ts';
import { behaveByMarker, SCENARIOS, SOAK_LIMITS, scenarioMarker, type Scenario } from './scenarios.ts';
import { createSoakStats, type SoakStats } from './soak-stats.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const { values: args } = parseArgs({
  // `pnpm soak -- --duration 20` passes the separator through.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    duration: { type: 'string', default: '75' },
    concurrency: { type: 'string', default: '300' },
    seed: { type: 'string' },
    gateway: { type: 'string' },
    scenarios: { type: 'string' },
  },
});
const durationMs = positiveNumber('--duration', args.duration) * 1000;
const concurrency = Math.round(positiveNumber('--concurrency', args.concurrency));
const seed = args.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Math.round(positiveNumber('--seed', args.seed));
const entry = args.gateway === undefined ? resolve(REPO_ROOT, 'apps/server/dist/main.js') : resolve(args.gateway);
const scenarios = selectScenarios(args.scenarios);
const warmUpMs = Math.min(15_000, durationMs * 0.2);
const mainMs = durationMs - warmUpMs;

// Per-call deadlines on the client side: long after every limit above should have fired.
const CALL_DEADLINE_MS = 30_000;
const HOSTILE_DEADLINE_MS = 15_000;
// Whatever happens, the soak ends: startup, both load phases, their drains, the settles and the stop.
const HARD_DEADLINE_MS = durationMs + 180_000;
// A runaway gateway dies at this heap size instead of taking the machine's memory.
const GATEWAY_HEAP_MB = 1024;
const RSS_TOLERANCE = 0.1;
const EXTRA_SETTLE_ROUNDS = 3;

const random = createRandom(seed);
const hardDeadline = setTimeout(() => {
  process.stdout.write(`\nSOAK FAILED: still running after the hard deadline of ${HARD_DEADLINE_MS / 1000} s\n`);
  process.exit(1);
}, HARD_DEADLINE_MS);
hardDeadline.unref();

const fake = await startFakeDashScope({ behave: behaveByMarker });
const gateway = await startGatewayProcess({
  entry,
  nodeOptions: [`--max-old-space-size=${GATEWAY_HEAP_MB}`],
  env: {
    PORT: '0',
    HOST: '127.0.0.1',
    DASHSCOPE_BASE_URL: fake.url,
    LOG_LEVEL: 'warn',
    ...SOAK_LIMITS,
  },
  secretMarkers: ['sk-soak-', 'soak-prompt', '#soak:', '滴'],
}).catch((error: unknown) => {
  process.stdout.write(`SOAK FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
const address = { host: '127.0.0.1', port: gateway.port };
log(`soak: ${durationMs / 1000} s of load (${warmUpMs / 1000} s warm-up), ${concurrency} clients, seed ${seed}`);
log(`gateway: ${entry} (pid ${gateway.pid}) at ${gateway.url}; fake DashScope at ${fake.url}`);

const memory = startMemorySampler(gateway, 200);
const stats = createSoakStats();
const health = startHealthProbe({ host: '127.0.0.1', port: gateway.port, intervalMs: 1000 });

log('warm-up…');
await runLoad({ durationMs: warmUpMs, stats: createSoakStats() });
log('settling…');
await settle();
const start = { rss: readRssBytes(gateway.pid), cpu: readCpuSeconds(gateway.pid), descriptors: countFileDescriptors(gateway.pid) };
memory.resetPeak();
health.reset();

log(`load for ${mainMs / 1000} s…`);
const loadStarted = Date.now();
const soakCpuBefore = process.cpuUsage();
const soakDelay = monitorEventLoopDelay({ resolution: 20 });
soakDelay.enable();
await runLoad({ durationMs: mainMs, stats });
const loadSeconds = (Date.now() - loadStarted) / 1000;
const soakCpu = process.cpuUsage(soakCpuBefore);
soakDelay.disable();
const afterLoad = { rss: memory.peak, cpu: readCpuSeconds(gateway.pid) };
await health.stop();

log('all clients done; settling…');
await settle();
// V8 gives memory back lazily: when the end reading is over the limit, a few more quiet rounds
// (reported) tell a slow release from a leak.
let extraSettleMs = 0;
for (let round = 0; round < EXTRA_SETTLE_ROUNDS && isOverLimit(readRssBytes(gateway.pid), start.rss); round += 1) {
  const started = Date.now();
  await settle({ idleMs: 5_000 });
  extraSettleMs += Date.now() - started;
}
const end = { rss: readRssBytes(gateway.pid), cpu: readCpuSeconds(gateway.pid), descriptors: countFileDescriptors(gateway.pid) };
const sockets = listTcpSockets(gateway.pid) ?? [];
const upstreamStillOpen = fake.openResponses;
memory.stop();
const alive = gateway.exit === undefined;
const stopStarted = Date.now();
const exit = await gateway.stop();
await fake.close();
clearTimeout(hardDeadline);

const result: SoakResult = {
  seed,
  durationMs,
  concurrency,
  loadSeconds,
  stats,
  health: health.summary(),
  clientSockets: sockets.filter((socket) => socket.state !== 'LISTEN' && socket.localPort === gateway.port),
  upstreamSockets: sockets.filter((socket) => socket.remotePort === Number(new URL(fake.url).port)),
  upstreamStillOpen,
  descriptors: { start: start.descriptors, end: end.descriptors },
  rss: { start: start.rss, peak: afterLoad.rss, end: end.rss, tolerance: RSS_TOLERANCE, extraSettleMs },
  cpu: { start: start.cpu, afterLoad: afterLoad.cpu, end: end.cpu },
  soak: {
    cpuSeconds: (soakCpu.user + soakCpu.system) / 1e6,
    eventLoopDelayP99Ms: soakDelay.percentile(99) / 1e6,
    eventLoopDelayMaxMs: soakDelay.max / 1e6,
  },
  alive,
  exit: { ...exit, afterMs: Date.now() - stopStarted },
  logs: gateway.logs,
  scenarios,
};
const { text, failures } = formatReport(result);
process.stdout.write(`\n${text}\n`);
process.exit(failures.length === 0 ? 0 : 1);

/**
 * `concurrency` client slots, each calling one scenario after another until the time is up. Their
 * keep-alive connections (one pool, as a proxy in front would keep) are closed at the end.
 */
async function runLoad({ durationMs: phaseMs, stats: phaseStats }: { durationMs: number; stats: SoakStats }): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const target: GatewayTarget = { ...address, agent };
  const endAt = Date.now() + phaseMs;
  let counter = 0;
  const runSlot = async (slot: number): Promise<void> => {
    await delay(random() * Math.min(1000, phaseMs / 4));
    while (Date.now() < endAt && gateway.exit === undefined) {
      const scenario = pickScenario();
      counter += 1;
      const started = Date.now();
      const outcome = await callGateway({
        target,
        request: scenario.request,
        client: scenario.client,
        prompt: `${scenarioMarker(scenario.name)} soak-prompt ${counter}`,
        key: `sk-soak-${slot}`,
        random,
        deadlineMs:
          scenario.client.kind === 'idle-connection' || scenario.client.kind === 'trickle-body' ? HOSTILE_DEADLINE_MS : CALL_DEADLINE_MS,
      });
      phaseStats.record({ scenario: scenario.name, outcome, durationMs: Date.now() - started });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, slot) => runSlot(slot)));
  agent.destroy();
}

/**
 * Idle long enough for V8's memory reducer to run, then a few light calls, then a short idle: the
 * same path before the start reading and before the end reading.
 */
async function settle({ idleMs = 8_000 }: { idleMs?: number } = {}): Promise<void> {
  await delay(idleMs);
  // Its own keep-alive connections, closed before the readings.
  const agent = new Agent({ keepAlive: true });
  const light = SCENARIOS.filter((scenario) => scenario.name === 'stream' || scenario.name === 'json');
  for (let round = 0; round < 4; round += 1) {
    await Promise.all(
      Array.from({ length: 5 }, (_, index) => {
        const scenario = light[index % light.length]!;
        return callGateway({
          target: { ...address, agent },
          request: scenario.request,
          client: scenario.client,
          prompt: `${scenarioMarker(scenario.name)} soak-prompt settle`,
          key: 'sk-soak-settle',
          random,
          deadlineMs: CALL_DEADLINE_MS,
        });
      }),
    );
  }
  agent.destroy();
  await delay(2_000);
}

function isOverLimit(rss: number | undefined, startRss: number | undefined): boolean {
  return rss !== undefined && startRss !== undefined && rss > startRss * (1 + RSS_TOLERANCE);
}

function pickScenario(): Scenario {
  const total = scenarios.reduce((sum, scenario) => sum + scenario.weight, 0);
  let ticket = random() * total;
  for (const scenario of scenarios) {
    ticket -= scenario.weight;
    if (ticket < 0) return scenario;
  }
  return scenarios[0]!;
}

/** `--scenarios a,b`: only those (to chase one behaviour); default: all of them. */
function selectScenarios(names: string | undefined): readonly Scenario[] {
  if (names === undefined) return SCENARIOS;
  const wanted = names.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenarios: ${unknown.join(', ')}; known: ${SCENARIOS.map((scenario) => scenario.name).join(', ')}\n`);
    process.exit(2);
  }
  return SCENARIOS.filter((scenario) => wanted.includes(scenario.name));
}

function startMemorySampler(child: GatewayProcess, intervalMs: number) {
  let peak = 0;
  const timer = setInterval(() => {
    const rss = readRssBytes(child.pid);
    if (rss !== undefined && rss > peak) peak = rss;
  }, intervalMs);
  return {
    get peak() {
      return peak;
    },
    resetPeak() {
      peak = readRssBytes(child.pid) ?? 0;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** mulberry32: a small seeded generator, so a run's mix can be replayed with --seed. */
function createRandom(initial: number): () => number {
  let state = initial >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function positiveNumber(name: string, value: string | undefined): number {
  const number = Number(value);
  if (!(number > 0)) {
    process.stderr.write(`${name} must be a positive number, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return number;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
