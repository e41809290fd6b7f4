#!/usr/bin/env node
// Runs the fake on its own, for the offline demo: `pnpm fake-dashscope`.
import { startFakeDashScope } from './start-fake-dashscope.js';

function readInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

const fake = await startFakeDashScope({
  host: process.env.FAKE_DASHSCOPE_HOST || '127.0.0.1',
  port: readInteger('FAKE_DASHSCOPE_PORT', 8001),
  eventDelayMs: readInteger('FAKE_DASHSCOPE_EVENT_DELAY_MS', 0),
});
console.log(`Fake DashScope listening on ${fake.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void fake.close().then(() => process.exit(0));
  });
}
