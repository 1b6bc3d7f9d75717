/**
 * Which WAF and CloudTrail records a set of rules can match, so that a scan normalizes only
 * those (the rest are checked, counted as events and not built), as it does for auth-log
 * families (needed-families.ts). Each source judges a few fields that a valid record's own
 * values give without normalizing it (its RecordJudge); a rule's tests of those fields are
 * compiled as the rule compiles them, every other test is taken to hold, so the answer errs
 * towards building. Judging is kept per distinct judged values (an action; a call, its service and outcome), bounded.
 */
import type { EventSource } from '../events/event';
import { CLOUDTRAIL_JUDGE } from '../sources/cloudtrail';
import type { RecordFilter, RecordFilters, RecordJudge } from '../sources/record-judge';
import { WAF_JUDGE } from '../sources/waf';
import { compileMayHold } from './needed-families';
import type { CompiledRule } from './types';

/** How many distinct judged values a filter remembers before it starts over (an attacker may write millions). */
const REMEMBERED = 1024;

/** The filters for the WAF and CloudTrail records of a rule set; a source has none when a rule may match any of its records. */
export function recordFilters(rules: readonly CompiledRule[]): RecordFilters {
  const filters: RecordFilters = {};
  const waf = recordFilter(rules, 'waf', WAF_JUDGE);
  if (waf !== undefined) filters.waf = waf;
  const cloudtrail = recordFilter(rules, 'cloudtrail', CLOUDTRAIL_JUDGE);
  if (cloudtrail !== undefined) filters.cloudtrail = cloudtrail;
  return filters;
}

function recordFilter(rules: readonly CompiledRule[], source: EventSource, judge: RecordJudge): RecordFilter | undefined {
  const reading = rules.filter((rule) => rule.sources.includes(source));
  if (reading.some((rule) => rule.matchSpec === undefined)) return undefined;
  const isJudged = (field: string): boolean => judge.fields.includes(field) || judge.prefixes.some((prefix) => field.startsWith(prefix));
  const mayHold = reading.map((rule) => compileMayHold(rule.matchSpec, isJudged));
  // A tree of maps, one level per judged text: looking up the record's own strings hashes no new one.
  const judged: JudgedValues = new Map();
  const values: string[] = [];
  let remembered = 0;
  return (record) => {
    if (!judge.values(record, values)) return true;
    let level = judged;
    for (let i = 0; i < judge.arity - 1; i++) {
      const value = values[i] as string;
      let next = level.get(value);
      if (next === undefined) {
        next = new Map();
        level.set(value, next);
      }
      level = next as JudgedValues;
    }
    const last = values[judge.arity - 1] as string;
    let may = level.get(last) as boolean | undefined;
    if (may === undefined) {
      const probe = judge.probe(record);
      may = mayHold.some((holds) => holds(probe));
      if (remembered >= REMEMBERED) {
        judged.clear();
        remembered = 0;
      } else {
        level.set(last, may);
        remembered++;
      }
    }
    return may;
  };
}

type JudgedValues = Map<string, JudgedValues | boolean>;
