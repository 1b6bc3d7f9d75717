import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { loadStageConfig, parseStageConfig } from '../../src/deploy/config';
import { collectRules, packageRules, RulePackagingError } from '../../src/deploy/package-rules';
import type { KlaxonEvent } from '../../src/events/event';
import { compilePackagedRules, type PackagedRules } from '../../src/lambda/packaged-rules';
import type { CompiledRule } from '../../src/rules/types';
import { stageConfigProblems } from '../helpers/stage-config';

const ROOT = join(__dirname, '..', '..');

describe('the deployment config', () => {
  test('defaults fill what the file leaves out', () => {
    const config = parseStageConfig('deploy/prod.yml', 'slack: {channel: "#sec"}\nlogGroups: {ssh: [/var/log/auth.log]}\n');
    expect(config.logGroups).toEqual({ ssh: ['/var/log/auth.log'], waf: [] });
    expect(config.alarms.failedSshLogins).toEqual({ threshold: 20, period: '5m', enabled: true });
    expect(config.alarms.wafBlockedRequests.threshold).toBe(100);
    expect(config.logRetentionDays).toBe(365);
    expect(config.reservedConcurrency).toEqual({ logs: 10, cloudtrail: 5 });
    expect(config.tags).toEqual({});
  });

  test('every problem is reported with its line and column', () => {
    expect(stageConfigProblems('slack: {channel: "#sec"}\nlogGroups:\n  waf: [edge-logs]\nalarms: {failedSshLogins: {threshold: 0, period: 90s}}\nlogRetentionDays: 31\nslak: 1\n')).toEqual([
      'deploy/prod.yml:3:9: logGroups.waf[0]: AWS WAF only logs to log groups whose name starts with "aws-waf-logs-" [BAD_VALUE]',
      'deploy/prod.yml:4:39: alarms.failedSshLogins.threshold: Too small: expected number to be >=1 [BAD_VALUE]',
      'deploy/prod.yml:4:50: alarms.failedSshLogins.period: a whole number of minutes, at least 1m (for example 5m, 1h) [BAD_VALUE]',
      expect.stringMatching(/^deploy\/prod\.yml:5:19: logRetentionDays: CloudWatch keeps logs for one of these numbers of days: 1, 3, 5, .*\[BAD_VALUE\]$/),
      'deploy/prod.yml:6:1: unknown key "slak" (did you mean "slack"?); allowed keys: slack, logGroups, alarms, logRetentionDays, parameterPrefix, kmsKeyArn, reservedConcurrency, tags, permissionsBoundary, cfnRole, deploymentBucket, logKmsKeyArn, cloudtrail, organization, accounts [UNKNOWN_KEY]',
    ]);
  });

  test('a log group listed twice is refused: it would get two filters and two parsers', () => {
    expect(stageConfigProblems('slack: {channel: "#sec"}\nlogGroups:\n  ssh: [/a, /b]\n  cloudtrail: /b\n')).toEqual([
      'deploy/prod.yml:4:15: logGroups.cloudtrail: log group "/b" is already listed under logGroups.ssh; list each log group once [DUPLICATE_LOG_GROUP]',
    ]);
  });

  test('the channel is required', () => {
    expect(stageConfigProblems('logGroups: {ssh: [/a]}\n')).toEqual(['deploy/prod.yml:1:1: missing required key "slack" [MISSING_KEY]']);
  });

  describe('organization: and accounts: (many accounts)', () => {
    const central = 'slack: {channel: "#sec"}\norganization:\n  centralAccount: "111111111111"\n  homeRegion: eu-west-1\n';

    test('the stream and its mapping have defaults; members are the organisation or the listed accounts', () => {
      const config = parseStageConfig('deploy/prod.yml', `${central}  id: o-a1b2c3d4e5\n`);
      expect(config.organization?.kinesis).toEqual({ shards: 1, retentionHours: 24, batchSize: 100, batchWindowSeconds: 5, parallelizationFactor: 1, maximumRetryAttempts: 10 });
      expect(config.organization?.logGroups).toEqual({ ssh: [], waf: [] });
      expect(config.accounts).toEqual({});
    });

    test('without an organisation id, member accounts must be listed', () => {
      expect(stageConfigProblems(central)).toEqual([
        'deploy/prod.yml:3:3: organization: name the organisation (id: o-…) or list the member accounts under accounts:, else no account may send [NO_SENDERS]',
      ]);
      expect(stageConfigProblems(`${central}accounts: {"222222222222": {name: shop}}\n`)).toEqual([]);
    });

    test('account ids, regions, limits and member log groups are checked where they are written', () => {
      expect(
        stageConfigProblems(`${central}  id: o-a1b2c3d4e5\n  kinesis: {parallelizationFactor: 11}\n  logGroups: {ssh: [/a], cloudtrail: /a}\naccounts:\n  12345: {name: x}\n  "222222222222": {regions: {moon-1: {channel: "#m"}}}\n`),
      ).toEqual([
        'deploy/prod.yml:6:36: organization.kinesis.parallelizationFactor: Too big: expected number to be <=10 [BAD_VALUE]',
        'deploy/prod.yml:9:3: accounts: key "12345": an AWS account id: 12 digits (quote it, "012345678901", when it starts with 0) [BAD_VALUE]',
        'deploy/prod.yml:10:30: accounts["222222222222"].regions: key "moon-1": an AWS region such as eu-west-1 [BAD_VALUE]',
      ]);
      expect(stageConfigProblems(`${central}  id: o-a1b2c3d4e5\n  logGroups: {ssh: [/a], cloudtrail: /a}\n`)).toEqual([
        'deploy/prod.yml:6:38: organization.logGroups.cloudtrail: log group "/a" is already listed under organization.logGroups.ssh; list each log group once [DUPLICATE_LOG_GROUP]',
      ]);
    });
  });

  describe('per stage', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'klaxon-deploy-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    test("a stage's own file wins; without one the example stands in only when allowed", () => {
      writeFileSync(join(dir, 'prod.yml'), 'slack: {channel: "#prod"}\n');
      expect(loadStageConfig('prod', { dir, allowExample: false })).toMatchObject({ example: false, config: { slack: { channel: '#prod' } } });
      expect(loadStageConfig('dev', { dir, allowExample: true })).toMatchObject({ example: true, file: join(ROOT, 'deploy', 'example.yml') });
      expect(() => loadStageConfig('dev', { dir, allowExample: false })).toThrow(/no config for stage "dev": copy .*example\.yml to it/);
    });

    test('stage names that cannot be part of AWS resource names are refused', () => {
      expect(() => loadStageConfig('Prod_1', { dir, allowExample: true })).toThrow(/a stage name is 1-16 lower-case letters/);
    });
  });
});

describe('rules packaged into the Lambda bundles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'klaxon-rules-'));
    mkdirSync(join(dir, 'rules'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const templates = join(ROOT, 'templates');

  test('the shipped rules package without their tests and compile back to the same rules', async () => {
    const packaged = await packageRules(join(ROOT, 'rules'), templates, ROOT);
    expect(packaged.rules.map((r) => r.file)).toContain('rules/ssh-brute-force.yml');
    for (const r of packaged.rules) expect(r.data).not.toHaveProperty('tests');
    const { rules } = compilePackagedRules(packaged);
    expect(rules.map((r) => r.id)).toEqual(packaged.rules.map((r) => (r.data as { id: string }).id));
    expect(rules.find((r) => r.id === 'ssh-brute-force')?.threshold).toMatchObject({ count: 5, windowMs: 600_000 });
    // Compiled without the validator, each rule is the one `klaxon validate` compiles, tests aside.
    const { loaded } = collectRules(join(ROOT, 'rules'), templates, ROOT);
    const comparable = (rule: CompiledRule) => {
      const { match, escalate, tests, file, lists, sequence, ...rest } = rule;
      expect(typeof match).toBe('function');
      const listFiles = [...(lists?.values() ?? [])].map((list) => relative(ROOT, resolve(ROOT, list.file)));
      const steps = sequence?.steps.map(({ match: step, ...others }) => ({ ...others, match: typeof step }));
      return {
        ...rest,
        escalate: escalate.map((e) => e.severity),
        file: relative(ROOT, resolve(ROOT, file)),
        tests: tests.length,
        listFiles,
        sequence: sequence && { ...sequence, steps },
      };
    };
    expect(rules.map(comparable)).toEqual(loaded.map((rule) => ({ ...comparable(rule), tests: 0 })));
  });

  test('the lists in rules/lists/ are packaged (values, file relative to the root) and the packaged rules match with them', async () => {
    mkdirSync(join(dir, 'rules', 'lists'));
    writeFileSync(join(dir, 'rules', 'lists', 'known-scanners.txt'), '# scanners we know\n203.0.113.0/24\n2001:db8::/32 # v6 too\n');
    writeFileSync(
      join(dir, 'rules', 'scanner-login.yml'),
      'id: scanner-login\ntitle: t\nsource: ssh\nseverity: high\nmatch: { event.outcome: success, source.ip: { in_list: known-scanners } }\n',
    );
    // Through JSON, as the bundler writes it into the bundle.
    const packaged = JSON.parse(JSON.stringify(await packageRules(join(dir, 'rules'), templates, dir))) as PackagedRules;
    expect(packaged.lists).toEqual([{ id: 'known-scanners', file: 'rules/lists/known-scanners.txt', values: ['203.0.113.0/24', '2001:db8::/32'] }]);
    const [rule] = compilePackagedRules(packaged).rules;
    const login = (ip: string): KlaxonEvent => ({ timestamp: 0, source: 'ssh', fields: { 'event.outcome': 'success', 'source.ip': ip } });
    expect(['203.0.113.200', '2001:db8::1', '198.51.100.1'].map((ip) => rule?.match(login(ip)))).toEqual([true, true, false]);
    // A bundle without lists cannot run a rule that names one: the cold start says which.
    expect(() => compilePackagedRules({ ...packaged, lists: [] })).toThrow(/scanner-login\.yml:.*no list has the id "known-scanners"/);
  });

  test('packaged rule data whose condition no longer compiles is refused at cold start, with the file', () => {
    const packaged = { rules: [{ file: 'rules/x.yml', data: { id: 'x', title: 'x', source: 'ssh', severity: 'low', match: { 'source.ip': { cidr: 'not-a-network' } } } }], templates: [] };
    expect(() => compilePackagedRules(packaged)).toThrow(/the packaged rules do not compile:\nrules\/x\.yml:.*"not-a-network" is not an IPv4 or IPv6 network/);
  });

  test('a broken rule stops the build with its location', async () => {
    writeFileSync(join(dir, 'rules', 'bad.yml'), 'id: bad\ntitle: x\nsource: ssh\nseverity: loud\nmatch: {all: [{event.action: ssh_login}]}\n');
    await expect(packageRules(join(dir, 'rules'), templates, dir)).rejects.toThrow(/bad\.yml:4:11: severity: "loud" is not a severity/);
  });

  test('a failing embedded test stops the build, naming the test', async () => {
    // Alone in its directory, so without the ssh-login rule it suppresses.
    const rule = readFileSync(join(ROOT, 'rules', 'ssh-root-login.yml'), 'utf8')
      .replace(/alerts: 1/, 'alerts: 2')
      .replace(/^suppresses:.*\n/m, '');
    writeFileSync(join(dir, 'rules', 'ssh-root-login.yml'), rule);
    const error = await packageRules(join(dir, 'rules'), templates, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RulePackagingError);
    expect((error as RulePackagingError).problems[0]).toMatch(/ssh-root-login\.yml:\d+: test ".*" fails: expected 2 alerts, got 1/);
  });

  test('an empty rules directory is refused', async () => {
    await expect(packageRules(join(dir, 'rules'), templates, dir)).rejects.toThrow(/no rule files/);
  });
});

describe('guardrail options', () => {
  test('ARNs, bucket names, tag keys and reservations are checked where they are written', () => {
    expect(
      stageConfigProblems(
        [
          'slack: {channel: "#sec"}',
          'permissionsBoundary: arn:aws:iam::123456789012:role/NotAPolicy',
          'cfnRole: klaxon-cfn',
          'deploymentBucket: My_Bucket',
          'logKmsKeyArn: alias/klaxon',
          'reservedConcurrency: {logs: 0}',
          'tags: {"aws:owner": x}',
          'alarms: {topicKmsKeyArn: key}',
          '',
        ].join('\n'),
      ).map((p) => p.replace(/ \[.*$/, '')),
    ).toEqual([
      'deploy/prod.yml:2:22: permissionsBoundary: an IAM policy ARN',
      'deploy/prod.yml:3:10: cfnRole: an IAM role ARN',
      'deploy/prod.yml:4:19: deploymentBucket: an S3 bucket name',
      'deploy/prod.yml:5:15: logKmsKeyArn: a KMS key ARN',
      'deploy/prod.yml:6:29: reservedConcurrency.logs: Too small: expected number to be >=1',
      'deploy/prod.yml:7:8: tags: key "aws:owner": tag keys starting with "aws:" are reserved',
      'deploy/prod.yml:8:26: alarms.topicKmsKeyArn: a KMS key ARN',
    ]);
  });

  test('false turns a reservation off; the other keeps its default', () => {
    const config = parseStageConfig('deploy/prod.yml', 'slack: {channel: "#sec"}\nreservedConcurrency: {cloudtrail: false}\n');
    expect(config.reservedConcurrency).toEqual({ logs: 10, cloudtrail: false });
  });
});
