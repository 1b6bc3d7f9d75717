import type { EventSource } from '../events/event';
import { isIpAddress } from '../events/ip';
import { fieldCatalogue } from '../sources/catalogue';
import type { Path } from '../yaml/locate';
import { didYouMean } from '../yaml/suggest';
import { parseCidr } from './cidr';
import { isMapping } from './field-tests';
import type { RuleLists } from './lists';
import { COMPARISONS, numericValue } from './matchers';
import type { RuleProblem, RuleProblems } from './types';

/**
 * Checks the values a field test compares with against what the field holds: a number for a
 * number field, an ISO time for a timestamp, `cidr` only on address fields, and for fields
 * with a closed vocabulary (event.action, event.outcome, ...) one of the values the rule's
 * sources give it. Only well-formed values are looked at: the condition compiler reports
 * the others.
 */
export type ValueCheck = (field: string, spec: unknown, path: Path, problems: RuleProblems) => void;

/** For rules already validated (the Lambda bundles). */
export const NO_VALUE_CHECK: ValueCheck = () => undefined;

/**
 * The lists a rule may name, and where to report their entries that cannot hold what a field
 * holds (located in the list file, naming the rule that uses the list that way).
 */
export interface ListUse {
  lists: RuleLists;
  ruleFile: string;
  problems: RuleProblem[];
}

export function valueCheck(sources: readonly EventSource[], listUse?: ListUse): ValueCheck {
  const catalogue = fieldCatalogue(sources);
  const kinds = catalogue.kinds ?? {};
  const addressFields = Object.keys(kinds).filter((f) => kinds[f] === 'ip' || kinds[f] === 'address');
  const sourceList = sources.join(', ');
  return (field, spec, path, problems) => {
    const kind = kinds[field];
    // Names under a prefix (raw record fields, header maps) hold whatever the record holds.
    const typed = kind !== undefined || catalogue.fields.includes(field);
    const vocabulary = catalogue.values?.[field];
    const closed = Array.isArray(vocabulary) && vocabulary.length > 0 ? vocabulary : undefined;

    const checkEqual = (value: unknown, at: Path, ignoreCase: boolean): void => {
      if (typeof value !== 'string') return;
      if (kind === 'number' && numericValue(value) === undefined) {
        problems.add('BAD_VALUE', at, `${field} is a number: compare it with a number, not ${JSON.stringify(value)}`);
      } else if (kind === 'ip' && value.includes('/') && parseCidr(value) !== undefined) {
        problems.add('BAD_VALUE', at, `${JSON.stringify(value)} is a network: write { cidr: ${JSON.stringify(value)} }`);
      } else if (kind === 'ip' && !isIpAddress(value)) {
        problems.add('BAD_VALUE', at, `${field} holds IP addresses, and ${JSON.stringify(value)} is not one`);
      } else if (kind === 'country' && !isCountryCode(value, ignoreCase)) {
        problems.add('BAD_VALUE', at, `${field} holds ISO 3166-1 alpha-2 country codes, two upper-case letters such as DE, and ${JSON.stringify(value)} is not one${countryHint(value)}`);
      } else if (closed !== undefined && !inVocabulary(value, closed, ignoreCase)) {
        problems.add(
          'UNKNOWN_VALUE',
          at,
          `${JSON.stringify(value)} is not an ${field} of ${sourceList} events${didYouMean(value, closed, { prefixes: true })}; values: ${closed.join(', ')}`,
        );
      }
    };
    const checkBound = (value: unknown, at: Path): void => {
      if (kind === 'number' && typeof value === 'string' && value !== '' && numericValue(value) === undefined) {
        problems.add('BAD_VALUE', at, `${field} is a number: compare it with a number, not ${JSON.stringify(value)}`);
      } else if (kind === 'timestamp' && numericValue(value) !== undefined) {
        problems.add('BAD_VALUE', at, `${field} is a timestamp: compare it with an ISO 8601 time such as 2024-05-01T00:00:00Z, not ${JSON.stringify(value)}`);
      }
    };
    const checkCidr = (at: Path): void => {
      if (!typed || kind === 'ip' || kind === 'address') return;
      problems.add('BAD_VALUE', at, `cidr needs an IP address field, and ${field} is not one; address fields: ${addressFields.join(', ')}`);
    };
    // Only addresses and networks can match an IP field; another entry is a typo (10.0.0.0/33,
    // 10.0.0.0.1). An address field (source.address) may hold host names, which may be listed.
    const checkList = (arg: unknown): void => {
      if (listUse === undefined || kind !== 'ip') return;
      for (const id of [arg].flat()) {
        const list = typeof id === 'string' ? listUse.lists.get(id) : undefined;
        for (const entry of list?.notAddresses ?? []) {
          listUse.problems.push({
            code: 'BAD_CIDR',
            file: list?.file ?? '',
            ...entry.position,
            message: `${JSON.stringify(entry.value)} is not an IPv4 or IPv6 address or network, and ${listUse.ruleFile} compares ${field} (IP addresses) with this list`,
          });
        }
      }
    };
    const walk = (test: unknown, at: Path, ignoreCase: boolean): void => {
      if (Array.isArray(test)) test.forEach((item, i) => checkEqual(item, [...at, i], ignoreCase));
      else if (!isMapping(test)) checkEqual(test, at, ignoreCase);
      else {
        const caseless = typeof test.ignore_case === 'boolean' ? test.ignore_case : ignoreCase;
        for (const [operator, arg] of Object.entries(test)) {
          const where = [...at, operator];
          if (operator === 'equals') checkEqual(arg, where, caseless);
          else if (operator === 'in' && Array.isArray(arg)) arg.forEach((item, i) => checkEqual(item, [...where, i], caseless));
          else if ((COMPARISONS as readonly string[]).includes(operator)) checkBound(arg, where);
          else if (operator === 'cidr') checkCidr(where);
          else if (operator === 'in_list') checkList(arg);
          else if (operator === 'not') walk(arg, where, caseless);
        }
      }
    };
    walk(spec, path, false);
  };
}

/** UK is reserved, not assigned: the databases give the United Kingdom as GB, so a rule naming UK would never match. */
function isCountryCode(value: string, ignoreCase: boolean): boolean {
  return (ignoreCase ? /^[A-Za-z]{2}$/ : /^[A-Z]{2}$/).test(value) && value.toUpperCase() !== 'UK';
}

/** The code meant, for the usual slips: lower case, and the United Kingdom's UK. */
function countryHint(value: string): string {
  if (value.toUpperCase() === 'UK') return ': the United Kingdom is GB';
  if (/^[A-Za-z]{2}$/.test(value)) return `: write ${value.toUpperCase()}`;
  return '';
}

function inVocabulary(value: string, vocabulary: readonly string[], ignoreCase: boolean): boolean {
  if (!ignoreCase) return vocabulary.includes(value);
  const lower = value.toLowerCase();
  return vocabulary.some((v) => v.toLowerCase() === lower);
}
