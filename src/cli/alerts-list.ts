/**
 * `klaxon alerts` and `klaxon silences`: what the state holds, read from the terminal (the
 * `/klaxon status` and `/klaxon silences` of Slack), as JSON lines or for a person.
 */
import { parseArgs } from 'node:util';
import { decodeGroupData, shownAlert, currentMessage } from '../alerts/group-data';
import { silenceFor } from '../alerts/silences';
import { SEVERITY_BADGE } from '../slack/render';
import { openStore } from '../store/open-store';
import type { GroupRecord, Silence } from '../store/types';
import { EXIT_OK, UsageError, write, type CliIo } from './io';
import { TERMINAL_CHANNEL } from './terminal-notifier';
import { alertHeadJson } from './output';
import { terminalSafe } from './terminal-safe';

export const ALERTS_USAGE = 'klaxon alerts [--rule RULE] [--all] [--format pretty|json]   (open alerts; --all: every alert on record)';
export const SILENCES_USAGE = 'klaxon silences [--format pretty|json]';

/** One alert as `klaxon alerts --format json` prints it. */
export interface AlertListing {
  fingerprint: string;
  rule: string;
  severity: string;
  title: string;
  count: number;
  first_seen: string;
  last_seen: string;
  open: boolean;
  acknowledged_by?: string;
  acknowledged_at?: string;
  silenced_until?: string;
  silence_id?: string;
  slack_permalink?: string;
  waiting_for_slack: boolean;
}

export async function alertsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { rule: { type: 'string' }, all: { type: 'boolean', default: false }, format: { type: 'string', default: 'pretty' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const format = outputFormat(values.format);
  const now = (io.now ?? Date.now)();
  const store = openStore(io.env ?? process.env);
  try {
    const [records, silences] = await Promise.all([store.listActiveGroups(values.all ? 0 : now), store.listSilences(now)]);
    const listings = records
      .filter((r) => r.expiresAt > now && (values.rule === undefined || r.rule === values.rule))
      .flatMap((r) => {
        const listing = alertListing(r, silences, now);
        return listing === undefined ? [] : [listing];
      });
    if (format === 'json') await write(io.stdout, listings.map((l) => `${JSON.stringify(l)}\n`).join(''));
    else await write(io.stdout, listings.length === 0 ? `No ${values.all ? '' : 'open '}alerts${values.rule === undefined ? '' : ` of rule ${values.rule}`}.\n` : terminalSafe(listings.map(alertPretty).join('')));
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

export async function silencesCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { format: { type: 'string', default: 'pretty' } }, strict: true, allowPositionals: true });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const format = outputFormat(values.format);
  const store = openStore(io.env ?? process.env);
  try {
    const silences = await store.listSilences((io.now ?? Date.now)());
    const listings = silences.map(silenceListing);
    if (format === 'json') await write(io.stdout, listings.map((l) => `${JSON.stringify(l)}\n`).join(''));
    else await write(io.stdout, silences.length === 0 ? 'No silences in force.\n' : terminalSafe(silences.map(silencePretty).join('')));
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

export function alertListing(record: GroupRecord, silences: readonly Silence[], now: number): AlertListing | undefined {
  const data = decodeGroupData(record.fingerprint, record.data);
  const alert = shownAlert(data);
  if (alert === undefined) return undefined;
  const listing: AlertListing = {
    ...alertHeadJson(alert),
    fingerprint: record.fingerprint,
    rule: record.rule,
    open: record.activeUntil !== undefined && record.activeUntil > now,
    waiting_for_slack: record.pendingSince !== undefined,
  };
  if (data.acknowledged !== undefined) {
    listing.acknowledged_by = data.acknowledged.by;
    listing.acknowledged_at = new Date(data.acknowledged.at).toISOString();
  }
  const silence = silenceFor(silences, record.rule, record.fingerprint, now);
  if (silence !== undefined) {
    listing.silenced_until = new Date(silence.until).toISOString();
    listing.silence_id = silence.id;
  }
  const message = currentMessage(data);
  if (message?.ts !== undefined && message.channel !== TERMINAL_CHANNEL) listing.slack_permalink = permalink(message.channel, message.ts);
  return listing;
}

/** Slack's archive link for a message: it opens the message in the workspace of whoever follows it. */
export function permalink(channel: string, ts: string): string {
  return `https://slack.com/archives/${encodeURIComponent(channel)}/p${ts.replace('.', '')}`;
}

function alertPretty(a: AlertListing): string {
  const state = [
    a.open ? undefined : 'closed',
    a.acknowledged_by === undefined ? undefined : `acknowledged by ${a.acknowledged_by} at ${a.acknowledged_at}`,
    a.silenced_until === undefined ? undefined : `silenced until ${a.silenced_until} (${a.silence_id})`,
    a.waiting_for_slack ? 'waiting for Slack' : undefined,
  ].filter((s) => s !== undefined);
  const lines = [
    `${SEVERITY_BADGE[a.severity as keyof typeof SEVERITY_BADGE] ?? ''} ${a.severity.toUpperCase()}  ${a.title}`,
    `   ${a.fingerprint} · ${a.count} event${a.count === 1 ? '' : 's'} · first ${a.first_seen} · last ${a.last_seen}`,
  ];
  if (state.length > 0) lines.push(`   ${state.join(' · ')}`);
  if (a.slack_permalink !== undefined) lines.push(`   ${a.slack_permalink}`);
  return `${lines.join('\n')}\n`;
}

function silenceListing(s: Silence): Record<string, string> {
  const listing: Record<string, string> = { id: s.id, rule: s.rule, until: new Date(s.until).toISOString(), created_by: s.createdBy, created_at: new Date(s.createdAt).toISOString() };
  if (s.fingerprint !== undefined) listing.fingerprint = s.fingerprint;
  if (s.reason !== undefined) listing.reason = s.reason;
  return listing;
}

function silencePretty(s: Silence): string {
  const scope = s.fingerprint === undefined ? `whole rule ${s.rule}` : `alert ${s.fingerprint}`;
  const reason = s.reason === undefined ? '' : ` · ${s.reason}`;
  return `${s.id}  ${scope} · until ${new Date(s.until).toISOString()} · by ${s.createdBy}${reason}\n`;
}

function outputFormat(value: string | undefined): 'json' | 'pretty' {
  if (value !== 'json' && value !== 'pretty') throw new UsageError(`--format must be json or pretty, not "${value}"`);
  return value;
}
