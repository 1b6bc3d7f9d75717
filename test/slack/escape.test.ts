import fc from 'fast-check';
import { escapeCodeBlock, escapeLiteral, escapeMrkdwn, unescapeCodeBlock, unescapeMrkdwn } from '../../src/slack/escape';

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<!here>', '&lt;!here&gt;'],
    ['<@U024BE7LH>', '&lt;@U024BE7LH&gt;'],
    ['<!subteam^S0614TZR7>', '&lt;!subteam^S0614TZR7&gt;'],
    ['<#C024BE7LR>', '&lt;#C024BE7LR&gt;'],
    ['<https://evil.example|click here>', '&lt;https://evil.example|click here&gt;'],
    ['&lt;', '&amp;lt;'],
    ['a & b', 'a &amp; b'],
    ['plain *bold* _it_', 'plain *bold* _it_'],
  ])('escapes %j', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('leaves no raw < or > and no bare &', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const escaped = escapeMrkdwn(s);
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped).not.toMatch(/&(?!amp;|lt;|gt;)/);
      }),
    );
  });

  it('is undone by unescapeMrkdwn', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => unescapeMrkdwn(escapeMrkdwn(s)) === s));
  });
});

describe('escapeCodeBlock', () => {
  it('breaks every run of backticks so a value cannot close the code block', () => {
    const escaped = escapeCodeBlock('x ``` <!channel> ```` y');
    expect(escaped).not.toContain('``');
    expect(escaped).toContain('&lt;!channel&gt;');
  });

  it('is undone by unescapeCodeBlock, a zero-width space from the log shown as \\u200B', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('`', 'a', '<', '&', '\n', '\u200b') }), (s) => {
        expect(escapeCodeBlock(s)).not.toContain('``');
        expect(unescapeCodeBlock(escapeCodeBlock(s))).toBe(s.replace(/\u200b/g, '\\u200B'));
      }),
    );
  });
});

describe('escapeLiteral on attacker-sized text', () => {
  it('runs in linear time: a colon before a long run of letters (it took 475 ms at 20,000 characters, quadratically more after)', () => {
    const text = `:${'a'.repeat(1_000_000)}`;
    expect(escapeLiteral(text)).toBe(text);
    expect(escapeLiteral(':skull: at 10:05:00')).toBe('<!date^00000000^{_}|:>skull: at 10:05:00');
    expect(escapeLiteral(':_x: and :a+1:')).toBe('<!date^00000000^{_}|:><!date^00000000^{_}|_>x: and <!date^00000000^{_}|:>a+1:');
  });
});

