/** The account directory (stage config `accounts:`): names in events, and where each account's alerts go. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertLifecycle } from '../../src/alerts/lifecycle';
import type { KlaxonEvent } from '../../src/events/event';
import { loadRuleText } from '../../src/rules/load';
import type { CompiledRule } from '../../src/rules/types';
import { AccountDirectory } from '../../src/sources/accounts';
import { regionOfSubscription } from '../../src/sources/awslogs';
import { SqliteStore } from '../../src/store/sqlite';
import { RecordingNotifier } from '../helpers/recording-notifier';

const SHOP = '222222222222';
const directory = new AccountDirectory(
  { [SHOP]: { name: 'shop-prod', channel: '#shop', regions: { 'us-east-1': { channel: '#shop-us' } } }, '333333333333': { name: 'lake' } },
  'eu-west-1',
);

function event(fields: KlaxonEvent['fields']): KlaxonEvent {
  return { timestamp: Date.parse('2024-11-02T10:00:00Z'), source: 'ssh', fields: { 'event.action': 'ssh_login', 'event.outcome': 'failure', 'source.address': '203.0.113.9', ...fields } };
}

describe('AccountDirectory', () => {
  test('names the events of known accounts, and leaves the others and an existing name alone', () => {
    const events = [event({ 'cloud.account.id': SHOP }), event({ 'cloud.account.id': '999999999999' }), event({}), event({ 'cloud.account.id': SHOP, 'cloud.account.name': 'given' })];
    directory.name(events);
    expect(events.map((e) => e.fields['cloud.account.name'])).toEqual(['shop-prod', undefined, undefined, 'given']);
  });

  test("a region's channel, else the account's, else none; an event without a region is read in the function's", () => {
    expect(directory.channelFor(event({ 'cloud.account.id': SHOP, 'cloud.region': 'us-east-1' }))).toBe('#shop-us');
    expect(directory.channelFor(event({ 'cloud.account.id': SHOP, 'cloud.region': 'eu-central-1' }))).toBe('#shop');
    expect(new AccountDirectory({ [SHOP]: { regions: { 'eu-west-1': { channel: '#home' } } } }, 'eu-west-1').channelFor(event({ 'cloud.account.id': SHOP }))).toBe('#home');
    expect(directory.channelFor(event({ 'cloud.account.id': '333333333333' }))).toBeUndefined();
    expect(directory.channelFor(event({}))).toBeUndefined();
  });
});

test("a member stack's filter name carries its region (NAME@REGION); other names carry none", () => {
  expect(regionOfSubscription({ subscriptionFilters: ['klaxon-prod-ssh@ap-southeast-2'] })).toBe('ap-southeast-2');
  expect(regionOfSubscription({ subscriptionFilters: ['klaxon-prod-logs', 'x@not a region'] })).toBeUndefined();
});

describe("the alert's channel", () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'klaxon-accounts-'));
    store = SqliteStore.open(join(dir, 'state.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function rule(channel?: string): CompiledRule {
    const text = `id: any-failure\ntitle: t\nsource: ssh\nseverity: low\nmatch: { event.outcome: failure }\ngroup_by: [source.address]\n${channel === undefined ? '' : `slack: { channel: "${channel}" }\n`}`;
    const loaded = loadRuleText(text, 'any-failure.yml').rule;
    if (loaded === undefined) throw new Error('rule did not load');
    return loaded;
  }

  async function channelOf(ruleChannel: string | undefined, fields: KlaxonEvent['fields']): Promise<string | undefined> {
    const notifier = new RecordingNotifier();
    const lifecycle = new AlertLifecycle({
      store,
      rules: [rule(ruleChannel)],
      notifier,
      defaultChannel: '#security',
      invocationId: 'test',
      accountChannel: (alert) => (alert.samples[0] === undefined ? undefined : directory.channelFor(alert.samples[0])),
    });
    await lifecycle.processBatch([event(fields)]);
    return notifier.posts[0]?.channel;
  }

  test("the rule's own channel wins, then the account's (its region's first), then the stage's", async () => {
    expect(await channelOf('#rule', { 'cloud.account.id': SHOP, 'cloud.region': 'us-east-1' })).toBe('#rule');
    expect(await channelOf(undefined, { 'cloud.account.id': SHOP, 'cloud.region': 'us-east-1', 'source.address': '203.0.113.10' })).toBe('#shop-us');
    expect(await channelOf(undefined, { 'cloud.account.id': SHOP, 'source.address': '203.0.113.11' })).toBe('#shop');
    expect(await channelOf(undefined, { 'cloud.account.id': '333333333333', 'source.address': '203.0.113.12' })).toBe('#security');
  });
});
