/** What `klaxon scan` and `klaxon run` both do before reading input: load and check the rules, fix how input is decoded. */
import { EVENT_SOURCES } from '../events/event';
import { formatProblem } from '../rules/load';
import type { DecodeOptions, SourceChoice } from '../sources/decode';
import { zoneSettings } from '../sources/log-group-zones';
import { DEFAULT_ROUTES, parseRoutes } from '../sources/routing';
import { canonicalTimeZone, timeZoneProblem } from '../sources/time-zone';
import { UsageError, write, type CliIo } from './io';
import { loadRulesAndTemplates, rulesDir, templatesDir, type Loaded } from './rules-dir';
import { defaultParseCache } from '../yaml/parse-cache';

const SOURCES: readonly SourceChoice[] = ['auto', ...EVENT_SOURCES];

/** The parseArgs options shared by the commands that run rules over logs: where the rules and templates are, which parser, which year and zone. */
export const INPUT_OPTIONS = {
  rules: { type: 'string' },
  templates: { type: 'string' },
  source: { type: 'string', default: 'auto' },
  year: { type: 'string' },
  tz: { type: 'string' },
} as const;

/** What --source, --year and --tz say, checked. */
export interface InputFlags {
  source: SourceChoice;
  year?: number;
  /** The canonical IANA name --tz gave. */
  timeZone?: string;
}

/** Checks --source, --year and --tz. */
export function inputFlags(values: { source?: string; year?: string; tz?: string }): InputFlags {
  const source = (values.source ?? 'auto') as SourceChoice;
  if (!SOURCES.includes(source)) throw new UsageError(`--source must be one of ${SOURCES.join(', ')}, not "${values.source}"`);
  const flags: InputFlags = { source };
  if (values.tz !== undefined) {
    const timeZone = canonicalTimeZone(values.tz);
    if (timeZone === undefined) throw new UsageError(`--tz: ${timeZoneProblem(values.tz)}`);
    flags.timeZone = timeZone;
  }
  if (values.year === undefined) return flags;
  const year = Number(values.year);
  if (!/^\d{4}$/.test(values.year) || year < 1970) throw new UsageError(`--year must be a four-digit year, not "${values.year}"`);
  return { ...flags, year };
}

/** The rules and templates, or undefined after printing their problems to stderr. */
export async function loadCheckedRules(command: string, flags: { rules?: string; templates?: string }, io: CliIo): Promise<Loaded | undefined> {
  const env = io.env ?? process.env;
  const loaded = loadRulesAndTemplates(rulesDir(flags.rules, env), templatesDir(flags.templates, env), defaultParseCache(env));
  const problems = [...loaded.templateProblems, ...loaded.problems.map(formatProblem)];
  if (problems.length === 0) return loaded;
  for (const p of problems) await write(io.stderr, `${p}\n`);
  await write(io.stderr, `klaxon ${command}: fix the rule files above first (klaxon validate lists the same problems)\n`);
  return undefined;
}

/**
 * Decoding options from the flags, `KLAXON_LOG_GROUP_SOURCES`, and the zones of
 * `KLAXON_LOG_GROUP_TIMEZONES` and `KLAXON_SYSLOG_TZ` (--tz wins over the latter). No
 * `onTimeSkew`: the CLI does not warn about zones.
 */
export function decodeOptions(flags: InputFlags, io: CliIo): DecodeOptions {
  const env = io.env ?? process.env;
  const routes = parseRoutes(env.KLAXON_LOG_GROUP_SOURCES ?? '');
  if (routes.problems.length > 0) throw new UsageError(`KLAXON_LOG_GROUP_SOURCES: ${routes.problems.join('; ')}`);
  const zones = zoneSettings(flags.timeZone === undefined ? env : { ...env, KLAXON_SYSLOG_TZ: undefined });
  if (zones.problems.length > 0) throw new UsageError(zones.problems.join('; '));
  const timeZone = flags.timeZone ?? zones.timeZone;
  return {
    source: flags.source,
    year: flags.year,
    now: (io.now ?? Date.now)(),
    routes: [...routes.routes, ...DEFAULT_ROUTES],
    logGroupTimeZones: zones.logGroupTimeZones,
    ...(timeZone === undefined ? {} : { timeZone }),
  };
}
