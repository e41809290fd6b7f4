import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { listTcpSockets } from './proc-stats.ts';

export interface GatewayExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GatewayLogs {
  /** Lines written to stdout and stderr. */
  lines: number;
  /** The last lines, for the report. */
  tail: string[];
  /** Lines that contain one of the markers that must never be logged (keys, prompts, answers). */
  leaks: string[];
}

export interface GatewayProcess {
  pid: number;
  url: string;
  port: number;
  /** Set once the process exited. */
  exit: GatewayExit | undefined;
  logs: GatewayLogs;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<GatewayExit>;
}

const LISTENING = /listening on (http:\/\/\S+)/;
const TAIL_LINES = 12;

/**
 * Runs the built gateway as a child process, the way it is deployed (`node apps/server/dist/main.js`),
 * and resolves once it listens. The URL comes from its "listening on" line, or, when the log level
 * hides that line, from the listening socket the process holds.
 */
export async function startGatewayProcess({
  entry,
  env,
  nodeOptions,
  secretMarkers,
  startTimeoutMs = 20_000,
}: {
  entry: string;
  env: Record<string, string>;
  nodeOptions: string[];
  /** Strings that must never appear in a log line. */
  secretMarkers: string[];
  startTimeoutMs?: number;
}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [...nodeOptions, entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never outlive the soak, whatever way it ends.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const logs: GatewayLogs = { lines: 0, tail: [], leaks: [] };
  let announced: string | undefined;
  let exit: GatewayExit | undefined;
  const exited = new Promise<GatewayExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      process.off('exit', killOnExit);
      resolve(exit);
    });
  });

  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        logs.lines += 1;
        logs.tail.push(line.length > 300 ? `${line.slice(0, 300)}…` : line);
        if (logs.tail.length > TAIL_LINES) logs.tail.shift();
        if (secretMarkers.some((marker) => line.includes(marker))) logs.leaks.push(line.slice(0, 300));
        announced ??= LISTENING.exec(line)?.[1];
      }
    });
  }

  const pid = child.pid;
  if (pid === undefined) throw new Error('the gateway process did not start');
  const started = Date.now();
  let port: number | undefined;
  while (port === undefined) {
    if (exit !== undefined) {
      throw new Error(`the gateway exited at start (code ${exit.code}, signal ${exit.signal}):\n${logs.tail.join('\n')}`);
    }
    if (Date.now() - started > startTimeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`the gateway did not listen within ${startTimeoutMs} ms:\n${logs.tail.join('\n')}`);
    }
    if (announced !== undefined) port = Number(new URL(announced).port);
    else port = listTcpSockets(pid)?.find((socket) => socket.state === 'LISTEN')?.localPort;
    if (port === undefined) await delay(50);
  }
  const host = env.HOST ?? '127.0.0.1';

  return {
    pid,
    url: `http://${host}:${port}`,
    port,
    get exit() {
      return exit;
    },
    logs,
    async stop(graceMs = 10_000) {
      if (exit !== undefined) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
