import { isIP } from 'node:net';

/**
 * The client a per-client limit counts a request against, from its address: an IPv4 address itself, an
 * IPv4 client reaching a dual-stack socket (`::ffff:192.0.2.1`) as that IPv4 address, and an IPv6
 * address as its network of `ipv6Subnet` bits (default 64): one subscriber usually holds a whole /64
 * (often a /56), so counting single addresses would let one client use billions of them.
 */
export function clientNetwork(address: string | undefined, ipv6Subnet = 64): string | undefined {
  if (address === undefined || isIP(address) !== 6) return address;
  const groups = ipv6Groups(address);
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
