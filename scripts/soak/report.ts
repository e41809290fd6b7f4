import type { GatewayExit, GatewayLogs } from './gateway-process.ts';
import type { HealthSummary } from './health-probe.ts';
import type { TcpSocket } from './proc-stats.ts';
import { isLoadShedding, matchesExpected, type Scenario } from './scenarios.ts';
import type { SoakStats } from './soak-stats.ts';

export interface SoakResult {
  seed: number;
  durationMs: number;
  concurrency: number;
  loadSeconds: number;
  stats: SoakStats;
  health: HealthSummary;
  /** The gateway's sockets to clients, after every client closed (must be none). */
  clientSockets: TcpSocket[];
  /** The gateway's sockets to the fake (idle keep-alive ones are fine). */
  upstreamSockets: TcpSocket[];
  /** Responses the fake still had open: upstream calls the gateway never closed (must be 0). */
  upstreamStillOpen: number;
  descriptors: { start: number | undefined; end: number | undefined };
  /** `extraSettleMs`: quiet time added after the usual settle because the end was over the limit. */
  rss: { start: number | undefined; peak: number; end: number | undefined; tolerance: number; extraSettleMs: number };
  cpu: { start: number | undefined; afterLoad: number | undefined; end: number | undefined };
  /** The soak process itself (clients and fake) during the measured load: if it was saturated, the numbers above say less. */
  soak: { cpuSeconds: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number };
  alive: boolean;
  exit: GatewayExit & { afterMs: number };
  logs: GatewayLogs;
  scenarios: readonly Scenario[];
}

// Outcomes that mean a wait had no bound: the client's own deadline ended it, not the gateway.
const UNBOUNDED = new Set(['client gave up', 'held while stalled']);

/** The printed report and the reasons the soak failed (none: it passed). */
export function formatReport(result: SoakResult): { text: string; failures: string[] } {
  const { stats, scenarios } = result;
  const lines: string[] = [];
  const failures: string[] = [];
  const warnings: string[] = [];

  const totals = new Map<string, number>();
  for (const outcomes of stats.byScenario.values()) {
    for (const [outcome, count] of outcomes) totals.set(outcome, (totals.get(outcome) ?? 0) + count);
  }
  lines.push(
    `requests: ${stats.requests} in ${result.loadSeconds.toFixed(0)} s (${(stats.requests / result.loadSeconds).toFixed(0)}/s), ` +
      `${result.concurrency} concurrent clients, seed ${result.seed} (the warm-up is not counted)`,
  );
  lines.push('outcomes, all scenarios:');
  for (const [outcome, count] of sortByCount(totals)) lines.push(`  ${pad(outcome, 40)} ${count}`);

  lines.push('by scenario (! = not what the limits promise):');
  for (const scenario of scenarios) {
    const outcomes = stats.byScenario.get(scenario.name);
    if (outcomes === undefined) continue;
    const count = [...outcomes.values()].reduce((sum, value) => sum + value, 0);
    const parts: string[] = [];
    for (const [outcome, times] of sortByCount(outcomes)) {
      const fine = matchesExpected(outcome, scenario.expected) || (scenario.healthy && isLoadShedding(outcome));
      parts.push(`${fine ? '' : '!'}${outcome} ${times}`);
      if (fine) continue;
      const problem = `${scenario.name}: ${times} × "${outcome}" (expected ${scenario.expected.join(' or ')})`;
      if (scenario.healthy || UNBOUNDED.has(outcome)) failures.push(problem);
      else warnings.push(problem);
    }
    const slowest = ((stats.slowest.get(scenario.name) ?? 0) / 1000).toFixed(1);
    lines.push(`  ${pad(scenario.name, 24)} ${pad(String(count), 6)} slowest ${pad(`${slowest} s`, 7)} ${parts.join(', ')}`);
  }

  const { health } = result;
  lines.push(
    `/health during the load (from a worker thread): ${health.probes} probes, ${health.failed} failed, ` +
      `p50 ${health.p50.toFixed(0)} ms, p99 ${health.p99.toFixed(0)} ms, max ${health.max.toFixed(0)} ms`,
  );

  const leftOpen = result.clientSockets.length + result.upstreamStillOpen;
  const states = countBy(result.clientSockets.map((socket) => socket.state));
  lines.push(
    `sockets left open: ${leftOpen} (client connections ${result.clientSockets.length}${states === '' ? '' : ` [${states}]`}, ` +
      `upstream calls still open ${result.upstreamStillOpen}; idle keep-alive sockets to DashScope, not counted: ` +
      `${result.upstreamSockets.length})`,
  );
  if (leftOpen > 0) failures.push(`${leftOpen} sockets left open after every client finished`);
  lines.push(`file descriptors: ${result.descriptors.start ?? '?'} at the start, ${result.descriptors.end ?? '?'} at the end`);

  const { rss } = result;
  const growth = rss.start !== undefined && rss.end !== undefined ? rss.end / rss.start - 1 : undefined;
  lines.push(
    `RSS: start ${mib(rss.start)}, peak ${mib(rss.peak)}, end ${mib(rss.end)}` +
      `${growth === undefined ? '' : ` (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%, limit +${rss.tolerance * 100}%)`}` +
      ' (start and end: after 8 s idle, 20 light calls, 2 s idle' +
      (rss.extraSettleMs > 0 ? `; the end after ${(rss.extraSettleMs / 1000).toFixed(0)} s more of that, as it was over the limit)` : ')'),
  );
  if (growth !== undefined && growth > rss.tolerance) {
    failures.push(`RSS at the end is ${(growth * 100).toFixed(1)}% above the start (limit ${rss.tolerance * 100}%)`);
  }

  const { cpu } = result;
  if (cpu.end !== undefined) {
    const during = cpu.afterLoad !== undefined && cpu.start !== undefined ? cpu.afterLoad - cpu.start : undefined;
    lines.push(
      `gateway CPU: ${cpu.end.toFixed(1)} s user+system in all` +
        (during === undefined
          ? ''
          : `, ${during.toFixed(1)} s during the measured load (${((during / result.loadSeconds) * 100).toFixed(0)}% of one core)`),
    );
  }
  const { soak } = result;
  lines.push(
    `the soak's own clients and fake during the load: ${soak.cpuSeconds.toFixed(1)} s CPU, event-loop delay ` +
      `p99 ${soak.eventLoopDelayP99Ms.toFixed(0)} ms, max ${soak.eventLoopDelayMaxMs.toFixed(0)} ms`,
  );

  lines.push(`gateway log lines (warn and above): ${result.logs.lines}; with a key, prompt or answer in them: ${result.logs.leaks.length}`);
  if (result.logs.leaks.length > 0) {
    failures.push(`${result.logs.leaks.length} log lines carry a key, prompt or answer, e.g. ${result.logs.leaks[0]}`);
  }
  if (result.logs.tail.length > 0) lines.push('last log lines:', ...result.logs.tail.map((line) => `  ${line}`));

  if (result.alive) {
    lines.push(`gateway: alive to the end; SIGTERM → exit ${exitText(result.exit)} after ${result.exit.afterMs} ms`);
  } else {
    lines.push(`gateway: DIED during the soak (${exitText(result.exit)})`);
    failures.unshift(`the gateway died (${exitText(result.exit)})`);
  }

  if (warnings.length > 0) lines.push('differs from what the limits promise (not failing):', ...warnings.map((line) => `  ${line}`));
  lines.push(failures.length === 0 ? 'SOAK PASSED' : 'SOAK FAILED:', ...failures.map((line) => `  ${line}`));
  return { text: lines.join('\n'), failures };
}

function exitText(exit: GatewayExit): string {
  return exit.signal === null ? `code ${exit.code}` : `signal ${exit.signal}`;
}

function sortByCount(counts: ReadonlyMap<string, number>): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${value} ${count}`).join(', ');
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '?' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}
