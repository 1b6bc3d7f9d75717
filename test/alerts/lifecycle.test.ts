import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeGroupData } from '../../src/alerts/group-data';
import { AlertLifecycle, INPUT_KEY_RETENTION_MS } from '../../src/alerts/lifecycle';
import { mutateGroup } from '../../src/alerts/mutate-group';
import { alertsForText } from '../../src/engine/run';
import type { KlaxonEvent } from '../../src/events/event';
import { loadRuleText } from '../../src/rules/load';
import type { CompiledRule } from '../../src/rules/types';
import { DEFAULT_ROUTES } from '../../src/sources/routing';
import { SqliteStore } from '../../src/store/sqlite';
import { appliedMarker, KEPT_DIGESTS } from '../../src/alerts/applied-inputs';
import { RecordingNotifier } from '../helpers/recording-notifier';

const NOW = Date.parse('2024-11-02T12:00:00Z');

function rule(yaml: string): CompiledRule {
  const { rule, problems } = loadRuleText(yaml, 'test.yml');
  if (rule === undefined) throw new Error(problems.map((p) => p.message).join('\n'));
  return rule;
}

const BRUTE_FORCE = rule(`
id: brute
title: "Brute force from {{source.address}}"
source: ssh
severity: high
match: { event.action: ssh_login, event.outcome: failure }
threshold: { count: 5, window: 10m }
group_by: [source.address]
realert: 1h
`);

/** `n` failed logins from `ip`, one a second from `start` (HH:MM:SS on Nov 2 2024). */
function failures(ip: string, n: number, start = '10:00:00', port = 40000): string {
  const [h, m, s] = start.split(':').map(Number) as [number, number, number];
  const base = Date.UTC(2024, 10, 2, h, m, s);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = new Date(base + i * 1000);
    const stamp = `Nov  2 ${t.toISOString().slice(11, 19)}`;
    lines.push(`${stamp} bastion sshd[${100 + i}]: Failed password for root from ${ip} port ${port + i} ssh2`);
  }
  return `${lines.join('\n')}\n`;
}

/** Records the marker keys the store is asked to write and to look up. */
function spyOnMarkers(store: SqliteStore): { marked: string[]; looked: string[] } {
  const marked: string[] = [];
  const looked: string[] = [];
  const mark = store.markInputsProcessed.bind(store);
  const find = store.findProcessedInputs.bind(store);
  store.markInputsProcessed = async (keys, expiresAt) => {
    marked.push(...keys);
    return mark(keys, expiresAt);
  };
  store.findProcessedInputs = async (keys, at) => {
    looked.push(...keys);
    return find(keys, at);
  };
  return { marked, looked };
}

/** The counts of a group's messages as stored. */
async function storedCounts(store: SqliteStore, fingerprint: string): Promise<number[]> {
  const [group] = (await store.getGroups([fingerprint])).values();
  return decodeGroupData(fingerprint, group?.data ?? {}).messages.map((m) => m.alert.count);
}

async function events(text: string): Promise<KlaxonEvent[]> {
  return (await alertsForText(text, [], { source: 'ssh', year: 2024, now: NOW, routes: DEFAULT_ROUTES })).events;
}

describe('AlertLifecycle', () => {
  let dir: string;
  let store: SqliteStore;
  let notifier: RecordingNotifier;
  let now: number;

  const lifecycle = (id = 'test-1', rules: CompiledRule[] = [BRUTE_FORCE]) =>
    new AlertLifecycle({ store, rules, notifier, defaultChannel: 'alerts', invocationId: id, now: () => now });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'klaxon-lifecycle-'));
    store = SqliteStore.open(join(dir, 'state.db'));
    notifier = new RecordingNotifier();
    now = Date.now();
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts a threshold across batches: 3 failures in one and 2 in the next make 5', async () => {
    const all = await events(failures('203.0.113.9', 5));
    const first = await lifecycle().processBatch(all.slice(0, 3));
    expect(first.posted).toBe(0);
    const second = await lifecycle().processBatch(all.slice(3));
    expect(second.posted).toBe(1);
    expect(notifier.posts).toHaveLength(1);
    expect(notifier.posts[0]?.view.alert.count).toBe(5);
    expect(notifier.posts[0]?.channel).toBe('alerts');
  });

  it('updates the posted message for later matches, at most once per batch', async () => {
    await lifecycle().processBatch(await events(failures('203.0.113.9', 5)));
    now += 60_000;
    const report = await lifecycle().processBatch(await events(failures('203.0.113.9', 20, '10:05:00')));
    expect(report).toMatchObject({ posted: 0, updated: 1 });
    expect(notifier.updates).toHaveLength(1);
    expect(notifier.updates[0]).toMatchObject({ channel: 'C-alerts', ts: notifier.posts[0]?.ts });
    expect(notifier.updates[0]?.view.alert.count).toBe(25);
  });

  it('posts nothing twice when the same batch is delivered again', async () => {
    const batch = await events(failures('203.0.113.9', 7));
    await lifecycle().processBatch(batch);
    const retry = await lifecycle().processBatch(batch);
    expect(retry).toMatchObject({ duplicates: 7, posted: 0, updated: 0 });
    expect(notifier.posts).toHaveLength(1);
    expect(notifier.posts[0]?.view.alert.count).toBe(7);
  });

  it('writes and reads no marker for a group whose record lists every event applied to it; read again, a batch changes nothing', async () => {
    const unmatched = 'Nov  2 10:00:00 web-1 sshd[1]: Server listening on 0.0.0.0 port 22.\nNov  2 10:00:01 web-1 CRON[2]: (root) CMD (true)\n';
    const batch = await events(unmatched + failures('203.0.113.9', 5));
    const { marked, looked } = spyOnMarkers(store);
    expect(await lifecycle().processBatch(batch)).toMatchObject({ events: 7, matched: 5, duplicates: 0, posted: 1 });
    expect(await lifecycle().processBatch(batch)).toMatchObject({ events: 7, duplicates: 5, matched: 0, posted: 0, updated: 0 });
    expect(marked).toEqual([]);
    expect(looked).toEqual([]);
    expect(notifier.posts).toHaveLength(1);
    expect(notifier.posts[0]?.view.alert.count).toBe(5);
  });

  it(`spills a group's oldest digests to markers past ${KEPT_DIGESTS}, marking them before the write that drops them: a retry of an early batch counts nothing twice`, async () => {
    const early = await events(failures('203.0.113.9', 150));
    const late = await events(failures('203.0.113.9', 100, '10:02:30', 41000));
    const { marked, looked } = spyOnMarkers(store);
    await lifecycle().processBatch(early);
    expect(marked).toEqual([]);
    await lifecycle().processBatch(late);
    // 250 would be kept: the 150 earlier ones leave the record, proven by markers from now on.
    expect(marked).toHaveLength(150);
    const [group] = (await store.getGroups([notifier.posts[0]?.view.alert.fingerprint ?? ''])).values();
    const data = decodeGroupData(group?.fingerprint ?? '', group?.data ?? {});
    expect(data.applying).toHaveLength(100);
    expect(data.kept).toEqual({ first: data.applying?.[0], spilledAt: now });

    expect(await lifecycle().processBatch(early)).toMatchObject({ duplicates: 150, matched: 0 });
    expect(looked).toHaveLength(150);
    expect(await lifecycle().processBatch(late)).toMatchObject({ duplicates: 100, matched: 0 });
    expect(await storedCounts(store, group?.fingerprint ?? '')).toEqual([250]);
    // Markers expire after their retention: a group that spilled longer ago than that needs none read.
    now += INPUT_KEY_RETENTION_MS;
    looked.length = 0;
    await lifecycle().processBatch(await events(failures('203.0.113.9', 1, '10:30:00', 42000)));
    expect(looked).toEqual([]);
  });

  it('reads the markers of a group last written by a Klaxon that dropped digests after marking them (no kept log)', async () => {
    const batch = await events(failures('203.0.113.9', 5));
    await lifecycle().processBatch(batch);
    const fingerprint = notifier.posts[0]?.view.alert.fingerprint ?? '';
    // What the earlier protocol left: the digests marked, then dropped from the record by a later write.
    const written = await mutateGroup(store, fingerprint, (data) => {
      void store.markInputsProcessed((data.applying ?? []).map(appliedMarker), now + INPUT_KEY_RETENTION_MS);
      data.applying = [];
      delete data.kept;
      return true;
    });
    expect(written).toBeDefined();
    expect(await lifecycle().processBatch(batch)).toMatchObject({ duplicates: 5, matched: 0, posted: 0, updated: 0 });
    expect(await storedCounts(store, fingerprint)).toEqual([5]);
  });

  it('claims a new alert in the write that opens it: one more group write, to record the post', async () => {
    const writes: number[] = [];
    const putGroup = store.putGroup.bind(store);
    store.putGroup = async (record, expected) => {
      writes.push(expected ?? 0);
      return putGroup(record, expected);
    };
    expect(await lifecycle().processBatch(await events(failures('203.0.113.9', 5)))).toMatchObject({ posted: 1 });
    // The commit (creating the group), then the write that records the post's ts.
    expect(writes).toEqual([0, 1]);
    const [group] = (await store.getGroups([notifier.posts[0]?.view.alert.fingerprint ?? ''])).values();
    const [message] = decodeGroupData(group?.fingerprint ?? '', group?.data ?? {}).messages;
    expect(message).toMatchObject({ ts: notifier.posts[0]?.ts });
    expect(message?.claim).toBeUndefined();
    expect(message?.due).toBeUndefined();
  });

  it('a crash between the write that claims a new alert and its post: the claim lapses, the next delivery looks in Slack first, and posts once', async () => {
    const batch = await events(failures('203.0.113.9', 5));
    const putGroup = store.putGroup.bind(store);
    // The group write lands, then the process dies: nothing reaches Slack.
    const dying = Object.assign(Object.create(store) as SqliteStore, {
      putGroup: async (record: Parameters<SqliteStore['putGroup']>[0], expected: number | undefined) => {
        await putGroup(record, expected);
        throw new Error('killed');
      },
    });
    const first = new AlertLifecycle({ store: dying, rules: [BRUTE_FORCE], notifier, defaultChannel: 'alerts', invocationId: 'dying', now: () => now });
    await expect(first.processBatch(batch)).rejects.toThrow('killed');
    expect(notifier.posts).toHaveLength(0);

    // Within the claim, a retry leaves the message alone: its claimer may still be posting.
    now += 10_000;
    expect(await lifecycle('retry').processBatch(batch)).toMatchObject({ duplicates: 5, posted: 0, waiting: 1 });
    now += 60_000;
    expect(await lifecycle('drain').drain()).toMatchObject({ posted: 1, waiting: 0 });
    expect(notifier.lookups).toBe(1);
    expect(await lifecycle('drain').drain()).toMatchObject({ groups: 0, posted: 0 });
    expect(notifier.posts).toHaveLength(1);
    expect(notifier.posts[0]?.view.alert.count).toBe(5);
  });

  it('reads no group again after its write when nothing is due (an update held back by the update interval)', async () => {
    await lifecycle().processBatch(await events(failures('203.0.113.9', 5)));
    const reads: string[] = [];
    const getGroup = store.getGroup.bind(store);
    store.getGroup = async (fingerprint) => {
      reads.push(fingerprint);
      return getGroup(fingerprint);
    };
    now += 5_000;
    expect(await lifecycle().processBatch(await events(failures('203.0.113.9', 3, '10:00:10')))).toMatchObject({ posted: 0, updated: 0 });
    expect(reads).toEqual([]);
  });

  it('counts distinct values across batches and their retries exactly (threshold.distinct kept in the group state)', async () => {
    const spray = rule(`
id: spray
title: "Spray from {{source.address}}"
source: ssh
severity: high
match: { event.action: ssh_login, event.outcome: failure }
threshold: { count: 3, window: 10m, distinct: user.name }
group_by: [source.address]
realert: 1h
`);
    const attempt = (user: string, second: number) => `Nov  2 10:00:${String(second).padStart(2, '0')} web-1 sshd[1]: Failed password for invalid user ${user} from 203.0.113.9 port 4000 ssh2\n`;
    const first = await events(attempt('a', 1) + attempt('b', 2) + attempt('a', 3));
    expect(await lifecycle('t1', [spray]).processBatch(first)).toMatchObject({ posted: 0 });
    expect(await lifecycle('t2', [spray]).processBatch(first)).toMatchObject({ duplicates: 3, posted: 0 });
    const second = await events(attempt('b', 10) + attempt('c', 11));
    expect(await lifecycle('t3', [spray]).processBatch(second)).toMatchObject({ posted: 1 });
    expect(notifier.posts[0]?.view.alert).toMatchObject({ rule: 'spray', count: 3 });
  });

  it('keeps identical lines apart: the same line twice in one input is two events, a retry of it none', async () => {
    const line = failures('203.0.113.9', 1);
    const batch = await events(line.repeat(5));
    expect((await lifecycle().processBatch(batch)).posted).toBe(1);
    expect((await lifecycle().processBatch(batch)).duplicates).toBe(5);
  });

  it('opens a new message after the realert window, saying what came in between', async () => {
    await lifecycle().processBatch(await events(failures('203.0.113.9', 5)));
    const quiet = await events(failures('203.0.113.9', 2, '10:30:00', 41000));
    await lifecycle().processBatch(quiet);
    await lifecycle().processBatch(await events(failures('203.0.113.9', 5, '11:30:00', 42000)));
    expect(notifier.posts).toHaveLength(2);
    const second = notifier.posts[1]?.view.alert;
    expect(second?.count).toBe(5);
    expect(second?.previous?.between).toBe(0);
    expect(second?.sequence).toBe(2);
  });

  it('posts one message when two invocations race on one new alert', async () => {
    const a = await events(failures('203.0.113.9', 5, '10:00:00', 40000));
    const b = await events(failures('203.0.113.9', 5, '10:00:10', 50000));
    const reports = await Promise.all([lifecycle('one').processBatch(a), lifecycle('two').processBatch(b)]);
    expect(notifier.posts).toHaveLength(1);
    const record = await store.getGroup(notifier.posts[0]?.view.alert.fingerprint ?? '');
    const data = decodeGroupData('fp', record?.data ?? {});
    expect(data.messages.at(-1)?.alert.count).toBe(10);
    expect(reports.reduce((n, r) => n + r.posted, 0)).toBe(1);
  });

  it('keeps an alert it could not deliver waiting in the outbox, and a retry after the backoff posts it exactly once', async () => {
    const batch = await events(failures('203.0.113.9', 5));
    notifier.failing = true;
    expect(await lifecycle().processBatch(batch)).toMatchObject({ posted: 0, waiting: 1 });
    expect((await store.listPendingGroups(now)).map((g) => g.rule)).toEqual(['brute']);
    // The first retry may come at once; it fails too, and the next waits for the backoff.
    expect(await lifecycle().processBatch(batch)).toMatchObject({ posted: 0, waiting: 1 });
    notifier.failing = false;
    expect(await lifecycle().processBatch(batch)).toMatchObject({ posted: 0, waiting: 1 });
    now += 5_000;
    const retry = await lifecycle().processBatch(batch);
    expect(retry).toMatchObject({ duplicates: 5, posted: 1 });
    expect(notifier.posts).toHaveLength(1);
    expect((await lifecycle().processBatch(batch)).posted).toBe(0);
    expect(await store.listPendingGroups(now)).toEqual([]);
  });

  it('counts but does not post while silenced, and reports the suppressed count once the silence is lifted', async () => {
    await store.putSilence({ id: 'S1', rule: 'brute', createdAt: now, until: now + 3_600_000, createdBy: 'U1' });
    const silenced = await lifecycle().processBatch(await events(failures('203.0.113.9', 6)));
    expect(silenced).toMatchObject({ posted: 0, suppressed: 6 });
    expect(notifier.posts).toHaveLength(0);
    await store.deleteSilence('S1');
    await lifecycle().processBatch(await events(failures('203.0.113.9', 5, '11:30:00', 42000)));
    expect(notifier.posts).toHaveLength(1);
    expect(notifier.posts[0]?.view.status.suppressed).toBe(6);
  });

  it('posts a silenced alert that is still matching once its silence has ended', async () => {
    await store.putSilence({ id: 'S1', rule: 'brute', fingerprint: undefined, createdAt: now, until: now + 1000, createdBy: 'U1' });
    await lifecycle().processBatch(await events(failures('203.0.113.9', 5)));
    now += 2000;
    await lifecycle().processBatch(await events(failures('203.0.113.9', 2, '10:05:00', 43000)));
    expect(notifier.posts).toHaveLength(1);
    expect(notifier.posts[0]?.view.alert.count).toBe(7);
    expect(notifier.posts[0]?.view.status.suppressed).toBe(7);
  });

  it('stops re-notifying an acknowledged alert while it keeps going, and updates its count instead', async () => {
    await lifecycle().processBatch(await events(failures('203.0.113.9', 5)));
    const fingerprint = notifier.posts[0]?.view.alert.fingerprint ?? '';
    await mutateGroup(store, fingerprint, (data) => {
      data.acknowledged = { by: 'U1', at: now };
      return true;
    });
    // Activity continues every 20 minutes past the 1 h realert window.
    for (const start of ['10:20:00', '10:40:00', '11:00:00', '11:20:00']) {
      now += 60_000;
      await lifecycle().processBatch(await events(failures('203.0.113.9', 5, start, 40000 + Number(start.slice(3, 5)) * 100)));
    }
    expect(notifier.posts).toHaveLength(1);
    const last = notifier.updates.at(-1)?.view;
    expect(last?.alert.count).toBe(25);
    expect(last?.status.acknowledged?.by).toBe('U1');
  });
});
