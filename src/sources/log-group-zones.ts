/**
 * The time zone auth-log lines are read in when their timestamps carry no offset: per log
 * group (`KLAXON_LOG_GROUP_TIMEZONES`, which the deploy config's `timezone:` options become),
 * else `KLAXON_SYSLOG_TZ` (or the CLI's `--tz`), else UTC.
 */
import { matchesGlob } from './routing';
import { canonicalTimeZone, timeZoneProblem } from './time-zone';

/** The zone of the log groups a glob matches. */
export interface LogGroupZone {
  pattern: string;
  timeZone: string;
}

export const LOG_GROUP_TIMEZONES_VAR = 'KLAXON_LOG_GROUP_TIMEZONES';
export const SYSLOG_TZ_VAR = 'KLAXON_SYSLOG_TZ';

/** What the environment says about zones: the default, the per-group ones, and what is wrong with them. */
export interface ZoneSettings {
  timeZone?: string;
  logGroupTimeZones: LogGroupZone[];
  problems: string[];
}

/**
 * Reads `KLAXON_SYSLOG_TZ` (an IANA zone name) and `KLAXON_LOG_GROUP_TIMEZONES`
 * (comma-separated `GLOB=Zone` pairs, e.g. `/prod/bastion/auth.log=Europe/Berlin`).
 */
export function zoneSettings(env: NodeJS.ProcessEnv): ZoneSettings {
  const problems: string[] = [];
  const logGroupTimeZones: LogGroupZone[] = [];
  for (const part of (env[LOG_GROUP_TIMEZONES_VAR] ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    const pattern = part.slice(0, eq).trim();
    const zone = canonicalTimeZone(part.slice(eq + 1).trim());
    if (eq <= 0 || pattern === '') problems.push(`${LOG_GROUP_TIMEZONES_VAR}: "${part}": expected LOG_GROUP=Zone`);
    else if (zone === undefined) problems.push(`${LOG_GROUP_TIMEZONES_VAR}: "${part}": ${timeZoneProblem(part.slice(eq + 1).trim())}`);
    else logGroupTimeZones.push({ pattern, timeZone: zone });
  }
  const name = env[SYSLOG_TZ_VAR]?.trim();
  if (name === undefined || name === '') return { logGroupTimeZones, problems };
  const timeZone = canonicalTimeZone(name);
  if (timeZone === undefined) problems.push(`${SYSLOG_TZ_VAR}: ${timeZoneProblem(name)}`);
  return { ...(timeZone === undefined ? {} : { timeZone }), logGroupTimeZones, problems };
}

/** The zone of a log group's zone-less timestamps: the first pattern matching it, else `fallback`. */
export function logGroupTimeZone(logGroup: string, zones: readonly LogGroupZone[] | undefined, fallback: string | undefined): string | undefined {
  return zones?.find((z) => matchesGlob(z.pattern, logGroup))?.timeZone ?? fallback;
}
