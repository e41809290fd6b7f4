import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeDashScope, type FakeDashScope } from '@gw/fake-dashscope';
import { assertOpenAIShape, parseOpenAISse } from '@gw/testkit';

/**
 * What a company installs: @gw/core and @gw/express-middleware packed with `pnpm pack`, installed from the
 * two tarballs by npm and by pnpm into a project outside the workspace, next to express from the registry,
 * and mounted in a small host app in front of a fake DashScope.
 *
 * Packing happens in a copy of the repository without build output, as in a fresh clone: each package's
 * prepack has to build it from nothing, and the dist folders that other tests run stay untouched.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const published = ['@gw/core', '@gw/express-middleware'] as const;
type PublishedName = (typeof published)[number];

interface Manifest {
  name: string;
  version: string;
  main?: string;
  types?: string;
  exports?: Record<string, { types: string; default: string }>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
// The workspace's own express (the lockfile's version), so the registry cache usually has it.
const expressVersion = readJson<Manifest>(join(root, 'package.json')).devDependencies?.express;
if (expressVersion === undefined) throw new Error('express is missing from the devDependencies of the root package.json');

// The package managers, tsc and the host app run on the Node.js running this test, without the flag Jest
// needs for ES modules.
const environment = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS')),
  PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
};

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: environment });
  if (result.status !== 0) {
    const output = [result.stdout, result.stderr, String(result.error ?? '')].join('\n');
    throw new Error(`\`${command} ${args.join(' ')}\` failed (${result.status}) in ${cwd}:\n${output}`);
  }
}

/** Every file below `directory`, as posix paths relative to it. */
function listFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

let work: string;
const tarballs = {} as Record<PublishedName, string>;
const unpacked = {} as Record<PublishedName, string>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'gateway-packaging-'));
  const repository = join(work, 'repository');
  const buildOutput = new Set(['node_modules', 'dist', 'coverage', '.git', '.toolchain']);
  cpSync(root, repository, {
    recursive: true,
    filter: (source) => !buildOutput.has(basename(source)) && !source.endsWith('.tsbuildinfo'),
  });
  run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], repository);
  const destination = join(work, 'tarballs');
  run('pnpm', [...published.flatMap((name) => ['--filter', name]), 'pack', '--pack-destination', destination], repository);

  for (const name of published) {
    const { version } = readJson<Manifest>(join(repository, 'packages', name.replace('@gw/', ''), 'package.json'));
    tarballs[name] = join(destination, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
    unpacked[name] = join(work, 'unpacked', name);
    mkdirSync(unpacked[name], { recursive: true });
    run('tar', ['-xzf', tarballs[name], '-C', unpacked[name]], work);
  }
}, 180_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe.each(published)('the %s tarball', (name) => {
  const packageDirectory = () => join(unpacked[name], 'package');

  it('holds the build with its types, the MIT license, and a manifest pointing into it', () => {
    const files = listFiles(packageDirectory());
    expect(files).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']));
    expect(readFileSync(join(packageDirectory(), 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));

    const manifest = readJson<Manifest>(join(packageDirectory(), 'package.json'));
    expect(manifest).toMatchObject({ name, main: './dist/index.js', types: './dist/index.d.ts', engines: { node: '>=22.15' } });
    const entryPoints = [manifest.main, manifest.types, manifest.exports?.['.']?.types, manifest.exports?.['.']?.default];
    for (const entryPoint of entryPoints) expect(files).toContain(posix.normalize(String(entryPoint)));
  });

  it('depends on real versions: pnpm pack replaced every workspace: range', () => {
    const text = readFileSync(join(packageDirectory(), 'package.json'), 'utf8');
    expect(text).not.toContain('workspace:');
    if (name === '@gw/express-middleware') {
      const core = readJson<Manifest>(join(unpacked['@gw/core'], 'package/package.json'));
      expect(readJson<Manifest>(join(packageDirectory(), 'package.json')).dependencies?.['@gw/core']).toBe(core.version);
    }
  });

  it('ships the sources its source maps point at, and nothing else from src (no tests, no fixtures)', () => {
    const files = listFiles(packageDirectory());
    const maps = files.filter((file) => file.endsWith('.map'));
    expect(maps).toEqual(expect.arrayContaining(['dist/index.js.map', 'dist/index.d.ts.map']));
    const mapped = new Set<string>();
    for (const map of maps) {
      const { sources, sourceRoot = '' } = readJson<{ sources: string[]; sourceRoot?: string }>(join(packageDirectory(), map));
      for (const source of sources) mapped.add(posix.join(posix.dirname(map), sourceRoot, source));
    }
    const missing = [...mapped].filter((source) => !files.includes(source));
    expect(missing).toEqual([]);
    expect(files.filter((file) => file.startsWith('src/') && !mapped.has(file))).toEqual([]);
  });
});

/**
 * The host app a company writes: its own Express app with the gateway's Router mounted at /v1. It prints
 * its port once it listens (port 0: the system picks a free one).
 */
const hostApp = `
import express from 'express';
import { createOpenAIRouter } from '@gw/express-middleware';

const app = express();
app.use('/v1', createOpenAIRouter({ dashscopeBaseUrl: process.env.DASHSCOPE_BASE_URL }));
const server = app.listen(0, '127.0.0.1', () => console.log('host app listening on port ' + server.address().port));
`;

/**
 * Where the project's @gw/core and @gw/express-middleware's @gw/core lie, resolved by Node.js in the project
 * (Jest's resolver, in this process, maps @gw/* to the workspace's sources).
 */
const resolveCore = `
const { createRequire } = require('node:module');
const fromProject = createRequire(process.cwd() + '/');
const fromMiddleware = createRequire(fromProject.resolve('@gw/express-middleware'));
console.log(JSON.stringify([fromProject.resolve('@gw/core'), fromMiddleware.resolve('@gw/core')]));
`;

/**
 * The host app in TypeScript, type-checked against the packed declarations: through `exports` (NodeNext)
 * and through the top-level `types`/`main` (node10, which ignores `exports`). The expected error proves
 * the types were found: an unresolved package would be `any` and accept anything.
 */
const hostAppTypes = `
import { createOpenAIRouter, type OpenAIRouterOptions } from '@gw/express-middleware';

const options: OpenAIRouterOptions = { dashscopeBaseUrl: 'https://dashscope.aliyuncs.com', upstreamTimeoutMs: 60_000 };
export const router = createOpenAIRouter(options);
// @ts-expect-error upstreamTimeoutMs is a number of milliseconds
createOpenAIRouter({ upstreamTimeoutMs: 'one minute' });
`;

/** The exact commands a company runs, with the tarballs copied into its project. */
const installers: Record<'npm' | 'pnpm', (project: string, files: Record<PublishedName, string>) => void> = {
  npm: (project, files) => {
    // One command for both: npm satisfies @gw/express-middleware's "@gw/core": "<version>" with the core tarball.
    const packages = [files['@gw/core'], files['@gw/express-middleware'], `express@${expressVersion}`];
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packages], project);
  },
  pnpm: (project, files) => {
    // pnpm resolves each package's dependencies on its own and would ask the registry for @gw/core: an
    // override points it at the tarball. pnpm reads overrides from pnpm-workspace.yaml (since pnpm 10;
    // pnpm 12 ignores "pnpm.overrides" in package.json).
    writeFileSync(join(project, 'pnpm-workspace.yaml'), `overrides:\n  '@gw/core': file:${files['@gw/core']}\n`);
    run('pnpm', ['add', '--prefer-offline', files['@gw/core'], files['@gw/express-middleware'], `express@${expressVersion}`], project);
  },
};

describe.each(Object.keys(installers) as Array<keyof typeof installers>)(
  'a project outside the workspace, installed with %s',
  (manager) => {
    let project: string;
    let fake: FakeDashScope | undefined;
    let host: ChildProcess | undefined;
    let url: string;

    beforeAll(async () => {
      project = join(work, `${manager}-project`);
      mkdirSync(project);
      writeFileSync(
        join(project, 'package.json'),
        `${JSON.stringify({ name: 'company-gateway', private: true, type: 'module' }, null, 2)}\n`,
      );
      const files = {} as Record<PublishedName, string>;
      for (const name of published) {
        cpSync(tarballs[name], join(project, basename(tarballs[name])));
        files[name] = `./${basename(tarballs[name])}`;
      }
      installers[manager](project, files);

      fake = await startFakeDashScope();
      writeFileSync(join(project, 'host-app.mjs'), hostApp);
      host = spawn(process.execPath, ['host-app.mjs'], {
        cwd: project,
        env: { PATH: environment.PATH, DASHSCOPE_BASE_URL: fake.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      url = `http://127.0.0.1:${await waitForPort(host)}`;
    }, 180_000);

    afterAll(async () => {
      host?.kill('SIGKILL');
      await fake?.close();
    });

    it('installs one @gw/core, the tarball, shared with @gw/express-middleware', () => {
      const result = spawnSync(process.execPath, ['-e', resolveCore], { cwd: project, encoding: 'utf8', env: environment });
      const [core, coreOfMiddleware] = JSON.parse(result.stdout) as [string, string];
      expect(coreOfMiddleware).toBe(core);
      expect(readFileSync(core, 'utf8')).toBe(readFileSync(join(unpacked['@gw/core'], 'package/dist/index.js'), 'utf8'));
    });

    it('serves a chat completion as JSON', async () => {
      const response = await chat({ stream: false });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as { object: string; choices: Array<{ message: { role: string; content: string } }> };
      assertOpenAIShape('CreateChatCompletionResponse', body);
      expect(body.object).toBe('chat.completion');
      expect(body.choices[0]?.message.content).toEqual(expect.any(String));
    });

    it('streams a chat completion that ends with data: [DONE]', async () => {
      const response = await chat({ stream: true });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const text = await response.text();
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      const { events } = parseOpenAISse(text);
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) assertOpenAIShape('CreateChatCompletionStreamResponse', event);
    });

    if (manager === 'npm') {
      it('type-checks against the packed declarations, through exports and through the top-level types', () => {
        writeFileSync(join(project, 'host-app-types.ts'), hostAppTypes);
        const tsc = join(root, 'node_modules/typescript/bin/tsc');
        const common = ['--noEmit', '--strict', '--skipLibCheck', 'host-app-types.ts'];
        run(process.execPath, [tsc, '--module', 'nodenext', '--moduleResolution', 'nodenext', ...common], project);
        run(process.execPath, [tsc, '--module', 'esnext', '--moduleResolution', 'node10', ...common], project);
      }, 60_000);
    }

    function chat({ stream }: { stream: boolean }): Promise<Response> {
      return fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-packaging-test', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'qwen-plus', messages: [{ role: 'user', content: '你好' }], stream }),
      });
    }
  },
);

async function waitForPort(child: ChildProcess): Promise<string> {
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const port = /host app listening on port (\d+)/.exec(output)?.[1];
    if (port !== undefined) return port;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the host app did not start:\n${output}`);
}
