import { join } from 'node:path';
import { loadRulesAndTemplates } from '../../src/cli/rules-dir';
import { authFamiliesToBuild } from '../../src/rules/needed-families';
import type { CompiledRule } from '../../src/rules/types';
import { AUTH_FAMILIES, Family } from '../../src/sources/sshd-families';

const REPO = join(__dirname, '..', '..');

function rule(matchSpec: unknown, sources: CompiledRule['sources'] = ['ssh']): CompiledRule {
  return { id: 'r', title: 'r', sources, severity: 'low', escalate: [], match: () => true, matchSpec, groupBy: [], realertMs: 0, slack: { mention: [] }, tags: [], allowedUsers: [], tests: [], file: 'r.yml' };
}

function built(rules: CompiledRule[]): string[] | 'all' {
  const build = authFamiliesToBuild(rules);
  return build === undefined ? 'all' : AUTH_FAMILIES.filter((_, i) => build[i]).map((f) => f.name);
}

describe('the auth-log families a rule set can match', () => {
  it('the shipped rules leave out connection ends, PAM sessions and unknown messages, and keep failures, logins, scanners and sudo', () => {
    const { rules, problems } = loadRulesAndTemplates(join(REPO, 'rules'), join(REPO, 'templates'));
    expect(problems).toEqual([]);
    const build = authFamiliesToBuild(rules) as boolean[];
    expect(build).toBeDefined();
    const on = (family: number): boolean | undefined => build[family];
    for (const family of [Family.Failed, Family.InvalidUser, Family.Accepted, Family.UserNotAllowed, Family.NoIdentification, Family.Sudo, Family.Account]) expect(on(family)).toBe(true);
    // No rule counts PAM's own failure (sshd logs a Failed line for it), closed connections or sessions.
    for (const family of [Family.Generic, Family.ConnectionClosed, Family.Disconnected, Family.ReceivedDisconnect, Family.PamSshdFailure, Family.PamSession, Family.SshdSession]) expect(on(family)).toBe(false);
  });

  it('judges event.action, system.auth.ssh.event and event.outcome, each as the rule compiles it', () => {
    expect(built([rule({ 'event.action': 'ssh_login', 'event.outcome': 'success' })])).toEqual(['sshd Accepted']);
    expect(built([rule({ 'system.auth.ssh.event': ['ConnectionClosed', 'ClientGaveUp'] })])).toEqual(['sshd Connection closed', 'sshd Received disconnect']);
    expect(built([rule({ 'event.action': { regex: '^user-' } })])).toEqual(['account programs']);
    expect(built([rule({ any: [{ 'event.action': 'sudo' }, { 'system.auth.ssh.event': 'Penalty' }] })])).toEqual(['sshd srclimit_penalise', 'sudo']);
    expect(built([rule([{ 'event.action': 'sudo' }, { 'source.ip': { cidr: '192.0.2.0/24' } }])])).toEqual(['sudo']);
  });

  it('builds every family when a rule may match any line: generic events, a not, an absent action', () => {
    expect(built([rule({ 'process.name': 'CRON', message: { contains: 'session' } })])).toBe('all');
    expect(built([rule({ not: { 'event.action': 'ssh_login' } })])).toBe('all');
    expect(built([rule({ 'event.action': { exists: false } })])).toBe('all');
    expect(built([rule(undefined)])).toBe('all');
  });

  it('builds no auth-log family for rules of other sources only', () => {
    expect(built([rule({ 'event.action': 'BLOCK' }, ['waf'])])).toEqual([]);
  });
});
