import type { Alert } from '../../src/engine/alert';
import type { KlaxonEvent } from '../../src/events/event';
import type { ContextBlock } from '../../src/slack/blocks';
import { cloudWatchAlarmUrl } from '../../src/slack/console-links';
import { pickTemplate, renderAlert, type SlackMessage } from '../../src/slack/render';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../src/slack/templates';
import { normalizeAlarm } from '../../src/sources/alarm';
import { jsonFixture, onlyEvent } from '../helpers/fixtures';
import { alert, hasBrokenEntity, limitViolations, withoutKlaxonMarkup } from './helpers';

const { templates, problems } = loadTemplates(DEFAULT_TEMPLATES_DIR);

/** A fixture's alarm as an event, changed first if asked (its original text then made from the changed JSON). */
function alarmEvent(name: string, change?: (json: Record<string, unknown>) => void): KlaxonEvent {
  const { text, json } = jsonFixture('alarm', name);
  if (change === undefined) return onlyEvent(normalizeAlarm(json, text));
  change(json);
  return onlyEvent(normalizeAlarm(json, JSON.stringify(json)));
}

function alarmAlert(sample: KlaxonEvent, overrides: Partial<Alert> = {}): Alert {
  const name = sample.fields['rule.name'] as string;
  return alert({
    rule: 'cloudwatch-alarm',
    title: `CloudWatch alarm ${name} is in ALARM`,
    description: 'A CloudWatch alarm went into ALARM.',
    count: 1,
    fields: { 'rule.name': name },
    samples: [sample],
    sources: ['alarm'],
    ...overrides,
  });
}

function sectionTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

function fieldTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((b) => (b.type === 'section' ? (b.fields ?? []).map((f) => f.text) : []));
}

function links(message: SlackMessage): string {
  const contexts = message.blocks.filter((b): b is ContextBlock => b.type === 'context').flatMap((b) => b.elements.map((e) => e.text));
  return contexts[contexts.length - 1] ?? '';
}

describe('cloudWatchAlarmUrl', () => {
  it('links the alarm in the CloudWatch console, its name percent-encoded', () => {
    expect(cloudWatchAlarmUrl('us-east-1', 'klaxon-prod-dead-letters')).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/klaxon-prod-dead-letters',
    );
    expect(cloudWatchAlarmUrl('eu-west-1', 'a b/c|d<e>&f')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/a%20b%2Fc%7Cd%3Ce%3E%26f',
    );
    expect(cloudWatchAlarmUrl('cn-north-1', 'x')).toBe('https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:alarm/x');
  });

  it('builds nothing without a region or a name', () => {
    expect(cloudWatchAlarmUrl('US East (N. Virginia)', 'x')).toBeUndefined();
    expect(cloudWatchAlarmUrl('', 'x')).toBeUndefined();
    expect(cloudWatchAlarmUrl('us-east-1', '')).toBeUndefined();
  });
});

describe('rendering a CloudWatch alarm alert', () => {
  it('loads the alarm template, and picks it for alarm alerts', () => {
    expect(problems).toEqual([]);
    expect(pickTemplate(alarmAlert(alarmEvent('notification')), templates).name).toBe('alarm');
  });

  it('shows the reason, the alarm, metric, threshold, previous state and region, and links the alarm', () => {
    const message = renderAlert(alarmAlert(alarmEvent('notification')), templates);
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { text: '🟠 HIGH: CloudWatch alarm klaxon-prod-dead-letters is in ALARM' } });
    const [main] = sectionTexts(message);
    expect(main).toBe(
      'ALARM: Threshold Crossed: 1 out of the last 1 datapoints [3.0 (02/11/24 10:05:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -&gt; ALARM transition).\n' +
        'A CloudWatch alarm went into ALARM.\nRule: `cloudwatch-alarm` · Severity: high',
    );
    expect(fieldTexts(message)).toEqual([
      '*Alarm*\nklaxon-prod-dead-letters',
      '*Metric*\nAWS/SQS ApproximateNumberOfMessagesVisible, Maximum per 300 s',
      '*Threshold*\nGreaterThanOrEqualToThreshold 1, evaluation periods: 1',
      '*Previous state*\nINSUFFICIENT_DATA',
      '*Dimensions*\nQueueName=klaxon-prod-dead-letters',
      '*Region*\nus-east-1 (account 123456789012)',
    ]);
    expect(sectionTexts(message).some((t) => t.startsWith('*Sample event*\n```\n{\n  "AlarmName": "klaxon-prod-dead-letters"'))).toBe(true);
    expect(links(message)).toBe(
      '<https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/klaxon-prod-dead-letters|CloudWatch alarm>',
    );
    expect(limitViolations(message)).toEqual([]);
  });

  it('shows what an EventBridge alarm event tells (a threshold, no comparison), and leaves out what it does not', () => {
    const fields = fieldTexts(renderAlert(alarmAlert(alarmEvent('eventbridge')), templates));
    expect(fields).toContain('*Threshold*\n100');
    expect(fields).toContain('*Metric*\nKlaxon/prod WafBlockedRequests, Sum per 300 s');
    expect(fields.some((f) => f.startsWith('*Dimensions*'))).toBe(false);
  });

  it('links the alarm in the default region when the notification names none, and not at all without a region', () => {
    const sample = alarmEvent('notification', (json) => delete json.AlarmArn);
    expect(sample.fields['cloud.region']).toBeUndefined();
    expect(links(renderAlert(alarmAlert(sample), templates, { defaultRegion: 'eu-central-1' }))).toContain(
      'https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#alarmsV2:alarm/klaxon-prod-dead-letters|CloudWatch alarm>',
    );
    expect(links(renderAlert(alarmAlert(sample), templates))).not.toContain('CloudWatch alarm');
  });

  it('escapes hostile alarm names, descriptions and reasons everywhere, and keeps the link intact', () => {
    const hostile = '<!channel> <https://evil.example|click> & <@U024BE7LH>';
    const sample = alarmEvent('notification', (json) => {
      json.AlarmName = hostile;
      json.NewStateReason = `${hostile} \`\`\` ${hostile}`;
      json.AlarmDescription = hostile;
      (json.Trigger as Record<string, unknown>).Dimensions = [{ name: hostile, value: hostile }];
    });
    const message = renderAlert(alarmAlert(sample, { title: `CloudWatch alarm ${hostile} is in ALARM` }), templates);
    for (const text of withoutKlaxonMarkup(message)) {
      expect(text).not.toMatch(/[<>]/);
      expect(hasBrokenEntity(text)).toBe(false);
    }
    expect(fieldTexts(message)).toContain('*Alarm*\n&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; &lt;@U024BE7LH&gt;');
    expect(links(message)).toBe(
      `<https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/${encodeURIComponent(hostile).replace(/&/g, '&amp;')}|CloudWatch alarm>`,
    );
    expect(limitViolations(message)).toEqual([]);
  });
});
