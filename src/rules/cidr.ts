/**
 * IP addresses and CIDR networks, parsed once into numbers so that matching an event is
 * a parse of the event's address plus a mask-and-compare per network.
 *
 * IPv4 addresses are 32-bit unsigned numbers, IPv6 addresses BigInts. An IPv4-mapped IPv6
 * address (`::ffff:192.0.2.1`) is treated as the IPv4 address it carries, and a network
 * inside `::ffff:0:0/96` as the IPv4 network it covers, so both spellings match each other.
 */
export type IpAddress = { version: 4; value: number } | { version: 6; value: bigint };

export type Network =
  | { version: 4; base: number; mask: number }
  | { version: 6; base: bigint; mask: bigint };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const ALL_V6 = (1n << 128n) - 1n;

export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { version: 4, value: Number(v6 & 0xffffffffn) };
  return { version: 6, value: v6 };
}

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

/** A predicate telling whether an address (text) lies in any of the networks. */
export function networkMatcher(networks: readonly Network[]): (address: string) => boolean {
  const v4 = networks.filter((n): n is Extract<Network, { version: 4 }> => n.version === 4);
  const v6 = networks.filter((n): n is Extract<Network, { version: 6 }> => n.version === 6);
  return (address) => {
    const ip = parseIp(address);
    if (ip === undefined) return false;
    if (ip.version === 4) {
      for (const n of v4) if (((ip.value & n.mask) >>> 0) === n.base) return true;
      return false;
    }
    for (const n of v6) if ((ip.value & n.mask) === n.base) return true;
    return false;
  };
}

function ipv4Network(address: number, prefix: number): Network {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { version: 4, base: (address & mask) >>> 0, mask };
}

function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (m === null) return undefined;
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.length > 45 || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groups(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1] as string, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const g of [...head, ...new Array<number>(missing).fill(0), ...tail]) value = (value << 16n) | BigInt(g);
  return value;
}

/** The 16-bit groups of one side of `::`; a trailing dotted IPv4 counts as two groups. */
function groups(text: string, mayEndInIpv4: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const result: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (mayEndInIpv4 && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      result.push(v4 >>> 16, v4 & 0xffff);
    } else if (HEX_GROUP.test(part)) {
      result.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return result;
}
