import {
  ACKNOWLEDGE_ACTION_ID,
  MAX_FINGERPRINT_LENGTH,
  SILENCE_ACTION_ID,
  actionsBlock,
  actionsBlockId,
  fingerprintFromBlockId,
  UNACKNOWLEDGE_ACTION_ID,
  UNSILENCE_ACTION_ID,
  parseSilenceValue,
  parseUnsilenceValue,
  silenceOptionValue,
} from '../../src/slack/actions';
import { SLACK_LIMITS } from '../../src/slack/limits';

describe('action ids', () => {
  it('are the ids the Bolt handlers listen for', () => {
    expect(ACKNOWLEDGE_ACTION_ID).toBe('klaxon_acknowledge');
    expect(SILENCE_ACTION_ID).toBe('klaxon_silence');
  });
});

describe('parseSilenceValue', () => {
  it('reads each offered duration back', () => {
    const block = actionsBlock('fp1');
    const select = block?.elements[1];
    if (select?.type !== 'static_select') throw new Error('no select');
    const durations = [
      { key: '1h', ms: 3_600_000 },
      { key: '4h', ms: 14_400_000 },
      { key: '24h', ms: 86_400_000 },
      { key: '7d', ms: 604_800_000 },
    ];
    expect(select.options.map((o) => parseSilenceValue(o.value))).toEqual([
      ...durations.map((d) => ({ ...d, fingerprint: 'fp1', scope: 'alert' })),
      ...durations.map((d) => ({ ...d, fingerprint: 'fp1', scope: 'rule' })),
    ]);
  });

  it('tells a whole-rule silence from one for the alert', () => {
    expect(parseSilenceValue(silenceOptionValue('24h', 'r:fp', 'rule'))).toEqual({ key: '24h', ms: 86_400_000, fingerprint: 'r:fp', scope: 'rule' });
    expect(parseSilenceValue('rule/2h:fp')).toBeUndefined();
  });

  it('keeps colons inside the fingerprint', () => {
    expect(parseSilenceValue('4h:rule:a:b')?.fingerprint).toBe('rule:a:b');
  });

  it.each(['', '4h', '4h:', '2h:fp', ':fp', 'fp'])('rejects %j', (value) => {
    expect(parseSilenceValue(value)).toBeUndefined();
  });
});

describe('block ids', () => {
  it('carry the fingerprint there and back', () => {
    expect(fingerprintFromBlockId(actionsBlockId('abc'))).toBe('abc');
    expect(fingerprintFromBlockId('other:abc')).toBeUndefined();
    expect(fingerprintFromBlockId('klaxon_actions:')).toBeUndefined();
  });
});

describe('actionsBlock', () => {
  it('fits Slack limits at the longest fingerprint it accepts', () => {
    const block = actionsBlock('f'.repeat(MAX_FINGERPRINT_LENGTH));
    expect(block?.block_id.length).toBeLessThanOrEqual(SLACK_LIMITS.blockId);
    const select = block?.elements[1];
    if (select?.type !== 'static_select') throw new Error('no select');
    for (const o of select.options) expect(o.value.length).toBeLessThanOrEqual(SLACK_LIMITS.optionValue);
  });

  it('refuses an empty or too long fingerprint rather than cutting it', () => {
    expect(actionsBlock('')).toBeUndefined();
    expect(actionsBlock('f'.repeat(MAX_FINGERPRINT_LENGTH + 1))).toBeUndefined();
  });
});

describe('actionsBlock state', () => {
  it('offers Unacknowledge once acknowledged and Unsilence while silenced', () => {
    const block = actionsBlock('r:fp', { acknowledged: true, silenceId: 'S7K2' });
    expect(block?.elements.map((e) => e.action_id)).toEqual([UNACKNOWLEDGE_ACTION_ID, UNSILENCE_ACTION_ID]);
    const unsilence = block?.elements[1];
    if (unsilence?.type !== 'button') throw new Error('no button');
    expect(parseUnsilenceValue(unsilence.value)).toEqual({ silenceId: 'S7K2', fingerprint: 'r:fp' });
  });

  it.each(['', 'S7', ':fp', 'S7:'])('rejects the unsilence value %j', (value) => {
    expect(parseUnsilenceValue(value)).toBeUndefined();
  });
});
