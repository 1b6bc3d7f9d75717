/**
 * Slack date markup: `<!date^UNIX^{date_short_pretty} {time_secs}|FALLBACK>` shows each reader
 * the time in their own time zone; the ISO fallback is what clients that cannot format it show.
 */
export function slackDate(epochMs: number): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return 'unknown';
  return `<!date^${Math.floor(epochMs / 1000)}^{date_short_pretty} {time_secs}|${date.toISOString()}>`;
}
