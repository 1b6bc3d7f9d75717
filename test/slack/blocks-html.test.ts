import fc from 'fast-check';
import { blocksToHtml, mrkdwnToHtml } from '../../src/slack/blocks-html';
import { escapeCodeBlock, escapeLiteral } from '../../src/slack/escape';
import { renderAlert } from '../../src/slack/render';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../src/slack/templates';
import { alert, sshEvent } from './helpers';

const { templates } = loadTemplates(DEFAULT_TEMPLATES_DIR);

describe('Block Kit as HTML for the local page', () => {
  it('reads Klaxon’s own markup: bold, code, links, dates by their fallback, mentions', () => {
    expect(mrkdwnToHtml('*User*\nroot')).toBe('<b>User</b><br>root');
    expect(mrkdwnToHtml('Rule: `ssh-login` · <https://x.example/a?b=1&amp;c=2|Runbook>')).toBe(
      'Rule: <code>ssh-login</code> · <a href="https://x.example/a?b=1&amp;c=2" rel="noreferrer noopener" target="_blank">Runbook</a>',
    );
    expect(mrkdwnToHtml('seen <!date^1730541600^{date_short_pretty}|2024-11-02T10:00:00Z> by <@U012AB>')).toBe('seen 2024-11-02T10:00:00Z by <span class="mention">@U012AB</span>');
    expect(mrkdwnToHtml('```\nx &lt;y&gt;\n```')).toBe('<pre>x &lt;y&gt;</pre>');
  });

  it('log text stays text: no element, attribute or link can come from it', () => {
    const hostile = ['<img src=x onerror=alert(1)>', '"><script>alert(1)</script>', '<javascript:alert(1)|x>', "' onmouseover='alert(1)", '*bold* `code` _it_'];
    for (const text of hostile) {
      // as a field value: text only, its formatting characters shown as typed
      expect(mrkdwnToHtml(escapeLiteral(text))).not.toMatch(/</);
      // as a sample in a code block: one <pre>, nothing inside it but text
      expect(mrkdwnToHtml(`\`\`\`\n${escapeCodeBlock(text)}\n\`\`\``)).toMatch(/^<pre>[^<]*<\/pre>$/);
    }
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '*', '`', 'a', ' ', '|', '!', ':', '\n') }), (text) => {
        const message = renderAlert(alert({ title: text, fields: { 'user.name': text }, samples: [sshEvent({ 'user.name': text, 'event.original': text })] }), templates);
        const html = blocksToHtml(message.blocks);
        // Only the tags and attributes the converter itself writes.
        const tags = [...html.matchAll(/<([a-z0-9]+)([^>]*)>/g)].map((m) => m[1]);
        expect(tags.every((t) => ['h3', 'section', 'div', 'b', 'code', 'br', 'pre', 'a', 'span', 'button', 'select', 'option'].includes(t ?? ''))).toBe(true);
        expect(html).not.toMatch(/\son[a-z]+=/i);
      }),
      { numRuns: 200 },
    );
  });
});
