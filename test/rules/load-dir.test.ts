import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRulesFromDir } from '../../src/rules/load';
import { located } from './helpers';

const MIXED = join(__dirname, 'fixtures', 'mixed');

describe('loadRulesFromDir', () => {
  it('loads the good files and reports the bad one, in name order, not recursing', () => {
    const { rules, problems } = loadRulesFromDir(MIXED, { knownTemplates: ['ssh', 'waf'] });
    expect(rules.map((r) => [r.id, r.file])).toEqual([
      ['a-ssh-root-login', join(MIXED, 'a-ssh-root-login.yml')],
      ['waf-bot-blocks', join(MIXED, 'c-waf-block.yaml')],
    ]);
    expect(problems.map((p) => [p.file.slice(MIXED.length + 1), p.code, p.line, p.col])).toEqual([
      ['b-broken.yml', 'MISSING_KEY', 2, 1],
      ['b-broken.yml', 'UNKNOWN_FIELD', 5, 3],
      ['d-duplicate.yml', 'DUPLICATE_ID', 2, 5],
    ]);
  });

  it('suppresses must name other rules of the directory: located UNKNOWN_RULE, with a did-you-mean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-rules-'));
    const rule = (id: string, extra = '') => `id: ${id}\ntitle: t\nsource: ssh\nseverity: low\nmatch: { user.name: root }\n${extra}`;
    writeFileSync(join(dir, 'a.yml'), rule('ssh-login'));
    writeFileSync(join(dir, 'b.yml'), rule('ssh-root-login', 'suppresses: [ssh-login, ssh-logn, ssh-root-login]\n'));
    const { rules, problems } = loadRulesFromDir(dir);
    expect(rules.map((r) => [r.id, r.suppresses])).toEqual([
      ['ssh-login', []],
      ['ssh-root-login', ['ssh-login', 'ssh-logn', 'ssh-root-login']],
    ]);
    expect(problems.map((p) => [p.file.slice(dir.length + 1), p.code, p.line, p.col, p.message])).toEqual([
      ['b.yml', 'UNKNOWN_RULE', 6, 25, 'suppresses: no rule has the id "ssh-logn" (did you mean "ssh-login"?)'],
      ['b.yml', 'UNKNOWN_RULE', 6, 35, 'suppresses: a rule cannot suppress itself'],
    ]);
  });

  it('names the first file in a duplicate id problem', () => {
    const duplicate = loadRulesFromDir(MIXED).problems.find((p) => p.code === 'DUPLICATE_ID');
    expect(duplicate?.message).toContain(join(MIXED, 'a-ssh-root-login.yml'));
  });

  it('reports a duplicate id taken from the file name at the file start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-rules-'));
    const rule = (extra: string) => `${extra}title: t\nsource: ssh\nseverity: low\nmatch: { user.name: root }\n`;
    writeFileSync(join(dir, 'a.yml'), rule('id: b\n'));
    writeFileSync(join(dir, 'b.yml'), rule(''));
    const { rules, problems } = loadRulesFromDir(dir);
    expect(rules.map((r) => r.id)).toEqual(['b']);
    expect(located(problems)).toEqual([['DUPLICATE_ID', 1, 1]]);
  });

  it('counts the id of a broken file too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-rules-'));
    writeFileSync(join(dir, 'a.yml'), 'id: clash\ntitle: t\nsource: ssh\nseverity: urgent\nmatch: { user.name: root }\n');
    writeFileSync(join(dir, 'b.yml'), 'id: clash\ntitle: t\nsource: ssh\nseverity: low\nmatch: { user.name: root }\n');
    const { rules, problems } = loadRulesFromDir(dir);
    expect(rules).toEqual([]);
    expect(problems.map((p) => [p.file, p.code, p.line, p.col])).toEqual([
      [join(dir, 'a.yml'), 'BAD_VALUE', 4, 11],
      [join(dir, 'b.yml'), 'DUPLICATE_ID', 1, 5],
    ]);
  });

  it('reports an unreadable directory once', () => {
    const { rules, problems } = loadRulesFromDir(join(MIXED, 'does-not-exist'));
    expect(rules).toEqual([]);
    expect(located(problems)).toEqual([['READ_FAILED', 1, 1]]);
  });

  it('reports an unreadable rule file and keeps going', () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-rules-'));
    mkdirSync(join(dir, 'a-directory.yml'));
    writeFileSync(join(dir, 'b.yml'), 'title: t\nsource: ssh\nseverity: low\nmatch: { user.name: root }\n');
    const { rules, problems } = loadRulesFromDir(dir);
    expect(rules.map((r) => r.id)).toEqual(['b']);
    expect(problems.map((p) => [p.code, p.file])).toEqual([['READ_FAILED', join(dir, 'a-directory.yml')]]);
  });

  it('refuses an oversized file without reading it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-rules-'));
    writeFileSync(join(dir, 'big.yml'), `title: "${'x'.repeat(1024 * 1024 + 1)}"\n`);
    expect(located(loadRulesFromDir(dir).problems)).toEqual([['READ_FAILED', 1, 1]]);
  });
});
