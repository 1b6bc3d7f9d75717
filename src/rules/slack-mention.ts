/**
 * The one grammar of Slack mentions: what a rule's `slack.mention` may hold, and the mrkdwn
 * token each becomes. Rule files are validated against it (`MENTION_PATTERN`, also in the
 * JSON schema) and the Slack renderer formats with it (`mentionMarkup`), so what a rule may
 * ask for and what Klaxon writes as notifying markup are the same set:
 *
 * - `@here`, `@channel` → `<!here>`, `<!channel>`
 * - a user id `U…`/`W…` → `<@U…>`; a user-group id `S…` → `<!subteam^S…>`
 * - already-formed `<@U…>`, `<!subteam^S…>` (optionally `<!subteam^S…|label>`), `<!here>`,
 *   `<!channel>`, kept as written.
 *
 * A bot cannot mention a user group by its handle (`@oncall` is posted as plain text), so
 * handles are refused with a pointer to the group's id instead of failing silently in Slack.
 * `@everyone` and channel links (`<#C…>`) are not mentions.
 */
export const MENTION_PATTERN =
  '^(?:@here|@channel|[UW][A-Z0-9]{2,}|S[A-Z0-9]{2,}|<@[UW][A-Z0-9]{2,}>|<!subteam\\^S[A-Z0-9]{2,}(?:\\|[^<>|]*)?>|<!(?:here|channel)>)$';

const MENTION = new RegExp(MENTION_PATTERN);

/** Why `text` is not a mention. */
export function mentionProblem(text: unknown): string {
  if (typeof text === 'string' && text.startsWith('@')) {
    return `"${text}" is a handle, which a bot cannot mention: use the user group's id (S0123ABCD, shown in the group's profile) or a user id (U012ABCDEF)`;
  }
  return `${JSON.stringify(text)} is not a mention: use @here, @channel, a user id (U012ABCDEF), a user-group id (S0123ABCD), <@U…> or <!subteam^S…>`;
}

/**
 * The mrkdwn token that makes Slack notify, or undefined when `text` is not a mention:
 * `@here` → `<!here>`, `U012ABCDEF` → `<@U012ABCDEF>`, `S0123ABCD` → `<!subteam^S0123ABCD>`;
 * already-formed tokens are kept.
 */
export function mentionMarkup(text: string): string | undefined {
  if (!MENTION.test(text)) return undefined;
  if (text.startsWith('<')) return text;
  if (text === '@here' || text === '@channel') return `<!${text.slice(1)}>`;
  if (text.startsWith('S')) return `<!subteam^${text}>`;
  return `<@${text}>`;
}

/**
 * A validated rule's mention as its mrkdwn token. Rule files are checked against
 * `MENTION_PATTERN` first; should anything else get here it is kept as written, and the
 * renderer shows it as escaped text.
 */
export function mentionToken(text: string): string {
  return mentionMarkup(text) ?? text;
}
