import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { describe } from '@jest/globals';
import { findFreePort } from '../deploy/find-free-port.js';

/**
 * A real Redis for the tests: Debian's `redis-server` on a free loopback port, saving nothing. .ci/run
 * installs it and sets REQUIRE_REDIS=1; elsewhere a suite that needs it says it is skipped.
 */
export const redisServerBinary = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));

/** `describe` when redis-server is there (or required), else `describe.skip` after saying why. */
export function describeWithRedis(testFile: string): typeof describe | typeof describe.skip {
  const required = process.env.REQUIRE_REDIS === '1';
  if (redisServerBinary === undefined && !required) {
    process.stderr.write(
      `${testFile}: redis-server is not installed, skipping the Redis tests (set REQUIRE_REDIS=1 to make this a failure)\n`,
    );
    return describe.skip;
  }
  return describe;
}

export type RedisReply = string | number | null | RedisReply[];

export interface RunningRedis {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** Sends one command on a fresh connection and resolves to the reply; an error reply rejects. */
  command(...args: Array<string | number>): Promise<RedisReply>;
  /** SIGKILL, the way a crashed Redis goes; resolves once the process has exited. */
  kill(): Promise<void>;
  /**
   * SIGSTOP, the way a Redis on a stalled host or VM goes: its connections stay open and nothing is
   * answered, so clients find out only by timing out.
   */
  freeze(): void;
  /** SIGCONT: it runs again, first working through every command it was sent while frozen. */
  thaw(): void;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Stops it if it runs. */
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port and resolves once it answers PING. */
export async function startRedis(): Promise<RunningRedis> {
  if (redisServerBinary === undefined) throw new Error('REQUIRE_REDIS=1 but no redis-server binary was found');
  const binary = redisServerBinary;
  const port = await findFreePort();
  let server: ChildProcess | undefined;

  async function launch(): Promise<void> {
    let output = '';
    const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited at start:\n${output}`);
      if ((await sendCommand(port, ['PING']).catch(() => undefined)) === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING within 10 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function kill(): Promise<void> {
    const child = server;
    server = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  function signal(name: 'SIGSTOP' | 'SIGCONT'): void {
    if (server === undefined || !server.kill(name)) throw new Error(`redis-server is not running: cannot send ${name}`);
  }

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    command: (...args) => sendCommand(port, args.map(String)),
    kill,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    restart: async () => {
      await kill();
      await launch();
    },
    stop: kill,
  };
}

/** One command in RESP, on its own connection, answered within 2 s. */
function sendCommand(port: number, args: string[]): Promise<RedisReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(2000, () => socket.destroy(new Error(`Redis did not answer ${args[0]} within 2 s`)));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      let parsed: Parsed | undefined;
      try {
        parsed = parseReply(received, 0);
      } catch (error) {
        socket.destroy(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (parsed === undefined) return;
      socket.end();
      if (parsed.error !== undefined) reject(new Error(parsed.error));
      else resolve(parsed.value);
    });
    socket.on('error', reject);
    socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
  });
}

type Parsed = { value: RedisReply; error?: string; end: number };

/** Parses the RESP2 reply starting at `start`, or answers undefined when it has not fully arrived. */
function parseReply(buffer: Buffer, start: number): Parsed | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd === -1) return undefined;
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (String.fromCharCode(buffer[start] ?? 0)) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: null, error: line, end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RedisReply[] = [];
      let position = next;
      for (let index = 0; index < count; index += 1) {
        const item = parseReply(buffer, position);
        if (item === undefined) return undefined;
        items.push(item.value);
        position = item.end;
      }
      return { value: items, end: position };
    }
    default:
      throw new Error(`Unexpected Redis reply: ${buffer.toString('utf8')}`);
  }
}
