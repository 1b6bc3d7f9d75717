/**
 * What people do to an alert from Slack: the Acknowledge, Unacknowledge, Silence and Unsilence
 * controls on its message, and the `/klaxon` command (`silences`, `status`, `unsilence ID`,
 * `help`), as listeners on a Bolt `App`.
 *
 * Every change goes the same way: permission check (a refusal is
 * audited and nothing else changes) → state write → audit entry → the affected groups' messages
 * re-rendered through the lifecycle → a line in the alert's thread. Answers meant for the one
 * person who clicked or typed (refusals, notes, errors, command output) are ephemeral, through
 * the request's `response_url`.
 *
 * Listeners `ack()` first; the app runs with `processBeforeResponse`, so everything here has
 * finished before Slack gets its HTTP answer (a Lambda may be frozen right after it).
 */
import type { App, BlockAction, ButtonAction, RespondFn, StaticSelectAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { decodeGroupData, shownAlert } from '../alerts/group-data';
import type { AlertLifecycle } from '../alerts/lifecycle';
import { mutateGroup } from '../alerts/mutate-group';
import type { Notifier } from '../alerts/notifier';
import { newSilenceId, silenceFor } from '../alerts/silences';
import type { CompiledRule } from '../rules/types';
import type { AuditAction, GroupRecord, Silence, StateStore } from '../store/types';
import {
  ACKNOWLEDGE_ACTION_ID,
  fingerprintFromBlockId,
  parseSilenceValue,
  parseUnsilenceValue,
  SILENCE_ACTION_ID,
  UNACKNOWLEDGE_ACTION_ID,
  UNSILENCE_ACTION_ID,
  type SilenceChoice,
} from './actions';
import { slackDate } from './dates';
import { escapeLiteral } from './escape';
import { SLACK_LIMITS, truncate } from './limits';
import { plural, userMention } from './status';
import { outboxStatus } from '../alerts/outbox';
import { code, listing, silenceScope, statusLine } from './listings';
import { replayGuard } from './replay-guard';
import { HOME_UNSILENCE_ACTION_ID, homeView, type HomeSources } from './app-home';

/** The slash command Klaxon answers. */
export const KLAXON_COMMAND = '/klaxon';

/** At most this many alerts or silences are listed by `/klaxon status` and `/klaxon silences`. */
export const MAX_LISTED = 25;

/** A whole-rule silence re-renders at most this many of the rule's open alerts. */
export const MAX_REFRESHED_GROUPS = 20;

export interface InteractionDeps {
  store: StateStore;
  /** Re-renders a group's messages after a change (an `AlertLifecycle`). */
  lifecycle: Pick<AlertLifecycle, 'refresh'>;
  /** Posts the thread lines. */
  notifier: Pick<Notifier, 'reply'>;
  /** The loaded rules: their `allowedUsers`. */
  rules: readonly CompiledRule[];
  /** `KLAXON_ALLOWED_USERS`, parsed by the caller; empty: no global restriction. */
  allowedUsers: readonly string[];
  now?: () => number;
  /** Where failures are logged (one line each, never a token); default `console.error`. */
  log?: (line: string) => void;
}

/**
 * Registers the four message controls and `/klaxon` on `app`.
 *
 * @example
 *   const app = new App({ token, signingSecret, processBeforeResponse: true });
 *   registerInteractions(app, { store, lifecycle, notifier, rules, allowedUsers: ['U012ABC'] });
 */
export function registerInteractions(app: App, deps: InteractionDeps): void {
  app.use(replayGuard(deps.store));
  const handlers = new InteractionHandlers(deps);
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await handlers.publishHome(client, event.user);
  });
  for (const [actionId, control] of Object.entries(CONTROLS)) {
    onClick<ButtonAction | StaticSelectAction>(app, actionId, control.what, handlers, controlValue, (req, value) => control.run(handlers, req, value));
  }
  app.command(KLAXON_COMMAND, async ({ ack, command, respond }) => {
    await ack();
    const req: Requester = { userId: command.user_id, tell: teller(respond, handlers.log) };
    await handlers.guard(req, `run ${KLAXON_COMMAND}`, () => handlers.command(req, command.text));
  });
}

/** A control Klaxon puts on its messages and its Home tab: what it does, and how, given its value. */
export interface Control {
  what: string;
  run(handlers: InteractionHandlers, req: Requester, value: string): Promise<void>;
}

/** Every control by action id: Slack's listeners and the local preview page run these same handlers. */
export const CONTROLS: Record<string, Control> = {
  [ACKNOWLEDGE_ACTION_ID]: { what: 'acknowledge the alert', run: (h, req, fp) => h.acknowledge(req, fp) },
  [UNACKNOWLEDGE_ACTION_ID]: { what: 'unacknowledge the alert', run: (h, req, fp) => h.unacknowledge(req, fp) },
  [SILENCE_ACTION_ID]: {
    what: 'silence the alert',
    run: async (h, req, value) => {
      const choice = parseSilenceValue(value);
      await (choice === undefined ? req.tell(UNREADABLE_CONTROL) : h.silence(req, choice));
    },
  },
  [UNSILENCE_ACTION_ID]: {
    what: 'lift the silence',
    run: async (h, req, value) => {
      const target = parseUnsilenceValue(value);
      await (target === undefined ? req.tell(UNREADABLE_CONTROL) : h.liftSilence(req, target.silenceId, target.fingerprint));
    },
  },
  [HOME_UNSILENCE_ACTION_ID]: { what: 'lift the silence', run: (h, req, id) => h.liftSilence(req, id) },
};

/** A button's value, or the option chosen in a menu. */
function controlValue(action: ButtonAction | StaticSelectAction): string | undefined {
  return action.type === 'static_select' ? action.selected_option.value : action.value;
}

/**
 * Whether `userId` may act on an alert of `rule`. A rule's own `allowed_users`, when it names
 * anyone, decides alone for that rule's alerts (it may widen or narrow the global list: the team
 * that owns a rule handles its alerts); otherwise the global list decides; when both are empty,
 * everyone who can see the message may act.
 */
export function mayAct(userId: string, rule: CompiledRule | undefined, globalAllowed: readonly string[]): boolean {
  const allowed = rule !== undefined && rule.allowedUsers.length > 0 ? rule.allowedUsers : globalAllowed;
  return allowed.length === 0 || allowed.includes(userId);
}

/** The `/klaxon` help text. */
export const COMMAND_USAGE = [
  `*${KLAXON_COMMAND}* — Klaxon's alerts and silences`,
  `• \`${KLAXON_COMMAND} status\` — open alerts: rule, title, count, last seen, acknowledged or silenced`,
  `• \`${KLAXON_COMMAND} silences\` — silences in force: id, what they cover, until when, by whom`,
  `• \`${KLAXON_COMMAND} unsilence ID\` — lift a silence (its id is in the alert's thread and in \`${KLAXON_COMMAND} silences\`)`,
  `• \`${KLAXON_COMMAND} help\` — this text`,
].join('\n');

const UNREADABLE_CONTROL = 'Klaxon could not read this control: the message may come from another Klaxon version. Use `/klaxon status`.';
const EXPIRED_ALERT = 'Klaxon no longer has a record of this alert (its state expired after a long quiet period), so there is nothing to change. New matches will post a fresh alert.';

/** Who clicked or typed (or ran `klaxon ack`), and how to answer them alone. */
export interface Requester {
  userId: string;
  /** Answers this user with an ephemeral message; never throws (a failure is logged). */
  tell(text: string): Promise<void>;
  /** The message that was clicked: where a thread line goes when its group has no posted message on record. */
  origin?: { fingerprint: string; channel: string; ts: string };
  /** A terminal, which sees no message change: it is told the thread line as the confirmation. */
  seesNoMessage?: boolean;
}

/** What a change did. */
interface Changed {
  /** Audit detail. */
  detail: string;
  /** The line for the alert's thread (mrkdwn Klaxon wrote; anything from outside escaped). */
  thread: string;
  /** Groups whose messages show the change. */
  refresh: readonly string[];
  /** Groups whose threads get the line. */
  replyTo: readonly string[];
  /** Said to the requester afterwards (the command has no message that visibly changes). */
  confirm?: string;
}

/** A change that turned out to change nothing; the note is said to the requester. */
interface Unchanged {
  unchanged: string;
}

/** What a change is about: the rule decides who may make it; the fingerprint is audited. */
interface Target {
  rule: string;
  fingerprint?: string;
}

/** A failure after the state was written: the message or thread could not be brought up to date. */
class FollowUpError extends Error {
  constructor(
    readonly what: string,
    cause: unknown,
  ) {
    super(reason(cause), { cause });
  }
}

/**
 * The handlers behind the listeners, free of Bolt: each takes the requester and the parsed
 * value. The CLI's `klaxon ack`, `silence` and `unsilence` run the same code.
 */
export class InteractionHandlers {
  readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly rulesById: Map<string, CompiledRule>;

  constructor(private readonly deps: InteractionDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? ((line) => console.error(line));
    this.rulesById = new Map(deps.rules.map((r) => [r.id, r]));
  }

  /** Records who acknowledged the alert; a second click changes nothing. */
  async acknowledge(req: Requester, fingerprint: string): Promise<void> {
    await this.onGroup(req, 'acknowledge', fingerprint, async () => {
      const at = this.now();
      let earlier: { by: string; at: number } | undefined;
      const written = await mutateGroup(this.deps.store, fingerprint, (data) => {
        earlier = data.acknowledged;
        if (earlier !== undefined) return false;
        data.acknowledged = { by: req.userId, at };
        return true;
      });
      if (written === undefined) return { unchanged: earlier === undefined ? EXPIRED_ALERT : `Already acknowledged by ${userMention(earlier.by)} at ${slackDate(earlier.at)}.` };
      return { detail: `acknowledged at ${iso(at)}`, thread: `✅ Acknowledged by ${userMention(req.userId)}`, refresh: [fingerprint], replyTo: [fingerprint] };
    });
  }

  /** Withdraws the acknowledgement: new alerts of the group notify again. */
  async unacknowledge(req: Requester, fingerprint: string): Promise<void> {
    await this.onGroup(req, 'unacknowledge', fingerprint, async () => {
      let earlier: { by: string; at: number } | undefined;
      const written = await mutateGroup(this.deps.store, fingerprint, (data) => {
        earlier = data.acknowledged;
        if (earlier === undefined) return false;
        delete data.acknowledged;
        return true;
      });
      if (written === undefined || earlier === undefined) return { unchanged: 'This alert is not acknowledged.' };
      return {
        detail: `acknowledgement by ${earlier.by} withdrawn`,
        thread: `↩️ Unacknowledged by ${userMention(req.userId)}: new alerts for this group will notify again`,
        refresh: [fingerprint],
        replyTo: [fingerprint],
      };
    });
  }

  /**
   * Silences the alert's group, or its whole rule, for the chosen time. A silence already in
   * force for the same scope is replaced (the new end wins, longer or shorter), not stacked.
   */
  async silence(req: Requester, choice: SilenceChoice): Promise<void> {
    await this.onGroup(req, 'silence', choice.fingerprint, (record) =>
      this.placeSilence(req, { rule: record.rule, fingerprint: choice.scope === 'alert' ? choice.fingerprint : undefined, ms: choice.ms, anchor: choice.fingerprint }),
    );
  }

  /** Silences one alert's group for `ms` (`klaxon silence --fingerprint FP`). */
  async silenceAlert(req: Requester, fingerprint: string, ms: number, reason?: string): Promise<void> {
    await this.onGroup(req, 'silence', fingerprint, (record) => this.placeSilence(req, { rule: record.rule, fingerprint, ms, anchor: fingerprint, reason }));
  }

  /** Silences every alert of a rule, with no alert to start from (`klaxon silence --rule R`). */
  async silenceRule(req: Requester, rule: string, ms: number, reason?: string): Promise<void> {
    await this.change(req, 'silence', { rule }, () => this.placeSilence(req, { rule, ms, reason }));
  }

  private async placeSilence(req: Requester, s: { rule: string; fingerprint?: string | undefined; ms: number; anchor?: string; reason?: string | undefined }): Promise<Changed> {
    const now = this.now();
    const replaced = (await this.deps.store.listSilences(now)).filter((old) => old.rule === s.rule && old.fingerprint === s.fingerprint);
    const silence: Silence = { id: newSilenceId(), rule: s.rule, createdAt: now, until: now + s.ms, createdBy: req.userId };
    if (s.fingerprint !== undefined) silence.fingerprint = s.fingerprint;
    if (s.reason !== undefined && s.reason.trim() !== '') silence.reason = s.reason.trim();
    // The new silence is in force before the old one goes: no moment without one.
    await this.deps.store.putSilence(silence);
    for (const old of replaced) await this.deps.store.deleteSilence(old.id);
    const refresh = s.fingerprint !== undefined ? [s.fingerprint] : await this.openGroupsOf(s.rule, s.anchor);
    const replacedIds = replaced.map((old) => old.id).join(', ');
    return {
      detail: `silence ${silence.id} ${s.fingerprint === undefined ? 'whole rule' : 'alert'} until ${iso(silence.until)}${replaced.length > 0 ? ` replacing ${replacedIds}` : ''}${silence.reason === undefined ? '' : ` (${silence.reason})`}`,
      thread: silencedLine(silence, replaced, req.userId),
      refresh,
      replyTo: s.anchor !== undefined ? [s.anchor] : refresh,
    };
  }

  /**
   * Lifts a silence (the Unsilence button, or `/klaxon unsilence ID`). `anchor` is the alert the
   * button was on: its thread gets the line. One already lifted or ended is a note, not an error.
   */
  async liftSilence(req: Requester, id: string, anchor?: string): Promise<void> {
    const silence = findSilence(await this.deps.store.listSilences(this.now()), id);
    if (silence === undefined) {
      await req.tell(`Silence ${code(truncate(id, 40))} is not in force: it was already lifted, or it ended. \`${KLAXON_COMMAND} silences\` lists the ones in force.`);
      if (anchor !== undefined) await this.deps.lifecycle.refresh(anchor);
      return;
    }
    const scope = silenceScope(silence, await this.titleOf(silence.fingerprint));
    const target: Target = { rule: silence.rule };
    const audited = silence.fingerprint ?? anchor;
    if (audited !== undefined) target.fingerprint = audited;
    await this.change(req, 'unsilence', target, async () => {
      if ((await this.deps.store.deleteSilence(silence.id)) === undefined) return { unchanged: `Silence ${code(silence.id)} was already lifted.` };
      const refresh = silence.fingerprint !== undefined ? [silence.fingerprint] : await this.openGroupsOf(silence.rule, anchor);
      const replyTo = silence.fingerprint !== undefined ? [silence.fingerprint] : anchor !== undefined ? [anchor] : refresh;
      return {
        detail: `silence ${silence.id} lifted (it ran until ${iso(silence.until)})`,
        thread: `🔔 Silence ${code(silence.id)} lifted by ${userMention(req.userId)}: ${silence.fingerprint === undefined ? `alerts of rule ${code(silence.rule)}` : 'this alert'} will post again`,
        refresh,
        replyTo,
        confirm: `Lifted silence ${code(silence.id)}: ${scope}.`,
      };
    });
  }

  /** Publishes `userId`'s Home tab (with the answer to what they just did there); a failure is logged. */
  async publishHome(client: Pick<WebClient, 'views'>, userId: string, notice?: string): Promise<void> {
    try {
      const sources: HomeSources = {
        store: this.deps.store,
        rules: this.deps.rules,
        mayActOn: (user, rule) => this.mayActOn(user, rule),
        mayRead: (user) => this.mayRead(user),
        now: this.now(),
      };
      const view = await homeView(userId, sources, notice === '' ? undefined : notice);
      await client.views.publish({ user_id: userId, view: view as unknown as Parameters<WebClient['views']['publish']>[0]['view'] });
    } catch (error) {
      this.log(`klaxon: could not publish the Home tab of ${userId}: ${reason(error)}`);
    }
  }

  /** `/klaxon <text>`. */
  async command(req: Requester, text: string): Promise<void> {
    const [sub = '', ...args] = text.trim().split(/\s+/);
    switch (sub.toLowerCase()) {
      case 'status':
        return this.whenMayRead(req, 'status', async () => `${await this.statusText(req.userId)}${await this.backlogText()}`);
      case 'silences':
        return this.whenMayRead(req, 'silences', () => this.silencesText(req.userId));
      case 'unsilence': {
        const id = args[0];
        return id === undefined ? req.tell(`Which silence? \`${KLAXON_COMMAND} unsilence ID\`; \`${KLAXON_COMMAND} silences\` lists them.`) : this.liftSilence(req, id);
      }
      default:
        return req.tell(COMMAND_USAGE);
    }
  }

  /** Runs `run`; a failure is logged and told to the requester as "Klaxon could not …: reason". */
  async guard(req: Requester, what: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      const failed = error instanceof FollowUpError ? error.what : what;
      this.log(`klaxon: could not ${failed} for ${req.userId}: ${reason(error)}`);
      await req.tell(`Klaxon could not ${failed}: ${escapeLiteral(reason(error))}`);
    }
  }

  /** A change to one alert group that must still be on record. */
  private async onGroup(req: Requester, action: AuditAction, fingerprint: string, apply: (record: GroupRecord) => Promise<Changed | Unchanged>): Promise<void> {
    const record = await this.deps.store.getGroup(fingerprint);
    if (record === undefined) {
      await req.tell(EXPIRED_ALERT);
      return;
    }
    await this.change(req, action, { rule: record.rule, fingerprint }, () => apply(record));
  }

  /** Permission → change → audit → refresh → thread lines. */
  private async change(req: Requester, action: AuditAction, target: Target, apply: () => Promise<Changed | Unchanged>): Promise<void> {
    if (!mayAct(req.userId, this.rulesById.get(target.rule), this.deps.allowedUsers)) {
      await this.refuse(req, action, target);
      return;
    }
    const outcome = await apply();
    if ('unchanged' in outcome) {
      // Nothing to record; bring the message up to date anyway, in case an earlier update failed.
      if (target.fingerprint !== undefined) await this.deps.lifecycle.refresh(target.fingerprint);
      await req.tell(outcome.unchanged);
      return;
    }
    await this.deps.store.appendAudit({ at: this.now(), actor: req.userId, action, ...target, detail: outcome.detail });
    try {
      for (const fingerprint of outcome.refresh) {
        // The update stays in the outbox and is retried; the person is told now.
        const { failure } = await this.deps.lifecycle.refresh(fingerprint);
        if (failure !== undefined) throw failure;
      }
      for (const fingerprint of outcome.replyTo) await this.replyInThread(fingerprint, outcome.thread, req.origin);
    } catch (error) {
      throw new FollowUpError(`update the alert's Slack message (the ${action} itself is recorded)`, error);
    }
    const confirmation = outcome.confirm ?? (req.seesNoMessage === true ? outcome.thread : undefined);
    if (confirmation !== undefined) await req.tell(confirmation);
  }

  private async refuse(req: Requester, action: AuditAction, target: Target): Promise<void> {
    await this.deps.store.appendAudit({ at: this.now(), actor: req.userId, action: 'refuse', ...target, detail: `${action}: not an allowed user` });
    await req.tell(`Sorry, you are not allowed to ${action} alerts of rule ${code(target.rule)}. Ask someone on its allowed list (\`allowed_users\` in the rule, or KLAXON_ALLOWED_USERS).`);
  }

  /** The read-only views are open to all, unless someone restricted who may act: then to those people only. */
  private mayRead(userId: string): boolean {
    const lists = [this.deps.allowedUsers, ...this.deps.rules.map((r) => r.allowedUsers)].filter((l) => l.length > 0);
    return lists.length === 0 || lists.some((l) => l.includes(userId));
  }

  private async whenMayRead(req: Requester, what: string, text: () => Promise<string>): Promise<void> {
    if (!this.mayRead(req.userId)) {
      await this.deps.store.appendAudit({ at: this.now(), actor: req.userId, action: 'refuse', detail: `${KLAXON_COMMAND} ${what}: not an allowed user` });
      await req.tell(`Sorry, \`${KLAXON_COMMAND} ${what}\` is only for the people allowed to act on alerts.`);
      return;
    }
    await req.tell(await text());
  }

  /** A line in the thread of the group's latest posted message (or of the clicked message). */
  private async replyInThread(fingerprint: string, text: string, origin: Requester['origin']): Promise<void> {
    const record = await this.deps.store.getGroup(fingerprint);
    const posted = record === undefined ? undefined : decodeGroupData(fingerprint, record.data).messages.filter((m) => m.ts !== undefined).at(-1);
    const where = posted?.ts !== undefined ? { channel: posted.channel, ts: posted.ts } : origin?.fingerprint === fingerprint ? origin : undefined;
    if (where !== undefined) await this.deps.notifier.reply(where.channel, where.ts, text);
  }

  /** The title of the alert a group shows, when the group is on record. */
  private async titleOf(fingerprint: string | undefined): Promise<string | undefined> {
    const record = fingerprint === undefined ? undefined : await this.deps.store.getGroup(fingerprint);
    return record === undefined ? undefined : shownAlert(decodeGroupData(record.fingerprint, record.data))?.title;
  }

  /** `first`, then the rule's other open alerts: the groups a whole-rule change shows on. */
  private async openGroupsOf(rule: string, first: string | undefined): Promise<string[]> {
    const open = (await this.deps.store.listActiveGroups(this.now())).filter((r) => r.rule === rule).map((r) => r.fingerprint);
    return [...new Set([...(first === undefined ? [] : [first]), ...open])].slice(0, MAX_REFRESHED_GROUPS);
  }

  /** Whether `userId` may act on alerts of the rule (by id): what the listings show them. */
  private mayActOn(userId: string, rule: string): boolean {
    return mayAct(userId, this.rulesById.get(rule), this.deps.allowedUsers);
  }

  /** The open alerts `userId` may act on: someone on one rule's allow-list does not see the others' alerts. */
  private async statusText(userId: string): Promise<string> {
    const now = this.now();
    const [active, silences] = await Promise.all([this.deps.store.listActiveGroups(now), this.deps.store.listSilences(now)]);
    const groups = active.filter((record) => this.mayActOn(userId, record.rule));
    if (groups.length === 0) return 'No open alerts.';
    const lines = groups.slice(0, MAX_LISTED).map((record) => statusLine(record, silenceFor(silences, record.rule, record.fingerprint, now)));
    return listing(`*Open alerts* (${groups.length})`, lines, groups.length);
  }

  /** The outbox, when anything waits: those messages are not in Slack yet (Slack refused or could not be reached). */
  private async backlogText(): Promise<string> {
    const backlog = await outboxStatus(this.deps.store, this.now());
    if (backlog.waiting === 0) return '';
    const since = backlog.oldest === undefined ? '' : ` since ${slackDate(backlog.oldest)}`;
    const why = backlog.lastError === undefined ? '' : ` (last error: ${escapeLiteral(backlog.lastError)})`;
    return `\n:hourglass: *Waiting for Slack:* ${plural(backlog.waiting, 'message')}${since}${why}; they go out by themselves.`;
  }

  private async silencesText(userId: string): Promise<string> {
    const silences = (await this.deps.store.listSilences(this.now())).filter((s) => this.mayActOn(userId, s.rule));
    if (silences.length === 0) return 'No silences in force.';
    const shown = silences.slice(0, MAX_LISTED);
    const fingerprints = shown.flatMap((s) => (s.fingerprint === undefined ? [] : [s.fingerprint]));
    const groups = await this.deps.store.getGroups(fingerprints);
    const lines = shown.map((s) => {
      const record = s.fingerprint === undefined ? undefined : groups.get(s.fingerprint);
      const title = record === undefined ? undefined : shownAlert(decodeGroupData(record.fingerprint, record.data))?.title;
      return `• ${code(s.id)} · ${silenceScope(s, title)} · until ${slackDate(s.until)} · by ${userMention(s.createdBy)}`;
    });
    return listing(`*Silences in force* (${silences.length})`, lines, silences.length);
  }
}

/** One Bolt listener for a message control: ack, read the value, run the handler under `guard`. */
function onClick<A extends ButtonAction | StaticSelectAction>(
  app: App,
  actionId: string,
  what: string,
  handlers: InteractionHandlers,
  valueOf: (action: A) => string | undefined,
  run: (req: Requester, value: string) => Promise<void>,
): void {
  // Klaxon's action ids only ever come on block_actions payloads.
  app.action<BlockAction<A>>(actionId, async ({ ack, body, action, respond, client }) => {
    await ack();
    const value = valueOf(action);
    // A click on the Home tab has no message and no response_url: the answer is shown on the tab, published again.
    const fromHome = body.view?.type === 'home';
    const notices: string[] = [];
    const req: Requester = {
      userId: body.user.id,
      tell: fromHome
        ? async (text) => {
            notices.push(text);
          }
        : teller(respond, handlers.log),
      seesNoMessage: fromHome,
    };
    const fingerprint = fingerprintFromBlockId(action.block_id);
    const channel = body.channel?.id;
    const ts = body.message?.ts;
    if (fingerprint !== undefined && channel !== undefined && ts !== undefined) req.origin = { fingerprint, channel, ts };
    await handlers.guard(req, what, () => (value === undefined || value === '' ? req.tell(UNREADABLE_CONTROL) : run(req, value)));
    if (fromHome) await handlers.publishHome(client, body.user.id, notices.join('\n'));
  });
}

/** An ephemeral answer through the request's response_url; a failure to answer is logged, not thrown. */
function teller(respond: RespondFn, log: (line: string) => void): (text: string) => Promise<void> {
  return async (text) => {
    try {
      await respond({ response_type: 'ephemeral', replace_original: false, text: truncate(text, SLACK_LIMITS.messageText) });
    } catch (error) {
      log(`klaxon: could not answer the user through the response_url: ${reason(error)}`);
    }
  };
}

function findSilence(silences: readonly Silence[], id: string): Silence | undefined {
  return silences.find((s) => s.id === id) ?? silences.find((s) => s.id.toUpperCase() === id.toUpperCase());
}

function silencedLine(silence: Silence, replaced: readonly Silence[], userId: string): string {
  const scope = silence.fingerprint === undefined ? `every alert of rule ${code(silence.rule)}` : 'this alert';
  const replacing = replaced.length === 0 ? '' : ` It replaces ${replaced.map((s) => `${code(s.id)} (until ${slackDate(s.until)})`).join(', ')}.`;
  return (
    `🔕 Silenced ${scope} until ${slackDate(silence.until)} by ${userMention(userId)}: matches are counted, not posted.` +
    ` Silence ${code(silence.id)}; lift it with Unsilence or ${code(`${KLAXON_COMMAND} unsilence ${silence.id}`)}.${replacing}`
  );
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** An error's message for a log line or the user, with anything shaped like a Slack token masked. */
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/xox[a-z]-[A-Za-z0-9-]+/g, '[token]');
}
