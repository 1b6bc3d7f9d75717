import { GEOIP_FILE, GEOIP_PACKAGE } from '../sources/geoip';

/**
 * The files of the GeoIP database that go into the zips of the functions reading events with
 * addresses (logs, cloudtrail, kinesis), at the path `require.resolve` finds them from the bundle:
 * `node_modules/<package>/` beside `handlers/`. serverless-esbuild copies function-level
 * `package.patterns` into that function's zip only.
 */
export const GEOIP_PACKAGE_PATTERNS = [`node_modules/${GEOIP_PACKAGE}/${GEOIP_FILE}`, `node_modules/${GEOIP_PACKAGE}/package.json`];
