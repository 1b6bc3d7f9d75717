import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { parseStageConfig } from '../../src/deploy/config';
import { stageNames } from '../../src/deploy/names';
import { isSessionError } from '../../src/aws/errors';
import { awsFailure, canonicalJson, checkSlack, doctorClients, expectedAlarms, watchedGroups, type DoctorContext } from '../../src/aws/doctor-checks';
import { useSlackStandIn } from '../helpers/slack-standin';

const config = parseStageConfig(
  'test.yml',
  'slack: { channel: "#a" }\nlogGroups:\n  ssh: [/a, /b]\n  waf: [aws-waf-logs-x]\nalarms:\n  wafBlockedRequests: { enabled: false }\n',
);

describe('canonicalJson', () => {
  it('compares patterns by meaning: key order and array order do not matter', () => {
    expect(canonicalJson({ b: [2, 1], a: { y: ['x', 'w'], x: 1 } })).toBe(canonicalJson({ a: { x: 1, y: ['w', 'x'] }, b: [1, 2] }));
    expect(canonicalJson({ a: ['x'] })).not.toBe(canonicalJson({ a: ['x', 'y'] }));
    expect(canonicalJson({ a: ['1'] })).not.toBe(canonicalJson({ a: [1] }));
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('what the config expects', () => {
  it('lists the watched log groups with their parsers', () => {
    expect(watchedGroups(config)).toEqual([
      { name: '/a', source: 'ssh' },
      { name: '/b', source: 'ssh' },
      { name: 'aws-waf-logs-x', source: 'waf' },
    ]);
  });

  it('expects the alarms of enabled signals with log groups, and always the dead-letter alarm', () => {
    expect(expectedAlarms(config)).toEqual(['failedSshLogins', 'successfulSshLogins', 'deadLetters']);
    expect(expectedAlarms(undefined)).toEqual(['deadLetters']);
  });
});

describe('AWS failures', () => {
  const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error('boom'), { name, $metadata: {}, ...extra });

  it('tells session errors (every call would fail) from per-call ones', () => {
    expect(isSessionError(named('CredentialsProviderError'))).toBe(true);
    expect(isSessionError(named('ExpiredTokenException'))).toBe(true);
    expect(isSessionError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isSessionError(new Error('Region is missing'))).toBe(true);
    expect(isSessionError(named('AccessDeniedException'))).toBe(false);
    expect(isSessionError('x')).toBe(false);
  });

  it('names the IAM action to allow on AccessDenied only', () => {
    const denied = awsFailure('Alarms', 'alarms', named('AccessDeniedException'), 'cloudwatch:DescribeAlarms', 'eu-west-1');
    expect(denied).toMatchObject({ status: 'fail', title: 'alarms: could not check', fix: ['allow cloudwatch:DescribeAlarms to the AWS identity doctor runs as'] });
    expect(denied.details[0]).toContain('needs permission for cloudwatch:DescribeAlarms in region eu-west-1');
    const other = awsFailure('Alarms', 'alarms', new TypeError('x is undefined'), 'cloudwatch:DescribeAlarms', 'eu-west-1');
    expect(other).toMatchObject({ status: 'fail', fix: [], details: ['unexpected error from cloudwatch:DescribeAlarms: TypeError: x is undefined'] });
  });

  it('builds clients with the region given', async () => {
    const clients = doctorClients('us-west-2');
    expect(clients.logs).toBeInstanceOf(CloudWatchLogsClient);
    await expect(clients.events.config.region()).resolves.toBe('us-west-2');
  });
});

describe('checkSlack', () => {
  const slack = useSlackStandIn();

  const ctx = (): DoctorContext => ({ stage: 'prod', region: 'eu-west-1', names: stageNames('prod', {}), clients: doctorClients('eu-west-1'), slackApiUrl: slack.url });

  it('reports the team and bot user', async () => {
    await expect(checkSlack(ctx(), 'xoxb-good')).resolves.toMatchObject({ status: 'ok', title: 'auth.test: team "Klaxon Test" (T0KLAXON), bot user "klaxon" (U0KLAXONBOT)' });
  });

  it('warns about a token that is not a bot token', async () => {
    slack.handle('auth.test', () => ({ team: 'Klaxon Test', team_id: 'T1', user: 'alice', user_id: 'U1' }));
    const r = await checkSlack(ctx(), 'xoxp-user');
    expect(r.status).toBe('warn');
    expect(r.title).toContain('not a bot token');
  });

  it("fails with Slack's error code", async () => {
    slack.failNext('auth.test', { error: 'token_revoked' });
    const r = await checkSlack(ctx(), 'xoxb-revoked');
    expect(r).toMatchObject({ status: 'fail', title: 'auth.test: Slack refused the bot token in /klaxon/prod/slack-bot-token: token_revoked' });
    expect(r.fix.join('\n')).toContain('aws ssm put-parameter --overwrite --type SecureString --name /klaxon/prod/slack-bot-token');
  });

  it('is skipped without a token', async () => {
    await expect(checkSlack(ctx(), undefined)).resolves.toMatchObject({ status: 'skip' });
    expect(slack.calls).toHaveLength(0);
  });
});
