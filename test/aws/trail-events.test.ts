import { CloudTrailClient, InvalidTimeRangeException, LookupEventsCommand, ThrottlingException, type LookupEventsCommandInput, type LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { LOOKUP_EVENTS_INTERVAL_MS, Pacer, TrailEventDedupe, trailEventPages, type PaceClock, type TrailPage } from '../../src/aws/trail-events';
import { SECURITY_GROUP_EVENTS } from '../../src/sources/security-group';

const trail = mockClient(CloudTrailClient);
const client = new CloudTrailClient({ region: 'eu-west-1' });

/** A clock whose sleeps return at once and move time on; it records them. */
function fakeClock(start = 1_000_000): PaceClock & { sleeps: number[] } {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

const QUERY = { eventNames: ['AuthorizeSecurityGroupIngress', 'CreateSecurityGroup'], startTime: new Date('2026-11-01T00:00:00Z'), endTime: new Date('2026-11-02T00:00:00Z') };

const trailEvent = (id: string, name = 'AuthorizeSecurityGroupIngress') => ({ EventId: id, EventName: name, EventTime: new Date('2026-11-01T10:00:00Z'), CloudTrailEvent: JSON.stringify({ eventID: id, eventName: name }) });

async function all(pages: AsyncIterable<TrailPage>): Promise<TrailPage[]> {
  const out: TrailPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

/** Answers LookupEvents from `pages` per event name (in order), recording each call's input and the clock's time. */
function answer(clock: PaceClock, pages: Record<string, Array<LookupEventsCommandOutput | Error>>): Array<{ at: number; input: LookupEventsCommandInput }> {
  const calls: Array<{ at: number; input: LookupEventsCommandInput }> = [];
  const next = new Map<string, number>();
  trail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
    calls.push({ at: clock.now(), input });
    const name = input.LookupAttributes?.[0]?.AttributeValue ?? '';
    const i = next.get(name) ?? 0;
    next.set(name, i + 1);
    const page = pages[name]?.[i] ?? ({ Events: [], $metadata: {} } as LookupEventsCommandOutput);
    if (page instanceof Error) throw page;
    return page;
  });
  return calls;
}

const page = (events: ReturnType<typeof trailEvent>[], token?: string): LookupEventsCommandOutput => ({ Events: events, NextToken: token, $metadata: {} });
const throttled = () => new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

beforeEach(() => trail.reset());
afterAll(() => trail.restore());

describe('trailEventPages', () => {
  it('makes one query per event name (LookupEvents takes one attribute), following NextToken, with the time range', async () => {
    const clock = fakeClock();
    const calls = answer(clock, {
      AuthorizeSecurityGroupIngress: [page([trailEvent('e1')], 'n1'), page([trailEvent('e2')], 'n2'), page([trailEvent('e3')])],
      CreateSecurityGroup: [page([trailEvent('e4', 'CreateSecurityGroup')])],
    });
    const pages = await all(trailEventPages(client, QUERY, { clock }));
    expect(pages.map((p) => [p.eventName, p.events.map((e) => e.EventId)])).toEqual([
      ['AuthorizeSecurityGroupIngress', ['e1']],
      ['AuthorizeSecurityGroupIngress', ['e2']],
      ['AuthorizeSecurityGroupIngress', ['e3']],
      ['CreateSecurityGroup', ['e4']],
    ]);
    expect(calls.map((c) => [c.input.LookupAttributes, c.input.NextToken])).toEqual([
      [[{ AttributeKey: 'EventName', AttributeValue: 'AuthorizeSecurityGroupIngress' }], undefined],
      [[{ AttributeKey: 'EventName', AttributeValue: 'AuthorizeSecurityGroupIngress' }], 'n1'],
      [[{ AttributeKey: 'EventName', AttributeValue: 'AuthorizeSecurityGroupIngress' }], 'n2'],
      [[{ AttributeKey: 'EventName', AttributeValue: 'CreateSecurityGroup' }], undefined],
    ]);
    for (const { input } of calls) expect(input).toMatchObject({ StartTime: QUERY.startTime, EndTime: QUERY.endTime, MaxResults: 50 });
  });

  it('queries every security-group event name once when each has one page', async () => {
    const clock = fakeClock();
    const calls = answer(clock, {});
    await all(trailEventPages(client, { ...QUERY, eventNames: [...SECURITY_GROUP_EVENTS] }, { clock }));
    expect(calls.map((c) => c.input.LookupAttributes?.[0]?.AttributeValue)).toEqual([...SECURITY_GROUP_EVENTS]);
    expect(calls.every((c) => c.input.LookupAttributes?.length === 1)).toBe(true);
  });

  it('paces calls to at most 2 a second, without sleeping when the caller was slower anyway', async () => {
    const clock = fakeClock();
    const calls = answer(clock, { AuthorizeSecurityGroupIngress: [page([], 'a'), page([], 'b'), page([])], CreateSecurityGroup: [page([])] });
    await all(trailEventPages(client, QUERY, { clock }));
    expect(calls).toHaveLength(4);
    const gaps = calls.slice(1).map((c, i) => c.at - (calls[i] as { at: number }).at);
    expect(gaps).toEqual([500, 500, 500]);
    expect(clock.sleeps).toEqual([500, 500, 500]);
    // Any window of one second holds at most two call starts.
    for (const c of calls) expect(calls.filter((d) => d.at >= c.at && d.at < c.at + 1000).length).toBeLessThanOrEqual(2);

    const slow = fakeClock();
    const slowCalls = answer(slow, { AuthorizeSecurityGroupIngress: [page([], 'a'), page([])] });
    const pages = trailEventPages(client, QUERY, { clock: slow });
    while (!(await pages.next()).done) await slow.sleep(800); // the caller takes 800 ms per page
    expect(slowCalls.slice(1).map((c, i) => c.at - (slowCalls[i] as { at: number }).at)).toEqual([800, 800]);
    expect(slow.sleeps).toEqual([800, 800, 800]);
  });

  it('retries a ThrottlingException with backoff, still paced, and then reads on', async () => {
    const clock = fakeClock();
    const told: Array<[number, number]> = [];
    const calls = answer(clock, { AuthorizeSecurityGroupIngress: [throttled(), throttled(), page([trailEvent('e1')])] });
    const pages = await all(trailEventPages(client, QUERY, { clock, onThrottled: (ms, attempt) => told.push([ms, attempt]) }));
    expect(pages[0]?.events.map((e) => e.EventId)).toEqual(['e1']);
    expect(told).toEqual([
      [1000, 1],
      [2000, 2],
    ]);
    expect(calls).toHaveLength(4); // three for the first name (two throttled), one for the second
    expect(calls.slice(0, 3).every((c) => c.input.LookupAttributes?.[0]?.AttributeValue === 'AuthorizeSecurityGroupIngress')).toBe(true);
    expect(calls[1]!.at - calls[0]!.at).toBe(1000);
    expect(calls[2]!.at - calls[1]!.at).toBe(2000);
    expect(calls[3]!.at - calls[2]!.at).toBe(LOOKUP_EVENTS_INTERVAL_MS);
  });

  it('gives up after the last retry, and does not retry other errors', async () => {
    const clock = fakeClock();
    const calls = answer(clock, { AuthorizeSecurityGroupIngress: [throttled(), throttled(), throttled()] });
    await expect(all(trailEventPages(client, QUERY, { clock, retries: 2 }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(calls).toHaveLength(3);

    trail.reset();
    const invalid = answer(clock, { AuthorizeSecurityGroupIngress: [new InvalidTimeRangeException({ message: 'bad range', $metadata: {} })] });
    await expect(all(trailEventPages(client, QUERY, { clock }))).rejects.toMatchObject({ name: 'InvalidTimeRangeException' });
    expect(invalid).toHaveLength(1);
  });

  it('stops when AWS hands back the same NextToken', async () => {
    const clock = fakeClock();
    const calls = answer(clock, { AuthorizeSecurityGroupIngress: [page([], 'same'), page([], 'same'), page([], 'same')] });
    await all(trailEventPages(client, { ...QUERY, eventNames: ['AuthorizeSecurityGroupIngress'] }, { clock }));
    expect(calls).toHaveLength(2);
  });
});

describe('Pacer', () => {
  it('lets the first call through at once', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(clock, 500);
    await pacer.wait();
    await pacer.wait();
    expect(clock.sleeps).toEqual([500]);
  });
});

describe('TrailEventDedupe', () => {
  it('drops events already seen by EventId, across pages, and counts them', () => {
    const dedupe = new TrailEventDedupe();
    expect(dedupe.fresh([trailEvent('e1'), trailEvent('e2'), trailEvent('e1')]).map((e) => e.EventId)).toEqual(['e1', 'e2']);
    expect(dedupe.fresh([trailEvent('e2'), trailEvent('e3')]).map((e) => e.EventId)).toEqual(['e3']);
    expect(dedupe.duplicates).toBe(2);
  });
});
