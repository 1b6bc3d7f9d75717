/**
 * The buttons and menu on every alert, and the ids that the Bolt handlers listen for. The
 * alert's fingerprint rides along in the block id and in each value, so a click names its
 * alert without any lookup.
 *
 * An open alert offers Acknowledge and a Silence menu (this alert, or the whole rule, for
 * 1h/4h/24h/7d); an acknowledged one offers Unacknowledge; a silenced one offers Unsilence.
 */
import type { ActionsBlock, ButtonElement, StaticSelectElement } from './blocks';
import { SLACK_LIMITS } from './limits';

export const ACKNOWLEDGE_ACTION_ID = 'klaxon_acknowledge';
export const UNACKNOWLEDGE_ACTION_ID = 'klaxon_unacknowledge';
export const SILENCE_ACTION_ID = 'klaxon_silence';
export const UNSILENCE_ACTION_ID = 'klaxon_unsilence';
export const ACTIONS_BLOCK_PREFIX = 'klaxon_actions:';

/** The silence durations offered, in menu order. */
export const SILENCE_DURATIONS = [
  { key: '1h', label: '1 hour', ms: 3_600_000 },
  { key: '4h', label: '4 hours', ms: 4 * 3_600_000 },
  { key: '24h', label: '24 hours', ms: 24 * 3_600_000 },
  { key: '7d', label: '7 days', ms: 7 * 24 * 3_600_000 },
] as const;

export type SilenceDurationKey = (typeof SILENCE_DURATIONS)[number]['key'];

/** What a silence covers: this alert's group only, or every alert of its rule. */
export type SilenceScope = 'alert' | 'rule';

const RULE_SCOPE_PREFIX = 'rule/';

/** Longest fingerprint whose `rule/24h:<fingerprint>` still fits a select option's value. */
export const MAX_FINGERPRINT_LENGTH = SLACK_LIMITS.optionValue - `${RULE_SCOPE_PREFIX}24h:`.length;

export function actionsBlockId(fingerprint: string): string {
  return ACTIONS_BLOCK_PREFIX + fingerprint;
}

/** The fingerprint in an actions block id, or undefined when the block is not Klaxon's. */
export function fingerprintFromBlockId(blockId: string): string | undefined {
  if (!blockId.startsWith(ACTIONS_BLOCK_PREFIX)) return undefined;
  const fingerprint = blockId.slice(ACTIONS_BLOCK_PREFIX.length);
  return fingerprint === '' ? undefined : fingerprint;
}

export function silenceOptionValue(key: SilenceDurationKey, fingerprint: string, scope: SilenceScope = 'alert'): string {
  return `${scope === 'rule' ? RULE_SCOPE_PREFIX : ''}${key}:${fingerprint}`;
}

export interface SilenceChoice {
  key: SilenceDurationKey;
  ms: number;
  fingerprint: string;
  scope: SilenceScope;
}

/**
 * Reads a Silence option value back.
 *
 * @example
 *   parseSilenceValue('4h:ssh-brute-force:3f9a…');      // { key: '4h', ms: 14400000, fingerprint: 'ssh-brute-force:3f9a…', scope: 'alert' }
 *   parseSilenceValue('rule/1h:ssh-brute-force:3f9a…'); // { ..., scope: 'rule' }
 */
export function parseSilenceValue(value: string): SilenceChoice | undefined {
  const scope: SilenceScope = value.startsWith(RULE_SCOPE_PREFIX) ? 'rule' : 'alert';
  const rest = scope === 'rule' ? value.slice(RULE_SCOPE_PREFIX.length) : value;
  const colon = rest.indexOf(':');
  if (colon <= 0) return undefined;
  const duration = SILENCE_DURATIONS.find((d) => d.key === rest.slice(0, colon));
  const fingerprint = rest.slice(colon + 1);
  if (duration === undefined || fingerprint === '') return undefined;
  return { key: duration.key, ms: duration.ms, fingerprint, scope };
}

/** What the message's controls should offer, from the alert's state. */
export interface ActionsState {
  acknowledged?: boolean;
  /** The id of the silence in force, when there is one: Unsilence lifts it. */
  silenceId?: string;
}

/**
 * The actions block for an alert, or undefined when the fingerprint is too long for Slack's
 * value limits: cutting it would make the buttons act on a different alert.
 */
export function actionsBlock(fingerprint: string, state: ActionsState = {}): ActionsBlock | undefined {
  if (fingerprint === '' || fingerprint.length > MAX_FINGERPRINT_LENGTH) return undefined;
  const ack: ButtonElement = state.acknowledged === true
    ? button(UNACKNOWLEDGE_ACTION_ID, 'Unacknowledge', fingerprint)
    : { ...button(ACKNOWLEDGE_ACTION_ID, 'Acknowledge', fingerprint), style: 'primary' };
  const silence = state.silenceId === undefined ? silenceMenu(fingerprint) : button(UNSILENCE_ACTION_ID, 'Unsilence', `${state.silenceId}:${fingerprint}`);
  return { type: 'actions', block_id: actionsBlockId(fingerprint), elements: [ack, silence] };
}

/** Reads an Unsilence button's value (`<silence id>:<fingerprint>`). */
export function parseUnsilenceValue(value: string): { silenceId: string; fingerprint: string } | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) return undefined;
  return { silenceId: value.slice(0, colon), fingerprint: value.slice(colon + 1) };
}

function button(actionId: string, label: string, value: string): ButtonElement {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text: label, emoji: true }, value };
}

function silenceMenu(fingerprint: string): StaticSelectElement {
  const option = (scope: SilenceScope) => (d: (typeof SILENCE_DURATIONS)[number]) => ({
    text: { type: 'plain_text' as const, text: scope === 'rule' ? `Whole rule, ${d.label}` : d.label, emoji: true },
    value: silenceOptionValue(d.key, fingerprint, scope),
  });
  return {
    type: 'static_select',
    action_id: SILENCE_ACTION_ID,
    placeholder: { type: 'plain_text', text: 'Silence', emoji: true },
    options: [...SILENCE_DURATIONS.map(option('alert')), ...SILENCE_DURATIONS.map(option('rule'))],
  };
}
