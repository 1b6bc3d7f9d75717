import { networkMatcher, parseCidr, parseIp } from '../../src/rules/cidr';
import type { Network } from '../../src/rules/cidr';

function matcher(...cidrs: string[]): (ip: string) => boolean {
  return networkMatcher(cidrs.map((c) => parseCidr(c) as Network));
}

describe('parseIp', () => {
  it('reads IPv4 and IPv6, and IPv4-mapped IPv6 as IPv4', () => {
    expect(parseIp('192.0.2.1')).toEqual({ version: 4, value: 0xc0000201 });
    expect(parseIp('255.255.255.255')).toEqual({ version: 4, value: 0xffffffff });
    expect(parseIp('::1')).toEqual({ version: 6, value: 1n });
    expect(parseIp('2001:DB8::')).toEqual({ version: 6, value: 0x20010db8n << 96n });
    expect(parseIp('::ffff:192.0.2.1')).toEqual({ version: 4, value: 0xc0000201 });
    expect(parseIp('::ffff:c000:0201')).toEqual({ version: 4, value: 0xc0000201 });
    expect(parseIp('64:ff9b::192.0.2.1')).toEqual({ version: 6, value: (0x64ff9bn << 96n) | 0xc0000201n });
  });

  it('reads a zoned IPv6 address (an IP to every parser) without its zone', () => {
    expect(parseIp('fe80::1%eth0')).toEqual({ version: 6, value: (0xfe80n << 112n) | 1n });
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', 'fe80::1%', '1.2.3.4::', '::1.2.3', 'x'])(
    'refuses %p',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );
});

describe('parseCidr', () => {
  it('accepts networks and bare addresses, masking host bits', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ version: 4, base: 0x0a000000, mask: 0xff000000 });
    expect(parseCidr('10.1.2.3/8')).toEqual({ version: 4, base: 0x0a000000, mask: 0xff000000 });
    expect(parseCidr('0.0.0.0/0')).toEqual({ version: 4, base: 0, mask: 0 });
    expect(parseCidr('192.0.2.7')).toEqual({ version: 4, base: 0xc0000207, mask: 0xffffffff });
    expect(parseCidr('::/0')).toEqual({ version: 6, base: 0n, mask: 0n });
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual({ version: 4, base: 0x0a000000, mask: 0xff000000 });
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/x', '10.0.0.0/8/8', 'x/8', '', '/8', '10.0.0.0/-1'])('refuses %p', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('networkMatcher', () => {
  it('matches IPv4 at network edges', () => {
    const m = matcher('203.0.113.0/24');
    expect(m('203.0.113.0')).toBe(true);
    expect(m('203.0.113.255')).toBe(true);
    expect(m('203.0.112.255')).toBe(false);
    expect(m('203.0.114.0')).toBe(false);
  });

  it('handles the top of the IPv4 space (unsigned arithmetic)', () => {
    const m = matcher('240.0.0.0/4');
    expect(m('255.255.255.255')).toBe(true);
    expect(m('239.255.255.255')).toBe(false);
    expect(matcher('0.0.0.0/0')('255.1.2.3')).toBe(true);
    expect(matcher('0.0.0.0/0')('::1')).toBe(false);
  });

  it('matches IPv6 and keeps the families apart', () => {
    const m = matcher('2001:db8::/32', '::/0');
    expect(m('2001:db8:ffff::1')).toBe(true);
    expect(m('fe80::1')).toBe(true);
    expect(matcher('2001:db8::/32')('2001:db9::1')).toBe(false);
    expect(matcher('2001:db8::/32')('192.0.2.1')).toBe(false);
    expect(matcher('2001:db8::1/128')('2001:db8::1')).toBe(true);
    expect(matcher('2001:db8::1/128')('2001:db8::2')).toBe(false);
  });

  it('matches IPv4-mapped addresses against IPv4 networks, and both ways', () => {
    expect(matcher('10.0.0.0/8')('::ffff:10.20.30.40')).toBe(true);
    expect(matcher('10.0.0.0/8')('::ffff:11.20.30.40')).toBe(false);
    expect(matcher('::ffff:10.0.0.0/104')('10.20.30.40')).toBe(true);
  });

  it('ignores the zone of an address, and refuses one in a network', () => {
    expect(matcher('fe80::/10')('fe80::1%eth0')).toBe(true);
    expect(parseCidr('fe80::%eth0/64')).toBeUndefined();
    expect(parseCidr('fe80::1%eth0')).toBeUndefined();
  });

  it('answers for a long list of networks of many prefix lengths as testing each network would', () => {
    // A deterministic spread of IPv4 and IPv6 networks (prefixes 8..32 and 32..128), their own addresses, and others.
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) >>> 0);
    const v4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    const v6 = (n: number) => `2001:db8:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}::${(n & 0xff).toString(16)}`;
    const cidrs: string[] = [];
    for (let i = 0; i < 600; i++) cidrs.push(i % 3 === 0 ? `${v6(next())}/${32 + (next() % 97)}` : `${v4(next())}/${8 + (next() % 25)}`);
    const networks = cidrs.map((c) => parseCidr(c) as Network);
    const inAny = networkMatcher(networks);
    const addresses = [...cidrs.map((c) => c.slice(0, c.indexOf('/'))), ...Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? v6(next()) : v4(next())))];
    let inside = 0;
    for (const address of addresses) {
      const ip = parseIp(address);
      // The definition, one network at a time: the address's bits under the mask are the base.
      const one = networks.some((n) => ip?.version === n.version && (n.version === 4 ? ((ip.value as number) & n.mask) >>> 0 === n.base : ((ip.value as bigint) & n.mask) === n.base));
      if (one) inside++;
      expect([address, inAny(address)]).toEqual([address, one]);
    }
    expect(inside).toBeGreaterThan(600);
    expect(inside).toBeLessThan(addresses.length);
  });
});
