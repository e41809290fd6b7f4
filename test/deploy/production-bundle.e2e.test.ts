import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from '@jest/globals';

/**
 * What the Dockerfile ships, built the Dockerfile's way without Docker: `pnpm --filter @gw/server deploy
 * --prod`, then `node dist/main.js` in that folder. It must start with production dependencies only.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
let directory: string;
let server: ChildProcess | undefined;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'gateway-deploy-'));
  const result = spawnSync('pnpm', ['--filter', '@gw/server', 'deploy', '--prod', join(directory, 'app')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  if (result.status !== 0)
    throw new Error(`pnpm deploy failed (${result.status}):\n${result.stdout}\n${result.stderr}\n${String(result.error ?? '')}`);
}, 120_000);

afterAll(() => {
  server?.kill('SIGKILL');
  rmSync(directory, { recursive: true, force: true });
});

it('contains the built server and no development tools', () => {
  const app = join(directory, 'app');
  expect(existsSync(join(app, 'dist/main.js'))).toBe(true);
  expect(existsSync(join(app, 'src'))).toBe(false);
  for (const devOnly of ['typescript', 'jest', 'supertest', 'openai']) expect(existsSync(join(app, 'node_modules', devOnly))).toBe(false);
});

it('leaves out the fake DashScope, which only `pnpm demo` in the repository uses', () => {
  const app = join(directory, 'app');
  expect(existsSync(join(app, 'node_modules/@gw/fake-dashscope'))).toBe(false);
  expect(readdirSync(join(app, 'node_modules/.pnpm')).filter((entry) => entry.startsWith('@gw+fake-dashscope'))).toEqual([]);
});

it('starts and answers /health', async () => {
  server = spawn(process.execPath, [join(directory, 'app/dist/main.js')], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  server.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const deadline = Date.now() + 10_000;
  let port: string | undefined;
  while (port === undefined && Date.now() < deadline) {
    port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
    if (server.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (port === undefined) throw new Error(`the deployed server did not start:\n${output}`);
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  expect(((await response.json()) as { status: string }).status).toBe('healthy');
});
