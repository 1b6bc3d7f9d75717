/**
 * Lists of values kept in files under `rules/lists/` and shared by rules (`in_list:`), as
 * Falco lists or OSSEC CDB lists. A list is compiled once, when the rules load: its entries
 * into a set for exact matches and, for entries that are addresses or CIDR networks, into
 * networks, so `source.ip: { in_list: trusted-networks }` holds for any address inside one.
 * Nothing here reads YAML or runs the validator: the Lambda bundles compile packaged lists
 * with it (see `load-lists.ts` for the files).
 */
import type { Position } from '../yaml/locate';
import { networkMatcher, parseCidr, type Network } from './cidr';
import { memberOf, type ValueTest } from './matchers';

/** One entry as written, and where (for problems located in the list file). */
export interface ListEntry {
  value: string | number;
  position: Position;
}

export interface RuleList {
  id: string;
  /** The file it came from. */
  file: string;
  entries: ListEntry[];
  /** Entries that are neither an address nor a network (a list used on an address field must have none). */
  notAddresses: ListEntry[];
  /** Holds for a value equal to an entry, or an address inside one of its networks. */
  test(ignoreCase: boolean): ValueTest;
}

/** The lists rules may name, by id. */
export type RuleLists = ReadonlyMap<string, RuleList>;

export const NO_LISTS: RuleLists = new Map();

/** Compiles one list; `test` is built once per list and case mode, whichever rules use it. */
export function compileList(id: string, file: string, entries: ListEntry[]): RuleList {
  const networks: Network[] = [];
  const notAddresses: ListEntry[] = [];
  for (const entry of entries) {
    const network = typeof entry.value === 'string' ? parseCidr(entry.value) : undefined;
    if (network === undefined) notAddresses.push(entry);
    else networks.push(network);
  }
  const build = (ignoreCase: boolean): ValueTest => {
    const equal = entries.length === 0 ? () => false : memberOf(entries.map((e) => e.value), ignoreCase);
    if (networks.length === 0) return equal;
    const inNetworks = networkMatcher(networks);
    return (value) => equal(value) || (typeof value === 'string' && inNetworks(value));
  };
  const tests = new Map<boolean, ValueTest>();
  return {
    id,
    file,
    entries,
    notAddresses,
    test(ignoreCase) {
      let test = tests.get(ignoreCase);
      if (test === undefined) {
        test = build(ignoreCase);
        tests.set(ignoreCase, test);
      }
      return test;
    },
  };
}

/** A list as the Lambda bundle carries it: the values only (positions are for validation, done at build time). */
export interface PackagedList {
  id: string;
  file: string;
  values: Array<string | number>;
}

export function packageList(list: RuleList): PackagedList {
  return { id: list.id, file: list.file, values: list.entries.map((e) => e.value) };
}

export function compilePackagedLists(lists: readonly PackagedList[]): RuleLists {
  return new Map(lists.map((l) => [l.id, compileList(l.id, l.file, l.values.map((value) => ({ value, position: { line: 1, col: 1 } })))]));
}
