import { z } from 'zod';
import { EVENT_SOURCES } from '../events/event';
import { didYouMean } from '../yaml/suggest';
import { DURATION_PATTERN } from './duration';
import { MENTION_PATTERN, mentionProblem } from './slack-mention';
import { RULE_ID_PATTERN, SEVERITIES } from './types';
import type { RuleErrorCode } from './types';

/**
 * The rule file format as a zod schema: validation of the file's shape, and (through
 * `z.toJSONSchema`) the JSON Schema editors use. Conditions are passed in, because
 * validation leaves them to the condition compiler (which reports located, specific
 * problems) while the JSON Schema describes them in full for completion and hovers.
 */

/** Schemas whose failures have their own error code (the innermost registered schema on an issue's path wins). */
export const errorCodes = z.registry<{ code: RuleErrorCode }>();

const SLACK_USER_PATTERN = '^[UW][A-Z0-9]{2,}$';
const CHANNEL_PATTERN = '^(?:#[^\\s#@<>,]{1,80}|[CG][A-Z0-9]{6,})$';

const sourceName = z
  .enum(EVENT_SOURCES, {
    error: (issue) =>
      `unknown source ${JSON.stringify(issue.input)}${typeof issue.input === 'string' ? didYouMean(issue.input, EVENT_SOURCES) : ''}; sources: ${EVENT_SOURCES.join(', ')}`,
  })
  .register(errorCodes, { code: 'UNKNOWN_SOURCE' });

const severity = z.enum(SEVERITIES, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a severity: use one of ${SEVERITIES.join(', ')}`,
});

const notADuration = (issue: { input?: unknown }) => `${JSON.stringify(issue.input)} is not a duration: write e.g. 30s, 10m, 1h, 7d or 1h30m`;
const duration = z
  .union([z.string().regex(new RegExp(DURATION_PATTERN), { error: notADuration }), z.literal(0)], { error: notADuration })
  .register(errorCodes, { code: 'BAD_DURATION' });

const fieldList = z.array(z.string().min(1));

/** Bounds the work one test case can ask for. */
export const MAX_TEST_REPEAT = 10_000;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export function ruleFileSchema(condition: z.ZodType) {
  const testCase = z
    .strictObject({
      name: z.string().min(1).describe('What this case shows; unique within the rule.'),
      logs: z
        .string({ error: 'logs must be a string (use a block scalar `logs: |`)' })
        .optional()
        .describe('Raw input as it arrives: sshd/auth log lines, WAF log JSON lines, CloudTrail records, CloudWatch alarm notifications. Give `logs` or `records`.'),
      records: z
        .array(z.unknown(), { error: 'records must be a list' })
        .optional()
        .describe('JSON records (WAF, CloudTrail, CloudWatch alarm notifications or SNS events) written as YAML; an alternative to `logs`.'),
      source: sourceName.optional().describe("Parser for the input; default: the rule's first source."),
      year: z.int().min(1970).max(9999).optional().describe('Year for syslog lines that carry none.'),
      repeat: z
        .int()
        .min(1)
        .max(MAX_TEST_REPEAT)
        .optional()
        .describe(`Feed the input this many times (at most ${MAX_TEST_REPEAT}), for thresholds such as "100 blocks in 5 minutes".`),
      expect: z
        .strictObject({
          alerts: z.int().min(0).describe('How many alerts the input must raise.'),
          fields: z
            .record(z.string(), z.union([scalar, z.array(scalar)]))
            .optional()
            .describe("Field values the first alert must carry (its group fields, then its first event's fields)."),
          severity: severity.optional().describe('Severity of the first alert (after escalation).'),
          count: z.int().min(1).optional().describe('Number of events counted in the first alert.'),
          title: z.string().optional().describe('Title of the first alert, placeholders filled in.'),
        })
        .describe('What the rule must make of the input.'),
    })
    .describe('A test case: input and the alerts it must produce.');

  return z
    .strictObject({
      id: z
        .string()
        .regex(new RegExp(RULE_ID_PATTERN), { error: 'id must be lowercase letters, digits, ".", "_" or "-", starting with a letter or digit' })
        .optional()
        .describe('Rule id, used in fingerprints and silences. Default: the file name without extension.'),
      title: z.string().min(1).describe('Alert title. {{field}} placeholders are filled from the first event, e.g. "SSH brute force from {{source.ip}}".'),
      description: z.string().optional().describe('What the rule detects and why it matters.'),
      source: z
        .union([sourceName, z.array(sourceName).min(1)])
        .describe('Which events the rule reads: ssh, waf, cloudtrail, alarm (CloudWatch alarm state changes), or a list of them. Decides which fields conditions may name.'),
      severity: severity.describe('Alert severity: info, low, medium, high or critical.'),
      escalate: z
        .array(
          z
            .strictObject({
              severity: severity.describe('The severity to raise to; must be above the rule severity.'),
              when: condition.optional().describe('A condition (same grammar as match) that raises the severity when it also holds.'),
              count: z.int().min(2).optional().describe("Raise the severity once the alert counts this many events (50 failed logins are worse than 5)."),
            })
            .refine((entry) => (entry.when === undefined) !== (entry.count === undefined), { error: 'an escalation gives either when (a condition) or count (the alert reaching that many events)' })
            .describe('Raise the severity when a matching event also meets `when`, or when the alert reaches `count` events.'),
        )
        .optional()
        .describe('Severity escalations; when several hold, the highest wins.'),
      match: condition
        .optional()
        .describe(
          'Which events the rule matches. A mapping of field: test (all must hold), with all/any/not to combine; a list of conditions means all of them. A rule gives match or sequence.',
        ),
      sequence: z
        .strictObject({
          by: fieldList.min(1).describe('Fields whose values the steps share, e.g. [source.address]: failures and the success must come from the same address. Every field must also be in group_by.'),
          within: duration.describe('The whole sequence, first step to last, falls within this span, e.g. 1h.'),
          steps: z
            .array(
              z
                .strictObject({
                  name: z.string().min(1).optional().describe('What the step is, for reports; default step1, step2, ...'),
                  source: sourceName.optional().describe("Only events of this source count for the step (one of the rule's sources): a WAF block, then SSH activity."),
                  match: condition.describe('Which events the step matches (same grammar as match).'),
                  count: z.int().min(1).optional().describe('Events the step needs before the next step counts (default 1). Only the last step cannot have more than 1.'),
                })
                .describe('One step of the sequence.'),
            )
            .min(2, { error: 'a sequence has at least two steps' })
            .max(16, { error: 'a sequence has at most 16 steps' })
            .describe('The steps in the order they must happen. An event of the last step, after the steps before it within `within`, raises the alert.'),
        })
        .optional()
        .describe('Alert on steps in order for the same `by` values within a span: 5 failed logins, then a success from the same address within 1h. A rule gives match or sequence.'),
      new_term: z
        .strictObject({
          fields: fieldList.min(1).describe('The term: fields whose values must be new for the group, e.g. [source.address] with group_by [user.name].'),
          learning: duration.optional().describe("The group's history to learn before a new term alerts, counted from its first event (default 7d): every term seen meanwhile is known."),
          forget: duration.optional().describe('A term not seen for this long is new again (default 90d).'),
        })
        .optional()
        .describe("Count a matching event only when its term is new for its group (first login of a user from an address), once the group's learning period is over."),
      threshold: z
        .strictObject({
          count: z.int().min(1).describe('Events needed within the window to raise an alert.'),
          window: duration.describe('Sliding window for counting, e.g. 10m.'),
          distinct: z
            .string()
            .min(1)
            .optional()
            .describe('Count the distinct values of this field instead of events: `count: 5, distinct: user.name` is five different user names (password spraying). Events without the field do not count.'),
          group_by: fieldList.optional().describe('Same as the top-level group_by (accepted here too; both lists are merged).'),
        })
        .optional()
        .describe('Alert only when `count` matching events (per group) fall within `window`.'),
      group_by: fieldList
        .optional()
        .describe('Fields whose values tell alerts apart (one alert per source.ip, ...) and key thresholds. May also be written inside threshold; both lists are merged.'),
      realert: duration
        .optional()
        .describe('Within this long after an alert opens, further matches update it instead of posting again. Default 1h; 0: every match (or threshold crossing) posts.'),
      slack: z
        .strictObject({
          channel: z
            .string()
            .regex(new RegExp(CHANNEL_PATTERN), { error: 'channel must be a channel name such as #security-alerts or a channel id such as C0123ABCD' })
            .optional()
            .describe('Channel name (#security-alerts) or id; default: the configured channel.'),
          template: z.string().min(1).optional().describe('Message template name from templates/; default: the generic template.'),
          mention: z
            .array(z.string().regex(new RegExp(MENTION_PATTERN), { error: (issue) => mentionProblem(issue.input) }))
            .optional()
            .describe('Who to notify: @here, @channel, user ids (U012ABCDEF), user-group ids (S0123ABCD). Handles such as @oncall cannot be mentioned by a bot.'),
        })
        .optional()
        .describe('Where and how the alert is posted.'),
      runbook: z
        .url({ protocol: /^https?$/, error: 'runbook must be an http(s) URL' })
        .optional()
        .describe('Link to what to do about the alert (http or https).'),
      tags: z.array(z.string().min(1)).optional().describe('Free-form labels, e.g. MITRE ATT&CK tactics: attack.credential_access.'),
      allowed_users: z
        .array(z.string().regex(new RegExp(SLACK_USER_PATTERN), { error: 'allowed_users entries must be Slack user ids such as U012ABCDEF' }))
        .optional()
        .describe('Slack user ids allowed to acknowledge or silence these alerts; default: the global setting.'),
      suppresses: z
        .array(z.string().regex(new RegExp(RULE_ID_PATTERN), { error: 'suppresses lists rule ids' }))
        .optional()
        .describe(
          'Ids of rules that do not count an event this rule matches (inhibition): ssh-root-login suppresses ssh-login, so a root login is one critical alert, not that and a low one.',
        ),
      tests: z.array(testCase).optional().describe('Test cases run by `klaxon test`: positive and negative examples.'),
    })
    .meta({
      title: 'Klaxon rule',
      description: 'One detection rule: which events match, how they are counted and grouped, and how the alert is posted.',
    });
}

/** The schema used to validate files; conditions are checked by the condition compiler. */
export const ruleValidationSchema = ruleFileSchema(z.unknown());
export type RuleFileData = z.infer<typeof ruleValidationSchema>;
