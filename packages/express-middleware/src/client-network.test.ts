import { describe, expect, it } from '@jest/globals';
import { clientNetwork } from './client-network.js';

describe('clientNetwork', () => {
  it('keeps an IPv4 address as it is, and reads an IPv4-mapped IPv6 address as that IPv4 address', () => {
    expect(clientNetwork('192.0.2.7')).toBe('192.0.2.7');
    expect(clientNetwork('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientNetwork('::ffff:c000:207')).toBe('192.0.2.7');
  });

  it('groups IPv6 addresses by their /64, or the prefix given', () => {
    expect(clientNetwork('2001:db8:1:2::1')).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(clientNetwork('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(clientNetwork('2001:db8:1:3::1%eth0')).toBe('2001:db8:1:3:0:0:0:0/64');
    expect(clientNetwork('2001:db8:1:2::1', 56)).toBe('2001:db8:1:0:0:0:0:0/56');
    expect(clientNetwork('2001:db8::1', 128)).toBe('2001:db8:0:0:0:0:0:1/128');
    expect(clientNetwork('::1')).toBe('0:0:0:0:0:0:0:0/64');
  });

  it('passes anything else through', () => {
    expect(clientNetwork(undefined)).toBeUndefined();
    expect(clientNetwork('not an address')).toBe('not an address');
  });
});
