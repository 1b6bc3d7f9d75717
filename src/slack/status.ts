/**
 * The state line of an alert message: who acknowledged it, until when it is silenced, how
 * many events were held back while it was, and what came since the group's previous alert.
 * User ids come from Slack's own payloads and are checked before they become mentions.
 */
import type { Alert } from '../engine/alert';
import { slackDate } from './dates';

export interface MessageStatus {
  acknowledged?: { by: string; at: number };
  silenced?: { id: string; until: number; by: string; wholeRule: boolean };
  /** Matching events counted while the alert was silenced, before this message. */
  suppressed?: number;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** `<@U123>` for a Slack user id; anything else (the CLI, a test) as plain escaped-safe text. */
export function userMention(id: string): string {
  return SLACK_USER_ID.test(id) ? `<@${id}>` : id.replace(/[^A-Za-z0-9._-]/g, '?');
}

export function statusText(alert: Alert, status: MessageStatus): string {
  const lines: string[] = [];
  if (alert.previous !== undefined) {
    const { lastSeen, between } = alert.previous;
    const since = between > 0 ? ` · ${plural(between, 'matching event')} since then that did not alert on their own` : '';
    lines.push(`Previous alert for this group last seen ${slackDate(lastSeen)}${since}`);
  }
  if (status.suppressed !== undefined && status.suppressed > 0) lines.push(`🔕 ${plural(status.suppressed, 'event')} suppressed while silenced`);
  if (status.acknowledged !== undefined) {
    lines.push(`✅ Acknowledged by ${userMention(status.acknowledged.by)} at ${slackDate(status.acknowledged.at)}`);
  }
  if (status.silenced !== undefined) {
    const scope = status.silenced.wholeRule ? 'Rule silenced' : 'Silenced';
    lines.push(`🔕 ${scope} until ${slackDate(status.silenced.until)} by ${userMention(status.silenced.by)} (silence \`${status.silenced.id}\`)`);
  }
  return lines.join('\n');
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
