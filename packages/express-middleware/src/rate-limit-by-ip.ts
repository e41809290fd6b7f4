import { isIP } from 'node:net';
import type { Request } from 'express';
import type { RequestLimiterOptions } from './create-request-limiter.js';
import { createRequestRateLimit } from './rate-limit-requests.js';

export interface RateLimitByIpOptions extends RequestLimiterOptions {
  /**
   * IPv6 clients are counted per network of this prefix length, default 64: one subscriber usually holds a
   * whole /64 (often a /56), so counting single addresses would let one client use billions of them.
   */
  ipv6Subnet?: number;
}

/**
 * Requests per minute per client IP, for a public service: mount it before anything reads the body, so a
 * client over its limit costs no more than its headers. The client IP is `req.ip`, which follows the
 * app's "trust proxy" setting: behind a proxy, set it, or every client shares the proxy's address.
 */
export function rateLimitByIp({ ipv6Subnet = 64, keyPrefix = 'gw-requests-ip', ...options }: RateLimitByIpOptions) {
  if (!Number.isInteger(ipv6Subnet) || ipv6Subnet < 1 || ipv6Subnet > 128)
    throw new TypeError(`rateLimitByIp: ipv6Subnet must be a prefix length from 1 to 128; got ${String(ipv6Subnet)}`);
  return createRequestRateLimit('rateLimitByIp', {
    ...options,
    keyPrefix,
    subject: 'from this IP address',
    key: (req: Request) => clientNetwork(req.ip ?? req.socket.remoteAddress, ipv6Subnet),
  });
}

/** The counter of a client address: the IPv4 address itself, or its IPv6 network. */
function clientNetwork(address: string | undefined, ipv6Subnet: number): string | undefined {
  if (address === undefined || isIP(address) !== 6) return address;
  const groups = ipv6Groups(address);
  // An IPv4 client reaching a dual-stack socket (::ffff:192.0.2.1) is that IPv4 address.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] ?? 0, groups[7] ?? 0].flatMap((group) => [group >> 8, group & 0xff]).join('.');
  }
  const masked = groups.map((group, index) => {
    const keep = Math.min(16, Math.max(0, ipv6Subnet - index * 16));
    return keep === 0 ? 0 : group & (0xffff << (16 - keep)) & 0xffff;
  });
  return `${masked.map((group) => group.toString(16)).join(':')}/${ipv6Subnet}`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, an IPv4 tail and a zone allowed). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const ipv4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (ipv4Tail !== null) {
    const [a, b, c, d] = ipv4Tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, ipv4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const headGroups = parse(head);
  const tailGroups = tail === undefined ? [] : parse(tail);
  return [...headGroups, ...new Array<number>(8 - headGroups.length - tailGroups.length).fill(0), ...tailGroups];
}
