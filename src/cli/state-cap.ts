import { DEFAULT_MAX_GROUPS_PER_RULE, type AlertEngine } from '../engine/engine';
import { UsageError } from './io';
import { countText } from './count-text';

/** KLAXON_MAX_GROUPS_PER_RULE, when set: how many groups (addresses, users…) each rule keeps in a scan or replay. */
export function maxGroupsPerRule(env: NodeJS.ProcessEnv): number {
  const raw = env.KLAXON_MAX_GROUPS_PER_RULE?.trim();
  if (raw === undefined || raw === '') return DEFAULT_MAX_GROUPS_PER_RULE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 10) throw new UsageError(`KLAXON_MAX_GROUPS_PER_RULE must be a whole number of groups, at least 10, not "${raw}"`);
  return value;
}

/** The summary line saying that the state cap was reached and what it cost; '' when it was not. */
export function stateCapLine(engine: AlertEngine, cap: number): string {
  if (engine.evictedGroups === 0) return '';
  const n = countText;
  return (
    `  state cap reached: ${n(engine.evictedGroups)} groups forgotten, one-off groups then the least recently seen first (at most ${n(cap)} per rule, KLAXON_MAX_GROUPS_PER_RULE); ` +
    `${n(engine.evictedPending)} of them held matches below their rule's threshold, which were dropped\n`
  );
}
