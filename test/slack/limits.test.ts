import fc from 'fast-check';
import { TRUNCATION_MARKER, cutAtCodePoint, truncate } from '../../src/slack/limits';
import { escapeMrkdwn } from '../../src/slack/escape';
import { hasBrokenEntity, hasLoneSurrogate } from './helpers';

describe('truncate', () => {
  it('returns text within the limit unchanged', () => {
    expect(truncate('short', 150)).toBe('short');
    expect(truncate('x'.repeat(150), 150)).toBe('x'.repeat(150));
  });

  it('cuts to the limit and ends with a visible marker', () => {
    const cut = truncate('x'.repeat(200), 150);
    expect(cut).toHaveLength(150);
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('never splits a surrogate pair at the cut', () => {
    for (let pad = 0; pad < 4; pad++) {
      const cut = truncate('a'.repeat(pad) + '😀'.repeat(100), 50);
      expect(hasLoneSurrogate(cut)).toBe(false);
      expect(cut.length).toBeLessThanOrEqual(50);
    }
  });

  it('never cuts inside an entity', () => {
    for (let pad = 0; pad < 5; pad++) {
      const cut = truncate('a'.repeat(pad) + escapeMrkdwn('&<>'.repeat(100)), 40);
      expect(hasBrokenEntity(cut)).toBe(false);
    }
  });

  it('never leaves half of a <...> markup', () => {
    const text = 'see ' + '<https://eu-west-1.console.aws.amazon.com/cloudwatch/home|CloudWatch Logs> '.repeat(3);
    for (let limit = 30; limit < text.length; limit += 7) {
      const cut = truncate(text, limit);
      expect(cut.lastIndexOf('<')).toBeLessThanOrEqual(cut.lastIndexOf('>'));
    }
  });

  it('keeps any escaped text within the limit, as a prefix plus marker, without broken entities or pairs', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 20, max: 300 }), (s, limit) => {
        const escaped = escapeMrkdwn(s);
        const cut = truncate(escaped, limit);
        expect(cut.length).toBeLessThanOrEqual(limit);
        expect(hasLoneSurrogate(cut)).toBe(false);
        expect(hasBrokenEntity(cut)).toBe(false);
        if (cut !== escaped) expect(escaped.startsWith(cut.slice(0, -TRUNCATION_MARKER.length))).toBe(true);
      }),
    );
  });
});

describe('cutAtCodePoint', () => {
  it('stops before a code point that would not fit', () => {
    expect(cutAtCodePoint('ab😀', 3)).toBe('ab');
    expect(cutAtCodePoint('ab😀', 4)).toBe('ab😀');
  });
});
