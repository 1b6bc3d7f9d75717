import type { AuditEntry, GroupRecord, JsonObject, Silence, StateStore } from '../../src/store/types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type NewGroup = Omit<GroupRecord, 'version'>;

/** A group record that lives for a day (from the wall clock, which the stores' reads use). */
function group(fingerprint: string, fields: Partial<NewGroup> = {}): NewGroup {
  return { fingerprint, rule: 'ssh-brute-force', expiresAt: Date.now() + DAY, data: { count: 1 }, ...fields };
}

function silence(id: string, until: number, fields: Partial<Silence> = {}): Silence {
  return { id, rule: 'ssh-brute-force', createdAt: Date.now(), until, createdBy: 'U123', ...fields };
}

function range(n: number, name: (i: number) => string): string[] {
  return Array.from({ length: n }, (_, i) => name(i));
}

/** Nested JSON with everything a careless encoding gets wrong. */
const AWKWARD_DATA: JsonObject = {
  text: 'Überwachung 🚨 — 日本語 עברית e\u0301',
  empty: '',
  emptyArray: [],
  emptyObject: {},
  emptyStrings: ['', { '': '' }],
  nested: { list: [1, 2.5, -3, 0, { none: null, flags: [true, false] }], deep: { deeper: { deepest: 'x' } } },
  big: Number.MAX_SAFE_INTEGER,
  small: -0.000001,
  'key with spaces . dots #hash': 'v',
  '': 'empty key',
  escapes: 'quote " backslash \\ newline \n tab \t nul \u0000',
  slackTs: '1700000000.000100',
};

/**
 * The behaviour every StateStore must have, as jest tests. Each test gets a fresh, empty
 * store from `makeStore`; the store is closed after the test, then `cleanup` runs.
 */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<StateStore>,
  cleanup?: (store: StateStore) => Promise<void> | void,
): void {
  describe(`${name}: StateStore contract`, () => {
    let store: StateStore;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
      await cleanup?.(store);
    });

    describe('groups', () => {
      it('finds nothing in an empty store', async () => {
        expect(await store.getGroup('r:1')).toBeUndefined();
        expect(await store.getGroups(['r:1', 'r:2'])).toEqual(new Map());
        expect(await store.getGroups([])).toEqual(new Map());
      });

      it('creates a group at version 1 and reads it back', async () => {
        const record = group('r:1', { activeUntil: Date.now() + HOUR, data: { count: 3, ts: '1.2' } });
        const written = await store.putGroup(record, undefined);
        expect(written).toEqual({ ...record, version: 1 });
        expect(await store.getGroup('r:1')).toEqual(written);
        expect(await store.getGroups(['r:1'])).toEqual(new Map([['r:1', written]]));
      });

      it('updates with the version read, one version up each time', async () => {
        await store.putGroup(group('r:1'), undefined);
        const second = await store.putGroup(group('r:1', { data: { count: 2 } }), 1);
        expect(second).toMatchObject({ version: 2, data: { count: 2 } });
        const third = await store.putGroup(group('r:1', { rule: 'other', data: { count: 3 } }), 2);
        expect(third).toMatchObject({ version: 3, rule: 'other', data: { count: 3 } });
        expect(await store.getGroup('r:1')).toEqual(third);
      });

      it('replaces the whole record: an update without activeUntil clears it', async () => {
        const active = await store.putGroup(group('r:1', { activeUntil: Date.now() + HOUR }), undefined);
        expect(active?.activeUntil).toBeDefined();
        const update = group('r:1', { data: { closed: true } });
        await store.putGroup(update, 1);
        const read = await store.getGroup('r:1');
        expect(read).toEqual({ ...update, version: 2 });
        expect(read).not.toHaveProperty('activeUntil');
        expect(await store.listActiveGroups(Date.now())).toEqual([]);
      });

      it('refuses to create a group that already exists, writing nothing', async () => {
        const first = await store.putGroup(group('r:1', { data: { writer: 'a' } }), undefined);
        expect(await store.putGroup(group('r:1', { data: { writer: 'b' } }), undefined)).toBeUndefined();
        expect(await store.getGroup('r:1')).toEqual(first);
      });

      it('refuses to update a group that does not exist, writing nothing', async () => {
        expect(await store.putGroup(group('r:1'), 1)).toBeUndefined();
        expect(await store.getGroup('r:1')).toBeUndefined();
      });

      it('of two writers that read version N, only the first to write succeeds', async () => {
        await store.putGroup(group('r:1'), undefined);
        await store.putGroup(group('r:1', { data: { count: 2 } }), 1);
        const readByA = await store.getGroup('r:1');
        const readByB = await store.getGroup('r:1');
        expect(readByA?.version).toBe(2);
        expect(readByB?.version).toBe(2);

        const a = await store.putGroup(group('r:1', { data: { writer: 'a' } }), 2);
        const b = await store.putGroup(group('r:1', { data: { writer: 'b' } }), 2);
        expect(a).toMatchObject({ version: 3, data: { writer: 'a' } });
        expect(b).toBeUndefined();
        expect(await store.getGroup('r:1')).toEqual(a);

        // B reads again and retries on the new version.
        const retried = await store.putGroup(group('r:1', { data: { writer: 'b' } }), 3);
        expect(retried).toMatchObject({ version: 4, data: { writer: 'b' } });
      });

      it('refuses a version other than the stored one, older or newer', async () => {
        await store.putGroup(group('r:1'), undefined);
        await store.putGroup(group('r:1'), 1);
        expect(await store.putGroup(group('r:1', { data: { stale: true } }), 1)).toBeUndefined();
        expect(await store.putGroup(group('r:1', { data: { future: true } }), 3)).toBeUndefined();
        expect(await store.getGroup('r:1')).toMatchObject({ version: 2, data: { count: 1 } });
      });

      it('of 10 concurrent writers on the same version, exactly one wins', async () => {
        await store.putGroup(group('r:1'), undefined);
        const results = await Promise.all(range(10, (i) => `w${i}`).map((writer) => store.putGroup(group('r:1', { data: { writer } }), 1)));
        const winners = results.filter((r): r is GroupRecord => r !== undefined);
        expect(winners).toHaveLength(1);
        expect(winners[0]?.version).toBe(2);
        expect(await store.getGroup('r:1')).toEqual(winners[0]);
      });

      it('of 10 concurrent creators, exactly one wins', async () => {
        const results = await Promise.all(range(10, (i) => `w${i}`).map((writer) => store.putGroup(group('r:1', { data: { writer } }), undefined)));
        const winners = results.filter((r): r is GroupRecord => r !== undefined);
        expect(winners).toHaveLength(1);
        expect(await store.getGroup('r:1')).toEqual(winners[0]);
      });

      it('treats an expired group as absent: not read, not listed, created anew, not updated', async () => {
        const expiresAt = Date.now() - 1000;
        await store.putGroup(group('r:old', { expiresAt, activeUntil: Date.now() + HOUR }), undefined);
        expect(await store.getGroup('r:old')).toBeUndefined();
        expect(await store.getGroups(['r:old'])).toEqual(new Map());
        expect(await store.listActiveGroups(Date.now())).toEqual([]);
        expect(await store.putGroup(group('r:old', { expiresAt }), 1)).toBeUndefined();

        const fresh = await store.putGroup(group('r:old', { data: { fresh: true } }), undefined);
        expect(fresh).toMatchObject({ version: 1, data: { fresh: true } });
        expect(await store.getGroup('r:old')).toEqual(fresh);
      });

      it('getGroups reads more than 100 groups, ignoring duplicates and missing ones', async () => {
        const fingerprints = range(150, (i) => `r:${i}`);
        await Promise.all(fingerprints.map((fp, i) => store.putGroup(group(fp, { data: { i } }), undefined)));
        const asked = [...fingerprints, ...range(20, (i) => `missing:${i}`), ...fingerprints.slice(0, 30), 'r:7', 'r:7'].reverse();
        const found = await store.getGroups(asked);
        expect(found.size).toBe(150);
        fingerprints.forEach((fp, i) => expect(found.get(fp)).toMatchObject({ fingerprint: fp, version: 1, data: { i } }));
      });

      it('round-trips nested JSON data with unicode and empty strings', async () => {
        const fingerprint = 'rule-é:🚨 #a/b c';
        await store.putGroup(group(fingerprint, { data: AWKWARD_DATA }), undefined);
        const read = await store.getGroup(fingerprint);
        expect(read?.data).toEqual(AWKWARD_DATA);
        expect(JSON.stringify(read?.data)).toBe(JSON.stringify(AWKWARD_DATA));
        expect((await store.getGroups([fingerprint])).get(fingerprint)?.data).toEqual(AWKWARD_DATA);
      });
      it('returns from putGroup the record a read gives back, with JSON semantics', async () => {
        const data = { kept: 1, dropped: undefined, when: new Date(0), list: [undefined] };
        const written = await store.putGroup(group('r:1', { data }), undefined);
        const expected = { kept: 1, when: '1970-01-01T00:00:00.000Z', list: [null] };
        expect(written?.data).toStrictEqual(expected);
        expect((await store.getGroup('r:1'))?.data).toStrictEqual(expected);
      });
    });

    describe('listActiveGroups', () => {
      it('lists groups active after `now`, the latest-ending first', async () => {
        const now = Date.now() + HOUR;
        const writes: NewGroup[] = [
          group('r:b', { activeUntil: now + 1000 }),
          group('r:a', { activeUntil: now + 3000, data: { nested: { ok: [''] } } }),
          group('r:c', { activeUntil: now + 2000 }),
          group('r:none'),
          group('r:ends-now', { activeUntil: now }),
          group('r:ended', { activeUntil: now - 1 }),
          group('r:expired-by-now', { activeUntil: now + 5000, expiresAt: now }),
        ];
        for (const record of writes) await store.putGroup(record, undefined);
        const active = await store.listActiveGroups(now);
        expect(active.map((g) => g.fingerprint)).toEqual(['r:a', 'r:c', 'r:b']);
        expect(active[0]).toEqual({ ...writes[1], version: 1 });
      });

      it('is empty with no active groups', async () => {
        await store.putGroup(group('r:1'), undefined);
        expect(await store.listActiveGroups(Date.now())).toEqual([]);
      });

      it('lists groups as of their latest version', async () => {
        const now = Date.now();
        await store.putGroup(group('r:1', { activeUntil: now + 1000 }), undefined);
        await store.putGroup(group('r:2', { activeUntil: now + 2000 }), undefined);
        await store.putGroup(group('r:1', { activeUntil: now + 3000, data: { v: 2 } }), 1);
        const active = await store.listActiveGroups(now);
        expect(active.map((g) => [g.fingerprint, g.version])).toEqual([
          ['r:1', 2],
          ['r:2', 1],
        ]);
      });

      it('lists every group when they take more than one page (1 MB) to read', async () => {
        const now = Date.now();
        const padding = 'x'.repeat(100_000);
        const fingerprints = range(14, (i) => `r:${String(i).padStart(2, '0')}`);
        for (const [i, fp] of fingerprints.entries()) await store.putGroup(group(fp, { activeUntil: now + 1000 + i, data: { padding } }), undefined);
        const active = await store.listActiveGroups(now);
        expect(active.map((g) => g.fingerprint)).toEqual([...fingerprints].reverse());
        expect(active.every((g) => g.data.padding === padding)).toBe(true);
      });
    });

    describe('listPendingGroups (the outbox)', () => {
      it('lists groups with pendingSince, longest waiting first, up to a limit; a write without it takes the group out', async () => {
        const now = Date.now();
        await store.putGroup(group('r:late', { pendingSince: now - 1_000 }), undefined);
        await store.putGroup(group('r:early', { pendingSince: now - 60_000 }), undefined);
        await store.putGroup(group('r:done'), undefined);
        expect((await store.listPendingGroups(now)).map((g) => [g.fingerprint, g.pendingSince])).toEqual([
          ['r:early', now - 60_000],
          ['r:late', now - 1_000],
        ]);
        expect((await store.listPendingGroups(now, 1)).map((g) => g.fingerprint)).toEqual(['r:early']);
        await store.putGroup(group('r:early'), 1);
        expect((await store.listPendingGroups(now)).map((g) => g.fingerprint)).toEqual(['r:late']);
      });

      it('does not list an expired group', async () => {
        await store.putGroup(group('r:gone', { pendingSince: Date.now() - 5_000, expiresAt: Date.now() - 1 }), undefined);
        expect(await store.listPendingGroups(Date.now())).toEqual([]);
      });
    });

    describe('silences', () => {
      it('lists silences in force at `now`, ending soonest first, with their optional fields', async () => {
        const now = Date.now() + HOUR;
        const whole = silence('s-whole', now + 3000, { reason: 'maintenance — ünicode' });
        const one = silence('s-one', now + 1000, { fingerprint: 'ssh-brute-force:abc' });
        const bare = silence('s-bare', now + 2000, { rule: 'waf-block-burst', createdBy: 'cli' });
        for (const s of [whole, one, bare, silence('s-ends-now', now), silence('s-ended', now - 1)]) await store.putSilence(s);
        const listed = await store.listSilences(now);
        expect(listed).toEqual([one, bare, whole]);
        expect(listed[1]).not.toHaveProperty('fingerprint');
        expect(listed[1]).not.toHaveProperty('reason');
        expect(await store.listSilences(now + 3000)).toEqual([]);
      });

      it('replaces a silence put again under the same id', async () => {
        const until = Date.now() + HOUR;
        await store.putSilence(silence('s1', until, { reason: 'first' }));
        const replacement = silence('s1', until + HOUR, { rule: 'other' });
        await store.putSilence(replacement);
        expect(await store.listSilences(Date.now())).toEqual([replacement]);
      });

      it('deleteSilence returns the silence it removed, once', async () => {
        const s = silence('s1', Date.now() + HOUR, { fingerprint: 'r:1', reason: 'why' });
        await store.putSilence(s);
        await store.putSilence(silence('s2', Date.now() + HOUR));
        expect(await store.deleteSilence('s1')).toEqual(s);
        expect((await store.listSilences(Date.now())).map((x) => x.id)).toEqual(['s2']);
        expect(await store.deleteSilence('s1')).toBeUndefined();
      });

      it('deleteSilence of a missing id returns undefined and changes nothing', async () => {
        await store.putSilence(silence('s1', Date.now() + HOUR));
        expect(await store.deleteSilence('nope')).toBeUndefined();
        expect(await store.listSilences(Date.now())).toHaveLength(1);
      });

      it('deleteSilence of a silence that has already ended returns undefined', async () => {
        await store.putSilence(silence('s-old', Date.now() - 1000));
        expect(await store.deleteSilence('s-old')).toBeUndefined();
        expect(await store.listSilences(0)).toEqual([]);
      });
    });

    describe('processed inputs', () => {
      it('finds none in an empty store, and marking none is harmless', async () => {
        expect(await store.findProcessedInputs(['a', 'b'], Date.now())).toEqual(new Set());
        expect(await store.findProcessedInputs([], Date.now())).toEqual(new Set());
        await store.markInputsProcessed([], Date.now() + HOUR);
      });

      it('finds the keys marked, until they expire at `now`', async () => {
        const expiresAt = Date.now() + HOUR;
        await store.markInputsProcessed(['a', 'b', 'shard/1:é#2'], expiresAt);
        expect(await store.findProcessedInputs(['a', 'shard/1:é#2', 'c'], Date.now())).toEqual(new Set(['a', 'shard/1:é#2']));
        expect(await store.findProcessedInputs(['a', 'b'], expiresAt - 1)).toEqual(new Set(['a', 'b']));
        expect(await store.findProcessedInputs(['a', 'b'], expiresAt)).toEqual(new Set());
      });

      it('does not return keys that have already expired', async () => {
        await store.markInputsProcessed(['old'], Date.now() - 1000);
        expect(await store.findProcessedInputs(['old'], Date.now())).toEqual(new Set());
      });

      it('marks and finds many keys (more than a batch), with duplicates', async () => {
        const marked = range(120, (i) => `in-${i}`);
        const unmarked = range(130, (i) => `other-${i}`);
        await store.markInputsProcessed([...marked, ...marked.slice(0, 40)], Date.now() + HOUR);
        const found = await store.findProcessedInputs([...unmarked, ...marked, ...marked.slice(10, 60)], Date.now());
        expect(found).toEqual(new Set(marked));
      });

      it('re-marking is harmless, and a later expiry extends the mark', async () => {
        const expiresAt = Date.now() + HOUR;
        const keys = range(30, (i) => `k${i}`);
        await store.markInputsProcessed(keys, expiresAt);
        await store.markInputsProcessed(keys, expiresAt);
        expect(await store.findProcessedInputs(keys, Date.now())).toEqual(new Set(keys));
        await store.markInputsProcessed(['k0'], expiresAt + HOUR);
        expect(await store.findProcessedInputs(keys, expiresAt)).toEqual(new Set(['k0']));
      });
    });

    describe('audit', () => {
      const base = 1_700_000_000_000;
      const entry = (at: number, fields: Partial<AuditEntry> = {}): AuditEntry => ({ at, actor: 'klaxon', action: 'post', ...fields });

      it('is empty at first', async () => {
        expect(await store.listAudit()).toEqual([]);
        expect(await store.listAudit({ fingerprint: 'r:1' })).toEqual([]);
      });

      it('lists entries newest first, whatever order they were appended in', async () => {
        const entries = [
          entry(base + 2000, { actor: 'U1', action: 'acknowledge', rule: 'r', fingerprint: 'r:1', detail: 'ts 1.2 — ü' }),
          entry(base + 1000, { rule: 'r', fingerprint: 'r:1' }),
          entry(base + 3000, { actor: 'cli', action: 'silence', rule: 'r', detail: 'S1 until …' }),
          entry(base, { action: 'refuse', detail: '' }),
        ];
        for (const e of entries) await store.appendAudit(e);
        const listed = await store.listAudit();
        expect(listed).toEqual([entries[2], entries[0], entries[1], entries[3]]);
        expect(listed[2]).not.toHaveProperty('detail');
      });

      it('lists entries appended at the same time latest first', async () => {
        for (const action of ['post', 'update', 'suppress'] as const) await store.appendAudit(entry(base, { action, fingerprint: 'r:1' }));
        expect((await store.listAudit()).map((e) => e.action)).toEqual(['suppress', 'update', 'post']);
        expect((await store.listAudit({ fingerprint: 'r:1' })).map((e) => e.action)).toEqual(['suppress', 'update', 'post']);
      });

      it('lists one group’s entries when given a fingerprint', async () => {
        await store.appendAudit(entry(base, { fingerprint: 'r:1', detail: 'first' }));
        await store.appendAudit(entry(base + 1, { fingerprint: 'r:2' }));
        await store.appendAudit(entry(base + 2, { action: 'silence', rule: 'r' }));
        await store.appendAudit(entry(base + 3, { fingerprint: 'r:1', action: 'update' }));
        expect(await store.listAudit({ fingerprint: 'r:1' })).toEqual([
          entry(base + 3, { fingerprint: 'r:1', action: 'update' }),
          entry(base, { fingerprint: 'r:1', detail: 'first' }),
        ]);
        expect(await store.listAudit({ fingerprint: 'r:9' })).toEqual([]);
      });

      it('returns at most `limit` entries, the newest', async () => {
        for (let i = 0; i < 6; i++) await store.appendAudit(entry(base + i, { fingerprint: i % 2 === 0 ? 'r:even' : 'r:odd' }));
        expect((await store.listAudit({ limit: 2 })).map((e) => e.at)).toEqual([base + 5, base + 4]);
        expect((await store.listAudit({ fingerprint: 'r:even', limit: 2 })).map((e) => e.at)).toEqual([base + 4, base + 2]);
        expect(await store.listAudit({ limit: 100 })).toHaveLength(6);
        expect(await store.listAudit({ limit: 0 })).toEqual([]);
      });
    });

    it('close can be called twice', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
