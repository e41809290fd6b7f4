import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { listTcpSockets } from '../scripts/soak/proc-stats.ts';

// The benchmark's processes: the fake, the passthrough and the gateway as servers, the load
// generators as one-shot jobs. Each is `node …` started through `sh -c 'ulimit -n …; exec node …'`, so
// a thousand streams in and a thousand out fit in its file-descriptor limit, and its pid is node's.

/** Node flags that run the benchmark's own .ts files. */
export const RUN_TYPESCRIPT = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];

const FILE_DESCRIPTOR_LIMIT = 8192;
const TAIL_LINES = 20;

function spawnNode({ args, env, stdio }: { args: string[]; env: Record<string, string>; stdio: StdioOptions }): ChildProcess {
  const raiseLimit = `[ "$(ulimit -n)" -ge ${FILE_DESCRIPTOR_LIMIT} ] 2>/dev/null || ulimit -n ${FILE_DESCRIPTOR_LIMIT} 2>/dev/null; exec "$@"`;
  const child = spawn('/bin/sh', ['-c', raiseLimit, 'sh', process.execPath, ...args], { env: { ...process.env, ...env }, stdio });
  // Never outlive the benchmark, however it ends.
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  return child;
}

export interface ServerProcess {
  name: string;
  pid: number;
  port: number;
  url: string;
  /** What it sent when ready (IPC servers). */
  ready: Record<string, unknown>;
  /** Sends `{ id, ...message }` over IPC and resolves with the reply carrying the same id. */
  call<T>(message: Record<string, unknown>): Promise<T>;
  /** The last lines it wrote. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a server process and resolves once it listens: `ready: 'ipc'` for the benchmark's own servers
 * (they send `{ type: 'ready', port, … }`), `'listening-socket'` for the gateway (its listening socket,
 * read from /proc, whatever its log level). `logFile`: where its output goes (the gateway's logs, as an
 * operator keeps them); else it is kept in memory.
 */
export async function startServerProcess({
  name,
  args,
  env = {},
  ready,
  logFile,
  startTimeoutMs = 20_000,
}: {
  name: string;
  args: string[];
  env?: Record<string, string>;
  ready: 'ipc' | 'listening-socket';
  logFile?: string;
  startTimeoutMs?: number;
}): Promise<ServerProcess> {
  const output = logFile === undefined ? 'pipe' : openSync(logFile, 'a');
  const child = spawnNode({ args, env, stdio: ['ignore', output, output, ...(ready === 'ipc' ? (['ipc'] as const) : [])] });
  if (typeof output === 'number') closeSync(output);
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (text: string) => {
      lines.push(...text.split('\n').filter((line) => line !== ''));
      lines.splice(0, Math.max(0, lines.length - TAIL_LINES));
    });
  }
  const tail = (): string => (logFile === undefined ? lines.join('\n') : readTail(logFile));

  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => (exited = true));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: did not start`);

  let readyMessage: Record<string, unknown> | undefined;
  const replies = new Map<number, (reply: unknown) => void>();
  child.on('message', (message: Record<string, unknown>) => {
    if (message.type === 'ready') readyMessage = message;
    const id = message.id;
    if (typeof id === 'number') replies.get(id)?.(message);
  });

  const startedAt = Date.now();
  let port: number | undefined;
  while (port === undefined) {
    if (exited) throw new Error(`${name} exited at start:\n${tail()}`);
    if (Date.now() - startedAt > startTimeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not listen within ${startTimeoutMs} ms:\n${tail()}`);
    }
    if (ready === 'ipc') port = typeof readyMessage?.port === 'number' ? readyMessage.port : undefined;
    else port = listTcpSockets(pid)?.find((socket) => socket.state === 'LISTEN')?.localPort;
    if (port === undefined) await delay(20);
  }

  let nextId = 0;
  return {
    name,
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    ready: readyMessage ?? {},
    call<T>(message: Record<string, unknown>) {
      nextId += 1;
      const id = nextId;
      return new Promise<T>((resolve) => {
        replies.set(id, (reply) => {
          replies.delete(id);
          resolve(reply as T);
        });
        child.send({ id, ...message });
      });
    },
    tail,
    async stop(graceMs = 5_000) {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** The last lines of a log file that may have grown to hundreds of megabytes. */
function readTail(path: string): string {
  const bytes = Buffer.alloc(Math.min(statSync(path).size, 16 * 1024));
  const descriptor = openSync(path, 'r');
  readSync(descriptor, bytes, 0, bytes.length, statSync(path).size - bytes.length);
  closeSync(descriptor);
  return bytes.toString('utf8').split('\n').slice(-TAIL_LINES).join('\n');
}

/** Runs a load generator to its end and parses the JSON line it prints. */
export async function runJob<T>({ name, args, timeoutMs }: { name: string; args: string[]; timeoutMs: number }): Promise<T> {
  const child = spawnNode({ args, env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(timer);
  const last = stdout.trim().split('\n').at(-1);
  if (code !== 0 || last === undefined || last === '') {
    throw new Error(
      `${name}: exited with ${signal ?? `code ${code}`}${signal === 'SIGKILL' ? ` (over ${timeoutMs} ms)` : ''}:\n${stderr.slice(-2000)}`,
    );
  }
  return JSON.parse(last) as T;
}
