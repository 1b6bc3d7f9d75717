import type { EventSource, FieldValue, KlaxonEvent } from '../events/event';
import { compileFieldPath, fieldText, type FieldAccessor } from '../events/fields';
import { interpolate } from '../events/interpolate';
import { SEVERITIES, type CompiledRule, type Severity } from '../rules/types';
import type { Alert } from './alert';
import { fingerprint } from './fingerprint';

const SAMPLE_LIMIT = 5;
/** How often (in events) groups whose windows have gone quiet are forgotten, to bound memory on long inputs. */
const SWEEP_EVERY = 50_000;

interface GroupState {
  fingerprint: string;
  values: FieldValue[];
  /** Matching events still inside the threshold window, oldest first (never more than threshold - 1 after a crossing). */
  window: KlaxonEvent[];
  /** The alert this group has open, while its realert window lasts. */
  open?: { alert: Alert; opensAt: number };
}

interface PreparedRule {
  rule: CompiledRule;
  groupAccessors: FieldAccessor[];
  groups: Map<string, GroupState>;
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
  private readonly bySource = new Map<EventSource, PreparedRule[]>();
  private readonly emitted: Alert[] = [];
  private processed = 0;
  private latest = 0;

  constructor(rules: readonly CompiledRule[]) {
    for (const rule of rules) {
      const prepared: PreparedRule = { rule, groupAccessors: rule.groupBy.map(compileFieldPath), groups: new Map() };
      for (const source of rule.sources) {
        const list = this.bySource.get(source) ?? [];
        list.push(prepared);
        this.bySource.set(source, list);
      }
    }
  }

  process(event: KlaxonEvent): void {
    const rules = this.bySource.get(event.source);
    if (rules !== undefined) {
      for (const prepared of rules) {
        if (prepared.rule.match(event)) this.matched(prepared, event);
      }
    }
    if (event.timestamp > this.latest) this.latest = event.timestamp;
    if (++this.processed % SWEEP_EVERY === 0) this.sweep();
  }

  /** Every alert opened so far, in the order they opened, with their counts as of now. */
  alerts(): Alert[] {
    return [...this.emitted];
  }

  private matched(prepared: PreparedRule, event: KlaxonEvent): void {
    const { rule } = prepared;
    const values = prepared.groupAccessors.map((get) => get(event) ?? null);
    const key = values.length === 0 ? '' : JSON.stringify(values);
    let group = prepared.groups.get(key);
    if (group === undefined) {
      group = { fingerprint: fingerprint(rule.id, values), values, window: [] };
      prepared.groups.set(key, group);
    }

    const t = event.timestamp;
    if (group.open !== undefined && t < group.open.opensAt + rule.realertMs) {
      updateAlert(group.open.alert, event, rule);
      return;
    }
    group.open = undefined;

    const needed = rule.threshold?.count ?? 1;
    insertByTime(group.window, event);
    if (rule.threshold !== undefined) {
      const since = t - rule.threshold.windowMs;
      while (group.window.length > 0 && (group.window[0] as KlaxonEvent).timestamp <= since) group.window.shift();
    }
    if (group.window.length < needed) return;

    const alert = openAlert(rule, group, group.window);
    group.window = [];
    this.emitted.push(alert);
    if (rule.realertMs > 0) group.open = { alert, opensAt: t };
  }

  /** Forgets groups with nothing pending: no open alert and an empty or expired window. */
  private sweep(): void {
    for (const rules of this.bySource.values()) {
      for (const { rule, groups } of rules) {
        const horizon = this.latest - Math.max(rule.threshold?.windowMs ?? 0, rule.realertMs);
        for (const [key, group] of groups) {
          const lastWindow = group.window.at(-1)?.timestamp ?? -Infinity;
          const lastOpen = group.open === undefined ? -Infinity : group.open.opensAt;
          if (Math.max(lastWindow, lastOpen) < horizon) groups.delete(key);
        }
      }
    }
  }
}

function openAlert(rule: CompiledRule, group: GroupState, events: readonly KlaxonEvent[]): Alert {
  const first = events[0] as KlaxonEvent;
  const fields: Record<string, FieldValue> = {};
  rule.groupBy.forEach((path, i) => {
    fields[path] = group.values[i] ?? null;
  });
  const alert: Alert = {
    rule: rule.id,
    severity: rule.severity,
    title: interpolate(rule.title, (path) => fieldText(fields[path] ?? compileFieldPath(path)(first)) || '?'),
    fingerprint: group.fingerprint,
    count: 0,
    firstSeen: first.timestamp,
    lastSeen: first.timestamp,
    fields,
    samples: [],
    sources: rule.sources,
    slack: rule.slack,
  };
  if (rule.description !== undefined) alert.description = rule.description;
  if (rule.runbook !== undefined) alert.runbook = rule.runbook;
  for (const event of events) updateAlert(alert, event, rule);
  return alert;
}

function updateAlert(alert: Alert, event: KlaxonEvent, rule: CompiledRule): void {
  alert.count++;
  if (event.timestamp < alert.firstSeen) alert.firstSeen = event.timestamp;
  if (event.timestamp > alert.lastSeen) alert.lastSeen = event.timestamp;
  if (alert.samples.length < SAMPLE_LIMIT) alert.samples.push(event);
  for (const { severity, when } of rule.escalate) {
    if (rank(severity) > rank(alert.severity) && when(event)) alert.severity = severity;
  }
}

function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Keeps the window ordered by event time; inputs are nearly ordered, so this is almost always a push. */
function insertByTime(window: KlaxonEvent[], event: KlaxonEvent): void {
  let i = window.length;
  while (i > 0 && (window[i - 1] as KlaxonEvent).timestamp > event.timestamp) i--;
  window.splice(i, 0, event);
}
