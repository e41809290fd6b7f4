import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseOpenAISse } from '@gw/testkit';
import { startStack, type Stack } from '../../apps/server/test/start-stack.js';
import { findFreePort } from './find-free-port.js';

/**
 * The compose recipe's nginx site, run by a real nginx in front of a real gateway: streams must pass
 * event by event. .ci/run installs nginx and sets REQUIRE_NGINX=1; elsewhere the suite says it is skipped.
 */
const nginxBinary = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((path) => existsSync(path));
const required = process.env.REQUIRE_NGINX === '1';
if (nginxBinary === undefined && !required) {
  process.stderr.write(
    'nginx-sse.e2e.test.ts: nginx is not installed, skipping the nginx tests (set REQUIRE_NGINX=1 to make this a failure)\n',
  );
}
const describeWithNginx = nginxBinary !== undefined || required ? describe : describe.skip;

const eventDelayMs = 150;
const reply = '一二三四五六七八九十甲乙丙丁戊己庚辛壬癸'; // ~10 DashScope events

describeWithNginx('nginx in front of the gateway (deploy/nginx/dashscope-gateway.conf)', () => {
  let stack: Stack;
  let nginx: ChildProcess;
  let directory: string;
  let nginxUrl: string;

  beforeAll(async () => {
    if (nginxBinary === undefined) throw new Error('REQUIRE_NGINX=1 but no nginx binary was found');
    stack = await startStack({ fake: { eventDelayMs, reply: () => reply }, config: { trustProxy: 1 } });
    const port = await findFreePort();
    nginxUrl = `http://127.0.0.1:${port}`;
    directory = mkdtempSync(join(tmpdir(), 'gateway-nginx-'));
    const site = readFileSync(new URL('../../deploy/nginx/dashscope-gateway.conf', import.meta.url), 'utf8')
      .replace('server gateway:8000;', `server ${new URL(stack.url).host};`)
      .replace('listen 80;', `listen 127.0.0.1:${port};`);
    writeFileSync(join(directory, 'site.conf'), site);
    const temp = (name: string) => `${name}_temp_path ${join(directory, name)};`;
    writeFileSync(
      join(directory, 'nginx.conf'),
      [
        process.getuid?.() === 0 ? 'user root;' : '',
        'daemon off;',
        'master_process off;',
        `pid ${join(directory, 'nginx.pid')};`,
        `error_log ${join(directory, 'error.log')} warn;`,
        'events { worker_connections 128; }',
        'http {',
        '  access_log off;',
        `  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}`,
        `  include ${join(directory, 'site.conf')};`,
        '}',
      ].join('\n'),
    );
    const check = spawnSync(nginxBinary, ['-t', '-c', join(directory, 'nginx.conf'), '-e', join(directory, 'error.log')], {
      encoding: 'utf8',
    });
    if (check.status !== 0) throw new Error(`nginx rejected the site config:\n${check.stderr}`);
    nginx = spawn(nginxBinary, ['-c', join(directory, 'nginx.conf'), '-e', join(directory, 'error.log')], { stdio: 'ignore' });
    await waitForPort(port);
  });

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await stack?.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('passes a stream through event by event, unbuffered', async () => {
    const started = Date.now();
    const response = await fetch(`${nginxUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-nginx', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'farui-plus', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const arrivals: number[] = [];
    let body = '';
    const decoder = new TextDecoder();
    for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) {
      arrivals.push(Date.now() - started);
      body += decoder.decode(piece, { stream: true });
    }
    const { events, done } = parseOpenAISse(body);
    expect(done).toBe(true);
    expect(
      (events as Array<{ choices: Array<{ delta: { content?: string } }> }>).map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''),
    ).toContain(reply);
    // Buffered, everything would arrive at once at the end; unbuffered, pieces arrive as DashScope sends them.
    const total = arrivals.at(-1) ?? 0;
    expect(arrivals.length).toBeGreaterThanOrEqual(5);
    expect(arrivals[0]).toBeLessThan(total - 4 * eventDelayMs);
  });

  it('passes plain JSON answers, errors and the service routes', async () => {
    const health = (await (await fetch(`${nginxUrl}/health`)).json()) as { status: string };
    expect(health.status).toBe('healthy');
    const unauthorized = await fetch(`${nginxUrl}/v1/models`);
    expect(unauthorized.status).toBe(401);
    const completion = await fetch(`${nginxUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-nginx', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'farui-plus', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(((await completion.json()) as { object: string }).object).toBe('chat.completion');
  });

  it('logs the client address nginx forwards', async () => {
    stack.logs.length = 0;
    await fetch(`${nginxUrl}/health`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    // nginx appends the peer (127.0.0.1) to X-Forwarded-For; with TRUST_PROXY=1 the gateway trusts one hop.
    expect(stack.logs.join('')).toContain('IP: 127.0.0.1');
    stack.logs.length = 0;
    await fetch(`${stack.url}/health`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(stack.logs.join('')).toContain('IP: 203.0.113.9');
  });
});

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on port ${port}`);
}
