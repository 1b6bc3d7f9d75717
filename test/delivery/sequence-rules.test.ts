/**
 * Issue 12: sequences and new terms keep state across invocations, exactly. A brute force
 * that worked (5 failures, then a success from the same address) alerts once however its
 * lines are split between invocations, in whichever order they are processed, at the same
 * time, and when an invocation dies between writing the steps and writing the alert.
 * A user's new address alerts once the user's history is learnt, across invocations.
 */
import { join } from 'node:path';
import { AlertLifecycle } from '../../src/alerts/lifecycle';
import { alertsForText } from '../../src/engine/run';
import type { KlaxonEvent } from '../../src/events/event';
import { loadRulesFromDir } from '../../src/rules/load';
import { DEFAULT_ROUTES } from '../../src/sources/routing';
import type { StateStore } from '../../src/store/types';
import { RecordingNotifier } from '../helpers/recording-notifier';
import { useSharedStates, type SharedState } from '../helpers/shared-state';

const RULES = loadRulesFromDir(join(__dirname, '..', '..', 'rules')).rules;
const SEQUENCE = RULES.filter((r) => r.id === 'ssh-brute-force-success');
const NEW_TERM = RULES.filter((r) => r.id === 'ssh-login-new-source');

async function parse(text: string): Promise<KlaxonEvent[]> {
  return (await alertsForText(text, [], { source: 'ssh', year: 2024, now: Date.UTC(2024, 11, 1), routes: DEFAULT_ROUTES })).events;
}

const FAILURES = [0, 1, 2, 3, 4].map((i) => `Nov  2 10:0${i}:00 bastion sshd[10${i}]: Failed password for invalid user u${i} from 203.0.113.9 port 4000${i} ssh2`).join('\n');
const SUCCESS = 'Nov  2 10:05:00 bastion sshd[105]: Accepted password for alice from 203.0.113.9 port 40006 ssh2';

const BACKENDS = useSharedStates('klaxon-seq');

describe.each(BACKENDS)('sequence rules across invocations: $name', (backend) => {
  let state: SharedState;
  const stores: StateStore[] = [];
  const notifier = new RecordingNotifier();
  beforeEach(async () => {
    state = await backend.fresh();
    notifier.posts.length = 0;
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await state.cleanup();
  });
  function lifecycle(name: string, store: StateStore = state.open(), rules = SEQUENCE): AlertLifecycle {
    if (!stores.includes(store)) stores.push(store);
    return new AlertLifecycle({ store, rules, notifier, defaultChannel: 'C0ALERTS', invocationId: name });
  }
  const posted = () => notifier.posts.map(({ view: { alert } }) => [alert.rule, alert.samples[0]?.fields['source.address'], alert.fields['user.name']]);

  it('failures in one invocation and the success in the next alert once', async () => {
    expect(await lifecycle('a').processBatch(await parse(FAILURES))).toMatchObject({ posted: 0 });
    expect(await lifecycle('b').processBatch(await parse(SUCCESS))).toMatchObject({ posted: 1 });
    expect(posted()).toEqual([['ssh-brute-force-success', '203.0.113.9', 'alice']]);
  });

  it('the success processed before the failures alerts once, when the failures arrive', async () => {
    expect(await lifecycle('b').processBatch(await parse(SUCCESS))).toMatchObject({ posted: 0 });
    expect(await lifecycle('a').processBatch(await parse(FAILURES))).toMatchObject({ posted: 1 });
    expect(posted()).toEqual([['ssh-brute-force-success', '203.0.113.9', 'alice']]);
    // Touching the address again changes nothing: the completed sequence is applied once.
    await lifecycle('c').processBatch(await parse(FAILURES.replaceAll('Nov  2 10:0', 'Nov  2 10:1')));
    expect(notifier.posts).toHaveLength(1);
  });

  it.each([2, 3, 6])('the lines split over %i invocations running at once alert once', async (invocations) => {
    const events = await parse(`${FAILURES}\n${SUCCESS}`);
    const parts = Array.from({ length: invocations }, (_, i) => events.filter((_, j) => j % invocations === i));
    await Promise.all(parts.map((part, i) => lifecycle(`inv-${i}`).processBatch(part)));
    expect(posted()).toEqual([['ssh-brute-force-success', '203.0.113.9', 'alice']]);
  });

  it('an invocation that dies between writing the steps and writing the alert: the retry posts once', async () => {
    const store = state.open();
    let killed = false;
    const dying: StateStore = Object.assign(Object.create(store) as StateStore, {
      putGroup: async (...args: Parameters<StateStore['putGroup']>) => {
        if (!killed && args[0].rule === 'ssh-brute-force-success' && !args[0].fingerprint.includes('#sequence')) {
          killed = true;
          throw new Error('killed');
        }
        return store.putGroup(...args);
      },
    });
    const events = await parse(`${FAILURES}\n${SUCCESS}`);
    await expect(lifecycle('dying', dying).processBatch(events)).rejects.toThrow('killed');
    expect(notifier.posts).toHaveLength(0);
    expect(await lifecycle('retry', store).processBatch(events)).toMatchObject({ posted: 1 });
    expect(await lifecycle('again', store).processBatch(events)).toMatchObject({ posted: 0 });
    expect(posted()).toEqual([['ssh-brute-force-success', '203.0.113.9', 'alice']]);
  });

  it('a user learnt in one invocation, a new address in the next: one alert, and none for it again', async () => {
    const learnt = await parse('Nov  1 09:00:00 bastion sshd[100]: Accepted publickey for alice from 203.0.113.5 port 50001 ssh2');
    const fresh = await parse('Nov  9 09:00:00 bastion sshd[101]: Accepted publickey for alice from 198.51.100.23 port 50002 ssh2');
    const again = await parse('Nov  9 10:00:00 bastion sshd[102]: Accepted publickey for alice from 198.51.100.23 port 50003 ssh2');
    expect(await lifecycle('a', undefined, NEW_TERM).processBatch(learnt)).toMatchObject({ posted: 0 });
    expect(await lifecycle('b', undefined, NEW_TERM).processBatch(fresh)).toMatchObject({ posted: 1 });
    expect(await lifecycle('c', undefined, NEW_TERM).processBatch(fresh)).toMatchObject({ posted: 0 });
    expect(await lifecycle('d', undefined, NEW_TERM).processBatch(again)).toMatchObject({ posted: 0 });
    expect(posted()).toEqual([['ssh-login-new-source', '198.51.100.23', 'alice']]);
  });
});
