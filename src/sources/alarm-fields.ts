import type { FieldCatalogue } from '../events/event';
import { ALARM_STATES } from './alarm';

/**
 * Fields the CloudWatch alarm parser (`normalizeAlarm`) sets
 * besides the common ones. The same names for every form of notification (SNS message,
 * EventBridge event, Lambda alarm action), so rules name these rather than the raw keys,
 * which differ between the forms.
 */
export const ALARM_FIELDS: FieldCatalogue = {
  fields: [
    'event.reason',
    'rule.name',
    'rule.description',
    'aws.cloudwatch.alarm.arn',
    'aws.cloudwatch.alarm.previous_state',
    'aws.cloudwatch.alarm.metric_name',
    'aws.cloudwatch.alarm.namespace',
    'aws.cloudwatch.alarm.statistic',
    'aws.cloudwatch.alarm.period',
    'aws.cloudwatch.alarm.evaluation_periods',
    'aws.cloudwatch.alarm.datapoints_to_alarm',
    'aws.cloudwatch.alarm.comparison_operator',
    'aws.cloudwatch.alarm.threshold',
    'aws.cloudwatch.alarm.dimensions',
    'aws.eventbridge.id',
  ],
  prefixes: [
    // the dimension map a path walks into: aws.cloudwatch.alarm.dimensions.QueueName
    'aws.cloudwatch.alarm.dimensions.',
  ],
  kinds: {
    'aws.cloudwatch.alarm.period': 'number',
    'aws.cloudwatch.alarm.evaluation_periods': 'number',
    'aws.cloudwatch.alarm.datapoints_to_alarm': 'number',
    'aws.cloudwatch.alarm.threshold': 'number',
  },
  // event.action is the new state.
  values: { 'event.action': ALARM_STATES, 'event.outcome': [], 'event.category': [], 'event.type': [] },
};
