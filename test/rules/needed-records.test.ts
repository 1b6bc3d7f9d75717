import { join } from 'node:path';
import { loadRulesAndTemplates } from '../../src/cli/rules-dir';
import { recordFilters } from '../../src/rules/needed-records';
import type { CompiledRule } from '../../src/rules/types';
import type { JsonObject } from '../../src/events/json';

const REPO = join(__dirname, '..', '..');

function rule(matchSpec: unknown, sources: CompiledRule['sources']): CompiledRule {
  return { id: 'r', title: 'r', sources, severity: 'low', escalate: [], match: () => true, matchSpec, groupBy: [], realertMs: 0, slack: { mention: [] }, tags: [], allowedUsers: [], tests: [], file: 'r.yml' };
}

const waf = (action: string): JsonObject => ({ action });
const call = (eventName: string, extra: JsonObject = {}): JsonObject => ({ eventName, eventSource: 'ec2.amazonaws.com', ...extra });

describe('the WAF and CloudTrail records a rule set can match', () => {
  it('the shipped rules build WAF blocks and security-group calls only', () => {
    const { rules, problems } = loadRulesAndTemplates(join(REPO, 'rules'), join(REPO, 'templates'));
    expect(problems).toEqual([]);
    const filters = recordFilters(rules);
    const wafFilter = filters.waf as (record: JsonObject) => boolean;
    expect(['BLOCK', 'ALLOW', 'COUNT', 'CAPTCHA'].filter((action) => wafFilter(waf(action)))).toEqual(['BLOCK']);
    const trail = filters.cloudtrail as (record: JsonObject) => boolean;
    expect(trail(call('AuthorizeSecurityGroupIngress'))).toBe(true);
    // A failed or foreign-service one too: security-group calls are built without being judged.
    expect(trail(call('AuthorizeSecurityGroupIngress', { errorCode: 'Client.UnauthorizedOperation', eventSource: 'other.amazonaws.com' }))).toBe(true);
    expect(trail(call('DescribeSecurityGroups'))).toBe(false);
    expect(trail(call('ConsoleLogin', { eventSource: 'signin.amazonaws.com' }))).toBe(false);
  });

  it('judges WAF records on event.action and the event.type it gives', () => {
    const built = (spec: unknown): string[] => {
      const filter = recordFilters([rule(spec, ['waf'])]).waf as (record: JsonObject) => boolean;
      return ['ALLOW', 'BLOCK', 'COUNT', 'CHALLENGE'].filter((action) => filter(waf(action)));
    };
    expect(built({ 'event.action': ['BLOCK', 'COUNT'] })).toEqual(['BLOCK', 'COUNT']);
    expect(built({ 'event.type': 'allowed' })).toEqual(['ALLOW']);
    expect(built({ 'event.type': 'info', 'url.path': '/login' })).toEqual(['COUNT', 'CHALLENGE']);
    expect(built({ any: [{ 'event.action': 'BLOCK' }, { 'event.type': 'allowed' }] })).toEqual(['ALLOW', 'BLOCK']);
    expect(built({ 'event.action': { regex: '^C' } })).toEqual(['COUNT', 'CHALLENGE']);
  });

  it('judges CloudTrail records on their call, service and outcome, and security-group fields as absent', () => {
    const filter = recordFilters([rule({ 'event.provider': 'iam.amazonaws.com', 'event.outcome': 'failure' }, ['cloudtrail'])]).cloudtrail as (record: JsonObject) => boolean;
    expect(filter(call('CreateUser', { eventSource: 'iam.amazonaws.com', errorCode: 'AccessDenied' }))).toBe(true);
    expect(filter(call('CreateUser', { eventSource: 'iam.amazonaws.com' }))).toBe(false);
    expect(filter(call('CreateUser', { eventSource: 'sts.amazonaws.com', errorCode: 'AccessDenied' }))).toBe(false);
    // A console sign-in failure carries no errorCode.
    const signIn = recordFilters([rule({ 'event.outcome': 'failure' }, ['cloudtrail'])]).cloudtrail as (record: JsonObject) => boolean;
    expect(signIn(call('ConsoleLogin', { eventSource: 'signin.amazonaws.com', responseElements: { ConsoleLogin: 'Failure' } }))).toBe(true);
    expect(signIn(call('ConsoleLogin', { eventSource: 'signin.amazonaws.com', responseElements: { ConsoleLogin: 'Success' } }))).toBe(false);
    const open = recordFilters([rule({ 'aws.security_group.open_to_world': true }, ['cloudtrail'])]).cloudtrail as (record: JsonObject) => boolean;
    expect(open(call('RunInstances'))).toBe(false);
    expect(open(call('AuthorizeSecurityGroupIngress'))).toBe(true);
    const absent = recordFilters([rule({ 'event.provider': { exists: false } }, ['cloudtrail'])]).cloudtrail as (record: JsonObject) => boolean;
    expect(absent({ eventName: 'RunInstances' })).toBe(true);
    expect(absent({ eventName: 'RunInstances', eventSource: '' })).toBe(true);
    expect(absent(call('RunInstances'))).toBe(false);
  });

  it('builds every record when a rule may match any: a not, an untested source, no condition', () => {
    const all = (spec: unknown): boolean => ['ALLOW', 'BLOCK'].every((action) => (recordFilters([rule(spec, ['waf'])]).waf ?? (() => true))(waf(action)));
    expect(all({ not: { 'event.action': 'ALLOW' } })).toBe(true);
    expect(all({ 'url.path': '/admin' })).toBe(true);
    expect(all({ 'event.action': { in_list: 'actions' } })).toBe(true);
    expect(recordFilters([rule(undefined, ['waf'])]).waf).toBeUndefined();
    // Rules of other sources only: no WAF record can match.
    expect((recordFilters([rule({ 'event.action': 'sudo' }, ['ssh'])]).waf as (record: JsonObject) => boolean)(waf('BLOCK'))).toBe(false);
  });

  it('judges alike past the values it remembers (an attacker writing a new action per record)', () => {
    const filter = recordFilters([rule({ 'event.action': { regex: '^x[0-9]*5$' } }, ['waf'])]).waf as (record: JsonObject) => boolean;
    const built: string[] = [];
    for (let round = 0; round < 2; round++) for (let i = 0; i < 3000; i++) if (filter(waf(`x${i}`))) built.push(`x${i}`);
    expect(built.length).toBe(600);
    expect(built.every((action) => action.endsWith('5'))).toBe(true);
  });
});
