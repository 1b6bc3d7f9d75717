import type { EventSource, FieldValue, KlaxonEvent } from '../events/event';
import type { Problem, Problems } from '../yaml/problems';
import type { RuleLists } from './lists';

/** What a rule id may look like (the JSON Schema of rule files says the same). */
export const RULE_ID_PATTERN = '^[a-z0-9][a-z0-9._-]*$';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Predicate = (event: KlaxonEvent) => boolean;

/** One test case embedded in a rule file. */
export interface RuleTest {
  name: string;
  /** Raw input as it would arrive: sshd lines, WAF JSON lines, CloudTrail records/files. */
  logs?: string;
  /** JSON records (WAF or CloudTrail), an alternative to `logs` that reads better in YAML. */
  records?: unknown[];
  /** Parser to use; defaults to the rule's first source. */
  source?: EventSource;
  /** Year for syslog lines that carry none (keeps tests independent of today's date). */
  year?: number;
  /** Feed the input this many times over (thresholds such as "100 blocks in 5 minutes" without 100 written records). */
  repeat?: number;
  expect: RuleTestExpectation;
  /** 1-based line of the test in its file, for reports. */
  line: number;
}

export interface RuleTestExpectation {
  alerts: number;
  /** Group/field values the first alert must carry (checked against the alert's fields, then its first sample event). */
  fields?: Record<string, FieldValue>;
  severity?: Severity;
  count?: number;
  title?: string;
}

/** A rule file after validation and compilation: everything an engine needs, nothing re-parsed per event. */
export interface CompiledRule {
  id: string;
  title: string;
  description?: string;
  sources: EventSource[];
  severity: Severity;
  /** Raise the severity when an event also matches `when` (the highest wins). */
  escalate: Array<{ severity: Severity; when: Predicate }>;
  /** Severities an alert rises to once it counts this many events. */
  escalateOnCount?: Array<{ severity: Severity; count: number }>;
  match: Predicate;
  /** The match condition as written, to explain which part an event failed (`conditionParts`). */
  matchSpec?: unknown;
  /** `distinct`: count distinct values of this field rather than events. */
  threshold?: { count: number; windowMs: number; distinct?: string };
  /** Ids of rules that do not count an event this rule matches. */
  suppresses?: string[];
  /** Ordered steps within a time span per `by` group: the final step's event counts when the steps before it happened first. */
  sequence?: CompiledSequence;
  /** Counts an event only when its term (these fields' values) is new for its group, after the group's learning period. */
  newTerm?: { fields: string[]; learningMs: number; forgetMs: number };
  groupBy: string[];
  /** Within this long after an alert opens, further matches update it instead of opening a new one. 0: every match (or threshold crossing) is its own alert. */
  realertMs: number;
  slack: { channel?: string; template?: string; mention: string[] };
  runbook?: string;
  tags: string[];
  /** Slack user ids allowed to acknowledge or silence this rule's alerts (empty: the global setting applies). */
  allowedUsers: string[];
  tests: RuleTest[];
  /** Path of the file the rule came from. */
  file: string;
  /** The lists its conditions could name (`in_list`), to compile them again to explain a non-match. */
  lists?: RuleLists;
}

/** One step of a sequence: events it matches, and how many of them it needs. */
export interface SequenceStep {
  name: string;
  match: Predicate;
  /** The step's condition as written: steps and rules written alike share one evaluation per event. */
  matchSpec?: unknown;
  /** Only events of this source count for the step (a rule reading several sources). */
  source?: EventSource;
  count: number;
}

export interface CompiledSequence {
  /** The fields whose values the steps share (an address); a subset of group_by. */
  by: string[];
  withinMs: number;
  steps: SequenceStep[];
}

/** A problem in a rule file, located for `path:line:col: message [CODE]`. */
export type RuleProblem = Problem<RuleErrorCode>;

/** Collects a rule file's problems. */
export type RuleProblems = Problems<RuleErrorCode>;

export type RuleErrorCode =
  | 'YAML_SYNTAX'
  | 'NOT_A_MAPPING'
  | 'UNKNOWN_KEY'
  | 'MISSING_KEY'
  | 'BAD_VALUE'
  | 'UNKNOWN_FIELD'
  | 'UNKNOWN_SOURCE'
  | 'UNKNOWN_OPERATOR'
  | 'UNKNOWN_VALUE'
  | 'BAD_REGEX'
  | 'BAD_CIDR'
  | 'BAD_DURATION'
  | 'DUPLICATE_ID'
  | 'UNKNOWN_RULE'
  | 'UNKNOWN_LIST'
  | 'UNKNOWN_TEMPLATE'
  | 'READ_FAILED';
