/**
 * Klaxon's App Home tab: the open alerts by severity with their Acknowledge and Silence
 * controls, the silences in force with Unsilence, and the latest audit entries. Built per
 * user: someone on one rule's allow-list sees that rule's alerts, silences and history only.
 */
import { decodeGroupData, shownAlert } from '../alerts/group-data';
import { silenceFor } from '../alerts/silences';
import type { CompiledRule } from '../rules/types';
import { SEVERITIES } from '../rules/types';
import type { AuditEntry, GroupRecord, StateStore } from '../store/types';
import { actionsBlock } from './actions';
import type { Block, ButtonElement } from './blocks';
import { mrkdwn } from './blocks';
import { slackDate } from './dates';
import { escapeLiteral } from './escape';
import { code, silenceScope, statusLine } from './listings';
import { userMention } from './status';

/** The Unsilence button of a silence listed on the Home tab; its value is the silence id. */
export const HOME_UNSILENCE_ACTION_ID = 'klaxon_home_unsilence';

/** Slack allows 100 blocks in a Home view: at most this many alerts (two blocks each) and silences are shown. */
export const HOME_MAX_ALERTS = 30;
export const HOME_MAX_SILENCES = 15;
export const HOME_AUDIT_ENTRIES = 20;

export interface HomeView {
  type: 'home';
  blocks: Block[];
}

export interface HomeSources {
  store: StateStore;
  rules: readonly CompiledRule[];
  /** Whether the user may act on alerts of the rule (by id): what the tab shows them. */
  mayActOn: (userId: string, rule: string) => boolean;
  /** Whether the user may read Klaxon's listings at all (see the `/klaxon` commands). */
  mayRead: (userId: string) => boolean;
  now: number;
}

/**
 * The Home tab for `userId`. `notice` (mrkdwn Klaxon wrote) is shown first: the answer to the
 * control just used there, since a click on the Home tab has no message to answer in.
 */
export async function homeView(userId: string, sources: HomeSources, notice?: string): Promise<HomeView> {
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: '🚨 Klaxon', emoji: true } }];
  if (notice !== undefined) blocks.push({ type: 'section', text: mrkdwn(notice) });
  if (!sources.mayRead(userId)) {
    blocks.push({ type: 'section', text: mrkdwn('Klaxon’s alerts are shown only to the people allowed to act on them (`allowed_users` in a rule, or KLAXON_ALLOWED_USERS).') });
    return { type: 'home', blocks };
  }
  const { store, now } = sources;
  const [active, silences, audit] = await Promise.all([store.listActiveGroups(now), store.listSilences(now), store.listAudit({ limit: 200 })]);
  const groups = active.filter((g) => sources.mayActOn(userId, g.rule)).sort(bySeverityThenRecency);
  blocks.push({ type: 'section', text: mrkdwn(groups.length === 0 ? '*Open alerts*: none.' : `*Open alerts* (${groups.length})`) });
  for (const record of groups.slice(0, HOME_MAX_ALERTS)) {
    const silence = silenceFor(silences, record.rule, record.fingerprint, now);
    blocks.push({ type: 'section', text: mrkdwn(statusLine(record, silence).replace(/^• /, '')) });
    const data = decodeGroupData(record.fingerprint, record.data);
    const controls = actionsBlock(record.fingerprint, { acknowledged: data.acknowledged !== undefined, ...(silence === undefined ? {} : { silenceId: silence.id }) });
    if (controls !== undefined) blocks.push({ ...controls, block_id: `home:${controls.block_id}` });
  }
  if (groups.length > HOME_MAX_ALERTS) blocks.push({ type: 'context', elements: [mrkdwn(`…and ${groups.length - HOME_MAX_ALERTS} more: \`/klaxon status\` or \`klaxon alerts\` list them all.`)] });

  blocks.push({ type: 'divider' });
  const shownSilences = silences.filter((s) => sources.mayActOn(userId, s.rule));
  blocks.push({ type: 'section', text: mrkdwn(shownSilences.length === 0 ? '*Silences in force*: none.' : `*Silences in force* (${shownSilences.length})`) });
  const titles = new Map(active.map((g) => [g.fingerprint, titleOf(g)]));
  for (const s of shownSilences.slice(0, HOME_MAX_SILENCES)) {
    const reason = s.reason === undefined ? '' : ` · ${escapeLiteral(s.reason)}`;
    const text = `${code(s.id)} · ${silenceScope(s, s.fingerprint === undefined ? undefined : titles.get(s.fingerprint))} · until ${slackDate(s.until)} · by ${userMention(s.createdBy)}${reason}`;
    blocks.push({ type: 'section', text: mrkdwn(text), accessory: unsilenceButton(s.id) });
  }

  blocks.push({ type: 'divider' });
  const history = audit.filter((e) => (e.rule === undefined ? true : sources.mayActOn(userId, e.rule))).slice(0, HOME_AUDIT_ENTRIES);
  blocks.push({ type: 'section', text: mrkdwn(history.length === 0 ? '*Recent activity*: none yet.' : `*Recent activity*\n${history.map(auditLine).join('\n')}`) });
  return { type: 'home', blocks };
}

function unsilenceButton(silenceId: string): ButtonElement {
  return { type: 'button', action_id: HOME_UNSILENCE_ACTION_ID, text: { type: 'plain_text', text: 'Unsilence', emoji: true }, value: silenceId };
}

function auditLine(e: AuditEntry): string {
  const about = e.fingerprint !== undefined ? code(e.fingerprint) : e.rule !== undefined ? `rule ${code(e.rule)}` : '';
  const detail = e.detail === undefined ? '' : ` · ${escapeLiteral(e.detail)}`;
  return `• ${slackDate(e.at)} · ${userMention(e.actor)} · ${e.action}${about === '' ? '' : ` · ${about}`}${detail}`;
}

function titleOf(record: GroupRecord): string | undefined {
  return shownAlert(decodeGroupData(record.fingerprint, record.data))?.title;
}

/** Critical first; within a severity, the most recently seen first. */
function bySeverityThenRecency(a: GroupRecord, b: GroupRecord): number {
  const alertA = shownAlert(decodeGroupData(a.fingerprint, a.data));
  const alertB = shownAlert(decodeGroupData(b.fingerprint, b.data));
  const rank = (s: string | undefined) => (s === undefined ? -1 : SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]));
  return rank(alertB?.severity) - rank(alertA?.severity) || (alertB?.lastSeen ?? 0) - (alertA?.lastSeen ?? 0);
}
