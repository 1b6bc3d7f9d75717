/**
 * Mentions from a rule's `slack.mention` list. These come from the rule file, not from logs, so
 * they are the one place where Klaxon writes `<!here>`-style markup on purpose. What counts as
 * a mention, and its markup, is `rules/slack-mention.ts`'s grammar, the one rule files are
 * validated against.
 */
import { mentionMarkup } from '../rules/slack-mention';
import { escapeMrkdwn } from './escape';

/**
 * One mention as Slack markup. Anything unrecognised is shown as escaped text rather than
 * dropped, so a typo in a rule is visible in the channel instead of silently pinging nobody.
 *
 * @example
 *   formatMention('@here');   // '<!here>'
 *   formatMention('U024BE7LH'); // '<@U024BE7LH>'
 *   formatMention('S0614TZR7'); // '<!subteam^S0614TZR7>'
 *   formatMention('@oncall'); // '@oncall' (plain text: a handle notifies no one)
 */
export function formatMention(mention: string): string {
  const m = mention.trim();
  return mentionMarkup(m) ?? escapeMrkdwn(m);
}

/** The mention line for an alert, or '' when the rule mentions no one. */
export function mentionLine(mentions: readonly string[]): string {
  const formatted = mentions.map(formatMention).filter((m) => m !== '');
  return formatted.length === 0 ? '' : `cc ${formatted.join(' ')}`;
}
