import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EventSource, KlaxonEvent } from '../events/event';
import { AlertEngine } from '../engine/engine';
import { InputReadError } from '../input/open';
import type { SourceChoice } from '../sources/decode';
import { readEvents, ReadStats } from '../sources/read-events';
import { AlertWriter, type AlertFormat } from './alert-writer';
import { ExplainTally } from '../engine/explain-tally';
import { explainedRule, explainReport } from './scan-explain';
import { EXIT_FAILED, EXIT_OK, UsageError, write, type CliIo } from './io';
import { eventPretty, type EvidenceDetail } from './output';
import { decodeOptions, INPUT_OPTIONS, inputFlags, loadCheckedRules } from './setup';
import { Progress, summary } from './progress';
import { maxGroupsPerRule, stateCapLine } from './state-cap';
import { authFamiliesToBuild } from '../rules/needed-families';
import { recordFilters } from '../rules/needed-records';

/**
 * Stands in for each event that was counted but not built (no rule can match it): the engine
 * sweeps every so many events, and the alerts' order follows the sweeps. Its source is one no
 * rule reads, so nothing else is done with it.
 */
const UNBUILT_EVENT: KlaxonEvent = Object.freeze({ timestamp: 0, source: 'unbuilt' as EventSource, fields: Object.freeze({}) as KlaxonEvent['fields'] });

export const SCAN_USAGE = 'klaxon scan [--rules DIR] [--source ssh|waf|cloudtrail|alarm|auto] [--events] [--explain RULE] [--format json|pretty|blocks] [--evidence short|full] [--year YYYY] [FILE...] (- for stdin; no FILE: the bundled samples)';

/** The sample logs shipped with Klaxon: an SSH brute force and root login, a WAF block burst, a security group opened to the world. */
export const SAMPLES_DIR = resolve(__dirname, '..', '..', 'samples');
export const SAMPLE_FILES = ['auth.log', 'waf.log.gz', 'cloudtrail.json'].map((f) => join(SAMPLES_DIR, f));

export interface ScanFlags {
  rules?: string;
  templates?: string;
  source: SourceChoice;
  events: boolean;
  /** A rule id: report why events did not match it instead of printing alerts. */
  explain?: string;
  format: AlertFormat;
  evidence: EvidenceDetail;
  year?: number;
  /** --tz, canonical. */
  timeZone?: string;
  files: string[];
}

export function parseScanArgs(args: string[]): ScanFlags {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      ...INPUT_OPTIONS,
      events: { type: 'boolean', default: false },
      explain: { type: 'string' },
      format: { type: 'string', default: 'json' },
      evidence: { type: 'string', default: 'short' },
    },
  });
  const format = values.format;
  if (format !== 'json' && format !== 'pretty' && format !== 'blocks') throw new UsageError(`--format must be json, pretty or blocks, not "${format}"`);
  if (values.events && format === 'blocks') throw new UsageError('--format blocks prints alerts as Slack messages; with --events use json or pretty');
  if (values.events && values.explain !== undefined) throw new UsageError('--events prints events and --explain a report on one rule: give one of them');
  const evidence = values.evidence;
  if (evidence !== 'short' && evidence !== 'full') throw new UsageError(`--evidence must be short or full, not "${evidence}"`);
  return { rules: values.rules, templates: values.templates, ...inputFlags(values), events: values.events, explain: values.explain, format, evidence, files: positionals };
}

/**
 * `klaxon scan`: the alerts (or, with --events, the normalized events; with --explain RULE, why
 * events did not match that rule) that the rules give for the files. Exit 0 even when some input could not be parsed (reported on stderr);
 * 1 when a file could not be read or the rules are invalid.
 */
export async function scanCommand(args: string[], io: CliIo): Promise<number> {
  const flags = parseScanArgs(args);
  const loaded = await loadCheckedRules('scan', flags, io);
  if (loaded === undefined) return EXIT_FAILED;
  const options = decodeOptions(flags, io);
  // Alerts need only the events some rule can match; --events and --explain show every event.
  const prefilter = !flags.events && flags.explain === undefined && (io.env ?? process.env).KLAXON_SCAN_PREFILTER !== 'off';
  if (prefilter) {
    options.buildFamilies = authFamiliesToBuild(loaded.rules);
    options.recordFilters = recordFilters(loaded.rules);
  }
  const explained = flags.explain === undefined ? undefined : explainedRule(loaded.rules, flags.explain);

  if (flags.files.length === 0) {
    flags.files = SAMPLE_FILES;
    await write(io.stderr, `klaxon scan: no FILE given, scanning the bundled samples in ${SAMPLES_DIR}\n`);
  }
  const alerts = new AlertWriter(io, flags.format, loaded.templates, flags.evidence, (io.env ?? process.env).SLACK_CHANNEL || '$SLACK_CHANNEL');
  const cap = maxGroupsPerRule(io.env ?? process.env);
  const engine = new AlertEngine(loaded.rules, { onClosed: (alert) => alerts.add(alert), maxGroupsPerRule: cap });
  const tally = explained === undefined ? undefined : new ExplainTally(explained);
  const stats = new ReadStats(20, tally === undefined ? undefined : (_location, result) => tally.addNoEvent(result));
  const progress = new Progress(io.stderr, stats);
  let unreadable = 0;
  const onEvents = tally
    ? (events: KlaxonEvent[]) => {
        for (const e of events) tally.add(e);
      }
    : flags.events
    ? eventWriter(io, flags.format === 'json' ? 'json' : 'pretty')
    : (events: KlaxonEvent[]) => {
        for (const e of events) engine.process(e);
        return alerts.flush();
      };

  for (const file of flags.files) {
    try {
      await readEvents(
        file,
        io.stdin,
        options,
        stats,
        (events) => {
          progress.tick();
          return onEvents(events);
        },
        (count) => {
          for (let i = 0; i < count; i++) engine.process(UNBUILT_EVENT);
        },
      );
    } catch (err) {
      if (!(err instanceof InputReadError)) throw err;
      unreadable++;
      await write(io.stderr, `klaxon scan: ${err.message}\n`);
    }
  }
  progress.done();
  engine.finish();
  await alerts.flush();
  if (explained !== undefined && tally !== undefined) await write(io.stdout, explainReport(explained, tally));
  const printed = flags.events || tally !== undefined ? undefined : alerts.written;
  await write(io.stderr, summary(stats, flags.files.length - unreadable, printed) + stateCapLine(engine, cap));
  return unreadable > 0 ? EXIT_FAILED : EXIT_OK;
}

/** Writes events as they come; readEvents waits for a full stdout before reading on. */
function eventWriter(io: CliIo, format: 'json' | 'pretty'): (events: KlaxonEvent[]) => Promise<void> | void {
  return (events) => {
    let text = '';
    for (const e of events) text += format === 'json' ? `${JSON.stringify(e.fields)}\n` : eventPretty(e);
    return write(io.stdout, text);
  };
}
