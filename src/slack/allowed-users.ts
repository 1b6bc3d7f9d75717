/** KLAXON_ALLOWED_USERS: Slack user ids separated by commas or spaces. */
export function parseAllowedUsers(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((id) => id !== '');
}
