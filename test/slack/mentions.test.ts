import { formatMention, mentionLine } from '../../src/slack/mentions';

describe('formatMention', () => {
  it.each([
    ['@here', '<!here>'],
    ['@channel', '<!channel>'],
    ['@everyone', '<!everyone>'],
    ['U024BE7LH', '<@U024BE7LH>'],
    ['W0123ABCD', '<@W0123ABCD>'],
    ['S0614TZR7', '<!subteam^S0614TZR7>'],
    ['<@U024BE7LH>', '<@U024BE7LH>'],
    ['<!subteam^S0614TZR7|@oncall>', '<!subteam^S0614TZR7|@oncall>'],
    ['<#C024BE7LR>', '<#C024BE7LR>'],
    ['@alice', '@alice'],
    ['<https://evil.example|x>', '&lt;https://evil.example|x&gt;'],
    ['<@U1> <!channel>', '&lt;@U1&gt; &lt;!channel&gt;'],
  ])('%j becomes %j', (mention, expected) => {
    expect(formatMention(mention)).toBe(expected);
  });
});

describe('mentionLine', () => {
  it('is empty without mentions', () => {
    expect(mentionLine([])).toBe('');
  });

  it('lists the mentions', () => {
    expect(mentionLine(['@here', 'U024BE7LH'])).toBe('cc <!here> <@U024BE7LH>');
  });
});
