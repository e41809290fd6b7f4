import type { Request } from 'express';
import { clientNetwork } from './client-network.js';
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
