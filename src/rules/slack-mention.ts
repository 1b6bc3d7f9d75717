/**
 * Mentions a rule may ask for, and their Slack mrkdwn form.
 *
 * A bot cannot mention a user group by its handle (`@oncall` is posted as plain text), so
 * handles are refused with a pointer to the group's id instead of failing silently in Slack.
 */
export const MENTION_PATTERN =
  '^(?:@here|@channel|[UW][A-Z0-9]{2,}|S[A-Z0-9]{2,}|<@[UW][A-Z0-9]{2,}>|<!subteam\\^S[A-Z0-9]{2,}(?:\\|[^<>|]*)?>|<!(?:here|channel)>)$';

/** Why `text` is not a mention. */
export function mentionProblem(text: unknown): string {
  if (typeof text === 'string' && text.startsWith('@')) {
    return `"${text}" is a handle, which a bot cannot mention: use the user group's id (S0123ABCD, shown in the group's profile) or a user id (U012ABCDEF)`;
  }
  return `${JSON.stringify(text)} is not a mention: use @here, @channel, a user id (U012ABCDEF), a user-group id (S0123ABCD), <@U…> or <!subteam^S…>`;
}

/**
 * The mrkdwn token that makes Slack notify: `@here` → `<!here>`, `U012ABCDEF` → `<@U012ABCDEF>`,
 * `S0123ABCD` → `<!subteam^S0123ABCD>`; already-formed tokens are kept.
 */
export function mentionToken(text: string): string {
  if (text.startsWith('<')) return text;
  if (text === '@here' || text === '@channel') return `<!${text.slice(1)}>`;
  if (text.startsWith('S')) return `<!subteam^${text}>`;
  return `<@${text}>`;
}
