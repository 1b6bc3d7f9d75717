import type { FieldValue, KlaxonEvent } from '../events/event';
import { getField } from '../events/fields';
import { conditionParts, type ConditionPart } from '../rules/condition-parts';
import type { CompiledRule } from '../rules/types';

/**
 * Why events did not match a rule: which of its conditions (`conditionParts`) each one
 * fails, and which event came nearest (held the most of them). The text quotes event values,
 * which are attacker-controlled: a terminal front end escapes it before printing.
 */

/** The parts of the rule's match, or none for a rule compiled without its written condition. */
export function ruleParts(rule: CompiledRule): ConditionPart[] {
  return rule.matchSpec === undefined ? [] : conditionParts(rule.matchSpec, ['match'], rule.lists);
}

/** True when the rule reads events of this event's source (the engine passes it no others). */
export function readsSource(rule: CompiledRule, event: KlaxonEvent): boolean {
  return rule.sources.includes(event.source);
}

export function failingParts(parts: readonly ConditionPart[], event: KlaxonEvent): ConditionPart[] {
  return parts.filter((part) => !part.holds(event));
}

export interface NearMiss {
  /** Index of the event in the list given. */
  index: number;
  failing: ConditionPart[];
}

/** The event that fails the fewest parts (the first of equals); `undefined` when some event matches or none is given. */
export function nearestMiss(parts: readonly ConditionPart[], events: readonly KlaxonEvent[]): NearMiss | undefined {
  let best: NearMiss | undefined;
  events.forEach((event, index) => {
    if (best !== undefined && best.failing.length <= 1) return;
    const failing = failingParts(parts, event);
    if (best === undefined || failing.length < best.failing.length) best = { index, failing };
  });
  return best === undefined || best.failing.length === 0 ? undefined : best;
}

/** `match.event.outcome: expected "failure", event has "success"`, and the like for any/not blocks. */
export function describeFailure(part: ConditionPart, event: KlaxonEvent): string {
  if (part.kind === 'any') return `${part.label}: none of ${part.expected} alternative${part.expected === '1' ? '' : 's'} holds`;
  if (part.kind === 'not') return `${part.label}: excludes ${part.expected}, which holds`;
  return `${part.label}: expected ${part.expected}, event has ${eventValue(event, part.field as string)}`;
}

/** The event's value of a field for a report: JSON, cut short, or `no FIELD`. */
export function eventValue(event: KlaxonEvent, field: string): string {
  const value = getField(event, field);
  return value === undefined ? `no ${field}` : shortJson(value);
}

const MAX_VALUE_LENGTH = 120;

function shortJson(value: FieldValue): string {
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}
