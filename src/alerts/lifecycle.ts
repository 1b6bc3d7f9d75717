/**
 * The alert lifecycle across invocations: turns a batch of events into Slack posts and
 * updates, with thresholds, open alerts, acknowledgements and silences carried in the state
 * store.
 *
 * One batch: (1) drop events already processed (a retried batch); (2) run the engine over
 * the rest with each touched group's stored state restored; (3) decide per group what its
 * messages need (post, fold into an acknowledged one, hold back under a silence) and write
 * the group back under optimistic concurrency, redoing a group that another invocation
 * wrote meanwhile; (4) mark the inputs processed; (5) deliver. Delivery failures throw, so
 * the batch is retried (Lambda) and nothing is lost; the retry is idempotent.
 */
import type { Alert } from '../engine/alert';
import { mapConcurrently } from '../concurrency';
import { AlertEngine, type GroupSnapshot } from '../engine/engine';
import type { KlaxonEvent } from '../events/event';
import type { CompiledRule } from '../rules/types';
import type { GroupRecord, Silence, StateStore } from '../store/types';
import { deliverGroup, type DeliveryContext } from './deliver';
import { currentMessage, decodeGroupData, displayAlert, encodeGroupData, newGroupData, type GroupData } from './group-data';
import { InputKeys } from './input-keys';
import { MAX_WRITE_ATTEMPTS } from './mutate-group';
import type { Notifier } from './notifier';
import { silenceFor } from './silences';

/** How long an input key is remembered: longer than Lambda's retries and a dead-letter redrive. */
export const INPUT_KEY_RETENTION_MS = 14 * 24 * 3_600_000;
/** How long a quiet group's state is kept (acknowledgement included) after its last change, on top of its rule's windows. */
export const GROUP_RETENTION_MS = 30 * 24 * 3_600_000;
/** A group with a message counts as open (for `/klaxon status`) this long after its last change, or its rule's realert if longer. */
export const MIN_ACTIVE_MS = 3_600_000;

/** Groups delivered at once: each delivery is a few store round trips and one Slack call, so a burst of many alerts is not paid for one by one. */
export const DELIVERY_CONCURRENCY = 8;

export interface LifecycleOptions {
  store: StateStore;
  rules: readonly CompiledRule[];
  notifier: Notifier;
  /** Channel for rules that name none (`SLACK_CHANNEL`). */
  defaultChannel: string;
  /** Names this process or invocation in posting claims. */
  invocationId: string;
  now?: () => number;
}

export interface BatchReport {
  events: number;
  /** Events skipped because this input was processed before (a retried batch). */
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
}

export class AlertLifecycle {
  private readonly rulesById: Map<string, CompiledRule>;
  private readonly now: () => number;
  private readonly delivery: DeliveryContext;

  constructor(private readonly options: LifecycleOptions) {
    this.rulesById = new Map(options.rules.map((r) => [r.id, r]));
    this.now = options.now ?? Date.now;
    this.delivery = { store: options.store, notifier: options.notifier, invocationId: options.invocationId, now: this.now };
  }

  /**
   * Processes one batch. `keys` are the events' idempotency keys (from one `InputKeys` over
   * the whole input stream); by default they are derived from this batch alone.
   */
  async processBatch(events: readonly KlaxonEvent[], keys?: readonly string[]): Promise<BatchReport> {
    const { store } = this.options;
    const now = this.now();
    const inputKeys = keys ?? keysFor(events);
    const processed = await store.findProcessedInputs(inputKeys, now);
    const fresh: KlaxonEvent[] = [];
    const freshKeys: string[] = [];
    const repeated: KlaxonEvent[] = [];
    events.forEach((event, i) => {
      const key = inputKeys[i] as string;
      if (processed.has(key)) return void repeated.push(event);
      fresh.push(event);
      freshKeys.push(key);
    });

    // Groups matched by already-processed events are delivered too: a retry must finish what a failed attempt began.
    const { touched, matched } = this.touchedGroups(fresh, repeated);
    const silences = await store.listSilences(now);
    const report: BatchReport = { events: events.length, duplicates: repeated.length, matched, groups: touched.size, posted: 0, updated: 0, suppressed: 0, conflicts: 0 };

    let pending = new Set(touched);
    for (let attempt = 0; pending.size > 0; attempt++) {
      if (attempt === MAX_WRITE_ATTEMPTS) throw new Error(`state store: gave up on ${pending.size} alert groups after ${MAX_WRITE_ATTEMPTS} conflicting writes`);
      const records = await store.getGroups([...pending]);
      const results = this.runEngine(fresh, records);
      const conflicts = new Set<string>();
      await Promise.all(
        [...pending].map(async (fingerprint) => {
          const result = results.get(fingerprint);
          if (result === undefined) return;
          const record = records.get(fingerprint);
          const written = await this.commitGroup(record, result, silences, now);
          if (written === undefined) conflicts.add(fingerprint);
          else report.suppressed += written.suppressed;
        }),
      );
      report.conflicts += conflicts.size;
      pending = conflicts;
    }
    await store.markInputsProcessed(freshKeys, now + INPUT_KEY_RETENTION_MS);

    await mapConcurrently([...touched], DELIVERY_CONCURRENCY, async (fingerprint) => {
      const counts = await deliverGroup(this.delivery, fingerprint, silences);
      report.posted += counts.posted;
      report.updated += counts.updated;
    });
    return report;
  }

  /** Re-delivers one group's messages with its current state: after an acknowledgement or a silence. */
  async refresh(fingerprint: string): Promise<void> {
    await deliverGroup(this.delivery, fingerprint, await this.options.store.listSilences(this.now()));
  }

  /** Fingerprints of the groups these events match, whatever their state, and how many of the fresh events matched a rule. */
  private touchedGroups(fresh: readonly KlaxonEvent[], repeated: readonly KlaxonEvent[]): { touched: Set<string>; matched: number } {
    const probe = new AlertEngine(this.options.rules, { restore: () => undefined });
    for (const event of fresh) probe.process(event);
    const matched = probe.matchedEvents;
    for (const event of repeated) probe.process(event);
    return { touched: new Set(probe.touchedGroups().map((g) => g.fingerprint)), matched };
  }

  private runEngine(events: readonly KlaxonEvent[], records: Map<string, GroupRecord>): Map<string, EngineResult> {
    const snapshots = new Map<string, GroupSnapshot>();
    for (const [fingerprint, record] of records) snapshots.set(fingerprint, decodeGroupData(fingerprint, record.data).engine);
    const closed = new Map<string, Alert[]>();
    const engine = new AlertEngine(this.options.rules, {
      restore: (_rule, fingerprint) => snapshots.get(fingerprint),
      onClosed: (alert) => {
        const list = closed.get(alert.fingerprint) ?? [];
        list.push(alert);
        closed.set(alert.fingerprint, list);
      },
    });
    for (const event of events) engine.process(event);
    const results = new Map<string, EngineResult>();
    for (const snapshot of engine.touchedGroups()) {
      const alerts = [...(closed.get(snapshot.fingerprint) ?? [])];
      if (snapshot.open !== undefined && !alerts.includes(snapshot.open.alert)) alerts.push(snapshot.open.alert);
      results.set(snapshot.fingerprint, { snapshot, alerts });
    }
    return results;
  }

  private async commitGroup(record: GroupRecord | undefined, result: EngineResult, silences: readonly Silence[], now: number): Promise<{ suppressed: number } | undefined> {
    const { snapshot } = result;
    const rule = this.rulesById.get(snapshot.rule);
    if (rule === undefined) throw new Error(`internal: the engine matched unknown rule ${snapshot.rule}`);
    const data = record === undefined ? newGroupData(snapshot) : decodeGroupData(snapshot.fingerprint, record.data);
    data.engine = snapshot;
    const silence = silenceFor(silences, rule.id, snapshot.fingerprint, now);
    const suppressedBefore = data.suppressed;
    for (const alert of result.alerts) this.applyAlert(data, alert, rule, silence);
    const suppressed = Math.max(0, data.suppressed - suppressedBefore);

    const fields: Omit<GroupRecord, 'version'> = {
      fingerprint: snapshot.fingerprint,
      rule: rule.id,
      expiresAt: now + GROUP_RETENTION_MS + Math.max(rule.realertMs, rule.threshold?.windowMs ?? 0),
      data: encodeGroupData(data),
    };
    if (data.messages.some((m) => m.silenced === undefined)) fields.activeUntil = now + Math.max(rule.realertMs, MIN_ACTIVE_MS);
    else if (record?.activeUntil !== undefined) fields.activeUntil = record.activeUntil;
    const written = await this.options.store.putGroup(fields, record?.version);
    return written === undefined ? undefined : { suppressed };
  }

  /** Decides what one alert of the batch does to the group's messages. */
  private applyAlert(data: GroupData, alert: Alert, rule: CompiledRule, silence: Silence | undefined): void {
    const existing = data.messages.find((m) => m.alert.sequence === alert.sequence);
    if (existing !== undefined) {
      if (existing.silenced !== undefined) {
        const more = alert.count - existing.silenced.counted;
        data.suppressed += more;
        existing.silenced.counted = alert.count;
        if (silence === undefined && more > 0) {
          // The silence ended (or was lifted) while this alert is still open and matching: post it now.
          delete existing.silenced;
          this.reportSuppressed(data, existing);
        }
      }
      existing.alert = alert;
      return;
    }

    const current = currentMessage(data);
    if (data.acknowledged !== undefined && current !== undefined && alert.firstSeen - displayAlert(current).lastSeen <= rule.realertMs) {
      // Acknowledged and still going: count into the acknowledged message instead of notifying again.
      // Matches between the two alerts (below the threshold) count too: the message shows every match since it was posted.
      const shown = displayAlert(current);
      current.folded = { count: shown.count + (alert.previous?.between ?? 0), firstSeen: shown.firstSeen };
      current.alert = alert;
      return;
    }
    if (silence !== undefined) {
      data.suppressed += alert.count;
      data.messages.push({ alert, channel: this.channelFor(rule), silenced: { counted: alert.count } });
      return;
    }
    delete data.acknowledged;
    const message = { alert, channel: this.channelFor(rule) };
    data.messages.push(message);
    this.reportSuppressed(data, message);
  }

  private reportSuppressed(data: GroupData, message: GroupData['messages'][number]): void {
    if (data.suppressed > 0) message.suppressedBefore = data.suppressed;
    data.suppressed = 0;
  }

  private channelFor(rule: CompiledRule): string {
    return rule.slack.channel ?? this.options.defaultChannel;
  }
}

interface EngineResult {
  snapshot: GroupSnapshot;
  /** The group's alerts in this batch, in the order they opened: closed ones, then the one still open. */
  alerts: Alert[];
}

function keysFor(events: readonly KlaxonEvent[]): string[] {
  const keys = new InputKeys();
  return events.map((e) => keys.next(e));
}
