import type { EventSource, FieldValue, KlaxonEvent } from '../events/event';
import { compileFieldPath, fieldText, getField, type FieldAccessor } from '../events/fields';
import { interpolate } from '../events/interpolate';
import { SEVERITIES, type CompiledRule, type Predicate, type Severity } from '../rules/types';
import type { Alert } from './alert';
import { fingerprint } from './fingerprint';
import { countsAsNewTerm, restoreTerms, snapshotTerms, type Terms, type TermsSnapshot } from './new-term';
import { addToSequence, emptySequence, newestTime, newlyCompleted, stepMatches, type SequenceSnapshot } from './sequence';
import { RuleDispatch } from './rule-dispatch';
import { SharedPredicates } from './shared-predicates';

const SAMPLE_LIMIT = 5;
/** How often (in events) groups whose windows have gone quiet are forgotten, to bound memory on long inputs. */
const SWEEP_EVERY = 50_000;
/**
 * How far behind a rule's clock an event may still arrive and count toward an open alert.
 * An alert is handed to `onClosed` only once the rule's clock is this much past its
 * realert window, so moderately unordered input (rotated files, merged streams) gives the
 * same alerts streamed as collected.
 */
export const ALLOWED_LATENESS_MS = 15 * 60_000;
/**
 * How many groups one rule keeps in a scan. Each costs about 2 KB (its window and sample
 * events), and attackers choose how many distinct addresses they come from: without a cap,
 * 2 M addresses within a window held 4.2 GB. Past the cap a tenth is forgotten, one-off
 * groups first, then the least recently seen (an open alert is handed over first; a
 * window below its threshold is lost, and counted in `evictedPending`).
 */
export const DEFAULT_MAX_GROUPS_PER_RULE = 50_000;
/** The share of a rule's groups forgotten at once when it reaches its cap, so eviction is rare. */
const EVICT_SHARE = 0.1;

/**
 * Matching events of one group not yet part of an alert. Only their times and severity
 * ranks are kept, plus the first few events still in the window as samples: a window of
 * 100 WAF records must not hold 100 parsed records alive, and an event is kept only while
 * a sample slot is free, so that few events outlive the garbage collector's young
 * generation (retention, not matching, dominated the cost of scanning).
 */
interface Window {
  times: number[];
  /** The highest escalated severity rank of each event, parallel to `times`. */
  ranks: number[];
  /** Index of the oldest entry still in the window (entries before it are expired). */
  head: number;
  samples: KlaxonEvent[];
  /**
   * A distinct-count threshold's value of each entry, parallel to `times`: a window holds
   * each value once (its latest time), so its length is the number of distinct values.
   */
  keys?: string[];
}

interface GroupState {
  fingerprint: string;
  values: FieldValue[];
  window: Window;
  /** The alert this group has open, while its realert window lasts. */
  open?: { alert: Alert; opensAt: number };
  /** Matches counted into the window since the group's last alert opened. */
  sinceAlert: number;
  /** How many alerts the group has opened. */
  alertCount: number;
  /** When the group's previous alert was last seen; undefined before its first alert. */
  previousAlertSeen?: number;
  /** The engine's match counter when the group last matched: least recently seen groups are evicted first (see evictionOrder). */
  seen: number;
  /** `new_term`: the terms the group has seen. */
  terms?: Terms;
}

/** One `sequence.by` group of a sequence rule: its steps so far. */
interface SequenceGroup {
  fingerprint?: string;
  state: SequenceSnapshot;
}

/**
 * A group's state as plain data, to carry thresholds and open alerts from one Lambda
 * invocation to the next through the state store: 3 failures in one batch and 2 in the
 * next make 5.
 */
export interface GroupSnapshot {
  rule: string;
  fingerprint: string;
  values: FieldValue[];
  /** Matching events not yet part of an alert: their times (ascending), severity ranks and first few events. */
  window: { times: number[]; ranks: number[]; samples: KlaxonEvent[]; keys?: string[] };
  open?: { alert: Alert; opensAt: number };
  sinceAlert: number;
  alertCount: number;
  previousAlertSeen?: number;
  /** `new_term`: the terms the group has seen. */
  terms?: TermsSnapshot;
  /** A sequence group's steps (its record holds no alerts: completed sequences count into alert groups). */
  sequence?: SequenceSnapshot;
}

interface PreparedRule {
  rule: CompiledRule;
  /** The rule's match, evaluated once per event with every rule that writes it alike (SharedPredicates). */
  match: Predicate;
  groupAccessors: FieldAccessor[];
  groups: Map<string, GroupState>;
  /** The latest event time this rule has matched: its own clock, untouched by other sources and files. */
  clock: number;
  /** How far behind the clock a group's last activity may lie before the group is forgotten (settle), worked out once. */
  memoryMs: number;
  /** The rule's severity and its escalations as ranks in SEVERITIES, looked up once rather than per match. */
  rank: number;
  escalate: Array<{ rank: number; when: CompiledRule['match'] }>;
  escalateOnCount: Array<{ rank: number; count: number }>;
  /** The field a distinct-count threshold counts the values of. */
  distinct?: FieldAccessor;
  /** Rules whose `suppresses` names this one: an event one of them matches does not count here. */
  suppressors: PreparedRule[];
  /** A sequence rule's `by` fields, its steps' conditions (shared), and its groups of steps by their values. */
  sequenceBy?: FieldAccessor[];
  steps?: Predicate[];
  sequences?: Map<string, SequenceGroup>;
  /** `new_term`: the fields of the term. */
  termAccessors?: FieldAccessor[];
}

/** What a match counts into: an alert group, or a sequence rule's group of steps (whose completed sequences then count into alert groups). */
export type MatchTarget = 'group' | 'sequence';

export interface EngineOptions {
  /**
   * Called with each alert once it can no longer change: at once when the rule's realert
   * is 0, else when event time has moved past its realert window (checked periodically and
   * at `finish`). Without it, alerts are kept and read with `alerts()`; with it, memory
   * stays bounded by the alerts still open, however long the input.
   */
  onClosed?: (alert: Alert) => void;
  /**
   * The stored state of a group, asked for the first time a group is matched: thresholds
   * and open alerts then continue across invocations. Undefined: the group starts empty.
   */
  restore?: (rule: string, fingerprint: string) => GroupSnapshot | undefined;
  /** Called for every match with the group it counts into: tells the lifecycle which events change which groups. */
  onMatch?: (rule: CompiledRule, fingerprint: string, target: MatchTarget) => void;
  /**
   * The most groups a rule keeps (DEFAULT_MAX_GROUPS_PER_RULE). Not applied with `restore`:
   * a restoring engine runs over one bounded batch and must keep every group it touched.
   */
  maxGroupsPerRule?: number;
  /** How many processed events between sweeps (SWEEP_EVERY); tests vary it to show it changes nothing. */
  sweepEvery?: number;
}

/**
 * Matches events against compiled rules and turns matches into alerts: thresholds count
 * over event time in a sliding window per group, and within a rule's realert window
 * further matches update the open alert instead of opening another.
 *
 * @example
 *   const engine = new AlertEngine(rules);
 *   for (const event of events) engine.process(event);
 *   const alerts = engine.alerts();
 */
export class AlertEngine {
  private readonly prepared: PreparedRule[] = [];
  private readonly bySource = new Map<EventSource, PreparedRule[]>();
  private readonly emitted: Alert[] = [];
  private readonly touched = new Map<GroupState, string>();
  private processed = 0;
  private matches = 0;
  private readonly maxGroups: number;
  private readonly shared = new SharedPredicates();
  /** A rule is tried only on the kinds of event its condition (a sequence's: any step's) can match. */
  private readonly dispatch = new RuleDispatch<PreparedRule>(this.bySource, ({ rule }) => (rule.sequence === undefined ? [rule.matchSpec] : rule.sequence.steps.map((step) => step.matchSpec)));

  /** Groups forgotten because their rule reached its cap. */
  evictedGroups = 0;
  /** Of those, groups whose matches had not reached their threshold yet: those matches were dropped. */
  evictedPending = 0;

  constructor(
    rules: readonly CompiledRule[],
    private readonly options: EngineOptions = {},
  ) {
    this.maxGroups = options.restore === undefined ? (options.maxGroupsPerRule ?? DEFAULT_MAX_GROUPS_PER_RULE) : Infinity;
    const shared = this.shared;
    for (const rule of rules) {
      const prepared: PreparedRule = {
        rule,
        match: shared.share(rule.match, rule.sequence === undefined ? rule.matchSpec : undefined, rule.sources),
        groupAccessors: rule.groupBy.map(compileFieldPath),
        groups: new Map(),
        clock: -Infinity,
        memoryMs: Math.max(rule.threshold?.windowMs ?? 0, rule.realertMs, rule.newTerm?.forgetMs ?? 0) + ALLOWED_LATENESS_MS,
        rank: severityRank(rule.severity),
        escalate: rule.escalate.map(({ severity, when }) => ({ rank: severityRank(severity), when })),
        escalateOnCount: (rule.escalateOnCount ?? []).map(({ severity, count }) => ({ rank: severityRank(severity), count })),
        suppressors: [],
      };
      if (rule.threshold?.distinct !== undefined) prepared.distinct = compileFieldPath(rule.threshold.distinct);
      if (rule.sequence !== undefined) {
        prepared.sequenceBy = rule.sequence.by.map(compileFieldPath);
        prepared.steps = rule.sequence.steps.map((step) => shared.share(step.match, step.matchSpec, step.source === undefined ? rule.sources : [step.source]));
        prepared.sequences = new Map();
      }
      if (rule.newTerm !== undefined) prepared.termAccessors = rule.newTerm.fields.map(compileFieldPath);
      this.prepared.push(prepared);
      for (const source of rule.sources) {
        const list = this.bySource.get(source) ?? [];
        list.push(prepared);
        this.bySource.set(source, list);
      }
    }
    for (const suppressor of this.prepared) {
      for (const id of suppressor.rule.suppresses ?? []) {
        for (const target of this.prepared) if (target.rule.id === id && target !== suppressor) target.suppressors.push(suppressor);
      }
    }
  }

  /** Events that matched at least one rule so far. */
  matchedEvents = 0;

  process(event: KlaxonEvent): void {
    const rules = this.dispatch.candidates(event);
    if (rules !== undefined) {
      this.shared.nextEvent();
      let any = false;
      for (const prepared of rules) {
        if (prepared.steps !== undefined) {
          // A sequence rule's match is "some step": its steps are evaluated once, here, and handed on.
          const steps = stepMatches(prepared.rule.sequence as NonNullable<CompiledRule['sequence']>, event, prepared.steps);
          if (steps === 0 || suppressed(prepared, event)) continue;
          any = true;
          this.sequenceMatched(prepared, event, steps);
        } else if (prepared.match(event) && !suppressed(prepared, event)) {
          any = true;
          this.matched(prepared, event);
        }
      }
      if (any) this.matchedEvents++;
    }
    // A restoring engine runs over one bounded batch and must not forget groups: a forgotten group would be restored stale.
    if (++this.processed % (this.options.sweepEvery ?? SWEEP_EVERY) === 0 && this.options.restore === undefined) this.sweep();
  }

  /**
   * Counts an event known to match the engine's only rule (the lifecycle planned the batch
   * with every rule once, and hands each group its own events): the rule is not evaluated
   * again, so a batch is matched once.
   */
  processMatched(event: KlaxonEvent): void {
    const [prepared, ...others] = this.prepared;
    if (prepared === undefined || others.length > 0) throw new Error('internal: processMatched needs an engine of exactly one rule');
    this.matchedEvents++;
    this.matched(prepared, event);
  }

  /**
   * Adds an event to its sequence group; each last-step event that now completes the
   * sequence counts into its alert group, once.
   */
  private sequenceMatched(prepared: PreparedRule, event: KlaxonEvent, steps: number): void {
    const { rule } = prepared;
    const sequence = rule.sequence as NonNullable<CompiledRule['sequence']>;
    const groups = prepared.sequences as Map<string, SequenceGroup>;
    const key = keyOf(prepared.sequenceBy as FieldAccessor[], event);
    if (event.timestamp > prepared.clock) prepared.clock = event.timestamp;
    let group = groups.get(key);
    // What a sweep would have done by now, done here, as for alert groups.
    if (group !== undefined && newestTime(group.state) < prepared.clock - sequence.withinMs - ALLOWED_LATENESS_MS) group = undefined;
    if (group === undefined) {
      if (groups.size >= this.maxGroups) this.evictSequences(prepared);
      group = { state: emptySequence(sequence) };
      groups.set(key, group);
    }
    // The fingerprint (a hash) only for a caller that asks which groups change: a scan never does.
    if (this.options.onMatch !== undefined) {
      group.fingerprint ??= sequenceFingerprint(rule.id, groupValues(prepared.sequenceBy as FieldAccessor[], event));
      this.options.onMatch(rule, group.fingerprint, 'sequence');
    }
    addToSequence(sequence, group.state, event, '', ALLOWED_LATENESS_MS, steps);
    for (const final of newlyCompleted(sequence, group.state)) this.matched(prepared, final.event);
  }

  /** Every alert opened so far (unless handed to `onClosed`), in the order they opened, with their counts as of now. */
  alerts(): Alert[] {
    return [...this.emitted];
  }

  /** The state of every group matched since the engine was made, for the state store. */
  touchedGroups(): GroupSnapshot[] {
    return [...this.touched].map(([group, rule]) => snapshotOf(rule, group));
  }

  /** The input has ended: hands every still-open alert to `onClosed`, oldest first. */
  finish(): void {
    const open: Alert[] = [];
    for (const { groups } of this.prepared) {
      for (const group of groups.values()) {
        if (group.open !== undefined) open.push(group.open.alert);
        group.open = undefined;
      }
    }
    if (this.options.onClosed === undefined) return;
    for (const alert of open.sort((a, b) => a.firstSeen - b.firstSeen)) this.options.onClosed(alert);
  }

  private matched(prepared: PreparedRule, event: KlaxonEvent): void {
    const { rule } = prepared;
    const key = keyOf(prepared.groupAccessors, event);
    let group = prepared.groups.get(key);
    // What a sweep would have done by now, done here: so how often sweeps run changes nothing.
    if (group !== undefined && this.options.restore === undefined) group = this.settle(prepared, key, group);
    if (group === undefined) {
      const values = groupValues(prepared.groupAccessors, event);
      const id = fingerprint(rule.id, values);
      const stored = this.options.restore?.(rule.id, id);
      group = stored === undefined ? { fingerprint: id, values, window: emptyWindow(), sinceAlert: 0, alertCount: 0, seen: 0 } : restoredGroup(stored);
      if (prepared.groups.size >= this.maxGroups) this.evict(prepared);
      prepared.groups.set(key, group);
    }
    group.seen = ++this.matches;
    if (this.options.restore !== undefined) this.touched.set(group, rule.id);
    this.options.onMatch?.(rule, group.fingerprint, 'group');

    const t = event.timestamp;
    if (t > prepared.clock) prepared.clock = t;
    if (prepared.termAccessors !== undefined && !countsAsNewTerm(rule.newTerm as NonNullable<CompiledRule['newTerm']>, prepared.termAccessors, group, event)) return;
    if (group.open !== undefined && t < group.open.opensAt + rule.realertMs) {
      updateAlert(group.open.alert, event, escalatedRank(prepared, event));
      escalateOnCount(prepared, group.open.alert);
      return;
    }
    if (group.open !== undefined) {
      this.options.onClosed?.(group.open.alert);
      group.previousAlertSeen = group.open.alert.lastSeen;
      group.open = undefined;
    }

    const window = group.window;
    group.sinceAlert++;
    if (prepared.distinct === undefined) addToWindow(window, event, escalatedRank(prepared, event));
    else {
      const key = fieldText(prepared.distinct(event) ?? null);
      if (key === '') return;
      addDistinct(window, key, event, escalatedRank(prepared, event));
    }
    // Relative to the newest time in the window, not this event's: an old event arriving late must not revive expired ones.
    if (rule.threshold !== undefined) expireBefore(window, newestOf(window) - rule.threshold.windowMs);
    if (window.times.length - window.head < (rule.threshold?.count ?? 1)) return;

    const alert = openAlert(rule, group, window);
    escalateOnCount(prepared, alert);
    group.window = emptyWindow();
    group.sinceAlert = 0;
    if (this.options.onClosed === undefined) this.emitted.push(alert);
    if (rule.realertMs > 0) group.open = { alert, opensAt: t };
    else {
      group.previousAlertSeen = alert.lastSeen;
      this.options.onClosed?.(alert);
    }
  }

  /**
   * Forgets a tenth of a rule's groups: first those holding a single match (a flood of
   * one-off addresses, as spoofed sources give, evicts only its own kind), then the least
   * recently seen. Finding the cut sorts the groups: O(n log n) once per n/10 new groups.
   */
  private evict(prepared: PreparedRule): void {
    const { groups } = prepared;
    // Expired groups go first, as a sweep would have taken them: only live groups count toward the cap.
    for (const [key, group] of groups) this.settle(prepared, key, group);
    if (groups.size < this.maxGroups) return;
    const order = new Float64Array(groups.size);
    let i = 0;
    for (const group of groups.values()) order[i++] = evictionOrder(group);
    order.sort();
    const cut = order[Math.max(0, Math.ceil(groups.size * EVICT_SHARE) - 1)] as number;
    for (const [key, group] of groups) {
      if (evictionOrder(group) > cut) continue;
      if (group.open !== undefined) this.options.onClosed?.(group.open.alert);
      if (group.window.times.length > group.window.head) this.evictedPending++;
      this.evictedGroups++;
      groups.delete(key);
    }
  }

  /**
   * The cap on groups applies to a sequence rule's groups of steps too (an address each, which
   * attackers choose): those past their span go first, then the tenth with the oldest steps.
   * Steps forgotten before their sequence completed are counted in `evictedPending`.
   */
  private evictSequences(prepared: PreparedRule): void {
    const groups = prepared.sequences as Map<string, SequenceGroup>;
    const horizon = prepared.clock - (prepared.rule.sequence?.withinMs ?? 0) - ALLOWED_LATENESS_MS;
    for (const [key, group] of groups) if (newestTime(group.state) < horizon) groups.delete(key);
    if (groups.size < this.maxGroups) return;
    const newest = new Float64Array(groups.size);
    let i = 0;
    for (const group of groups.values()) newest[i++] = newestTime(group.state);
    newest.sort();
    const cut = newest[Math.max(0, Math.ceil(groups.size * EVICT_SHARE) - 1)] as number;
    for (const [key, group] of groups) {
      if (newestTime(group.state) > cut) continue;
      if (group.state.steps.some((times) => times.length > 0)) this.evictedPending++;
      this.evictedGroups++;
      groups.delete(key);
    }
  }

  /**
   * Hands over alerts that can no longer change (their rule's clock is past their realert
   * window by the allowed lateness), then forgets groups with nothing pending: early, what
   * `settle` does to each group at its next match.
   */
  private sweep(): void {
    for (const prepared of this.prepared) {
      for (const [key, group] of prepared.groups) this.settle(prepared, key, group);
      const within = prepared.rule.sequence?.withinMs ?? 0;
      for (const [key, group] of prepared.sequences ?? []) {
        if (newestTime(group.state) < prepared.clock - within - ALLOWED_LATENESS_MS) prepared.sequences?.delete(key);
      }
    }
  }

  /**
   * Brings a group up to its rule's clock, by event time alone: an open alert past its realert
   * window and the allowed lateness is handed over; a group whose last activity is older than
   * the rule's horizon is forgotten (undefined is returned), as if it had never matched.
   */
  private settle(prepared: PreparedRule, key: string, group: GroupState): GroupState | undefined {
    const { rule, clock } = prepared;
    if (group.open !== undefined && group.open.opensAt + rule.realertMs + ALLOWED_LATENESS_MS <= clock) {
      this.options.onClosed?.(group.open.alert);
      group.previousAlertSeen = group.open.alert.lastSeen;
      group.open = undefined;
    }
    const horizon = clock - prepared.memoryMs;
    const lastActivity = Math.max(
      newestOf(group.window),
      group.open?.opensAt ?? -Infinity,
      group.previousAlertSeen ?? -Infinity,
      group.terms?.latest ?? -Infinity,
    );
    if (lastActivity >= horizon) return group;
    prepared.groups.delete(key);
    return undefined;
  }
}

/** An event a suppressing rule matches does not count for the rules it suppresses (inhibition). */
function suppressed(prepared: PreparedRule, event: KlaxonEvent): boolean {
  for (const suppressor of prepared.suppressors) if (suppressor.rule.sources.includes(event.source) && suppressor.match(event)) return true;
  return false;
}

/** A sequence group's fingerprint: `#` cannot occur in a rule id, so it never equals an alert group's. */
export function sequenceFingerprint(ruleId: string, values: readonly FieldValue[]): string {
  return fingerprint(`${ruleId}#sequence`, values);
}

/** The fingerprint of the alert group an event of the rule counts into. */
export function groupFingerprint(rule: CompiledRule, event: KlaxonEvent): string {
  return fingerprint(rule.id, groupValues(rule.groupBy.map(compileFieldPath), event));
}

/** A sequence group's `by` values for an event of its rule. */
export function sequenceValues(rule: CompiledRule, event: KlaxonEvent): FieldValue[] {
  return groupValues((rule.sequence?.by ?? []).map(compileFieldPath), event);
}

function evictionOrder(group: GroupState): number {
  const oneOff = group.open === undefined && group.window.times.length - group.window.head <= 1;
  return oneOff ? group.seen : PROTECTED + group.seen;
}

/** Above any match counter (2^52 matches would take centuries). */
const PROTECTED = 2 ** 52;

function snapshotOf(rule: string, group: GroupState): GroupSnapshot {
  const { window } = group;
  const snapshot: GroupSnapshot = {
    rule,
    fingerprint: group.fingerprint,
    values: group.values,
    window: {
      times: window.times.slice(window.head),
      ranks: window.ranks.slice(window.head),
      samples: [...window.samples],
      ...(window.keys === undefined ? {} : { keys: window.keys.slice(window.head) }),
    },
    sinceAlert: group.sinceAlert,
    alertCount: group.alertCount,
  };
  if (group.open !== undefined) snapshot.open = group.open;
  if (group.previousAlertSeen !== undefined) snapshot.previousAlertSeen = group.previousAlertSeen;
  if (group.terms !== undefined) snapshot.terms = snapshotTerms(group.terms);
  return snapshot;
}

function restoredGroup(snapshot: GroupSnapshot): GroupState {
  const group: GroupState = {
    fingerprint: snapshot.fingerprint,
    values: snapshot.values,
    window: {
      times: [...snapshot.window.times],
      ranks: [...snapshot.window.ranks],
      head: 0,
      samples: [...snapshot.window.samples],
      ...(snapshot.window.keys === undefined ? {} : { keys: [...snapshot.window.keys] }),
    },
    sinceAlert: snapshot.sinceAlert,
    alertCount: snapshot.alertCount,
    seen: 0,
  };
  if (snapshot.open !== undefined) group.open = snapshot.open;
  if (snapshot.previousAlertSeen !== undefined) group.previousAlertSeen = snapshot.previousAlertSeen;
  if (snapshot.terms !== undefined) group.terms = restoreTerms(snapshot.terms);
  return group;
}

function groupValues(accessors: readonly FieldAccessor[], event: KlaxonEvent): FieldValue[] {
  const values: FieldValue[] = new Array(accessors.length);
  for (let i = 0; i < accessors.length; i++) values[i] = (accessors[i] as FieldAccessor)(event) ?? null;
  return values;
}

/**
 * One map key per group. Plain strings (the common case: addresses, rule ids, user names)
 * are joined with a separator that cannot occur in them; anything else is JSON, which
 * starts with `[` and so never collides with the joined form, whose parts are tagged `s`.
 */
/** An event's group key; for the common one-field group without building the values (a new array per match and rule was much of the garbage). */
function keyOf(accessors: readonly FieldAccessor[], event: KlaxonEvent): string {
  if (accessors.length !== 1) return groupKey(groupValues(accessors, event));
  const only = (accessors[0] as FieldAccessor)(event) ?? null;
  return typeof only === 'string' && only.charCodeAt(0) !== 91 /* [ */ ? only : JSON.stringify([only]);
}

function groupKey(values: readonly FieldValue[]): string {
  // One plain string (most rules group by one address) is its own key, sparing a new string per match: it
  // cannot collide with the JSON form, which starts with `[`. A rule's keys all have the same number of values.
  if (values.length === 1) {
    const only = values[0];
    if (typeof only === 'string' && !only.startsWith('[')) return only;
    return JSON.stringify(values);
  }
  let key = '';
  for (const value of values) {
    if (typeof value !== 'string' || value.includes('\u0000')) return JSON.stringify(values);
    key += `s${value}\u0000`;
  }
  return key;
}

/** The window's newest time, -Infinity when empty. Indexed, not `at(-1)`: that call was one of the dearest lines of a scan. */
function newestOf(window: Window): number {
  const { times } = window;
  return times.length === 0 ? -Infinity : (times[times.length - 1] as number);
}

function emptyWindow(): Window {
  return { times: [], ranks: [], head: 0, samples: [] };
}

/** Adds in time order; inputs are nearly ordered, so this is almost always a push. */
function addToWindow(window: Window, event: KlaxonEvent, rank: number): void {
  const { times, ranks } = window;
  let i = times.length;
  while (i > window.head && (times[i - 1] as number) > event.timestamp) i--;
  if (i === times.length) {
    times.push(event.timestamp);
    ranks.push(rank);
  } else {
    times.splice(i, 0, event.timestamp);
    ranks.splice(i, 0, rank);
  }
  if (window.samples.length < SAMPLE_LIMIT) window.samples.push(event);
}

/**
 * Adds a distinct-count entry: the value's earlier entry (if any) gives way to the later of the
 * two times, so the window holds each value once. At most `count - 1` values wait in a window.
 */
function addDistinct(window: Window, key: string, event: KlaxonEvent, rank: number): void {
  const keys = (window.keys ??= []);
  const known = keys.indexOf(key, window.head);
  if (known >= 0) {
    if ((window.times[known] as number) >= event.timestamp) {
      if ((window.ranks[known] as number) < rank) window.ranks[known] = rank;
      return;
    }
    rank = Math.max(rank, window.ranks[known] as number);
    removeAt(keys, known);
    removeAt(window.times, known);
    removeAt(window.ranks, known);
  }
  const { times } = window;
  let i = times.length;
  while (i > window.head && (times[i - 1] as number) > event.timestamp) i--;
  insertAt(times, i, event.timestamp);
  insertAt(window.ranks, i, rank);
  insertAt(keys, i, key);
  if (window.samples.length < SAMPLE_LIMIT) window.samples.push(event);
}

/** Array removal and insertion without splice's array of removed elements (a value seen again moves on every match). */
function removeAt<T>(list: T[], at: number): void {
  for (let i = at; i < list.length - 1; i++) list[i] = list[i + 1] as T;
  list.length--;
}

function insertAt<T>(list: T[], at: number, value: T): void {
  if (at === list.length) list.push(value);
  else list.splice(at, 0, value);
}

function expireBefore(window: Window, since: number): void {
  const { times } = window;
  while (window.head < times.length && (times[window.head] as number) <= since) window.head++;
  if (window.head > 64 && window.head * 2 > times.length) {
    times.splice(0, window.head);
    window.ranks.splice(0, window.head);
    window.keys?.splice(0, window.head);
    window.head = 0;
  }
  for (const sample of window.samples) {
    if (sample.timestamp > since) continue;
    window.samples = window.samples.filter((e) => e.timestamp > since);
    break;
  }
}

function openAlert(rule: CompiledRule, group: GroupState, window: Window): Alert {
  const samples = [...window.samples].sort((a, b) => a.timestamp - b.timestamp);
  const first = samples[0] as KlaxonEvent;
  const fields: Record<string, FieldValue> = {};
  rule.groupBy.forEach((path, i) => {
    fields[path] = group.values[i] ?? null;
  });
  const times = window.times.slice(window.head);
  const ranks = window.ranks.slice(window.head);
  let rank = 0;
  for (const r of ranks) if (r > rank) rank = r;
  const between = group.sinceAlert - times.length;
  const alert: Alert = {
    rule: rule.id,
    severity: SEVERITIES[rank] ?? rule.severity,
    title: interpolate(rule.title, (path) => fieldText(fields[path] ?? getField(first, path)) || '?'),
    fingerprint: group.fingerprint,
    sequence: ++group.alertCount,
    count: times.length,
    // the window is kept in time order
    firstSeen: times[0] as number,
    lastSeen: times[times.length - 1] as number,
    fields,
    samples,
    sources: rule.sources,
    slack: rule.slack,
  };
  if (rule.description !== undefined) alert.description = rule.description;
  if (rule.runbook !== undefined) alert.runbook = rule.runbook;
  if (group.previousAlertSeen !== undefined) alert.previous = { lastSeen: group.previousAlertSeen, between };
  return alert;
}

function updateAlert(alert: Alert, event: KlaxonEvent, rank: number): void {
  alert.count++;
  if (event.timestamp < alert.firstSeen) alert.firstSeen = event.timestamp;
  if (event.timestamp > alert.lastSeen) alert.lastSeen = event.timestamp;
  if (alert.samples.length < SAMPLE_LIMIT) alert.samples.push(event);
  // Most updates do not escalate: compare ranks only when this event's severity differs from the alert's.
  const severity = SEVERITIES[rank];
  if (severity !== undefined && severity !== alert.severity && rank > severityRank(alert.severity)) alert.severity = severity;
}

/** Raises the alert's severity to the highest of the count escalations its count has reached. */
function escalateOnCount(prepared: PreparedRule, alert: Alert): void {
  if (prepared.escalateOnCount.length === 0) return;
  let rank = severityRank(alert.severity);
  for (const entry of prepared.escalateOnCount) if (alert.count >= entry.count && entry.rank > rank) rank = entry.rank;
  alert.severity = SEVERITIES[rank] as Severity;
}

/** The rule's severity, raised by every escalation this event matches (the highest wins), as a rank. */
function escalatedRank(prepared: PreparedRule, event: KlaxonEvent): number {
  let rank = prepared.rank;
  for (const { rank: r, when } of prepared.escalate) {
    if (r > rank && when(event)) rank = r;
  }
  return rank;
}

function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
