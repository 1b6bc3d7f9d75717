import { createHash } from 'node:crypto';
import type { FieldValue } from '../events/event';

/**
 * Identifies "the same alert": the rule id plus the values of its group-by fields.
 * Readable prefix, hashed tail: stable across runs and Lambda invocations, short enough
 * for a Slack button value.
 */
export function fingerprint(ruleId: string, groupValues: readonly FieldValue[]): string {
  const digest = createHash('sha256').update(JSON.stringify([ruleId, groupValues])).digest('hex');
  return `${ruleId}:${digest.slice(0, 16)}`;
}
