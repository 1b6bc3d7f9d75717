import { MENTION_PATTERN } from '../../src/rules/slack-mention';
import { formatMention, mentionLine } from '../../src/slack/mentions';

describe('formatMention', () => {
  it.each([
    ['@here', '<!here>'],
    ['@channel', '<!channel>'],
    ['U024BE7LH', '<@U024BE7LH>'],
    ['W0123ABCD', '<@W0123ABCD>'],
    ['S0614TZR7', '<!subteam^S0614TZR7>'],
    ['<@U024BE7LH>', '<@U024BE7LH>'],
    ['<!subteam^S0614TZR7|@oncall>', '<!subteam^S0614TZR7|@oncall>'],
    ['<!here>', '<!here>'],
    [' U024BE7LH ', '<@U024BE7LH>'],
    ['@alice', '@alice'],
    // not mentions in the rule grammar (rule files refuse them): shown as text, notifying no one
    ['@everyone', '@everyone'],
    ['<!everyone>', '&lt;!everyone&gt;'],
    ['<#C024BE7LR>', '&lt;#C024BE7LR&gt;'],
    ['<@U024BE7LH|alice>', '&lt;@U024BE7LH|alice&gt;'],
    ['<https://evil.example|x>', '&lt;https://evil.example|x&gt;'],
    ['<@U1> <!channel>', '&lt;@U1&gt; &lt;!channel&gt;'],
  ])('%j becomes %j', (mention, expected) => {
    expect(formatMention(mention)).toBe(expected);
  });

  it('writes markup exactly for what rule files accept, and escapes everything else', () => {
    const valid = new RegExp(MENTION_PATTERN);
    for (const mention of ['@here', '@channel', '@everyone', 'U024BE7LH', 'S0614TZR7', 'C024BE7LR', 'u024be7lh', '<@U024BE7LH>', '<!subteam^S1|x>', '<!subteam^S12|x>', '<!channel>', '<!everyone>', '<#C1>', 'x <!here>', '<https://x>']) {
      const formatted = formatMention(mention);
      expect(formatted.startsWith('<')).toBe(valid.test(mention));
      if (!valid.test(mention)) expect(formatted).not.toMatch(/[<>]/);
    }
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
