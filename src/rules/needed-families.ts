/**
 * Which auth-log message families a set of rules can match, worked out once when the rules
 * load, so that a scan builds events only for those (the rest are counted, not built).
 *
 * A rule can match a family unless its condition needs an `event.action`,
 * `system.auth.ssh.event` or `event.outcome` that none of the family's events carry. Only those fields are
 * judged, each field test compiled as the rule compiles it and run on the family's values; any
 * other test, `not` included, is taken to hold, so the answer errs towards building. A rule with
 * no such test (one on `message` or `process.name` alone) reads every family, and so does one
 * that matches generic events: every family may yield one, carrying none of these fields.
 */
import type { KlaxonEvent } from '../events/event';
import { AUTH_FAMILIES, type AuthFamily } from '../sources/sshd-families';
import { Problems } from '../yaml/problems';
import { compileCondition } from './conditions';
import { isMapping } from './field-tests';
import { ANY_FIELD } from './known-fields';
import type { CompiledRule, RuleErrorCode } from './types';

/** The fields whose tests are judged: what an event's kind is, as the parsers set it. */
export const JUDGED_FIELD_NAMES = ['event.action', 'system.auth.ssh.event', 'event.outcome'] as const;
const JUDGED_FIELDS: ReadonlySet<string> = new Set(JUDGED_FIELD_NAMES);

/**
 * One flag per AUTH_FAMILIES entry: true when some rule reading `ssh` can match an event of
 * that family. Undefined when every family must be built (a rule may match any line).
 */
export function authFamiliesToBuild(rules: readonly CompiledRule[]): boolean[] | undefined {
  const sshRules = rules.filter((rule) => rule.sources.includes('ssh'));
  const build = AUTH_FAMILIES.map((family) => sshRules.some((rule) => rule.matchSpec === undefined || familyMayMatch(rule.matchSpec, family)));
  return build.every(Boolean) ? undefined : build;
}

/** Whether a condition can hold for some event of the family (a generic one included). */
export function familyMayMatch(spec: unknown, family: AuthFamily): boolean {
  const probes: KlaxonEvent[] = [judgedProbe({}), ...family.values.map((values) => judgedProbe(values))];
  const mayHold = compileMayHold(spec, (field) => JUDGED_FIELDS.has(field));
  return probes.some(mayHold);
}

/** An event with only these values of the judged fields (none: a generic event). */
export function judgedProbe(values: { action?: string; sshEvent?: string; outcome?: string }, source: KlaxonEvent['source'] = 'ssh'): KlaxonEvent {
  const fields: KlaxonEvent['fields'] = {};
  if (values.action !== undefined) fields['event.action'] = values.action;
  if (values.sshEvent !== undefined) fields['system.auth.ssh.event'] = values.sshEvent;
  if (values.outcome !== undefined) fields['event.outcome'] = values.outcome;
  return { timestamp: 0, source, fields };
}

/**
 * The condition reduced to its tests of judged fields, compiled once: a predicate on a probe
 * event that carries the judged fields' true values (and nothing else), which fails only when
 * no event with those values can match. Every other test, `not` included, is taken to hold.
 */
export function compileMayHold(spec: unknown, isJudged: (field: string) => boolean): (probe: KlaxonEvent) => boolean {
  const parts: Array<(probe: KlaxonEvent) => boolean> = [];
  if (Array.isArray(spec)) for (const item of spec) parts.push(compileMayHold(item, isJudged));
  else if (isMapping(spec)) {
    for (const [key, value] of Object.entries(spec)) {
      if (key === 'all' && Array.isArray(value)) parts.push(compileMayHold(value, isJudged));
      else if (key === 'any' && Array.isArray(value)) {
        const alternatives = value.map((item) => compileMayHold(item, isJudged));
        parts.push((probe) => alternatives.some((alternative) => alternative(probe)));
      } else if (isJudged(key)) {
        const holds = compileCondition({ [key]: value }, ['match'], ANY_FIELD, new Problems<RuleErrorCode>('prefilter'));
        if (holds !== undefined) parts.push(holds);
      }
    }
  }
  return (probe) => parts.every((part) => part(probe));
}
