import fc from 'fast-check';
import { join } from 'node:path';
import { alertsForText } from '../../src/engine/run';
import { loadRulesAndTemplates } from '../../src/cli/rules-dir';
import { terminalSafe } from '../../src/cli/terminal-safe';
import { showInvisible } from '../../src/slack/escape';
import { renderAlert } from '../../src/slack/render';
import { messageToText } from '../../src/slack/text';
import { DEFAULT_ROUTES } from '../../src/sources/routing';
import { REPO } from '../cli/helpers';
import { displayedTexts, withoutKlaxonMarkup } from '../slack/helpers';

/**
 * Issue 10, "done when": generated hostile input (mrkdwn, bidi and zero-width characters,
 * emoji shortcodes, Slack markup, deep nesting, oversized records, random bytes) goes through
 * the whole path — scan, rules, rendering — and must never throw, never inject markup, never
 * carry an invisible character, and show every user name literally.
 */
const { rules, templates } = loadRulesAndTemplates(join(REPO, 'rules'), join(REPO, 'templates'));
const OPTIONS = { source: 'auto' as const, year: 2024, now: Date.UTC(2024, 11, 1), routes: DEFAULT_ROUTES };
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('*', '_', '~', '`', '```', '>', ':skull:', ':+1:', '<!channel>', '<@U024BE7LH>', '<https://evil.example|x>', '&amp;', '&', '|') },
  { weight: 3, arbitrary: fc.constantFrom('\u202e', '\u202d', '\u2066', '\u2069', '\u200b', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u061c', '\u200f') },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9.-]{1,12}$/) },
);
/** A user name an attacker might try: no whitespace (sshd would split it) and no line break. */
const userName = fc.array(piece, { minLength: 1, maxLength: 10 }).map((parts) => parts.join('').replace(/[\s\u2028\u2029\u0085]/gu, '·'));
const depth = fc.integer({ min: 1, max: 3000 });
const randomBytes = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1').replace(/\n/g, ' '));

function sshLine(user: string, i: number): string {
  return `Nov  2 10:00:${String(i % 60).padStart(2, '0')} web-1 sshd[${100 + i}]: Accepted password for ${user} from 203.0.113.${(i % 200) + 1} port ${40000 + i} ssh2`;
}

function wafRecord(uri: string, nesting: number, i: number): string {
  let deep: unknown = 'x';
  for (let d = 0; d < nesting; d++) deep = [deep];
  return JSON.stringify({
    timestamp: Date.UTC(2024, 10, 2, 10, 0, i),
    webaclId: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop/1',
    terminatingRuleId: 'AWS-AWSManagedRulesSQLiRuleSet',
    action: 'BLOCK',
    httpRequest: { clientIp: `198.51.100.${(i % 200) + 1}`, country: 'ZZ', uri, args: '', httpMethod: 'GET', headers: [{ name: 'User-Agent', value: uri }] },
    deep,
  });
}

describe('hostile input through scan and rendering (property)', () => {
  it('never throws, injects no markup, carries no invisible character, and shows user names literally', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(userName, { minLength: 1, maxLength: 4 }), userName, depth, randomBytes, fc.boolean(), async (users, uri, nesting, noise, huge) => {
        const lines = [
          ...users.map(sshLine),
          wafRecord(`/${uri}`, nesting, 1),
          noise,
          ...(huge ? [`{"pad":"${'p'.repeat(1100 * 1024)}"}`] : []),
          sshLine('after', 99),
        ];
        const { alerts } = await alertsForText(`${lines.join('\n')}\n`, rules, OPTIONS);
        // the login after the noise is always seen
        expect(alerts.some((a) => a.rule === 'ssh-login' && a.fields['user.name'] === 'after')).toBe(true);
        for (const alert of alerts) {
          const message = renderAlert(alert, templates);
          // (but Klaxon's own: a soft hyphen before a `>` that would start a quote, a zero-width space between backticks in a code block)
          for (const text of displayedTexts(message)) expect(text.replace(/\u00ad&gt;/g, '&gt;').replace(/`\u200b/g, '`')).not.toMatch(INVISIBLE);
          for (const text of withoutKlaxonMarkup(message, ['<!here>'])) expect(text).not.toMatch(/[<>]/);
          expect(message.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', emoji: false } });
          const shown = messageToText(message);
          expect(terminalSafe(shown)).not.toMatch(INVISIBLE);
          const user = alert.fields['user.name'];
          if (alert.rule === 'ssh-login' && typeof user === 'string' && user.length < 60) {
            // as a reader sees it: the name exactly as typed, its invisible characters spelled out
            expect(shown).toContain(`User: ${showInvisible(user)}`);
          }
        }
      }),
      { numRuns: 120 },
    );
  });
});
