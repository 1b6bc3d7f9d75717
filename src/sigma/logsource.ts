import type { EventSource } from '../events/event';
import { fieldCheck, type FieldCheck } from '../rules/known-fields';
import { SSH_PROGRAMS } from '../sources/sshd';
import type { KlaxonCondition } from './combine';

/**
 * The Sigma log sources Klaxon reads, and what each means for the rule it becomes: its
 * Klaxon source, a condition that narrows the source to the Sigma service (an auth log holds
 * sshd, sudo, su, cron... lines; `service: sshd` means sshd's only), the field keywords search,
 * and which field names a Sigma rule may use.
 */
export interface KlaxonLogSource {
  source: EventSource;
  /** Holds for the events of the Sigma service within the Klaxon source. */
  narrowing?: KlaxonCondition;
  /** Where keywords (a list with no field name) are searched; none: keywords are refused. */
  keywordField?: string;
  checkField: FieldCheck;
  /** How the log source is described in messages and in the written rule. */
  label: string;
}

export const ACCEPTED_LOGSOURCES = 'product: linux with service: auth, sshd or sudo; product: aws with service: cloudtrail';

export function klaxonLogSource(logsource: Record<string, unknown>): KlaxonLogSource | string {
  const product = lower(logsource.product);
  const service = lower(logsource.service);
  const label = ['category', 'product', 'service'].filter((key) => logsource[key] !== undefined).map((key) => `${key}: ${String(logsource[key])}`).join(', ');
  if (logsource.category !== undefined) return `log source "${label}" is not one Klaxon reads (a category is not supported; accepted: ${ACCEPTED_LOGSOURCES})`;
  if (product === 'linux' && (service === 'auth' || service === 'sshd' || service === 'sudo')) {
    const narrowing =
      service === 'sshd' ? { 'process.name': [...SSH_PROGRAMS] } : service === 'sudo' ? { 'process.name': 'sudo' } : undefined;
    return { source: 'ssh', keywordField: 'message', checkField: fieldCheck(['ssh']), label, ...(narrowing === undefined ? {} : { narrowing }) };
  }
  if (product === 'aws' && service === 'cloudtrail') return { source: 'cloudtrail', checkField: fieldCheck(['cloudtrail']), label };
  return `log source "${label || '(empty)'}" is not one Klaxon reads (accepted: ${ACCEPTED_LOGSOURCES})`;
}

function lower(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}
