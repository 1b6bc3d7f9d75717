/**
 * Which of a source's rules an event can match at all, by the kind of event it is (its
 * `event.action`, `system.auth.ssh.event` and `event.outcome`): a failed password need not be
 * tried against sudo's rules. Worked out from the rules' conditions the first time a kind is
 * seen (the prefilter's judgement, `compileMayHold`), then one lookup per event. The answer errs
 * towards trying a rule, so it never changes what matches, only what is tried.
 */
import type { EventSource, KlaxonEvent } from '../events/event';
import { compileFieldPath, type FieldAccessor } from '../events/fields';
import { compileMayHold, JUDGED_FIELD_NAMES, judgedProbe } from '../rules/needed-families';

/** Kinds remembered per engine: parsers set a handful per source; values beyond this many are tried against every rule. */
const MAX_KINDS = 1_000;

const READERS: readonly FieldAccessor[] = JUDGED_FIELD_NAMES.map(compileFieldPath);
const isJudged = (field: string): boolean => (JUDGED_FIELD_NAMES as readonly string[]).includes(field);

type Kinds<T> = Map<string | undefined, Map<string | undefined, Map<string | undefined, readonly T[]>>>;

export class RuleDispatch<T> {
  private readonly kinds = new Map<EventSource, Kinds<T>>();
  private remembered = 0;
  /** Each condition reduced to its judged tests, compiled the first time a kind needs it. */
  private readonly mayHold = new Map<unknown, (probe: KlaxonEvent) => boolean>();

  /**
   * `rules`: each source's rules, in the order they are tried (the map is read, not copied: rules added to it later count).
   * `conditions(rule)`: the conditions as written that decide whether the rule matches (any of them may); undefined when one is unknown.
   */
  constructor(
    private readonly rules: ReadonlyMap<EventSource, T[]>,
    private readonly conditions: (rule: T) => ReadonlyArray<unknown>,
  ) {}

  /** The rules of the event's source (in their order) that it may match; undefined when its source has none. */
  candidates(event: KlaxonEvent): readonly T[] | undefined {
    const rules = this.rules.get(event.source);
    if (rules === undefined) return undefined;
    const action = (READERS[0] as FieldAccessor)(event);
    const sshEvent = (READERS[1] as FieldAccessor)(event);
    const outcome = (READERS[2] as FieldAccessor)(event);
    if (!isKey(action) || !isKey(sshEvent) || !isKey(outcome)) return rules;
    const known = this.kinds.get(event.source)?.get(action)?.get(sshEvent)?.get(outcome);
    if (known !== undefined) return known;
    if (this.remembered >= MAX_KINDS) return rules;
    const probe = judgedProbe({ action, sshEvent, outcome }, event.source);
    const candidates = rules.filter((rule) => this.conditions(rule).some((condition) => condition === undefined || this.compiled(condition)(probe)));
    this.remember(event.source, action, sshEvent, outcome, candidates);
    return candidates;
  }

  private compiled(condition: unknown): (probe: KlaxonEvent) => boolean {
    let test = this.mayHold.get(condition);
    if (test === undefined) this.mayHold.set(condition, (test = compileMayHold(condition, isJudged)));
    return test;
  }

  private remember(source: EventSource, action: string | undefined, sshEvent: string | undefined, outcome: string | undefined, candidates: readonly T[]): void {
    let byAction = this.kinds.get(source);
    if (byAction === undefined) this.kinds.set(source, (byAction = new Map()));
    let byEvent = byAction.get(action);
    if (byEvent === undefined) byAction.set(action, (byEvent = new Map()));
    let byOutcome = byEvent.get(sshEvent);
    if (byOutcome === undefined) byEvent.set(sshEvent, (byOutcome = new Map()));
    byOutcome.set(outcome, candidates);
    this.remembered++;
  }
}

/** Only text (or no value) makes a kind: anything else is rare, and tried against every rule. */
function isKey(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}
