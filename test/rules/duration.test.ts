import { formatDuration, parseDuration } from '../../src/rules/duration';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s', 93_784_000],
    ['0s', 0],
    ['0', 0],
    [0, 0],
  ])('reads %p as %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 10, -1, '1.5h', '30m1h', '1 h', '1H', '5x', 'h', '00', ' 1h', '1h ', '99999999999999999999d', Number.NaN])(
    'refuses %p',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it.each(['30s', '10m', '1h', '7d', '1h30m', '1d2h3m4s'])('writes %s back as parsed', (text) => {
    expect(formatDuration(parseDuration(text) as number)).toBe(text);
  });
});
