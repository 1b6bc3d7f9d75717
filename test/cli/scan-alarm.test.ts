import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, REPO, runCli, tempDir } from './helpers';

const RULES = join(REPO, 'rules');
const FIXTURES = join(REPO, 'test', 'fixtures', 'alarm');

describe('klaxon scan over CloudWatch alarm notifications', () => {
  it.each(['sns-event', 'notification', 'eventbridge', 'lambda-action'])('alerts on the ALARM in %s.json with the shipped rule', async (name) => {
    const { code, stdout, stderr } = await runCli(['scan', '--rules', RULES, join(FIXTURES, `${name}.json`)]);
    expect(code).toBe(0);
    expect(stderr).toContain('0 could not be parsed');
    const alerts = jsonLines(stdout);
    expect(alerts.map((a) => [a.rule, a.severity, a.count, a.sources])).toEqual([['cloudwatch-alarm', 'high', 1, ['alarm']]]);
    expect(alerts[0]?.title).toMatch(/^CloudWatch alarm klaxon-prod-[a-z-]+ is in ALARM$/);
  });

  it('reports a record that is not an alarm notification at its line, and keeps the others', async () => {
    const file = join(tempDir(), 'sns.json');
    const good = { EventSource: 'aws:sns', Sns: { MessageId: 'm-1', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Message: JSON.stringify({ AlarmName: 'a', NewStateValue: 'ALARM', StateChangeTime: '2024-11-02T10:00:00Z' }) } };
    const bad = { EventSource: 'aws:sns', Sns: { MessageId: 'm-2', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Message: 'hello' } };
    writeFileSync(file, `{"Records": [\n${JSON.stringify(good)},\n${JSON.stringify(bad)}\n]}\n`);
    const { code, stdout, stderr } = await runCli(['scan', '--events', '--rules', RULES, file]);
    expect(code).toBe(0);
    expect(jsonLines(stdout).map((e) => [e['event.id'], e['rule.name'], e['cloud.region']])).toEqual([['m-1', 'a', 'eu-west-1']]);
    expect(stderr).toContain(`${file}:3: SNS message is not a CloudWatch alarm notification (not JSON)`);
  });

  it('accepts --source alarm', async () => {
    const { code, stdout } = await runCli(['scan', '--source', 'alarm', '--events', '--rules', RULES, join(FIXTURES, 'notification.json')]);
    expect(code).toBe(0);
    expect(jsonLines(stdout).map((e) => e['event.source'])).toEqual(['alarm']);
  });
});
