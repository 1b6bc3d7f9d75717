/**
 * Issue 9, item 1: the same input processed at the same time by several invocations (Lambda
 * containers handed one subscription delivery, `klaxon run` processes over one file) changes
 * each alert group once. Before the fix, a writer that lost the optimistic race re-applied
 * the same events on top of the winner's state: logins posted twice, a brute-force count of
 * 6 stored as 12, and 3 failures (below the threshold of 5) alerting with count 6.
 */
import { join } from 'node:path';
import { decodeGroupData } from '../../src/alerts/group-data';
import { AlertLifecycle } from '../../src/alerts/lifecycle';
import { fingerprint } from '../../src/engine/fingerprint';
import { alertsForText } from '../../src/engine/run';
import type { KlaxonEvent } from '../../src/events/event';
import { loadRulesFromDir } from '../../src/rules/load';
import { DEFAULT_ROUTES } from '../../src/sources/routing';
import type { StateStore } from '../../src/store/types';
import { failedPasswords, successfulLogins } from '../helpers/auth-lines';
import { RecordingNotifier } from '../helpers/recording-notifier';
import { useSharedStates } from '../helpers/shared-state';

const RULES = loadRulesFromDir(join(__dirname, '..', '..', 'rules')).rules;

async function parse(text: string): Promise<KlaxonEvent[]> {
  return (await alertsForText(text, [], { source: 'ssh', year: 2024, now: Date.UTC(2024, 11, 1), routes: DEFAULT_ROUTES })).events;
}

const BACKENDS = useSharedStates('klaxon-apply');

describe.each(BACKENDS)('the same batch applied by several invocations at once: $name', (backend) => {
  it.each([2, 3, 5])('%i invocations: each login posted once, the brute force counted once, nothing below the threshold', async (invocations) => {
    const state = await backend.fresh();
    const events = await parse(successfulLogins(20) + failedPasswords('203.0.113.50', 6, 100) + failedPasswords('203.0.113.77', 3, 200));
    const notifier = new RecordingNotifier();
    const stores = Array.from({ length: invocations }, () => state.open());
    try {
      const lifecycles = stores.map(
        (store, i) => new AlertLifecycle({ store, rules: RULES, notifier, defaultChannel: 'C0ALERTS', invocationId: `container-${i}` }),
      );
      await Promise.all(lifecycles.map((lifecycle) => lifecycle.processBatch(events)));

      const logins = notifier.posts.filter((p) => p.view.alert.rule === 'ssh-login');
      expect(logins).toHaveLength(20);
      expect(new Set(logins.map((p) => p.view.alert.fingerprint)).size).toBe(20);
      const bruteForce = notifier.posts.filter((p) => p.view.alert.rule === 'ssh-brute-force');
      expect(bruteForce.map((p) => p.view.alert.fields['source.address'])).toEqual(['203.0.113.50']);

      const store = stores[0] as StateStore;
      const active = await store.listActiveGroups(Date.now());
      const brute = active.find((g) => g.rule === 'ssh-brute-force');
      expect(brute).toBeDefined();
      const data = decodeGroupData(brute?.fingerprint ?? '', brute?.data ?? {});
      expect(data.messages.map((m) => m.alert.count)).toEqual([6]);

      // The 3 failures from .77 wait in their group's window: counted once, 3 not 6 or 9.
      const below = (await store.getGroups(await fingerprintsOf(store, '203.0.113.77'))).values().next().value;
      expect(below === undefined ? [] : decodeGroupData(below.fingerprint, below.data).engine.window.times).toHaveLength(3);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await state.cleanup();
    }
  });
});

describe.each(BACKENDS)('a group that spills its oldest digests to markers: $name', (backend) => {
  it('a crash between the markers and the group write: the retry applies the batch once', async () => {
    const state = await backend.fresh();
    const store = state.open();
    try {
      const early = await parse(failedPasswords('203.0.113.50', 150));
      const late = await parse(failedPasswords('203.0.113.50', 100, 150));
      const notifier = new RecordingNotifier();
      await new AlertLifecycle({ store, rules: RULES, notifier, defaultChannel: 'C0ALERTS', invocationId: 'first' }).processBatch(early);
      // The next invocation dies right after writing the markers of the digests its group writes would drop.
      const dying: StateStore = Object.assign(Object.create(store) as StateStore, {
        markInputsProcessed: async (keys: readonly string[], expiresAt: number) => {
          await store.markInputsProcessed(keys, expiresAt);
          throw new Error('killed');
        },
      });
      const second = new AlertLifecycle({ store: dying, rules: RULES, notifier, defaultChannel: 'C0ALERTS', invocationId: 'dying' });
      await expect(second.processBatch(late)).rejects.toThrow('killed');
      const retry = new AlertLifecycle({ store, rules: RULES, notifier, defaultChannel: 'C0ALERTS', invocationId: 'retry' });
      expect(await retry.processBatch(late)).toMatchObject({ duplicates: 0 });
      expect(await retry.processBatch(early)).toMatchObject({ duplicates: 150, matched: 0 });
      expect(await retry.processBatch(late)).toMatchObject({ duplicates: 100, matched: 0 });
      expect(await bruteForceCounts(store, '203.0.113.50')).toEqual([250]);
      expect(notifier.posts.filter((p) => p.view.alert.rule === 'ssh-brute-force')).toHaveLength(1);
    } finally {
      await store.close();
      await state.cleanup();
    }
  });

  it('3 invocations racing on one batch that makes the group spill count it once, and its retry nothing', async () => {
    const state = await backend.fresh();
    const stores = Array.from({ length: 3 }, () => state.open());
    try {
      const early = await parse(failedPasswords('203.0.113.50', 150));
      const late = await parse(failedPasswords('203.0.113.50', 100, 150));
      const notifier = new RecordingNotifier();
      const lifecycles = stores.map((store, i) => new AlertLifecycle({ store, rules: RULES, notifier, defaultChannel: 'C0ALERTS', invocationId: `container-${i}` }));
      await lifecycles[0]?.processBatch(early);
      await Promise.all(lifecycles.map((lifecycle) => lifecycle.processBatch(late)));
      await Promise.all(lifecycles.map((lifecycle) => lifecycle.processBatch([...early, ...late])));
      expect(await bruteForceCounts(stores[0] as StateStore, '203.0.113.50')).toEqual([250]);
      expect(notifier.posts.filter((p) => p.view.alert.rule === 'ssh-brute-force')).toHaveLength(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await state.cleanup();
    }
  });
});

/** The counts of the messages of one address's brute-force group, as stored. */
async function bruteForceCounts(store: StateStore, address: string): Promise<number[]> {
  const [group] = (await store.getGroups([fingerprint('ssh-brute-force', [address])])).values();
  return decodeGroupData(group?.fingerprint ?? '', group?.data ?? {}).messages.map((m) => m.alert.count);
}

/** The brute-force group of one address. */
async function fingerprintsOf(_store: StateStore, address: string): Promise<string[]> {
  return [fingerprint('ssh-brute-force', [address])];
}
