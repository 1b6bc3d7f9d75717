import { countText } from '../../src/cli/count-text';

describe('countText', () => {
  it.each([0, 1, 12, 999, 1000, 1001, 12345, 999999, 1000000, 1234567890, Number.MAX_SAFE_INTEGER, -1, -1000, -1234567, 0.5, 1234.5, Number.NaN, Infinity])(
    '%p is written as toLocaleString("en") writes it',
    (n) => {
      expect(countText(n)).toBe(n.toLocaleString('en'));
    },
  );
});
