import { isIPv6 } from 'node:net';

/**
 * What Klaxon calls an IP address, the same in every parser and in CIDR rules:
 *
 * - IPv4: a dotted quad of four decimal parts 0-255, no empty parts, no signs, no spaces, and
 *   no leading zeros (`010.1.2.3` is not an IP: some tools read `010` as octal 8). Exactly
 *   what `net.isIP` returns 4 for, checked by hand because the parsers call it once per record
 *   and node's check runs a regular expression.
 * - IPv6: exactly what `net.isIP` returns 6 for. That includes a zone (`fe80::1%eth0`), which
 *   is ignored when comparing with networks, and an embedded dotted quad (`64:ff9b::192.0.2.1`).
 * - `::ffff:a.b.c.d` (IPv4-mapped IPv6, in any spelling: `::ffff:c000:201` too) is an IP
 *   address, and it is the IPv4 address it carries: `parseIp` returns it as IPv4, so a CIDR
 *   test matches it against IPv4 networks and an IPv4 address against `::ffff:0:0/96` networks.
 *   As a field value it is kept as logged, except that sshd's `source.ip` gives the dotted
 *   quad of a `::ffff:a.b.c.d` peer (`mappedIpv4`), as it always has.
 *
 * Anything else (host names, masked addresses such as `203.0.113.x`, `-`) is not an IP.
 */

export type IpAddress = { version: 4; value: number } | { version: 6; value: bigint };

/** True for an IPv4 or IPv6 address: `isIpAddress(s) === (net.isIP(s) !== 0)`, with a fast IPv4 path. */
export function isIpAddress(text: string): boolean {
  return text.includes(':') ? isIPv6(text) : isIpv4(text);
}

/** True for a dotted-quad IPv4 address (see the rules above). */
export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

/** A dotted-quad IPv4 address as an unsigned 32-bit number; undefined when `text` is not one. */
export function parseIpv4(text: string): number | undefined {
  const length = text.length;
  if (length < 7 || length > 15) return undefined;
  let result = 0;
  let dots = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // a digit after a part's leading 0 makes a leading zero; a lone 0 is fine
      if (digits === 1 && value === 0) return undefined;
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return undefined;
    } else if (c === 46 && digits > 0 && dots < 3) {
      result = result * 256 + value;
      dots++;
      digits = 0;
      value = 0;
    } else {
      return undefined;
    }
  }
  return dots === 3 && digits > 0 ? result * 256 + value : undefined;
}

/** An IPv6 address without a zone as a 128-bit number; undefined when `text` is not one. */
export function parseIpv6(text: string): bigint | undefined {
  if (!text.includes(':') || text.includes('%') || !isIPv6(text)) return undefined;
  return ipv6Value(text);
}

/**
 * An address as a number, for comparing with networks; undefined when `text` is not an IP.
 * An IPv4-mapped IPv6 address gives the IPv4 address it carries; a zone is ignored.
 *
 * @example
 *   parseIp('192.0.2.1');        // { version: 4, value: 0xc0000201 }
 *   parseIp('::ffff:192.0.2.1'); // { version: 4, value: 0xc0000201 }
 *   parseIp('fe80::1%eth0');     // { version: 6, value: 0xfe80000000000000000000000000001n }
 */
export function parseIp(text: string): IpAddress | undefined {
  if (!text.includes(':')) {
    const v4 = parseIpv4(text);
    return v4 === undefined ? undefined : { version: 4, value: v4 };
  }
  if (!isIPv6(text)) return undefined;
  const zone = text.indexOf('%');
  const v6 = ipv6Value(zone < 0 ? text : text.slice(0, zone));
  if (v6 >> 32n === 0xffffn) return { version: 4, value: Number(v6 & 0xffffffffn) };
  return { version: 6, value: v6 };
}

/** The dotted quad of an address written `::ffff:a.b.c.d` (any case), else undefined. */
export function mappedIpv4(text: string): string | undefined {
  if (text.length < 14 || text.slice(0, 7).toLowerCase() !== '::ffff:') return undefined;
  const v4 = text.slice(7);
  return isIpv4(v4) ? v4 : undefined;
}

/** The value of an IPv6 address that `isIPv6` accepted, zone removed. */
function ipv6Value(text: string): bigint {
  const halves = text.split('::');
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  const missing = 8 - head.length - tail.length;
  let value = 0n;
  for (const g of head) value = (value << 16n) | BigInt(g);
  value <<= BigInt(16 * missing);
  for (const g of tail) value = (value << 16n) | BigInt(g);
  return value;
}

/** The 16-bit groups of one side of `::`; a trailing dotted quad counts as two groups. */
function groups(text: string): number[] {
  if (text === '') return [];
  const result: number[] = [];
  for (const part of text.split(':')) {
    const v4 = part.includes('.') ? parseIpv4(part) : undefined;
    if (v4 !== undefined) result.push(Math.floor(v4 / 0x10000), v4 % 0x10000);
    else result.push(parseInt(part, 16));
  }
  return result;
}
