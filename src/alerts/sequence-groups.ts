/**
 * Sequence rules in the lifecycle. Their events first change their sequence groups (the
 * steps per `sequence.by` values), each applied once like any group's events; then every
 * last-step event that the stored steps show completed is applied to its alert group,
 * keyed by its own input key. Deriving completions from the stored steps each time a
 * sequence group is touched, and applying them idempotently, makes the result independent
 * of which invocation wrote which step first, and a retry after a crash between the two
 * phases finishes the second.
 */
import type { GroupSnapshot } from '../engine/engine';
import { ALLOWED_LATENESS_MS, groupFingerprint, sequenceValues } from '../engine/engine';
import { addToSequence, completedFinals, emptySequence } from '../engine/sequence';
import type { CompiledRule } from '../rules/types';
import type { GroupRecord } from '../store/types';
import type { GroupWork, KeyedEvent } from './batch-plan';
import { decodeGroupData } from './group-data';

/** The sequence group's state after its new events: a snapshot with steps and no alert. */
export function applySteps(rule: CompiledRule, stored: GroupSnapshot | undefined, fingerprintOf: string, items: readonly KeyedEvent[]): GroupSnapshot {
  const sequence = rule.sequence;
  const first = items[0];
  if (sequence === undefined || first === undefined) throw new Error(`internal: rule ${rule.id} has no sequence, or its group ${fingerprintOf} no events`);
  const state = stored?.sequence ?? emptySequence(sequence);
  for (const { event, key } of items) addToSequence(sequence, state, event, key, ALLOWED_LATENESS_MS);
  return {
    rule: rule.id,
    fingerprint: fingerprintOf,
    values: stored?.values ?? sequenceValues(rule, first.event),
    window: { times: [], ranks: [], samples: [] },
    sinceAlert: 0,
    alertCount: 0,
    sequence: state,
  };
}

/** The alert groups' work that the touched sequence groups' records say is due: every completed last-step event, by alert group, in time order. */
export function completedWork(sequenceGroups: ReadonlyMap<string, GroupWork>, records: ReadonlyMap<string, GroupRecord>): Map<string, GroupWork> {
  const work = new Map<string, GroupWork>();
  for (const [id, { rule }] of sequenceGroups) {
    const record = records.get(id);
    const state = record === undefined ? undefined : decodeGroupData(id, record.data).engine.sequence;
    if (state === undefined || rule.sequence === undefined) continue;
    for (const final of completedFinals(rule.sequence, state)) {
      const group = groupFingerprint(rule, final.event);
      const items = work.get(group)?.items ?? [];
      if (items.length === 0) work.set(group, { rule, items, target: 'group' });
      items.push({ event: final.event, key: final.key });
    }
  }
  return work;
}
