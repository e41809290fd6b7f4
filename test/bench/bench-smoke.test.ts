import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from '@jest/globals';

/**
 * `pnpm bench --smoke`: the benchmark's every scenario with tiny durations, against the built gateway
 * (`pnpm test` builds it first), so the benchmark cannot rot. It checks that the table and the JSON
 * come out with every row; it asserts nothing about the figures, which mean nothing at this size.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

// Every row the full benchmark prints: one missing is a scenario that stopped running.
const ROWS = [
  ...[1, 16, 64].flatMap((c) => [
    `non-stream.c${c}.rps`,
    `non-stream.c${c}.latency-p50`,
    `non-stream.c${c}.latency-p99`,
    `non-stream.c${c}.cpu`,
  ]),
  'non-stream.c64.rps.warn',
  'non-stream.c64.cpu.warn',
  ...['stream-fast.c1', 'stream-fast.c64'].flatMap(streamRows),
  'stream-fast.c64.cpu.warn',
  ...streamRows('stream-paced.c1'),
  'memory.streams64.peak-rss',
  'memory.slow-streams.peak-rss',
  'memory.slow-streams.first-byte-p50',
  'memory.slow-streams.first-byte-p99',
  'memory.slow-streams.completed',
  ...['keep-alive.c1', 'keep-alive.c64', 'upgrade-header.c1', 'no-keep-alive.c1'].flatMap((id) => [
    `tls.${id}.connections`,
    `tls.${id}.first-byte-p50`,
    `tls.${id}.first-byte-p99`,
  ]),
];
// The targets, each with its met/not met.
const TARGET_ROWS = [
  'non-stream.c64.cpu',
  'stream-fast.c64.cpu',
  'stream-fast.c1.first-byte-p50',
  'stream-paced.c1.first-byte-p50',
  'stream-paced.c1.first-byte-p99',
  'memory.streams64.peak-rss',
  'memory.slow-streams.peak-rss',
];

function streamRows(id: string): string[] {
  return ['first-byte-p50', 'first-byte-p99', 'whole-p50', 'whole-p99', 'events-per-second', 'cpu'].map((row) => `${id}.${row}`);
}

interface ReportRow {
  id: string;
  measure: string;
  unit: string;
  gateway: number | null;
  passthrough: number | null;
  target: string | null;
  met: boolean | null;
}

function runSmoke(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Jest's NODE_OPTIONS (--experimental-vm-modules) is no business of the benchmark's processes.
  const { NODE_OPTIONS: _jestOptions, ...env } = process.env;
  const child = spawn(
    process.execPath,
    ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', 'bench/main.ts', '--smoke', '--out', out],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

it('runs every scenario against the passthrough and the gateway and writes the table and the JSON with every row', async () => {
  const { code, stdout, stderr } = await runSmoke();
  if (code !== 0) throw new Error(`bench --smoke exited with ${code}:\n${stderr}\n${stdout.slice(-3000)}`);

  const report = JSON.parse(readFileSync(join(out, 'latest-smoke.json'), 'utf8')) as {
    profile: string;
    machine: { date: string; node: string; cpuModel: string; cores: number };
    rows: ReportRow[];
    measurements: { tls: { skipped?: string } };
  };
  const markdown = readFileSync(join(out, 'latest-smoke.md'), 'utf8');
  // Prettier pads the table's cells; compare with single spaces.
  const tableLines = markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.replace(/ +/g, ' '));
  expect(report.profile).toBe('smoke');
  expect(report.machine.node).toBe(process.version);
  expect(report.machine.cores).toBeGreaterThan(0);
  expect(report.machine.cpuModel).not.toBe('');
  expect(report.rows.map((row) => row.id)).toEqual(ROWS);

  // Without openssl the TLS rows stay empty and the table says why; every other figure is there.
  const tlsSkipped = report.measurements.tls.skipped !== undefined;
  for (const row of report.rows) {
    if (!(tlsSkipped && row.id.startsWith('tls.'))) {
      expect([row.id, typeof row.gateway, typeof row.passthrough]).toEqual([row.id, 'number', 'number']);
    }
    expect(tableLines.filter((line) => line.startsWith(`| ${row.measure} (${row.unit}) |`))).toHaveLength(1);
  }
  for (const id of TARGET_ROWS) {
    const row = report.rows.find((candidate) => candidate.id === id);
    expect([id, row?.target === null, typeof row?.met]).toEqual([id, false, 'boolean']);
  }
  expect(tableLines[0]).toBe('| measure | gateway | passthrough | gateway / passthrough | target | met |');
  expect(markdown).toContain(report.machine.node);
  // Printed too.
  expect(stdout).toContain(markdown.trim().split('\n')[0]);
}, 120_000);
