import {
  ACKNOWLEDGE_ACTION_ID,
  MAX_FINGERPRINT_LENGTH,
  SILENCE_ACTION_ID,
  actionsBlock,
  actionsBlockId,
  fingerprintFromBlockId,
  parseSilenceValue,
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
    expect(select.options.map((o) => parseSilenceValue(o.value))).toEqual([
      { key: '1h', ms: 3_600_000, fingerprint: 'fp1' },
      { key: '4h', ms: 14_400_000, fingerprint: 'fp1' },
      { key: '24h', ms: 86_400_000, fingerprint: 'fp1' },
      { key: '7d', ms: 604_800_000, fingerprint: 'fp1' },
    ]);
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
