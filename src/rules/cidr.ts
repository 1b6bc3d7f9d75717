/**
 * CIDR networks, parsed once into numbers so that matching an event is a parse of the
 * event's address (`parseIp`: what is an IP here is what is an IP in every parser) plus a
 * mask-and-compare per network.
 *
 * IPv4 addresses are 32-bit unsigned numbers, IPv6 addresses BigInts. An IPv4-mapped IPv6
 * address (`::ffff:192.0.2.1`) is treated as the IPv4 address it carries, and a network
 * inside `::ffff:0:0/96` as the IPv4 network it covers, so both spellings match each other.
 * A network's address takes no zone (`fe80::%eth0/64` is refused); an event address's zone
 * is ignored.
 */

import { parseIp, parseIpv4, parseIpv6 } from '../events/ip';

export { parseIp } from '../events/ip';
export type { IpAddress } from '../events/ip';

export type Network =
  | { version: 4; base: number; mask: number }
  | { version: 6; base: bigint; mask: bigint };

const ALL_V6 = (1n << 128n) - 1n;

/** Parses `a.b.c.d/n`, `x::y/n`, or a bare address (a single-host network). Host bits are masked off. */
export function parseCidr(text: string): Network | undefined {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const v4 = parseIpv4(addressText);
  if (v4 !== undefined) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    return prefix > 32 ? undefined : ipv4Network(v4, prefix);
  }
  const v6 = parseIpv6(addressText);
  if (v6 === undefined) return undefined;
  const prefix = prefixText === undefined ? 128 : Number(prefixText);
  if (prefix > 128) return undefined;
  if (prefix >= 96 && v6 >> 32n === 0xffffn) return ipv4Network(Number(v6 & 0xffffffffn), prefix - 96);
  const mask = prefix === 0 ? 0n : (ALL_V6 << BigInt(128 - prefix)) & ALL_V6;
  return { version: 6, base: v6 & mask, mask };
}

/**
 * A predicate telling whether an address (text) lies in any of the networks. The networks are
 * grouped by prefix length into sets of bases, so a list of thousands of networks costs an
 * address at most one set lookup per distinct prefix length (33 for IPv4), not one per network.
 */
export function networkMatcher(networks: readonly Network[]): (address: string) => boolean {
  const v4 = basesByMask(networks.filter((n): n is Extract<Network, { version: 4 }> => n.version === 4));
  const v6 = basesByMask(networks.filter((n): n is Extract<Network, { version: 6 }> => n.version === 6));
  return (address) => {
    const ip = parseIp(address);
    if (ip === undefined) return false;
    if (ip.version === 4) {
      for (const [mask, bases] of v4) if (bases.has((ip.value & mask) >>> 0)) return true;
      return false;
    }
    for (const [mask, bases] of v6) if (bases.has(ip.value & mask)) return true;
    return false;
  };
}

function basesByMask<T extends number | bigint>(networks: ReadonlyArray<{ base: T; mask: T }>): Array<[T, Set<T>]> {
  const byMask = new Map<T, Set<T>>();
  for (const { base, mask } of networks) {
    const bases = byMask.get(mask) ?? new Set<T>();
    bases.add(base);
    byMask.set(mask, bases);
  }
  return [...byMask];
}

function ipv4Network(address: number, prefix: number): Network {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { version: 4, base: (address & mask) >>> 0, mask };
}
