/**
 * The Acknowledge button and Silence menu on every alert, and the ids that the Bolt handlers
 * listen for. The alert's fingerprint rides along in the block id and in each value, so a click
 * names its alert without any lookup.
 */
import type { ActionsBlock } from './blocks';
import { SLACK_LIMITS } from './limits';

export const ACKNOWLEDGE_ACTION_ID = 'klaxon_acknowledge';
export const SILENCE_ACTION_ID = 'klaxon_silence';
export const ACTIONS_BLOCK_PREFIX = 'klaxon_actions:';

/** The silence durations offered, in menu order. */
export const SILENCE_DURATIONS = [
  { key: '1h', label: '1 hour', ms: 3_600_000 },
  { key: '4h', label: '4 hours', ms: 4 * 3_600_000 },
  { key: '24h', label: '24 hours', ms: 24 * 3_600_000 },
  { key: '7d', label: '7 days', ms: 7 * 24 * 3_600_000 },
] as const;

export type SilenceDurationKey = (typeof SILENCE_DURATIONS)[number]['key'];

/** Longest fingerprint whose `7d:<fingerprint>` still fits a select option's value. */
export const MAX_FINGERPRINT_LENGTH = SLACK_LIMITS.optionValue - '24h:'.length;

export function actionsBlockId(fingerprint: string): string {
  return ACTIONS_BLOCK_PREFIX + fingerprint;
}

/** The fingerprint in an actions block id, or undefined when the block is not Klaxon's. */
export function fingerprintFromBlockId(blockId: string): string | undefined {
  if (!blockId.startsWith(ACTIONS_BLOCK_PREFIX)) return undefined;
  const fingerprint = blockId.slice(ACTIONS_BLOCK_PREFIX.length);
  return fingerprint === '' ? undefined : fingerprint;
}

export function silenceOptionValue(key: SilenceDurationKey, fingerprint: string): string {
  return `${key}:${fingerprint}`;
}

/**
 * Reads a Silence option value back.
 *
 * @example
 *   parseSilenceValue('4h:3f9a…'); // { key: '4h', ms: 14400000, fingerprint: '3f9a…' }
 */
export function parseSilenceValue(value: string): { key: SilenceDurationKey; ms: number; fingerprint: string } | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0) return undefined;
  const duration = SILENCE_DURATIONS.find((d) => d.key === value.slice(0, colon));
  const fingerprint = value.slice(colon + 1);
  if (duration === undefined || fingerprint === '') return undefined;
  return { key: duration.key, ms: duration.ms, fingerprint };
}

/**
 * The actions block for an alert, or undefined when the fingerprint is too long for Slack's
 * value limits: cutting it would make the buttons act on a different alert.
 */
export function actionsBlock(fingerprint: string): ActionsBlock | undefined {
  if (fingerprint === '' || fingerprint.length > MAX_FINGERPRINT_LENGTH) return undefined;
  return {
    type: 'actions',
    block_id: actionsBlockId(fingerprint),
    elements: [
      {
        type: 'button',
        action_id: ACKNOWLEDGE_ACTION_ID,
        text: { type: 'plain_text', text: 'Acknowledge', emoji: true },
        value: fingerprint,
        style: 'primary',
      },
      {
        type: 'static_select',
        action_id: SILENCE_ACTION_ID,
        placeholder: { type: 'plain_text', text: 'Silence', emoji: true },
        options: SILENCE_DURATIONS.map((d) => ({
          text: { type: 'plain_text', text: d.label, emoji: true },
          value: silenceOptionValue(d.key, fingerprint),
        })),
      },
    ],
  };
}
