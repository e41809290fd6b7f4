import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@gw/express-middleware';
import { limitConnectionsPerAddress } from './limit-connections-per-address.js';

/** A socket as the limit sees it: an address, a close event, and a destroy it can call. */
function socket(remoteAddress: string) {
  const emitter = new EventEmitter() as EventEmitter & { remoteAddress: string; destroyed: boolean; destroy(): void };
  emitter.remoteAddress = remoteAddress;
  emitter.destroyed = false;
  emitter.destroy = () => {
    emitter.destroyed = true;
    emitter.emit('close');
  };
  return emitter;
}

function serverWithLimit(max: number, trusted: readonly string[] = []) {
  const server = new EventEmitter();
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => void lines.push(line) });
  limitConnectionsPerAddress(server as unknown as Server, { max, isTrustedProxy: (address) => trusted.includes(address), logger });
  const connect = (address: string) => {
    const made = socket(address);
    server.emit('connection', made);
    return made;
  };
  return { connect, lines };
}

describe('limitConnectionsPerAddress', () => {
  it('refuses connections past the cap per address, and frees a place when one closes', () => {
    const { connect } = serverWithLimit(2);
    const [first, second, third] = [connect('192.0.2.1'), connect('192.0.2.1'), connect('192.0.2.1')];
    expect([first.destroyed, second.destroyed, third.destroyed]).toEqual([false, false, true]);
    expect(connect('192.0.2.2').destroyed).toBe(false);
    first.destroy();
    expect(connect('192.0.2.1').destroyed).toBe(false);
  });

  it('counts an IPv6 /64 as one client, and a mapped IPv4 address as that address', () => {
    const { connect } = serverWithLimit(2);
    expect([connect('2001:db8::1'), connect('2001:db8::2'), connect('2001:db8::3')].map((made) => made.destroyed)).toEqual([
      false,
      false,
      true,
    ]);
    expect(connect('2001:db8:0:1::1').destroyed).toBe(false);
    expect([connect('::ffff:192.0.2.9'), connect('192.0.2.9'), connect('::ffff:192.0.2.9')].map((made) => made.destroyed)).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('leaves trusted proxies alone, and does nothing at 0', () => {
    const proxied = serverWithLimit(1, ['10.0.0.1']);
    expect([proxied.connect('10.0.0.1'), proxied.connect('10.0.0.1')].map((made) => made.destroyed)).toEqual([false, false]);
    const off = serverWithLimit(0);
    expect([off.connect('192.0.2.1'), off.connect('192.0.2.1')].map((made) => made.destroyed)).toEqual([false, false]);
  });
});
