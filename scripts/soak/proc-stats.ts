import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

// What Linux's /proc says about another process: memory, CPU time and its TCP sockets. Each reader
// returns undefined once the process is gone.

/** Resident set size in bytes (VmRSS). */
export function readRssBytes(pid: number): number | undefined {
  const status = readProcFile(`/proc/${pid}/status`);
  const match = status === undefined ? null : /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

const CLOCK_TICKS_PER_SECOND = readClockTicks();

/** User plus system CPU time, in seconds. */
export function readCpuSeconds(pid: number): number | undefined {
  const stat = readProcFile(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may contain spaces and parentheses; the fields after it do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line; the rest starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

export interface TcpSocket {
  /** The kernel's state name: LISTEN, ESTABLISHED, CLOSE_WAIT, ... */
  state: string;
  localPort: number;
  remotePort: number;
}

const TCP_STATES: Readonly<Record<string, string>> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/**
 * The TCP sockets the process holds open: the socket inodes among its file descriptors, looked up
 * in its network namespace's tcp and tcp6 tables. Sockets it already closed (TIME_WAIT) have no
 * descriptor and are not listed.
 */
export function listTcpSockets(pid: number): TcpSocket[] | undefined {
  const inodes = new Set<string>();
  let descriptors: string[];
  try {
    descriptors = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  for (const descriptor of descriptors) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${descriptor}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // Closed between readdir and readlink.
    }
  }
  const sockets: TcpSocket[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const text = readProcFile(`/proc/${pid}/net/${table}`) ?? '';
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const [, local, remote, state, , , , , , inode] = columns;
      if (inode === undefined || !inodes.has(inode)) continue;
      sockets.push({ state: TCP_STATES[state ?? ''] ?? `state ${state}`, localPort: portOf(local), remotePort: portOf(remote) });
    }
  }
  return sockets;
}

export interface TcpQueue {
  state: string;
  /** Bytes handed to the kernel and not yet acknowledged by the peer. */
  sendQueue: number;
  /** Bytes received by the kernel and not yet read by the process. */
  receiveQueue: number;
}

/**
 * Every TCP connection of this network namespace (both ends of a loopback connection are listed) by
 * "<local port>><remote port>", with its state and queues: how a client that stopped reading sees
 * whether its peer still sends, and whether the peer closed (CLOSE_WAIT).
 */
export function readTcpQueues(): Map<string, TcpQueue> {
  const queues = new Map<string, TcpQueue>();
  for (const table of ['tcp', 'tcp6']) {
    const text = readProcFile(`/proc/self/net/${table}`) ?? '';
    for (const line of text.split('\n').slice(1)) {
      const [, local, remote, state, transferQueues] = line.trim().split(/\s+/);
      if (transferQueues === undefined) continue;
      queues.set(`${portOf(local)}>${portOf(remote)}`, {
        state: TCP_STATES[state ?? ''] ?? `state ${state}`,
        sendQueue: Number.parseInt(transferQueues.split(':')[0] ?? '0', 16),
        receiveQueue: Number.parseInt(transferQueues.split(':')[1] ?? '0', 16),
      });
    }
  }
  return queues;
}

/** How many file descriptors the process has open. */
export function countFileDescriptors(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

function portOf(address: string | undefined): number {
  return Number.parseInt(address?.split(':')[1] ?? '0', 16);
}

function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readClockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
