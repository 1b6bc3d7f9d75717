/**
 * Issue 13, part 2: the App Home tab, through the real Bolt app and the Slack stand-in: open
 * alerts by severity with their controls, silences with Unsilence, the latest audit entries;
 * published when opened and again after each change made from it; per user's allow-lists.
 */
import { ACKNOWLEDGE_ACTION_ID, SILENCE_ACTION_ID, silenceOptionValue } from '../../src/slack/actions';
import { HOME_UNSILENCE_ACTION_ID } from '../../src/slack/app-home';
import { failures, postedAlerts, rootLogin, startHarness, type Harness, type HarnessOptions } from './interaction-fixtures';

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';

let h: Harness | undefined;
async function harness(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(options);
  return h;
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Block = { type: string; text?: { text: string }; block_id?: string; elements?: Array<{ action_id: string; value?: string }>; accessory?: { action_id: string; value: string } };

function homeOf(t: Harness, user: string): Block[] {
  const view = t.slack.homeView(user);
  expect(view).toBeDefined();
  return (view?.blocks ?? []) as Block[];
}

function texts(blocks: Block[]): string[] {
  return blocks.flatMap((b) => (b.text === undefined ? [] : [b.text.text]));
}

async function alerts(t: Harness): Promise<{ brute: string; root: string }> {
  await t.feed(failures('203.0.113.9', 0, 5));
  // from ssh-login's trusted range: a root login there alerts only as ssh-root-login
  await t.feed(rootLogin('web-1', '192.0.2.10', 20));
  const posted = postedAlerts(t.slack);
  const fp = (rule: string) => posted.find((p) => p.fingerprint.startsWith(`${rule}:`))?.fingerprint ?? '';
  return { brute: fp('ssh-brute-force'), root: fp('ssh-root-login') };
}

describe('App Home tab', () => {
  it('opening it publishes the open alerts (critical first) with their controls, the silences and the recent activity', async () => {
    const t = await harness();
    const { brute, root } = await alerts(t);
    await t.click({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: brute, value: brute });

    expect((await t.openHome(ALICE)).status).toBe(200);
    const blocks = homeOf(t, ALICE);
    const shown = texts(blocks);
    expect(shown).toContain('*Open alerts* (2)');
    const rootAt = shown.findIndex((s) => s.includes('`ssh-root-login`'));
    const bruteAt = shown.findIndex((s) => s.includes('`ssh-brute-force`'));
    expect(rootAt).toBeGreaterThan(0);
    expect(rootAt).toBeLessThan(bruteAt);
    expect(shown[bruteAt]).toContain(`acknowledged by <@${ALICE}>`);
    const controls = blocks.filter((b) => b.type === 'actions');
    expect(controls.map((b) => b.elements?.map((e) => e.action_id))).toEqual([
      ['klaxon_acknowledge', 'klaxon_silence'],
      ['klaxon_unacknowledge', 'klaxon_silence'],
    ]);
    expect(controls.map((b) => b.elements?.[0]?.value)).toEqual([root, brute]);
    expect(shown).toContain('*Silences in force*: none.');
    expect(shown.find((s) => s.startsWith('*Recent activity*'))).toMatch(new RegExp(`<@${ALICE}> · acknowledge · \`${brute}\``));
  });

  it('acknowledging and silencing from the tab change the alert, update its Slack message, and publish the tab again with the answer', async () => {
    const t = await harness();
    const { root } = await alerts(t);
    const { ts } = await t.messageOf(root);
    t.slack.reset();

    await t.clickHome({ userId: BOB, actionId: ACKNOWLEDGE_ACTION_ID, blockId: `home:klaxon_actions:${root}`, value: root });
    expect((await t.group(root)).acknowledged?.by).toBe(BOB);
    expect(t.slack.callsTo('chat.update').map((c) => c.body.ts)).toEqual([ts]);
    expect(texts(homeOf(t, BOB))[1]).toBe(`✅ Acknowledged by <@${BOB}>`);

    await t.clickHome({ userId: BOB, actionId: SILENCE_ACTION_ID, blockId: `home:klaxon_actions:${root}`, selectedOptionValue: silenceOptionValue('4h', root) });
    const [silence] = await t.store.listSilences(Date.now());
    expect(silence?.fingerprint).toBe(root);
    const afterSilence = homeOf(t, BOB);
    expect(texts(afterSilence)).toContain('*Silences in force* (1)');
    const unsilence = afterSilence.find((b) => b.accessory?.action_id === HOME_UNSILENCE_ACTION_ID);
    expect(unsilence?.accessory?.value).toBe(silence?.id);

    await t.clickHome({ userId: BOB, actionId: HOME_UNSILENCE_ACTION_ID, blockId: 'home-silences', value: silence?.id ?? '' });
    expect(await t.store.listSilences(Date.now())).toEqual([]);
    expect(texts(homeOf(t, BOB))[1]).toContain(`Lifted silence \`${silence?.id ?? ''}\``);
    expect(t.slack.callsTo('chat.update')).toHaveLength(3);
    // a Home click has no response_url: nothing was posted to one
    expect(t.slack.responses).toHaveLength(0);
  });

  it('shows each user only the rules they may act on; a refusal is shown on the tab', async () => {
    const t = await harness({ ruleAllowedUsers: { 'ssh-brute-force': [ALICE], 'ssh-root-login': [BOB] } });
    const { brute, root } = await alerts(t);
    await t.openHome(ALICE);
    const alice = texts(homeOf(t, ALICE));
    expect(alice).toContain('*Open alerts* (1)');
    expect(alice.join('\n')).not.toContain('ssh-root-login');

    await t.clickHome({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, blockId: `home:klaxon_actions:${root}`, value: root });
    expect((await t.group(root)).acknowledged).toBeUndefined();
    expect(texts(homeOf(t, ALICE))[1]).toContain('Sorry, you are not allowed to acknowledge alerts of rule `ssh-root-login`');
    expect(brute).not.toBe('');

    await t.openHome('U0MALLORY');
    expect(texts(homeOf(t, 'U0MALLORY')).join('\n')).toContain('shown only to the people allowed to act on them');
  });
});
