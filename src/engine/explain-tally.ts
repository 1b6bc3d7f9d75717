import type { EventSource, KlaxonEvent } from '../events/event';
import type { ConditionPart } from '../rules/condition-parts';
import type { CompiledRule } from '../rules/types';
import type { NoEventResult } from '../sources/read-events';
import { eventValue, readsSource, ruleParts } from './explain';

/** Example values kept per condition. */
const EXAMPLES = 2;
/** Distinct no-event reasons kept (they quote log text, such as program names); the rest are counted together. */
export const MAX_REASONS = 20;
export const OTHER_REASONS = 'other reasons';

export interface FailureCount {
  label: string;
  count: number;
  /** A few distinct values the events had, as JSON (`no FIELD` when they lacked it). */
  examples: string[];
}

/**
 * What `scan --explain` counts for one rule: events read and matched, for each condition how
 * many events failed it first (with example values), events of other sources, and why lines
 * yielded no event. Memory is bounded whatever the input.
 */
export class ExplainTally {
  read = 0;
  matched = 0;
  readonly otherSources = new Map<EventSource, number>();
  private readonly failures = new Map<string, FailureCount>();
  private readonly reasons = new Map<string, number>();
  private readonly parts: ConditionPart[];

  constructor(private readonly rule: CompiledRule) {
    this.parts = ruleParts(rule);
  }

  add(event: KlaxonEvent): void {
    if (!readsSource(this.rule, event)) {
      this.otherSources.set(event.source, (this.otherSources.get(event.source) ?? 0) + 1);
      return;
    }
    this.read++;
    if (this.rule.match(event)) {
      this.matched++;
      return;
    }
    const part = this.parts.find((p) => !p.holds(event));
    const label = part?.label ?? 'match';
    let entry = this.failures.get(label);
    if (entry === undefined) {
      entry = { label, count: 0, examples: [] };
      this.failures.set(label, entry);
    }
    entry.count++;
    if (part?.field !== undefined && entry.examples.length < EXAMPLES) {
      const value = eventValue(event, part.field);
      if (!entry.examples.includes(value)) entry.examples.push(value);
    }
  }

  addNoEvent(result: NoEventResult): void {
    const text = result.status === 'skipped' ? result.reason : `could not be parsed: ${result.message}`;
    const key = this.reasons.has(text) || this.reasons.size < MAX_REASONS ? text : OTHER_REASONS;
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
  }

  /** Conditions by how many events failed them first, most first. */
  firstFailures(): FailureCount[] {
    return [...this.failures.values()].sort((a, b) => b.count - a.count);
  }

  /** Reasons lines yielded no event, most frequent first. */
  noEventReasons(): Array<[reason: string, count: number]> {
    return [...this.reasons.entries()].sort((a, b) => b[1] - a[1]);
  }
}
