/**
 * The Slack interactions end to end: the real Bolt app on HTTP, signed requests, the Slack
 * stand-in, SQLite on disk, the shipped rules, alerts from real sshd lines.
 */
import { ACKNOWLEDGE_ACTION_ID, SILENCE_ACTION_ID, UNACKNOWLEDGE_ACTION_ID, UNSILENCE_ACTION_ID, silenceOptionValue } from '../../src/slack/actions';
import { createInteractionApp, createLambdaInteractionApp, HEALTH_PATH } from '../../src/slack/bolt-app';
import { apiGatewayEvent, blockActionsBody, blockActionsPayload, signedRequest } from '../helpers/slack-signing';
import {
  BOT_TOKEN,
  CHANNEL,
  SIGNING_SECRET,
  actionIds,
  collectingLogger,
  ephemeralTexts,
  failures,
  postedAlerts,
  rootLogin,
  startHarness,
  threadReplies,
  type Harness,
  type HarnessOptions,
} from './interaction-fixtures';

const ALICE = 'U0ALICE';
/** In ssh-login's trusted range: a root login from here alerts only as ssh-root-login. */
const TRUSTED = '192.0.2.10';
const BOB = 'U0BOB';
const HOUR = 3_600_000;

let h: Harness | undefined;

async function harness(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(options);
  return h;
}

afterEach(async () => {
  const done = h;
  h = undefined;
  if (done === undefined) return;
  await done.close();
  // Nothing Bolt or Klaxon logged may carry the bot token or the signing secret.
  const logged = done.logs.join('\n');
  expect(logged).not.toContain(BOT_TOKEN);
  expect(logged).not.toContain(SIGNING_SECRET);
});

/** A brute-force alert (5 failures from one address), posted; its fingerprint. */
async function bruteForceAlert(t: Harness, ip = '203.0.113.9'): Promise<string> {
  const report = await t.feed(failures(ip, 0, 5));
  expect(report.posted).toBe(1);
  const posted = postedAlerts(t.slack).at(-1);
  if (posted === undefined) throw new Error('no alert posted');
  expect(posted.fingerprint).toMatch(/^ssh-brute-force:/);
  return posted.fingerprint;
}

/** A root-login alert on `host`, posted; its fingerprint. */
async function rootLoginAlert(t: Harness, host = 'web-1', minute = 0): Promise<string> {
  await t.feed(rootLogin(host, TRUSTED, minute));
  const posted = postedAlerts(t.slack).at(-1);
  if (posted === undefined) throw new Error('no alert posted');
  expect(posted.fingerprint).toMatch(/^ssh-root-login:/);
  return posted.fingerprint;
}

function lastUpdate(t: Harness) {
  const update = t.slack.callsTo('chat.update').at(-1);
  if (update === undefined) throw new Error('no chat.update');
  return update;
}

describe('Acknowledge', () => {
  it('records who and when, updates the message, replies once in the thread, and audits', async () => {
    const t = await harness();
    const fp = await bruteForceAlert(t);
    const { ts } = await t.messageOf(fp);

    const answer = await t.click({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: fp, value: fp });
    expect(answer.status).toBe(200);

    const acknowledged = (await t.group(fp)).acknowledged;
    expect(acknowledged?.by).toBe(ALICE);
    expect(typeof acknowledged?.at).toBe('number');

    const update = lastUpdate(t);
    expect(update.body).toMatchObject({ channel: CHANNEL, ts });
    expect(JSON.stringify(update.body.blocks)).toContain(`Acknowledged by <@${ALICE}>`);
    expect(actionIds(update)).toContain(UNACKNOWLEDGE_ACTION_ID);
    expect(actionIds(update)).not.toContain(ACKNOWLEDGE_ACTION_ID);

    expect(threadReplies(t.slack, ts)).toEqual([`✅ Acknowledged by <@${ALICE}>`]);
    expect(await t.store.listAudit({ fingerprint: fp })).toContainEqual(expect.objectContaining({ action: 'acknowledge', actor: ALICE, rule: 'ssh-brute-force', fingerprint: fp }));
    expect(t.slack.responses).toHaveLength(0);
  });

  it('a second click changes nothing and posts no second reply', async () => {
    const t = await harness();
    const fp = await bruteForceAlert(t);
    const { ts } = await t.messageOf(fp);
    await t.click({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: fp, value: fp });
    const updates = t.slack.callsTo('chat.update').length;

    await t.click({ userId: BOB, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: fp, value: fp, responseId: 'second' });

    expect((await t.group(fp)).acknowledged?.by).toBe(ALICE);
    expect(threadReplies(t.slack, ts)).toHaveLength(1);
    expect(t.slack.callsTo('chat.update')).toHaveLength(updates);
    expect(ephemeralTexts(t.slack, 'second')).toEqual([expect.stringContaining(`Already acknowledged by <@${ALICE}>`)]);
    expect((await t.store.listAudit({ fingerprint: fp })).filter((e) => e.action === 'acknowledge')).toHaveLength(1);
  });

  it('after it, more matches update the count but post nothing new, also past the realert window', async () => {
    const t = await harness();
    const fp = await bruteForceAlert(t);
    await t.click({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: fp, value: fp });
    const posts = t.slack.callsTo('chat.postMessage').length;

    // Same open alert: 2 more failures.
    expect(await t.feed(failures('203.0.113.9', 5, 2))).toMatchObject({ posted: 0, updated: 1 });
    expect(JSON.stringify(lastUpdate(t).body.blocks)).toContain(`Acknowledged by <@${ALICE}>`);
    // A new alert an hour later (past realert): folded into the acknowledged message.
    expect(await t.feed(failures('203.0.113.9', 66, 5))).toMatchObject({ posted: 0 });

    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(posts);
    const data = await t.group(fp);
    expect(data.acknowledged?.by).toBe(ALICE);
    const current = data.messages.at(-1);
    expect((current?.alert.count ?? 0) + (current?.folded?.count ?? 0)).toBe(12);
    expect(JSON.stringify(lastUpdate(t).body.blocks)).toContain(`Acknowledged by <@${ALICE}>`);
  });

  it('an alert whose record expired gets an ephemeral explanation', async () => {
    const t = await harness();
    const fp = await bruteForceAlert(t);
    const { channel, ts } = await t.messageOf(fp);
    const gone = 'ssh-brute-force:0000000000000000';
    const payload = blockActionsPayload({
      userId: ALICE,
      actionId: ACKNOWLEDGE_ACTION_ID,
      blockId: `klaxon_actions:${gone}`,
      channelId: channel,
      messageTs: ts,
      responseUrl: t.slack.responseUrl('gone'),
      value: gone,
    });
    const { headers, body } = signedRequest(SIGNING_SECRET, blockActionsBody(payload));
    expect((await t.post(body, { ...headers })).status).toBe(200);

    expect(ephemeralTexts(t.slack, 'gone')).toEqual([expect.stringContaining('no longer has a record of this alert')]);
    expect(t.slack.callsTo('chat.update')).toHaveLength(0);
    expect(await t.store.listAudit({ fingerprint: gone })).toEqual([]);
  });
});

describe('Unacknowledge', () => {
  it('withdraws the acknowledgement, restores the Acknowledge button, replies and audits', async () => {
    const t = await harness();
    const fp = await bruteForceAlert(t);
    const { ts } = await t.messageOf(fp);
    await t.click({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: fp, value: fp });

    await t.click({ userId: BOB, actionId: UNACKNOWLEDGE_ACTION_ID, fingerprint: fp, value: fp });

    expect((await t.group(fp)).acknowledged).toBeUndefined();
    const update = lastUpdate(t);
    expect(JSON.stringify(update.body.blocks)).not.toContain('Acknowledged by');
    expect(actionIds(update)).toContain(ACKNOWLEDGE_ACTION_ID);
    expect(threadReplies(t.slack, ts)).toEqual([`✅ Acknowledged by <@${ALICE}>`, expect.stringMatching(new RegExp(`^↩️ Unacknowledged by <@${BOB}>`))]);
    expect(await t.store.listAudit({ fingerprint: fp })).toContainEqual(expect.objectContaining({ action: 'unacknowledge', actor: BOB, fingerprint: fp }));
  });
});

describe('Silence', () => {
  it('1h for the alert: later matches post nothing and are counted; the message shows it with Unsilence', async () => {
    const t = await harness();
    const fp = await rootLoginAlert(t);
    const { ts } = await t.messageOf(fp);

    await t.click({ userId: ALICE, actionId: SILENCE_ACTION_ID, fingerprint: fp, selectedOptionValue: silenceOptionValue('1h', fp) });

    const [silence, ...others] = await t.store.listSilences(Date.now());
    expect(others).toEqual([]);
    expect(silence).toMatchObject({ rule: 'ssh-root-login', fingerprint: fp, createdBy: ALICE });
    expect((silence?.until ?? 0) - (silence?.createdAt ?? 0)).toBe(HOUR);
    const id = silence?.id ?? '';

    const update = lastUpdate(t);
    expect(JSON.stringify(update.body.blocks)).toContain(`silence \`${id}\``);
    expect(actionIds(update)).toContain(UNSILENCE_ACTION_ID);
    const [reply] = threadReplies(t.slack, ts);
    expect(reply).toContain(`by <@${ALICE}>`);
    expect(reply).toContain(`<!date^${Math.floor((silence?.until ?? 0) / 1000)}^`);
    expect(reply).toContain(`/klaxon unsilence ${id}`);
    expect(await t.store.listAudit({ fingerprint: fp })).toContainEqual(expect.objectContaining({ action: 'silence', actor: ALICE, rule: 'ssh-root-login' }));

    const posts = t.slack.callsTo('chat.postMessage').length;
    await t.feed([rootLogin('web-1', TRUSTED, 1), rootLogin('web-1', TRUSTED, 2)].join('\n'));
    await t.feed(rootLogin('web-1', TRUSTED, 3));
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(posts);
    expect((await t.group(fp)).suppressed).toBe(3);
  });

  it('a second silence for the same alert replaces the first instead of stacking', async () => {
    const t = await harness();
    const fp = await rootLoginAlert(t);
    await t.click({ userId: ALICE, actionId: SILENCE_ACTION_ID, fingerprint: fp, selectedOptionValue: silenceOptionValue('1h', fp) });
    const [first] = await t.store.listSilences(Date.now());

    await t.click({ userId: BOB, actionId: SILENCE_ACTION_ID, fingerprint: fp, selectedOptionValue: silenceOptionValue('24h', fp) });

    const silences = await t.store.listSilences(Date.now());
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({ fingerprint: fp, createdBy: BOB });
    expect((silences[0]?.until ?? 0) - (silences[0]?.createdAt ?? 0)).toBe(24 * HOUR);
    expect(threadReplies(t.slack, (await t.messageOf(fp)).ts).at(-1)).toContain(`replaces \`${first?.id ?? ''}\``);
  });

  it('the whole rule: other alerts of the rule post nothing, and their counts grow', async () => {
    const t = await harness();
    const web1 = await rootLoginAlert(t, 'web-1', 0);
    const web2 = await rootLoginAlert(t, 'web-2', 1);

    await t.click({ userId: ALICE, actionId: SILENCE_ACTION_ID, fingerprint: web1, selectedOptionValue: silenceOptionValue('4h', web1, 'rule') });

    const [silence] = await t.store.listSilences(Date.now());
    expect(silence).toMatchObject({ rule: 'ssh-root-login', createdBy: ALICE });
    expect(silence?.fingerprint).toBeUndefined();
    // Both open alerts of the rule now show the rule silence.
    const updated = t.slack.callsTo('chat.update').map((c) => c.body.ts);
    expect(updated).toEqual(expect.arrayContaining([(await t.messageOf(web1)).ts, (await t.messageOf(web2)).ts]));
    expect(threadReplies(t.slack, (await t.messageOf(web1)).ts)).toEqual([expect.stringContaining('every alert of rule `ssh-root-login`')]);

    const posts = t.slack.callsTo('chat.postMessage').length;
    await t.feed([rootLogin('web-2', TRUSTED, 2), rootLogin('web-3', TRUSTED, 3)].join('\n'));
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(posts);
    expect((await t.group(web2)).suppressed).toBe(1);
    // Other rules still alert.
    await t.feed(failures('203.0.113.50', 10, 5));
    expect(postedAlerts(t.slack).at(-1)?.fingerprint).toMatch(/^ssh-brute-force:/);
  });
});

describe('Unsilence', () => {
  /** A root-login alert silenced for an hour, and the silence's id and the alert's message. */
  async function silenced(t: Harness): Promise<{ fp: string; id: string; message: { channel: string; ts: string } }> {
    const fp = await rootLoginAlert(t);
    const message = await t.messageOf(fp);
    await t.click({ userId: ALICE, actionId: SILENCE_ACTION_ID, fingerprint: fp, selectedOptionValue: silenceOptionValue('1h', fp) });
    const [silence] = await t.store.listSilences(Date.now());
    return { fp, id: silence?.id ?? '', message };
  }

  /** Two more root logins, held back by the silence. */
  async function suppressTwo(t: Harness, fp: string): Promise<void> {
    const posts = t.slack.callsTo('chat.postMessage').length;
    await t.feed([rootLogin('web-1', TRUSTED, 1), rootLogin('web-1', TRUSTED, 2)].join('\n'));
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(posts);
    expect((await t.group(fp)).suppressed).toBe(2);
  }

  it('the button lifts it, says so in the thread, and the next match reports what was suppressed', async () => {
    const t = await harness();
    const { fp, id, message } = await silenced(t);
    await suppressTwo(t, fp);

    await t.click({ userId: BOB, actionId: UNSILENCE_ACTION_ID, fingerprint: fp, value: `${id}:${fp}`, message });

    expect(await t.store.listSilences(Date.now())).toEqual([]);
    expect(threadReplies(t.slack, message.ts).at(-1)).toMatch(new RegExp(`^🔔 Silence \`${id}\` lifted by <@${BOB}>`));
    expect(await t.store.listAudit({ fingerprint: fp })).toContainEqual(expect.objectContaining({ action: 'unsilence', actor: BOB, rule: 'ssh-root-login' }));

    expect(await t.feed(rootLogin('web-1', TRUSTED, 3))).toMatchObject({ posted: 1 });
    expect(JSON.stringify(postedAlerts(t.slack).at(-1)?.call.body.blocks)).toContain('2 events suppressed while silenced');
    expect((await t.group(fp)).suppressed).toBe(0);
  });

  it('the button re-renders the message: the silence goes, the Silence menu comes back', async () => {
    const t = await harness();
    const { fp, id, message } = await silenced(t);
    expect(actionIds(lastUpdate(t))).toContain(UNSILENCE_ACTION_ID);

    await t.click({ userId: BOB, actionId: UNSILENCE_ACTION_ID, fingerprint: fp, value: `${id}:${fp}` });

    const update = lastUpdate(t);
    expect(update.body.ts).toBe(message.ts);
    expect(JSON.stringify(update.body.blocks)).not.toContain(id);
    expect(actionIds(update)).toContain(SILENCE_ACTION_ID);
    expect(threadReplies(t.slack, message.ts)).toHaveLength(2);
  });

  it('`/klaxon unsilence ID` lifts it (any case), confirms ephemerally, and the next match reports what was suppressed', async () => {
    const t = await harness();
    const { fp, id } = await silenced(t);
    await suppressTwo(t, fp);

    expect((await t.command(BOB, `unsilence ${id.toLowerCase()}`, 'unsilence')).status).toBe(200);

    expect(await t.store.listSilences(Date.now())).toEqual([]);
    expect(ephemeralTexts(t.slack, 'unsilence')).toEqual([`Lifted silence \`${id}\`: alert “Root logged in over SSH on web-1 from 192.0.2.10” (rule \`ssh-root-login\`).`]);
    expect(await t.store.listAudit({ fingerprint: fp })).toContainEqual(expect.objectContaining({ action: 'unsilence', actor: BOB }));

    await t.feed(rootLogin('web-1', TRUSTED, 3));
    expect(JSON.stringify(postedAlerts(t.slack).at(-1)?.call.body.blocks)).toContain('2 events suppressed while silenced');
  });

  it('`/klaxon unsilence ID` refreshes the silenced alert and replies in its thread', async () => {
    const t = await harness();
    const { id, message } = await silenced(t);

    await t.command(BOB, `unsilence ${id}`);

    expect(lastUpdate(t).body.ts).toBe(message.ts);
    expect(actionIds(lastUpdate(t))).toContain(SILENCE_ACTION_ID);
    expect(threadReplies(t.slack, message.ts).at(-1)).toContain(`lifted by <@${BOB}>`);
  });

  it('a silence already lifted gets a note, not an error', async () => {
    const t = await harness();
    const { fp, id } = await silenced(t);
    await t.command(BOB, `unsilence ${id}`);

    await t.click({ userId: ALICE, actionId: UNSILENCE_ACTION_ID, fingerprint: fp, value: `${id}:${fp}`, responseId: 'again' });
    await t.command(ALICE, 'unsilence SNOSUCH', 'nosuch');

    expect(ephemeralTexts(t.slack, 'again')).toEqual([expect.stringContaining('is not in force')]);
    expect(ephemeralTexts(t.slack, 'nosuch')).toEqual([expect.stringContaining('Silence `SNOSUCH` is not in force')]);
    expect((await t.store.listAudit({ fingerprint: fp })).filter((e) => e.action === 'unsilence')).toHaveLength(1);
    expect(t.logs.join('\n')).not.toMatch(/could not/);
  });
});

describe('/klaxon', () => {
  it('`silences` lists each silence: id, what it covers, until when, by whom', async () => {
    const t = await harness();
    const fp = await rootLoginAlert(t);
    await t.click({ userId: ALICE, actionId: SILENCE_ACTION_ID, fingerprint: fp, selectedOptionValue: silenceOptionValue('1h', fp) });
    const brute = await bruteForceAlert(t);
    await t.click({ userId: BOB, actionId: SILENCE_ACTION_ID, fingerprint: brute, selectedOptionValue: silenceOptionValue('7d', brute, 'rule') });
    const silences = await t.store.listSilences(Date.now());

    await t.command(ALICE, 'silences', 'list');

    const [text] = ephemeralTexts(t.slack, 'list');
    expect(text).toContain('*Silences in force* (2)');
    const alertSilence = silences.find((s) => s.fingerprint === fp);
    const ruleSilence = silences.find((s) => s.fingerprint === undefined);
    expect(text).toContain(`\`${alertSilence?.id ?? '?'}\` · alert “Root logged in over SSH on web-1 from 192.0.2.10” (rule \`ssh-root-login\`) · until <!date^${Math.floor((alertSilence?.until ?? 0) / 1000)}^`);
    expect(text).toContain(`by <@${ALICE}>`);
    expect(text).toContain(`\`${ruleSilence?.id ?? '?'}\` · whole rule \`ssh-brute-force\` · until`);
    expect(text).toContain(`by <@${BOB}>`);
  });

  it('`status` lists the open alerts with their count, last seen and state', async () => {
    const t = await harness();
    const brute = await bruteForceAlert(t);
    await t.feed(failures('203.0.113.9', 5, 2));
    await t.click({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: brute, value: brute });
    const root = await rootLoginAlert(t, 'web-1', 20);
    await t.click({ userId: BOB, actionId: SILENCE_ACTION_ID, fingerprint: root, selectedOptionValue: silenceOptionValue('4h', root) });

    await t.command(ALICE, 'status', 'status');

    const [text] = ephemeralTexts(t.slack, 'status');
    expect(text).toContain('*Open alerts* (2)');
    const lines = (text ?? '').split('\n');
    const bruteLine = lines.find((l) => l.includes('`ssh-brute-force`'));
    expect(bruteLine).toContain('SSH brute force from 203.0.113.9');
    expect(bruteLine).toContain('7 events');
    expect(bruteLine).toContain(`last seen <!date^${Date.UTC(2024, 10, 2, 10, 6) / 1000}^`);
    expect(bruteLine).toContain(`acknowledged by <@${ALICE}>`);
    const rootLine = lines.find((l) => l.includes('`ssh-root-login`'));
    expect(rootLine).toContain('1 event');
    expect(rootLine).toContain('silenced until');
  });

  it('`status` and `silences` show each user only the alerts they may act on (issue 10, item 8)', async () => {
    const t = await harness({ ruleAllowedUsers: { 'ssh-brute-force': [ALICE], 'ssh-root-login': [BOB] } });
    const brute = await bruteForceAlert(t);
    const root = await rootLoginAlert(t, 'web-1', 20);
    await t.click({ userId: ALICE, actionId: SILENCE_ACTION_ID, fingerprint: brute, selectedOptionValue: silenceOptionValue('4h', brute) });
    await t.click({ userId: BOB, actionId: SILENCE_ACTION_ID, fingerprint: root, selectedOptionValue: silenceOptionValue('4h', root) });

    await t.command(ALICE, 'status', 'alice-status');
    await t.command(BOB, 'status', 'bob-status');
    await t.command(ALICE, 'silences', 'alice-silences');

    const alice = ephemeralTexts(t.slack, 'alice-status')[0] ?? '';
    expect(alice).toContain('*Open alerts* (1)');
    expect(alice).toContain('`ssh-brute-force`');
    expect(alice).not.toContain('ssh-root-login');
    expect(alice).not.toContain('web-1');
    const bob = ephemeralTexts(t.slack, 'bob-status')[0] ?? '';
    expect(bob).toContain('*Open alerts* (1)');
    expect(bob).toContain('`ssh-root-login`');
    expect(bob).not.toContain('ssh-brute-force');
    const silences = ephemeralTexts(t.slack, 'alice-silences')[0] ?? '';
    expect(silences).toContain('*Silences in force* (1)');
    expect(silences).not.toContain('ssh-root-login');
  });

  it('`status` shows a hostile title literally: no formatting, no emoji, bidi made visible (issue 10, item 7)', async () => {
    const t = await harness();
    const user = '*adm*_\u202Egpj.exe_:skull:';
    expect((await t.feed(`Nov  2 10:00:00 web-1 sshd[9]: Accepted password for ${user} from 203.0.113.50 port 4000 ssh2`)).posted).toBeGreaterThan(0);
    await t.command(ALICE, 'status', 'status');
    const text = ephemeralTexts(t.slack, 'status')[0] ?? '';
    expect(text).not.toContain('\u202E');
    expect(text).toContain('\\u202E');
    expect(text).not.toMatch(/(^|[^|])\*adm/);
    expect(text).toContain('<!date^00000000^{_}|*>adm<!date^00000000^{_}|*>');
    expect(text).toContain('<!date^00000000^{_}|:>skull:');
  });

  it('`status` says what waits for Slack, since when and why, while the outbox is not empty', async () => {
    const t = await harness();
    t.slack.failAlways('chat.postMessage', { status: 503 });
    expect(await t.feed(failures('203.0.113.9', 0, 5))).toMatchObject({ posted: 0, waiting: 1 });
    await t.command(ALICE, 'status', 'waiting');
    const [text] = ephemeralTexts(t.slack, 'waiting');
    expect(text).toMatch(/\*Waiting for Slack:\* 1 message since <!date\^\d+\^.*\(last error: Slack chat\.postMessage to \S+ failed: HTTP 503\)/);
  });

  it('`help` and anything else answer with the usage; nothing is empty', async () => {
    const t = await harness();
    await t.command(ALICE, 'help', 'help');
    await t.command(ALICE, 'frobnicate <!channel>', 'other');
    await t.command(ALICE, 'silences', 'none');
    await t.command(ALICE, 'status', 'quiet');

    expect(ephemeralTexts(t.slack, 'help')[0]).toContain('/klaxon unsilence ID');
    expect(ephemeralTexts(t.slack, 'other')).toEqual(ephemeralTexts(t.slack, 'help'));
    expect(ephemeralTexts(t.slack, 'none')).toEqual(['No silences in force.']);
    expect(ephemeralTexts(t.slack, 'quiet')).toEqual(['No open alerts.']);
  });

  it('escapes what a user typed before echoing it', async () => {
    const t = await harness();
    await t.command(ALICE, 'unsilence <!channel>&', 'escape');
    const [text] = ephemeralTexts(t.slack, 'escape');
    expect(text).toContain('&lt;!channel&gt;&amp;');
    expect(text).not.toContain('<!channel>');
  });
});

describe('permissions', () => {
  it('refuses someone not on KLAXON_ALLOWED_USERS: an ephemeral refusal and an audit entry, nothing else', async () => {
    const t = await harness({ allowedUsers: [ALICE] });
    const fp = await bruteForceAlert(t);
    const calls = t.slack.calls.length;

    await t.click({ userId: BOB, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: fp, value: fp, responseId: 'ack' });
    await t.click({ userId: BOB, actionId: SILENCE_ACTION_ID, fingerprint: fp, selectedOptionValue: silenceOptionValue('1h', fp), responseId: 'silence' });

    for (const id of ['ack', 'silence']) {
      const [body] = t.slack.responsesTo(id);
      expect(body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect(ephemeralTexts(t.slack, id)[0]).toMatch(/^Sorry, you are not allowed to (acknowledge|silence) alerts of rule `ssh-brute-force`/);
    }
    expect(t.slack.calls).toHaveLength(calls);
    expect((await t.group(fp)).acknowledged).toBeUndefined();
    expect(await t.store.listSilences(Date.now())).toEqual([]);
    const audit = await t.store.listAudit({ fingerprint: fp });
    expect(audit.filter((e) => e.action === 'refuse')).toEqual([
      expect.objectContaining({ actor: BOB, rule: 'ssh-brute-force', detail: 'silence: not an allowed user' }),
      expect.objectContaining({ actor: BOB, rule: 'ssh-brute-force', detail: 'acknowledge: not an allowed user' }),
    ]);
    expect(audit.filter((e) => e.action === 'acknowledge' || e.action === 'silence')).toEqual([]);

    // The allowed user can.
    await t.click({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: fp, value: fp });
    expect((await t.group(fp)).acknowledged?.by).toBe(ALICE);
  });

  it("a rule's allowed_users decide for its alerts instead of the global list", async () => {
    const t = await harness({ allowedUsers: [ALICE], ruleAllowedUsers: { 'ssh-root-login': [BOB] } });
    const root = await rootLoginAlert(t);
    const brute = await bruteForceAlert(t);

    await t.click({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: root, value: root, responseId: 'alice-root' });
    await t.click({ userId: BOB, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: root, value: root });
    await t.click({ userId: BOB, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: brute, value: brute, responseId: 'bob-brute' });
    await t.click({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: brute, value: brute });

    expect(ephemeralTexts(t.slack, 'alice-root')[0]).toContain('not allowed');
    expect(ephemeralTexts(t.slack, 'bob-brute')[0]).toContain('not allowed');
    expect((await t.group(root)).acknowledged?.by).toBe(BOB);
    expect((await t.group(brute)).acknowledged?.by).toBe(ALICE);
  });

  it('`/klaxon unsilence` is checked like the button; reading commands are limited to allowed users', async () => {
    const t = await harness({ allowedUsers: [ALICE] });
    const fp = await rootLoginAlert(t);
    await t.click({ userId: ALICE, actionId: SILENCE_ACTION_ID, fingerprint: fp, selectedOptionValue: silenceOptionValue('1h', fp) });
    const [silence] = await t.store.listSilences(Date.now());

    await t.command(BOB, `unsilence ${silence?.id ?? ''}`, 'unsilence');
    await t.command(BOB, 'status', 'status');

    expect(ephemeralTexts(t.slack, 'unsilence')[0]).toContain('not allowed to unsilence');
    expect(ephemeralTexts(t.slack, 'status')[0]).toContain('only for the people allowed');
    expect(await t.store.listSilences(Date.now())).toHaveLength(1);
    expect((await t.store.listAudit()).filter((e) => e.action === 'refuse' && e.actor === BOB)).toHaveLength(2);
  });
});

describe('hostile requests to the local HTTP server (issue 10)', () => {
  it.each([
    ['a signed payload=null', 'payload=null', 'application/x-www-form-urlencoded'],
    ['a signed JSON null body', 'null', 'application/json'],
    ['a signed JSON array', '[1,2]', 'application/json'],
    ['a signed payload that is not JSON', 'payload=%7Bnot-json', 'application/x-www-form-urlencoded'],
    ['a signed JSON string', '"ssl_check"', 'application/json'],
  ])('%s gets a 4xx and the server keeps serving', async (_name, raw, contentType) => {
    const t = await harness();
    const { headers } = signedRequest(SIGNING_SECRET, raw);
    const answer = await t.post(raw, { ...headers, 'Content-Type': contentType });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect((await fetch(`${t.origin}${HEALTH_PATH}`)).status).toBe(200);
  });

  it.each([
    ['one hour ahead', 3600],
    ['one year ahead', 365 * 24 * 3600],
    ['six minutes ahead', 6 * 60],
  ])('a correctly signed request timestamped %s is refused with 401, and changes nothing', async (_name, ahead) => {
    const t = await harness();
    const fp = await bruteForceAlert(t);
    const { channel, ts } = await t.messageOf(fp);
    const raw = blockActionsBody(
      blockActionsPayload({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, blockId: `klaxon_actions:${fp}`, channelId: channel, messageTs: ts, responseUrl: t.slack.responseUrl('x'), value: fp }),
    );
    const future = Math.floor(Date.now() / 1000) + ahead;
    expect((await t.post(raw, { ...signedRequest(SIGNING_SECRET, raw, { timestamp: future }).headers })).status).toBe(401);
    expect((await t.group(fp)).acknowledged).toBeUndefined();
  });

  it('a captured Acknowledge replayed within the window changes nothing the second time', async () => {
    const t = await harness();
    const fp = await bruteForceAlert(t);
    const { channel, ts } = await t.messageOf(fp);
    const ack = blockActionsBody(
      blockActionsPayload({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, blockId: `klaxon_actions:${fp}`, channelId: channel, messageTs: ts, responseUrl: t.slack.responseUrl('x'), value: fp, actionTs: '1764000000.000001' }),
    );
    const unack = blockActionsBody(
      blockActionsPayload({ userId: ALICE, actionId: UNACKNOWLEDGE_ACTION_ID, blockId: `klaxon_actions:${fp}`, channelId: channel, messageTs: ts, responseUrl: t.slack.responseUrl('y'), value: fp, actionTs: '1764000000.000002' }),
    );
    const captured = signedRequest(SIGNING_SECRET, ack);
    expect((await t.post(ack, { ...captured.headers })).status).toBe(200);
    expect((await t.post(unack, { ...signedRequest(SIGNING_SECRET, unack).headers })).status).toBe(200);
    expect((await t.group(fp)).acknowledged).toBeUndefined();
    // The attacker replays the captured Acknowledge: it must not acknowledge again.
    expect((await t.post(ack, { ...captured.headers })).status).toBe(200);
    expect((await t.group(fp)).acknowledged).toBeUndefined();
    expect((await t.store.listAudit({ fingerprint: fp })).filter((e) => e.action === 'acknowledge')).toHaveLength(1);
  });
});

describe('request verification (Bolt HTTPReceiver)', () => {
  async function attempt(t: Harness, fp: string, sign: (raw: string) => Record<string, string>): Promise<number> {
    const { channel, ts } = await t.messageOf(fp);
    const raw = blockActionsBody(
      blockActionsPayload({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, blockId: `klaxon_actions:${fp}`, channelId: channel, messageTs: ts, responseUrl: t.slack.responseUrl('x'), value: fp }),
    );
    return (await t.post(raw, sign(raw))).status;
  }

  it('answers 401 to a forged signature, missing headers or a stale timestamp, and changes nothing', async () => {
    const t = await harness();
    const fp = await bruteForceAlert(t);
    const calls = t.slack.calls.length;
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

    expect(await attempt(t, fp, (raw) => ({ ...signedRequest('not-the-secret', raw).headers }))).toBe(401);
    expect(await attempt(t, fp, () => form)).toBe(401);
    expect(await attempt(t, fp, (raw) => ({ ...form, 'X-Slack-Request-Timestamp': signedRequest(SIGNING_SECRET, raw).headers['X-Slack-Request-Timestamp'] }))).toBe(401);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    expect(await attempt(t, fp, (raw) => ({ ...signedRequest(SIGNING_SECRET, raw, { timestamp: sixMinutesAgo }).headers }))).toBe(401);
    // A body changed after signing.
    expect(await attempt(t, fp, (raw) => ({ ...signedRequest(SIGNING_SECRET, raw.replace(ALICE, BOB)).headers }))).toBe(401);

    expect(t.slack.calls).toHaveLength(calls);
    expect(t.slack.responses).toHaveLength(0);
    expect((await t.group(fp)).acknowledged).toBeUndefined();
    expect(await t.store.listAudit({ fingerprint: fp })).toEqual([]);

    // The same request, properly signed, goes through.
    expect(await attempt(t, fp, (raw) => ({ ...signedRequest(SIGNING_SECRET, raw).headers }))).toBe(200);
    expect((await t.group(fp)).acknowledged?.by).toBe(ALICE);
  });

  it('start() fails with Slack\'s error when the bot token is refused, and stop() is then harmless', async () => {
    const t = await harness();
    const server = createInteractionApp({ botToken: 'xoxb-invalid', signingSecret: SIGNING_SECRET, apiUrl: t.slack.url, port: 0, host: '127.0.0.1', deps: t.deps, logger: collectingLogger(t.logs) });
    await expect(server.start()).rejects.toThrow('Slack auth.test failed: invalid_auth');
    await expect(server.stop()).resolves.toBeUndefined();
    expect(() => createInteractionApp({ botToken: BOT_TOKEN, deps: t.deps })).toThrow('SLACK_SIGNING_SECRET is missing');
  });

  it('serves GET /healthz without a signature', async () => {
    const t = await harness();
    const response = await fetch(`${t.origin}${HEALTH_PATH}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });
});

describe('failures', () => {
  it('a Slack failure while updating is logged and told to the user; the app keeps serving', async () => {
    const t = await harness();
    const fp = await bruteForceAlert(t);
    // Refused in full and in the minimal rendering: the message is parked, and the person told.
    t.slack.failNext('chat.update', { error: 'message_not_found' }, 2);

    expect((await t.click({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: fp, value: fp, responseId: 'broken' })).status).toBe(200);

    expect(ephemeralTexts(t.slack, 'broken')).toEqual([expect.stringMatching(/^Klaxon could not update the alert's Slack message \(the acknowledge itself is recorded\): .*message_not_found/)]);
    expect(t.logs.some((l) => l.includes('could not update') && l.includes(ALICE))).toBe(true);
    expect((await t.group(fp)).acknowledged?.by).toBe(ALICE);

    // A second click brings the message up to date.
    await t.click({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, fingerprint: fp, value: fp, responseId: 'retry' });
    expect(JSON.stringify(lastUpdate(t).body.blocks)).toContain(`Acknowledged by <@${ALICE}>`);
  });
});

describe('createLambdaInteractionApp', () => {
  it('serves the same handlers on AwsLambdaReceiver, signed requests only', async () => {
    const t = await harness();
    const fp = await bruteForceAlert(t);
    const { channel, ts } = await t.messageOf(fp);
    const { handler } = createLambdaInteractionApp({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: t.slack.url, deps: t.deps, logger: collectingLogger(t.logs) });
    const raw = blockActionsBody(
      blockActionsPayload({ userId: ALICE, actionId: ACKNOWLEDGE_ACTION_ID, blockId: `klaxon_actions:${fp}`, channelId: channel, messageTs: ts, responseUrl: t.slack.responseUrl('lambda'), value: fp }),
    );

    expect(await handler(apiGatewayEvent(signedRequest('not-the-secret', raw)), {})).toMatchObject({ statusCode: 401 });
    expect((await t.group(fp)).acknowledged).toBeUndefined();

    expect(await handler(apiGatewayEvent(signedRequest(SIGNING_SECRET, raw)), {})).toMatchObject({ statusCode: 200 });
    // Everything happened before the handler returned.
    expect((await t.group(fp)).acknowledged?.by).toBe(ALICE);
    expect(threadReplies(t.slack, ts)).toEqual([`✅ Acknowledged by <@${ALICE}>`]);
  });
});
