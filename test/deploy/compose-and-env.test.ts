import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../apps/server/src/config.js';

/** No Docker engine here: the compose file, the env example and the Dockerfile are checked by reading them. */
const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

function parseEnvFile(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const index = line.indexOf('=');
      return [line.slice(0, index), line.slice(index + 1)] as const;
    });
  return Object.fromEntries(entries);
}

/** Resolves compose's `${NAME:-default}` the way `docker compose` does with NAME unset. */
const withComposeDefaults = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

interface ComposeFile {
  services: Record<
    string,
    {
      build?: string;
      image?: string;
      environment?: Record<string, string>;
      ports?: string[];
      volumes?: string[];
      depends_on?: string[];
      expose?: string[];
      stop_grace_period?: string;
    }
  >;
}

describe('.env.example', () => {
  const example = parseEnvFile(read('.env.example'));

  it('lists exactly the variables the gateway reads', () => {
    expect(Object.keys(example).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('shows the defaults', () => {
    expect(loadConfig(example)).toEqual(loadConfig({}));
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as ComposeFile;
  const gateway = compose.services.gateway;
  const nginx = compose.services.nginx;

  it('builds the gateway from the Dockerfile and puts nginx in front', () => {
    expect(gateway?.build).toBe('.');
    expect(existsSync(new URL('Dockerfile', root))).toBe(true);
    expect(nginx?.image).toMatch(/^nginx:/);
    expect(nginx?.depends_on).toContain('gateway');
    expect(nginx?.ports).toEqual(['${NGINX_PORT:-8080}:80']);
    expect(gateway?.ports).toBeUndefined();
  });

  it('configures the gateway with valid values for every variable', () => {
    const environment = Object.fromEntries(
      Object.entries(gateway?.environment ?? {}).map(([name, value]) => [name, withComposeDefaults(String(value))]),
    );
    expect(Object.keys(environment).sort()).toEqual([...CONFIG_VARIABLES].sort());
    const config = loadConfig(environment);
    expect(config.port).toBe(8000);
    expect(config.trustProxy).toBe(1);
  });

  it('mounts the nginx site from the repository, pointing at the gateway service', () => {
    const [source, target] = (nginx?.volumes?.[0] ?? '').split(':');
    expect(target).toBe('/etc/nginx/conf.d/default.conf');
    const site = read(String(source).replace(/^\.\//, ''));
    expect(site).toContain('server gateway:8000;');
    expect(site).toMatch(/proxy_buffering off;/);
  });

  it('starts the server entry point, in the Dockerfile (a pnpm deploy of @gw/server) and the systemd unit (the built repository)', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toContain('pnpm --filter @gw/server deploy --prod /out');
    expect(/^CMD \["node", "([^"]+)"\]$/m.exec(dockerfile)?.[1]).toBe('dist/main.js');
    expect(read('deploy/systemd/dashscope-gateway.service')).toContain('ExecStart=/usr/bin/node apps/server/dist/main.js');
    // tsc compiles apps/server/src into apps/server/dist, which is what the deploy ships.
    expect(existsSync(new URL('apps/server/src/main.ts', root))).toBe(true);
    expect((JSON.parse(read('apps/server/package.json')) as { files?: string[] }).files).toEqual(['dist']);
  });
});

describe('timeouts that must agree across the deployment (issue 6, findings 4 and 7)', () => {
  const compose = parse(read('docker-compose.yml')) as ComposeFile;
  const gateway = compose.services.gateway;
  const environment = Object.fromEntries(
    Object.entries(gateway?.environment ?? {}).map(([name, value]) => [name, withComposeDefaults(String(value))]),
  );
  const seconds = (value: string | undefined) => Number(/^(\d+)s$/.exec(value ?? '')?.[1] ?? Number.NaN);

  it("keeps idle connections longer than nginx's upstream keepalive_timeout, so nginx closes them first", () => {
    const site = read('deploy/nginx/dashscope-gateway.conf');
    const nginxKeepAlive = seconds(/keepalive_timeout\s+(\d+s);/.exec(site)?.[1]) * 1000;
    expect(nginxKeepAlive).toBeGreaterThan(0);
    expect(loadConfig({}).keepAliveTimeoutMs).toBeGreaterThan(nginxKeepAlive);
    expect(loadConfig(environment).keepAliveTimeoutMs).toBeGreaterThan(nginxKeepAlive);
    // A header timeout shorter than the keep-alive would cut a kept-alive connection's next request.
    expect(loadConfig({}).headersTimeoutMs).toBeLessThan(loadConfig({}).keepAliveTimeoutMs);
  });

  it('drains before the supervisor kills: Docker (10 s by default, or stop_grace_period) and systemd (TimeoutStopSec)', () => {
    expect(loadConfig({}).shutdownDrainMs).toBeLessThan(10_000);
    expect(loadConfig(environment).shutdownDrainMs).toBeLessThan(seconds(gateway?.stop_grace_period) * 1000);
    const timeoutStop = Number(/^TimeoutStopSec=(\d+)$/m.exec(read('deploy/systemd/dashscope-gateway.service'))?.[1]);
    expect(loadConfig({}).shutdownDrainMs).toBeLessThan(timeoutStop * 1000);
  });

  it("lets nginx wait for DashScope's first byte at least as long as the gateway does", () => {
    const site = read('deploy/nginx/dashscope-gateway.conf');
    expect(seconds(/proxy_read_timeout\s+(\d+s);/.exec(site)?.[1]) * 1000).toBeGreaterThan(loadConfig(environment).upstreamTimeoutMs);
  });
});
