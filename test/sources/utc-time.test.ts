import fc from 'fast-check';
import { toIsoString, utcTime } from '../../src/sources/syslog-time';

describe('utcTime', () => {
  it('gives what Date.UTC gives, whichever days follow one another (the day start is cached)', () => {
    const time = fc.record({
      year: fc.integer({ min: 100, max: 12_000 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: -2, max: 23 }),
      minute: fc.integer({ min: -2, max: 59 }),
      second: fc.integer({ min: -2, max: 60 }),
      ms: fc.oneof(fc.integer({ min: -5, max: 1500 }), fc.double({ min: 0, max: 999, noNaN: true })),
    });
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: 20 }), (times) => {
        for (const t of times) {
          expect(utcTime(t.year, t.month, t.day, t.hour, t.minute, t.second, t.ms)).toBe(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second, t.ms));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('toIsoString', () => {
  it('gives what Date#toISOString gives for any time a Date can hold, in any order (the day is cached)', () => {
    const ms = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2024, 0, 3) }));
    fc.assert(
      fc.property(fc.array(ms, { minLength: 1, maxLength: 20 }), (times) => {
        for (const t of times) expect(toIsoString(t)).toBe(new Date(t).toISOString());
      }),
      { numRuns: 300 },
    );
  });
});
