import fc from 'fast-check';
import { isIP, isIPv4 } from 'node:net';
import { isIpAddress, isIpv4, mappedIpv4, parseIp, parseIpv4, parseIpv6 } from '../../src/events/ip';

/** Strings made of what addresses are made of, so that near-misses are common. */
function addressLike(chars: string, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength });
}

/** Valid addresses with one character changed, dropped or doubled. */
function mutated(address: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(address, fc.nat(), fc.constantFrom('', '0', '1', '9', 'f', 'g', '.', ':', '::', '%', '%1', ' ', '-', '00'), fc.boolean()).map(([text, at, piece, replace]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + piece + text.slice(replace ? i + 1 : i);
  });
}

const CANDIDATES = fc.oneof(
  fc.ipV4(),
  fc.ipV4Extended(),
  fc.ipV6(),
  mutated(fc.ipV4()),
  mutated(fc.ipV6()),
  fc.ipV4().map((v4) => `::ffff:${v4}`),
  fc.tuple(fc.ipV6(), addressLike('abcdefxyz019-.:', 6)).map(([v6, zone]) => `${v6}%${zone}`),
  addressLike('0123456789.', 17),
  addressLike('0123456789abcdefABCDEF:.%', 48),
  fc.string({ maxLength: 20 }),
);

/** WHATWG's IPv6 serialisation (what `new URL` writes), from a 128-bit value. */
function serialise(value: bigint): string {
  const pieces = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && pieces[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (list: number[]): string => list.map((p) => p.toString(16)).join(':');
  if (bestStart < 0) return hex(pieces);
  return `${hex(pieces.slice(0, bestStart))}::${hex(pieces.slice(bestStart + bestLength))}`;
}

describe('isIpAddress', () => {
  it.each([
    ['192.0.2.1', true],
    ['0.0.0.0', true],
    ['255.255.255.255', true],
    ['256.0.0.1', false],
    ['010.1.2.3', false],
    ['1.2.3', false],
    ['1.2.3.4.', false],
    [' 1.2.3.4', false],
    ['1.2.3.4\n', false],
    ['::', true],
    ['2001:db8::1', true],
    ['::ffff:192.0.2.1', true],
    ['::FFFF:192.0.2.1', true],
    ['::ffff:010.1.2.3', false],
    ['64:ff9b::192.0.2.1', true],
    ['fe80::1%eth0', true],
    ['fe80::1%', false],
    ['1::2:3:4:5:6:7:8', false],
    ['203.0.113.x', false],
    ['-', false],
    ['', false],
  ])('%j: %p, as net.isIP', (text, expected) => {
    expect(isIpAddress(text)).toBe(expected);
    expect(isIP(text) !== 0).toBe(expected);
  });

  it('agrees with net.isIP on random inputs', () => {
    fc.assert(
      fc.property(CANDIDATES, (text) => {
        expect(isIpAddress(text)).toBe(isIP(text) !== 0);
        expect(isIpv4(text)).toBe(isIPv4(text));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('parseIp', () => {
  it('parses exactly what isIpAddress accepts', () => {
    fc.assert(
      fc.property(CANDIDATES, (text) => {
        expect(parseIp(text) !== undefined).toBe(isIpAddress(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads IPv4 as its 32-bit value', () => {
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        const value = text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
        expect(parseIpv4(text)).toBe(value);
        expect(parseIp(text)).toEqual({ version: 4, value });
      }),
    );
  });

  it('reads IPv6 as its 128-bit value (as the URL parser reads it)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV6(), mutated(fc.ipV6())), (text) => {
        const value = parseIpv6(text);
        if (value === undefined) return;
        expect(serialise(value)).toBe(new URL(`http://[${text}]`).hostname.slice(1, -1));
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads an IPv4-mapped address, in any spelling, as IPv4, and ignores a zone', () => {
    expect(parseIp('::ffff:192.0.2.1')).toEqual({ version: 4, value: 0xc0000201 });
    expect(parseIp('0:0:0:0:0:FFFF:c000:201')).toEqual({ version: 4, value: 0xc0000201 });
    expect(parseIp('fe80::1%eth0')).toEqual({ version: 6, value: (0xfe80n << 112n) | 1n });
    expect(parseIpv6('::ffff:192.0.2.1')).toBe(0xffffc0000201n);
    expect(parseIpv6('fe80::1%eth0')).toBeUndefined();
    expect(parseIpv6('192.0.2.1')).toBeUndefined();
  });
});

describe('mappedIpv4', () => {
  it.each([
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:192.0.2.1', '192.0.2.1'],
    ['::ffff:010.0.2.1', undefined],
    ['::ffff:c000:201', undefined],
    ['0:0:0:0:0:ffff:192.0.2.1', undefined],
    ['192.0.2.1', undefined],
    ['::1', undefined],
  ])('%j: %p', (text, expected) => {
    expect(mappedIpv4(text)).toBe(expected);
  });
});
