/**
 * Mentions from a rule's `slack.mention` list. These come from the rule file, not from logs, so
 * they are the one place where Klaxon writes `<!here>`-style markup on purpose.
 */
import { escapeMrkdwn } from './escape';

const SPECIAL: Record<string, string> = { '@here': '<!here>', '@channel': '<!channel>', '@everyone': '<!everyone>' };
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const USER_GROUP_ID = /^S[A-Z0-9]{2,}$/;
// Already written as Slack markup: <@U…>, <!subteam^S…>, <!here>, <#C…>, each with an optional |label.
const FORMED = /^<(@[UW][A-Z0-9]+|!subteam\^S[A-Z0-9]+|!here|!channel|!everyone|#C[A-Z0-9]+)(\|[^<>|]*)?>$/;

/**
 * One mention as Slack markup. Anything unrecognised is shown as escaped text rather than
 * dropped, so a typo in a rule is visible in the channel instead of silently pinging nobody.
 *
 * @example
 *   formatMention('@here');   // '<!here>'
 *   formatMention('U024BE7LH'); // '<@U024BE7LH>'
 *   formatMention('S0614TZR7'); // '<!subteam^S0614TZR7>'
 */
export function formatMention(mention: string): string {
  const m = mention.trim();
  const special = SPECIAL[m];
  if (special !== undefined) return special;
  if (USER_ID.test(m)) return `<@${m}>`;
  if (USER_GROUP_ID.test(m)) return `<!subteam^${m}>`;
  if (FORMED.test(m)) return m;
  return escapeMrkdwn(m);
}

/** The mention line for an alert, or '' when the rule mentions no one. */
export function mentionLine(mentions: readonly string[]): string {
  const formatted = mentions.map(formatMention).filter((m) => m !== '');
  return formatted.length === 0 ? '' : `cc ${formatted.join(' ')}`;
}
