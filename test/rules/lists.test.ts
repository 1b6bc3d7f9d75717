import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conditionParts } from '../../src/rules/condition-parts';
import { compileList, type RuleLists } from '../../src/rules/lists';
import { formatProblem, loadRulesFromDir, loadRuleText } from '../../src/rules/load';
import { loadListsFromDir, loadListText } from '../../src/rules/load-lists';
import { event } from './helpers';

/** A rules directory holding `files` (paths relative to it, `lists/...` for lists). */
function rulesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-lists-'));
  mkdirSync(join(dir, 'lists'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function rule(id: string, match: string, extra = ''): string {
  return `id: ${id}\ntitle: t\nsource: ssh\nseverity: low\nmatch:\n${match}${extra}`;
}

const NETWORKS = 'id: trusted-networks\nvalues:\n  - 192.0.2.0/24\n  - 198.51.100.7\n  - 2001:db8::/32\n';
const ACCOUNTS = '# service accounts\nbackup\n  deploy   # the CI user\n\nnagios\n';

function lists(): RuleLists {
  const dir = rulesDir({ 'lists/trusted-networks.yml': NETWORKS, 'lists/service-accounts.txt': ACCOUNTS, 'lists/ports.yml': 'values: [22, "2222"]\n' });
  const { lists: loaded, problems } = loadListsFromDir(join(dir, 'lists'));
  expect(problems).toEqual([]);
  return loaded;
}

function matcher(match: string) {
  const { rule: compiled, problems } = loadRuleText(rule('r', match), 'rules/r.yml', { lists: lists() });
  expect(problems.map(formatProblem)).toEqual([]);
  return (fields: Parameters<typeof event>[0]) => compiled?.match(event(fields)) ?? false;
}

describe('in_list', () => {
  it('an address list matches addresses inside its networks, IPv4, IPv6 and IPv4-mapped, and nothing else', () => {
    const trusted = matcher('  source.ip: { in_list: trusted-networks }\n');
    expect(trusted({ 'source.ip': '192.0.2.200' })).toBe(true);
    expect(trusted({ 'source.ip': '::ffff:192.0.2.1' })).toBe(true);
    expect(trusted({ 'source.ip': '198.51.100.7' })).toBe(true);
    expect(trusted({ 'source.ip': '2001:db8:1::5' })).toBe(true);
    expect(trusted({ 'source.ip': '198.51.100.8' })).toBe(false);
    expect(trusted({ 'source.ip': '203.0.113.9' })).toBe(false);
    expect(trusted({})).toBe(false);
  });

  it('a list of names matches exactly, case-sensitively unless ignore_case is set; a .txt list skips comments and blanks', () => {
    const service = matcher('  user.name: { in_list: service-accounts }\n');
    expect(['backup', 'deploy', 'nagios', 'Deploy', 'deploy # the CI user', 'root'].map((name) => service({ 'user.name': name }))).toEqual([true, true, true, false, false, false]);
    const caseless = matcher('  user.name: { in_list: service-accounts, ignore_case: true }\n');
    expect(caseless({ 'user.name': 'DEPLOY' })).toBe(true);
  });

  it('numbers and numeric strings compare as numbers, as with in', () => {
    const port = matcher('  source.port: { in_list: ports }\n');
    expect([22, '22', 2222, 23].map((p) => port({ 'source.port': p }))).toEqual([true, true, true, false]);
  });

  it('several lists: any of them', () => {
    const either = matcher('  user.name: { in_list: [service-accounts, trusted-networks] }\n');
    expect(either({ 'user.name': 'nagios' })).toBe(true);
    expect(either({ 'user.name': 'root' })).toBe(false);
  });

  it('negated with not:, as a condition and as an operator (an absent field is not in the list)', () => {
    const outside = matcher('  not: { source.ip: { in_list: trusted-networks } }\n');
    expect(outside({ 'source.ip': '203.0.113.9' })).toBe(true);
    expect(outside({ 'source.ip': '192.0.2.9' })).toBe(false);
    const operator = matcher('  source.ip: { not: { in_list: trusted-networks } }\n');
    expect(operator({ 'source.ip': '203.0.113.9' })).toBe(true);
    expect(operator({ 'source.ip': '192.0.2.9' })).toBe(false);
    expect(operator({})).toBe(true);
  });

  it('an unknown list is UNKNOWN_LIST at its name, with a did-you-mean and the lists there are', () => {
    const { rule: compiled, problems } = loadRuleText(rule('r', '  source.ip: { in_list: trusted-network }\n'), 'rules/r.yml', { lists: lists() });
    expect(compiled).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      'rules/r.yml:6:25: match["source.ip"].in_list: no list has the id "trusted-network" (did you mean "trusted-networks"?); lists: ports, service-accounts, trusted-networks [UNKNOWN_LIST]',
    ]);
    const [none] = loadRuleText(rule('r', '  user.name: { in_list: [admins] }\n'), 'rules/r.yml').problems;
    expect(none && formatProblem(none)).toBe(
      'rules/r.yml:6:26: match["user.name"].in_list[0]: no list has the id "admins"; there are no lists (files in the lists/ folder of the rules directory) [UNKNOWN_LIST]',
    );
  });

  it('explains a non-match with the list part compiled against the lists', () => {
    const { rule: compiled } = loadRuleText(rule('r', '  source.ip: { in_list: trusted-networks }\n'), 'rules/r.yml', { lists: lists() });
    const [part] = conditionParts(compiled?.matchSpec, ['match'], compiled?.lists);
    expect(part?.holds(event({ 'source.ip': '192.0.2.1' }))).toBe(true);
    expect(part?.holds(event({ 'source.ip': '203.0.113.1' }))).toBe(false);
  });

  it('an empty list matches nothing', () => {
    const empty = compileList('empty', 'lists/empty.yml', []);
    expect(empty.test(false)('x')).toBe(false);
  });
});

describe('list files in rules/lists/', () => {
  it('load with the rules directory, never as rules; a rule naming a list loads', () => {
    const dir = rulesDir({ 'lists/trusted-networks.yml': NETWORKS, 'scan.yml': rule('scan', '  not: { source.address: { in_list: trusted-networks } }\n') });
    const { rules, problems, lists: loaded } = loadRulesFromDir(dir);
    expect(problems).toEqual([]);
    expect(rules.map((r) => r.id)).toEqual(['scan']);
    expect([...loaded.keys()]).toEqual(['trusted-networks']);
  });

  it('an entry that is no address, in a list used on an IP field, is BAD_CIDR at its line and column in the list file; the rule does not load', () => {
    const dir = rulesDir({
      'lists/trusted-networks.yml': 'values:\n  - 192.0.2.0/24\n  - 10.0.0.0/33\n  - office\n',
      'a.yml': rule('a', '  source.ip: { in_list: trusted-networks }\n'),
      'b.yml': rule('b', '  user.name: { in_list: trusted-networks }\n'),
      // source.address may hold a host name (sshd with UseDNS), which a list may hold too.
      'c.yml': rule('c', '  source.address: { in_list: trusted-networks }\n'),
    });
    const { rules, problems } = loadRulesFromDir(dir);
    expect(rules.map((r) => r.id)).toEqual(['b', 'c']);
    expect(rules[1]?.match(event({ 'source.address': 'office' }))).toBe(true);
    expect(problems.map((p) => formatProblem({ ...p, file: p.file.slice(dir.length + 1) }))).toEqual([
      `lists/trusted-networks.yml:3:5: "10.0.0.0/33" is not an IPv4 or IPv6 address or network, and ${join(dir, 'a.yml')} compares source.ip (IP addresses) with this list [BAD_CIDR]`,
      `lists/trusted-networks.yml:4:5: "office" is not an IPv4 or IPv6 address or network, and ${join(dir, 'a.yml')} compares source.ip (IP addresses) with this list [BAD_CIDR]`,
    ]);
  });

  it('a bad list file is reported where it is wrong and skipped; duplicate ids name the first file', () => {
    const dir = rulesDir({
      'lists/a.yml': 'id: shared\nvalues: [x]\n',
      'lists/b.yml': 'id: shared\nvalues: [y]\n',
      'lists/c.yml': 'id: c\nvaleus: [y]\n',
      'lists/d.yml': 'values: [ok, [nested]]\n',
      'lists/shared.txt': 'z\n',
      'lists/Bad Name.txt': 'z\n',
      'lists/notes.md': 'not a list\n',
    });
    const { lists: loaded, problems } = loadListsFromDir(join(dir, 'lists'));
    expect([...loaded.keys()]).toEqual(['shared']);
    expect(problems.map((p) => [p.file.slice(dir.length + 1), p.code, p.line, p.col])).toEqual([
      ['lists/Bad Name.txt', 'BAD_VALUE', 1, 1],
      ['lists/b.yml', 'DUPLICATE_ID', 1, 5],
      ['lists/c.yml', 'MISSING_KEY', 1, 1],
      ['lists/c.yml', 'UNKNOWN_KEY', 2, 1],
      ['lists/d.yml', 'BAD_VALUE', 1, 14],
      ['lists/shared.txt', 'DUPLICATE_ID', 1, 1],
    ]);
    expect(problems[1]?.message).toBe(`list id "shared" is already used by ${join(dir, 'lists', 'a.yml')}`);
  });

  it('no lists folder: no lists; a lists path that cannot be read as a folder is READ_FAILED', () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-lists-'));
    expect(loadListsFromDir(join(dir, 'lists'))).toEqual({ lists: new Map(), problems: [] });
    writeFileSync(join(dir, 'lists'), 'a file, not a folder\n');
    expect(loadListsFromDir(join(dir, 'lists')).problems.map((p) => [p.code, p.file])).toEqual([['READ_FAILED', join(dir, 'lists')]]);
  });

  it('a .txt entry is located at its first character', () => {
    const loaded = loadListText('# header\n\n   10.0.0.0/8   # office\nbad#hash\n', 'lists/x.txt');
    expect(loaded.list?.entries).toEqual([
      { value: '10.0.0.0/8', position: { line: 3, col: 4 } },
      { value: 'bad#hash', position: { line: 4, col: 1 } },
    ]);
  });

  it('a YAML syntax error, such as the !include tag, is located', () => {
    const loaded = loadListText('values: !include other.yml\n', 'lists/x.yml');
    expect(loaded.list).toBeUndefined();
    expect(loaded.problems.map((p) => p.code)).toEqual(['YAML_SYNTAX']);
  });
});
