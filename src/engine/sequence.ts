/**
 * The state of one sequence group (a rule's `sequence.by` values): when each step's events
 * happened, and the last step's events with what they need to become alerts. Plain data,
 * so that it is stored as it is (the state store's group record) and merged exactly: the
 * lifecycle applies each event to it once, and whether a last-step event completes the
 * sequence depends on the state alone, not on the order the events arrived in.
 */
import type { KlaxonEvent } from '../events/event';
import type { CompiledSequence, Predicate } from '../rules/types';

/** Times kept per step: a step needs `count` of them before the last step's event, so the latest few hundred are plenty, and bound the record. */
export const MAX_STEP_TIMES = 256;
/** Last-step events kept (each whole, to become an alert's sample) while earlier steps may still arrive late. */
export const MAX_FINALS = 32;

export interface SequenceFinal {
  time: number;
  /** The event's idempotency key: its alert group applies it once, however often it is derived. */
  key: string;
  event: KlaxonEvent;
  /** Set once the sequence completed with this event (the in-memory engine alerts once for it). */
  completed?: true;
}

export interface SequenceSnapshot {
  /** Per step but the last, its events' times, ascending. */
  steps: number[][];
  finals: SequenceFinal[];
  /** The newest time of any event added (absent while none was): what is pruned is measured from it. */
  newest?: number;
}

export function emptySequence(sequence: CompiledSequence): SequenceSnapshot {
  return { steps: sequence.steps.slice(0, -1).map(() => []), finals: [] };
}

/**
 * Adds an event to every step it matches (`matches`: a bit per step, when the caller has
 * evaluated them); `lateness` is how far behind the newest time an event may still count.
 */
export function addToSequence(sequence: CompiledSequence, state: SequenceSnapshot, event: KlaxonEvent, key: string, lateness: number, matches = stepMatches(sequence, event)): void {
  const last = sequence.steps.length - 1;
  for (let i = 0; i <= last; i++) {
    if ((matches & (1 << i)) === 0) continue;
    if (i === last) insertFinal(state.finals, { time: event.timestamp, key, event });
    else insertTime(state.steps[i] as number[], event.timestamp);
  }
  if (state.newest === undefined || event.timestamp > state.newest) state.newest = event.timestamp;
  prune(state, state.newest - sequence.withinMs - lateness);
}

/** A bit per step the event matches (a step of another source never does); `predicates` stand for the steps' own conditions (shared evaluations). */
export function stepMatches(sequence: CompiledSequence, event: KlaxonEvent, predicates?: readonly Predicate[]): number {
  const { steps } = sequence;
  let matches = 0;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as CompiledSequence['steps'][number];
    if ((step.source === undefined || step.source === event.source) && ((predicates?.[i] as Predicate | undefined) ?? step.match)(event)) matches |= 1 << i;
  }
  return matches;
}

/** The newest time the state has held; -Infinity when empty. */
export function newestTime(state: SequenceSnapshot): number {
  return state.newest ?? -Infinity;
}

/**
 * The last-step events whose steps before them happened in order within the span: each
 * step's `count` events after the previous step completed, the earliest completion first
 * (which is optimal for an ordered match), all at or after `within` before the event.
 */
export function completedFinals(sequence: CompiledSequence, state: SequenceSnapshot): SequenceFinal[] {
  return state.finals.filter((final) => completes(sequence, state, final.time));
}

/** Marks completed last-step events and returns those that were not marked before: the in-memory engine's new alerts. */
export function newlyCompleted(sequence: CompiledSequence, state: SequenceSnapshot): SequenceFinal[] {
  let fresh: SequenceFinal[] | undefined;
  for (const final of state.finals) {
    if (final.completed === true || !completes(sequence, state, final.time)) continue;
    final.completed = true;
    (fresh ??= []).push(final);
  }
  return fresh ?? NONE;
}

const NONE: SequenceFinal[] = [];

function completes(sequence: CompiledSequence, state: SequenceSnapshot, at: number): boolean {
  let since = at - sequence.withinMs;
  for (let i = 0; i < state.steps.length; i++) {
    const times = state.steps[i] as number[];
    const needed = (sequence.steps[i] as { count: number }).count;
    let start = lowerBound(times, since);
    // Equal times count as before: a failure and the success logged in the same second.
    const end = upperBound(times, at);
    if (end - start < needed) return false;
    start += needed - 1;
    since = times[start] as number;
  }
  return true;
}

/** Drops what is older than `before`, and the oldest beyond the caps; in place, as it runs for every event. */
function prune(state: SequenceSnapshot, before: number): void {
  for (let i = 0; i < state.steps.length; i++) {
    const times = state.steps[i] as number[];
    const from = Math.max(lowerBound(times, before), times.length - MAX_STEP_TIMES);
    if (from > 0) times.splice(0, from);
  }
  const { finals } = state;
  let drop = Math.max(0, finals.length - MAX_FINALS);
  while (drop < finals.length && (finals[drop] as SequenceFinal).time < before) drop++;
  if (drop > 0) finals.splice(0, drop);
}

function insertTime(times: number[], time: number): void {
  const at = upperBound(times, time);
  if (at === times.length) times.push(time);
  else times.splice(at, 0, time);
}

function insertFinal(finals: SequenceFinal[], final: SequenceFinal): void {
  let at = finals.length;
  while (at > 0 && (finals[at - 1] as SequenceFinal).time > final.time) at--;
  if (at === finals.length) finals.push(final);
  else finals.splice(at, 0, final);
}

/** First index whose time is >= t. */
function lowerBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose time is > t. */
function upperBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
