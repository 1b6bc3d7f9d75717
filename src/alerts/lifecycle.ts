/**
 * The alert lifecycle across invocations: turns a batch of events into Slack posts and
 * updates, with thresholds, open alerts, acknowledgements and silences carried in the state
 * store.
 *
 * One batch: (1) match the batch once, planning which events change which groups (an event
 * repeated within the batch counts once); (2) apply each group's events on top of its stored
 * state, exactly once (the group's record and its applied markers say which events it has:
 * a retried batch changes nothing), deciding what its messages need (post, fold into an
 * acknowledged one, hold back under a silence) and writing it under optimistic concurrency,
 * redoing a group another invocation wrote meanwhile; (3) for sequence rules, apply the
 * last-step events their stored steps complete to their alert groups the same way; (4)
 * deliver. Delivery failures throw, so the batch is retried (Lambda) and nothing is lost.
 */
import type { Alert } from '../engine/alert';
import { mapConcurrently } from '../concurrency';
import { AlertEngine, type GroupSnapshot } from '../engine/engine';
import type { KlaxonEvent } from '../events/event';
import type { CompiledRule } from '../rules/types';
import type { GroupRecord, Silence, StateStore } from '../store/types';
import { claimInWrite, deliverGroup, type DeliveryContext, type DeliveryCounts } from './deliver';
import { currentMessage, decodeGroupData, displayAlert, encodeGroupData, newGroupData, type GroupData } from './group-data';
import { appliedDigest, appliedMarker, keepApplied, markersMayProve } from './applied-inputs';
import { planBatch, type GroupWork, type KeyedEvent } from './batch-plan';
import { InputKeys } from './input-keys';
import { MAX_WRITE_ATTEMPTS, mutateGroup, withPendingSince } from './mutate-group';
import type { DeliveryFailure, Notifier } from './notifier';
import { silenceFor } from './silences';
import { applySteps, completedWork } from './sequence-groups';

/** How long an input key is remembered: longer than Lambda's retries and a dead-letter redrive. */
export const INPUT_KEY_RETENTION_MS = 14 * 24 * 3_600_000;
/** How long a quiet group's state is kept (acknowledgement included) after its last change, on top of its rule's windows. */
export const GROUP_RETENTION_MS = 30 * 24 * 3_600_000;
/** A group with a message counts as open (for `/klaxon status`) this long after its last change, or its rule's realert if longer. */
export const MIN_ACTIVE_MS = 3_600_000;

/** Events of one group applied by one write: bounds the digests a group record carries (22 bytes each). */
export const APPLY_CHUNK = 500;

/** Groups delivered at once: each delivery is a few store round trips and one Slack call, so a burst of many alerts is not paid for one by one. */
export const DELIVERY_CONCURRENCY = 8;

export interface LifecycleOptions {
  store: StateStore;
  rules: readonly CompiledRule[];
  notifier: Notifier;
  /** Channel for rules that name none (`SLACK_CHANNEL`). */
  defaultChannel: string;
  /**
   * The channel for an alert whose rule names none, before `defaultChannel`: the account
   * directory's channel for the account (and region) of the alert's first event.
   */
  accountChannel?: (alert: Alert) => string | undefined;
  /** Names this process or invocation in posting claims. */
  invocationId: string;
  now?: () => number;
  /** Least time between count-only updates of one message (default 30 s). */
  updateIntervalMs?: number;
  /** How long a delivery claim holds (default 60 s). */
  claimMs?: number;
}

export interface BatchReport {
  events: number;
  /** Events skipped because this input was processed before (a retried batch): those that matched a rule then; the others are simply read again. */
  duplicates: number;
  /** New events (not duplicates) that matched at least one rule. */
  matched: number;
  /** Alert groups the batch touched. */
  groups: number;
  posted: number;
  updated: number;
  /** Matching events held back by silences in this batch. */
  suppressed: number;
  /** Group writes redone because another invocation wrote the group first. */
  conflicts: number;
  /** Messages of the touched groups still waiting for Slack (in the outbox) after the batch. */
  waiting: number;
  /** Messages Slack refused for good in this batch (parked, with their reason). */
  parked: number;
  /** The last delivery failure of the batch, if any. */
  failure?: DeliveryFailure;
}

/** A report with every count at zero. */
export function emptyReport(): BatchReport {
  return { events: 0, duplicates: 0, matched: 0, groups: 0, posted: 0, updated: 0, suppressed: 0, conflicts: 0, waiting: 0, parked: 0 };
}

export class AlertLifecycle {
  private readonly rulesById: Map<string, CompiledRule>;
  private readonly now: () => number;
  private readonly delivery: DeliveryContext;

  constructor(private readonly options: LifecycleOptions) {
    this.rulesById = new Map(options.rules.map((r) => [r.id, r]));
    this.now = options.now ?? Date.now;
    this.delivery = {
      store: options.store,
      notifier: options.notifier,
      invocationId: options.invocationId,
      now: this.now,
      ...(options.updateIntervalMs === undefined ? {} : { updateIntervalMs: options.updateIntervalMs }),
      ...(options.claimMs === undefined ? {} : { claimMs: options.claimMs }),
    };
  }

  /**
   * Processes one batch. `keys` are the events' idempotency keys (from one `InputKeys` over
   * the whole input stream); by default they are derived from this batch alone.
   */
  async processBatch(events: readonly KlaxonEvent[], keys?: readonly string[]): Promise<BatchReport> {
    const { store } = this.options;
    const now = this.now();
    const inputKeys = keys ?? keysFor(events);
    const fresh: KeyedEvent[] = [];
    const repeated: KlaxonEvent[] = [];
    // A key met earlier in this very batch is a repeat (the same record delivered twice at once).
    // One applied in an earlier attempt is found by its group's markers, inside applyAll.
    const seen = new Set<string>();
    events.forEach((event, i) => {
      const key = inputKeys[i] as string;
      if (seen.has(key)) repeated.push(event);
      else {
        seen.add(key);
        fresh.push({ event, key });
      }
    });

    const plan = planBatch(this.options.rules, fresh, repeated);
    const silences = await store.listSilences(now);
    // Sequence groups hold steps, not messages: nothing of theirs is delivered.
    const touched = new Set([...plan.groups.keys(), ...plan.repeatedOnly].filter((fingerprint) => !plan.sequenceGroups.has(fingerprint)));
    const report: BatchReport = { ...emptyReport(), events: events.length, duplicates: repeated.length, matched: plan.matched, groups: touched.size };

    const { written, alreadyApplied } = await this.applyAll(plan.groups, silences, now, report);
    // Events every group of which had them already (a retried batch) are duplicates, not matches.
    report.duplicates += alreadyApplied;
    report.matched -= alreadyApplied;

    const sequenceWork = new Map([...plan.groups].filter(([, work]) => work.target === 'sequence'));
    if (sequenceWork.size > 0) {
      const completed = completedWork(sequenceWork, written);
      // Their events were counted in the first phase: the second changes only groups and deliveries.
      const second = await this.applyAll(completed, silences, now, report);
      for (const [fingerprint, record] of second.written) written.set(fingerprint, record);
      for (const fingerprint of completed.keys()) touched.add(fingerprint);
      report.groups = touched.size;
    }

    // Groups matched by already-processed events are delivered too: a retry must finish what a failed attempt began.
    await mapConcurrently([...touched], DELIVERY_CONCURRENCY, async (fingerprint) =>
      addCounts(report, await deliverGroup(this.delivery, fingerprint, silences, false, written.get(fingerprint))),
    );
    return report;
  }

  /**
   * Delivers what waits in the outbox (posts first, longest waiting first), up to `limit`
   * groups: what a follower does in the background and a scheduled function every minute.
   */
  async drain(limit?: number): Promise<DrainReport> {
    const { store } = this.options;
    const now = this.now();
    const [groups, silences] = await Promise.all([store.listPendingGroups(now, limit), store.listSilences(now)]);
    const report: DrainReport = { groups: groups.length, posted: 0, updated: 0, waiting: 0, parked: 0 };
    await mapConcurrently(
      groups.map((g) => g.fingerprint),
      DELIVERY_CONCURRENCY,
      async (fingerprint) => addCounts(report, await deliverGroup(this.delivery, fingerprint, silences)),
    );
    return report;
  }

  /**
   * Applies each group's events to it exactly once (see applied-inputs.ts): in rounds, each
   * reading the groups still to write, then the markers of their events, then writing every
   * group on the condition that it has not changed since; a group another writer changed
   * meanwhile goes to the next round, which sees what that writer applied.
   */
  private async applyAll(
    groups: ReadonlyMap<string, GroupWork>,
    silences: readonly Silence[],
    now: number,
    report: BatchReport,
  ): Promise<{ written: Map<string, GroupRecord>; alreadyApplied: number }> {
    const latest = new Map<string, GroupRecord>();
    /** Per input key: false once some group applies it now, true while every group met so far had it already. */
    const applied = new Map<string, boolean>();
    const { store } = this.options;
    const remaining = new Map([...groups].map(([fingerprint, work]) => [fingerprint, { work, next: 0, conflicts: 0 }]));
    while (remaining.size > 0) {
      const records = await store.getGroups([...remaining.keys()]);
      const chunks = new Map<string, { items: KeyedEvent[]; digests: string[]; applying: string[] }>();
      const markers: string[] = [];
      for (const [fingerprint, state] of remaining) {
        const items = state.work.items.slice(state.next, state.next + APPLY_CHUNK);
        const digests = items.map((item) => appliedDigest(fingerprint, item.key));
        const record = records.get(fingerprint);
        const data = record === undefined ? undefined : decodeGroupData(fingerprint, record.data);
        chunks.set(fingerprint, { items, digests, applying: data?.applying ?? [] });
        // Most records list every event applied to them: only a group that spilled digests needs its markers read.
        if (markersMayProve(data, now, INPUT_KEY_RETENTION_MS)) for (const digest of digests) markers.push(appliedMarker(digest));
      }
      const found = await store.findProcessedInputs(markers, now);
      const isMarked = (digest: string) => found.has(appliedMarker(digest));

      await Promise.all(
        [...chunks].map(async ([fingerprint, { items, digests, applying }]) => {
          const state = remaining.get(fingerprint) as { work: GroupWork; next: number; conflicts: number };
          const inFlight = new Set(applying);
          const before = digests.map((digest) => isMarked(digest) || inFlight.has(digest));
          const todo = items.filter((_, i) => !before[i]);
          const todoDigests = todo.map((item) => appliedDigest(fingerprint, item.key));
          if (todo.length > 0) {
            const outcome = await this.commitGroup(fingerprint, records.get(fingerprint), state.work, todo, todoDigests, silences, now);
            if (outcome === undefined) {
              if (++state.conflicts === MAX_WRITE_ATTEMPTS) throw new Error(`state store: gave up on alert group ${fingerprint} after ${MAX_WRITE_ATTEMPTS} conflicting writes`);
              report.conflicts++;
              return;
            }
            report.suppressed += outcome.suppressed;
            latest.set(fingerprint, outcome.record);
          } else {
            // Applied before (a retried batch): delivery starts from the record just read.
            const current = records.get(fingerprint);
            if (current !== undefined && !latest.has(fingerprint)) latest.set(fingerprint, current);
          }
          items.forEach((item, i) => applied.set(item.key, before[i] === true && applied.get(item.key) !== false));
          state.next += items.length;
          if (state.next >= state.work.items.length) remaining.delete(fingerprint);
        }),
      );
    }
    let alreadyApplied = 0;
    for (const before of applied.values()) if (before) alreadyApplied++;
    return { written: latest, alreadyApplied };
  }

  /**
   * Shows a group's current state at once, after an acknowledgement or a silence: its current
   * message is owed an update (kept in the outbox should Slack fail now), delivered without
   * waiting for backoff or the update interval.
   */
  async refresh(fingerprint: string): Promise<DeliveryCounts> {
    await this.markDue(fingerprint);
    return deliverGroup(this.delivery, fingerprint, await this.options.store.listSilences(this.now()), true);
  }

  /** Puts the group's current message in the outbox for an update, without delivering it (no Slack at hand: the next run or drain does). */
  async markDue(fingerprint: string): Promise<void> {
    const now = this.now();
    await mutateGroup(this.options.store, fingerprint, (data) => {
      const current = currentMessage(data);
      if (current === undefined || (current.due !== undefined && current.parked === undefined && current.fallback === undefined)) return false;
      current.due ??= now;
      // A person acting on the alert is a reason to try a parked message once more, in full.
      delete current.parked;
      delete current.fallback;
      return true;
    });
  }

  /** Runs the rule over one group's new events on top of its stored state and writes the result, with the events' digests, if the group has not changed since it was read. */
  private async commitGroup(
    fingerprint: string,
    record: GroupRecord | undefined,
    work: GroupWork,
    items: readonly KeyedEvent[],
    digests: readonly string[],
    silences: readonly Silence[],
    now: number,
  ): Promise<{ suppressed: number; record: GroupRecord } | undefined> {
    const { rule } = work;
    const stored = record === undefined ? undefined : decodeGroupData(record.fingerprint, record.data);
    const { snapshot, alerts } =
      work.target === 'sequence' ? { snapshot: applySteps(rule, stored?.engine, fingerprint, items), alerts: [] } : runGroup(rule, stored?.engine, items);
    if (record !== undefined && snapshot.fingerprint !== record.fingerprint) throw new Error(`internal: events of group ${record.fingerprint} matched ${snapshot.fingerprint}`);
    const data = stored ?? newGroupData(snapshot);
    data.engine = snapshot;
    const { applying, kept, spilled } = keepApplied(stored, digests, now, INPUT_KEY_RETENTION_MS);
    // Digests this write drops from the record are proven by their markers from now on: those must exist first.
    await this.options.store.markInputsProcessed(spilled.map(appliedMarker), now + INPUT_KEY_RETENTION_MS);
    data.applying = applying;
    data.kept = kept;
    const silence = silenceFor(silences, rule.id, snapshot.fingerprint, now);
    const suppressedBefore = data.suppressed;
    for (const alert of alerts) this.applyAlert(data, alert, rule, silence, now);
    const suppressed = Math.max(0, data.suppressed - suppressedBefore);
    // What is due now is claimed in this very write: the delivery that follows sends without writing a claim first.
    const holdClaims = claimInWrite(this.delivery, data, rule.id, snapshot.fingerprint, silences);

    const fields: Omit<GroupRecord, 'version'> = {
      fingerprint: snapshot.fingerprint,
      rule: rule.id,
      expiresAt: now + GROUP_RETENTION_MS + Math.max(rule.realertMs, rule.threshold?.windowMs ?? 0, rule.newTerm?.forgetMs ?? 0, rule.sequence?.withinMs ?? 0),
      data: encodeGroupData(data),
    };
    if (data.messages.some((m) => m.silenced === undefined)) fields.activeUntil = now + Math.max(rule.realertMs, MIN_ACTIVE_MS);
    else if (record?.activeUntil !== undefined) fields.activeUntil = record.activeUntil;
    const written = await this.options.store.putGroup(withPendingSince(fields, data), record?.version);
    if (written === undefined) return undefined;
    holdClaims();
    return { suppressed, record: written };
  }

  /** Decides what one alert of the batch does to the group's messages. */
  private applyAlert(data: GroupData, alert: Alert, rule: CompiledRule, silence: Silence | undefined, now: number): void {
    const existing = data.messages.find((m) => m.alert.sequence === alert.sequence);
    if (existing !== undefined) {
      if (existing.silenced !== undefined) {
        const more = alert.count - existing.silenced.counted;
        data.suppressed += more;
        existing.silenced.counted = alert.count;
        if (silence === undefined && more > 0) {
          // The silence ended (or was lifted) while this alert is still open and matching: post it now.
          delete existing.silenced;
          existing.due = now;
          this.reportSuppressed(data, existing);
        }
      }
      existing.alert = alert;
      if (existing.silenced === undefined) existing.due ??= now;
      return;
    }

    const current = currentMessage(data);
    if (data.acknowledged !== undefined && current !== undefined && alert.firstSeen - displayAlert(current).lastSeen <= rule.realertMs) {
      // Acknowledged and still going: count into the acknowledged message instead of notifying again.
      // Matches between the two alerts (below the threshold) count too: the message shows every match since it was posted.
      const shown = displayAlert(current);
      current.folded = { count: shown.count + (alert.previous?.between ?? 0), firstSeen: shown.firstSeen };
      current.alert = alert;
      current.due ??= now;
      return;
    }
    if (silence !== undefined) {
      data.suppressed += alert.count;
      data.messages.push({ alert, channel: this.channelFor(rule, alert), silenced: { counted: alert.count } });
      return;
    }
    delete data.acknowledged;
    const message = { alert, channel: this.channelFor(rule, alert), due: now };
    data.messages.push(message);
    this.reportSuppressed(data, message);
  }

  private reportSuppressed(data: GroupData, message: GroupData['messages'][number]): void {
    if (data.suppressed > 0) message.suppressedBefore = data.suppressed;
    data.suppressed = 0;
  }

  /** The rule's own channel wins; then the account's (the directory); then the stage's. */
  private channelFor(rule: CompiledRule, alert: Alert): string {
    return rule.slack.channel ?? this.options.accountChannel?.(alert) ?? this.options.defaultChannel;
  }
}

/** One group's rule over its new events, from its stored state: the new state, and the alerts of these events in the order they opened (closed ones, then the one still open). */
function runGroup(rule: CompiledRule, stored: GroupSnapshot | undefined, items: readonly KeyedEvent[]): { snapshot: GroupSnapshot; alerts: Alert[] } {
  const alerts: Alert[] = [];
  const engine = new AlertEngine([rule], { restore: () => stored, onClosed: (alert) => alerts.push(alert) });
  // The batch's plan matched these events against the rule already: they are counted, not matched again.
  for (const { event } of items) engine.processMatched(event);
  const [snapshot] = engine.touchedGroups();
  if (snapshot === undefined) throw new Error(`internal: rule ${rule.id} no longer matches its own group's events`);
  if (snapshot.open !== undefined && !alerts.includes(snapshot.open.alert)) alerts.push(snapshot.open.alert);
  return { snapshot, alerts };
}

export interface DrainReport {
  /** Groups with something waiting when the drain began. */
  groups: number;
  posted: number;
  updated: number;
  /** Messages still waiting afterwards (not yet due, or Slack failed again). */
  waiting: number;
  parked: number;
  /** The last failure seen, for the user. */
  failure?: DeliveryFailure;
}

function addCounts(into: { posted: number; updated: number; waiting: number; parked: number; failure?: DeliveryFailure }, counts: DeliveryCounts): void {
  into.posted += counts.posted;
  into.updated += counts.updated;
  into.waiting += counts.waiting;
  into.parked += counts.parked;
  if (counts.failure !== undefined) into.failure = counts.failure;
}

function keysFor(events: readonly KlaxonEvent[]): string[] {
  const keys = new InputKeys();
  return events.map((e) => keys.next(e));
}
