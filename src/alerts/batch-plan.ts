/**
 * Which events of a batch change which alert groups: the lifecycle applies each group's own
 * events to that group alone, so that a group's write can carry exactly the events it applied.
 */
import { AlertEngine, type MatchTarget } from '../engine/engine';
import type { KlaxonEvent } from '../events/event';
import type { CompiledRule } from '../rules/types';

/** One input event with its idempotency key. */
export interface KeyedEvent {
  event: KlaxonEvent;
  key: string;
}

/** The events one group matched, in input order. */
export interface GroupWork {
  rule: CompiledRule;
  items: KeyedEvent[];
  /** A sequence rule's group of steps (`sequence`), or an alert group. */
  target: MatchTarget;
}

export interface BatchPlan {
  /** Per fingerprint, the fresh events that count into it. */
  groups: Map<string, GroupWork>;
  /** Groups matched by already-processed events only: nothing to apply, but their delivery may be unfinished. */
  repeatedOnly: Set<string>;
  /** The fingerprints of sequence groups among those: they hold steps, not messages. */
  sequenceGroups: Set<string>;
  /** Fresh events that matched at least one rule. */
  matched: number;
}

/** Runs the rules (no state) over the batch and records, per group, the fresh events that match it. */
export function planBatch(rules: readonly CompiledRule[], fresh: readonly KeyedEvent[], repeated: readonly KlaxonEvent[]): BatchPlan {
  const groups = new Map<string, GroupWork>();
  const repeatedOnly = new Set<string>();
  const sequenceGroups = new Set<string>();
  let current: KeyedEvent | undefined;
  const probe = new AlertEngine(rules, {
    onMatch: (rule, fingerprint, target) => {
      // A sequence rule's alert groups count what its sequence groups complete, which the stored steps decide (the lifecycle's second phase).
      if (rule.sequence !== undefined && target === 'group') return;
      if (target === 'sequence') sequenceGroups.add(fingerprint);
      if (current === undefined) {
        if (!groups.has(fingerprint)) repeatedOnly.add(fingerprint);
        return;
      }
      const work = groups.get(fingerprint);
      if (work === undefined) groups.set(fingerprint, { rule, items: [current], target });
      else work.items.push(current);
      repeatedOnly.delete(fingerprint);
    },
  });
  for (const item of fresh) {
    current = item;
    probe.process(item.event);
  }
  const matched = probe.matchedEvents;
  current = undefined;
  for (const event of repeated) probe.process(event);
  return { groups, repeatedOnly, sequenceGroups, matched };
}
