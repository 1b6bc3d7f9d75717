/**
 * How alerts and silences read in Klaxon's listings (`/klaxon status`, `/klaxon silences`,
 * the App Home tab): one mrkdwn line each, log text shown literally.
 */
import { decodeGroupData, shownAlert } from '../alerts/group-data';
import type { GroupRecord, Silence } from '../store/types';
import { slackDate } from './dates';
import { escapeMrkdwn } from './escape';
import { literalWithin } from './limits';
import { SEVERITY_BADGE } from './render';
import { plural, userMention } from './status';

/** Longest alert title shown in a listing. */
const LISTED_TITLE_MAX = 150;

/** "whole rule `r`" or "alert “title” (rule `r`)", escaped. */
export function silenceScope(silence: Silence, title?: string): string {
  const rule = code(silence.rule);
  if (silence.fingerprint === undefined) return `whole rule ${rule}`;
  return title === undefined ? `alert ${code(silence.fingerprint)} (rule ${rule})` : `alert “${listedTitle(title)}” (rule ${rule})`;
}

export function statusLine(record: GroupRecord, silence: Silence | undefined): string {
  const data = decodeGroupData(record.fingerprint, record.data);
  const alert = shownAlert(data);
  const parts = [alert === undefined ? code(record.rule) : `${SEVERITY_BADGE[alert.severity]} ${code(record.rule)}`];
  if (alert !== undefined) parts.push(listedTitle(alert.title), plural(alert.count, 'event'), `last seen ${slackDate(alert.lastSeen)}`);
  if (data.acknowledged !== undefined) parts.push(`✅ acknowledged by ${userMention(data.acknowledged.by)}`);
  if (silence !== undefined) parts.push(`🔕 silenced until ${slackDate(silence.until)} (${code(silence.id)})`);
  if (data.suppressed > 0) parts.push(`${plural(data.suppressed, 'event')} suppressed`);
  return `• ${parts.join(' · ')}`;
}

export function listedTitle(title: string): string {
  return literalWithin(title.replace(/\s+/g, ' '), LISTED_TITLE_MAX);
}

export function listing(heading: string, lines: readonly string[], total: number): string {
  const more = total > lines.length ? `\n…and ${total - lines.length} more` : '';
  return `${heading}\n${lines.join('\n')}${more}`;
}

/** Inline code for text Klaxon did not write itself (ids, rule ids), escaped. */
export function code(text: string): string {
  return `\`${escapeMrkdwn(text)}\``;
}
