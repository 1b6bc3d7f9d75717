import { parseError, type KlaxonEvent, type ParseResult } from '../events/event';
import { JsonRecordReader, type JsonRecord } from '../input/json-records';
import { MAX_LINE_BYTES, readLines } from '../input/lines';
import type { InputLocation } from '../input/location';
import { openInput, peek } from '../input/open';
import { addSourceCountries } from './geoip';
import { decodeJson, decodeLine, isJsonSource, type Decoded, type DecodeOptions } from './decode';

/** Why a line or record yielded no event: skipped (not an event of interest) or an error. */
export type NoEventResult = Exclude<ParseResult, { status: 'ok' }>;

export interface ReadProblem {
  location: InputLocation;
  part?: string;
  message: string;
  /** The line is an event, but its message, of a kind Klaxon knows, could not be read. */
  partial?: true;
}

/** What reading inputs found: counts, and the first problems with where they are. */
export class ReadStats {
  /** Lines, records or log events read. */
  units = 0;
  events = 0;
  /** Lines read only as generic events: their message is not one Klaxon knows. */
  generic = 0;
  /** Of those, lines whose message looked known but could not be read (each a `partial` problem). */
  partial = 0;
  skipped = 0;
  errors = 0;
  /** The first errors, then the first lines read in part, each with where it is. */
  readonly problems: ReadProblem[] = [];
  /** Where the last line or record came from: the events handed on next are its. */
  lastLocation: InputLocation | undefined;

  /** `onNoEvent` hears of each line or record that yielded no event, with the parser's skip reason or error. */
  constructor(
    private readonly keepProblems = 100,
    private readonly onNoEvent?: (location: InputLocation, result: NoEventResult, part?: string) => void,
  ) {}

  record(decoded: Decoded): void {
    this.recordResult(decoded.result, decoded.location, decoded.part);
  }

  /** As `record`, for a result not wrapped in a Decoded (the per-line path, which avoids that allocation). */
  recordResult(result: ParseResult, location: InputLocation, part?: string): void {
    this.units++;
    this.lastLocation = location;
    if (result.status === 'ok') {
      this.events += result.events.length + (result.unbuilt ?? 0);
      if (result.generic === true) {
        this.generic++;
        if (result.problem !== undefined) {
          this.partial++;
          if (this.problems.length < this.keepProblems) this.problems.push({ location, part, message: result.problem, partial: true });
        }
      }
    } else if (result.status === 'skipped') this.skipped++;
    else {
      this.errors++;
      if (this.problems.length < this.keepProblems) this.problems.push({ location, part, message: result.message });
    }
    if (result.status !== 'ok') this.onNoEvent?.(location, result, part);
  }
}

const SPACE = new Set([0x20, 0x0a, 0x0d, 0x09]);

/**
 * Reads one input (a path, or '-' for stdin; gzip transparently) and hands every
 * normalized event to `onEvents`, in batches. JSON input (first byte `{` or `[`, or a
 * forced `waf`/`cloudtrail`/`alarm` source) is read record by record; anything else line by line
 * as auth logs. Bad lines and records are
 * counted in `stats`, never thrown. Throws InputReadError when the input cannot be read.
 * When `onEvents` returns a promise (a slow output), the next chunk waits for it.
 * `onUnbuilt` hears, in order among the events, of each line or record whose events were counted
 * but not built (`options.buildFamilies`, `options.recordFilters`), with how many.
 */
export async function readEvents(
  path: string,
  stdin: NodeJS.ReadableStream,
  options: DecodeOptions,
  stats: ReadStats,
  onEvents: (events: KlaxonEvent[]) => void | Promise<void>,
  onUnbuilt?: (count: number) => void,
): Promise<void> {
  const { head, all } = await peek(openInput(path, stdin));
  if (head === undefined) return;
  blankOutByteOrderMark(head);
  let i = 0;
  while (i < head.length && SPACE.has(head[i] as number)) i++;
  const json = isJsonSource(options.source) || head[i] === 0x7b || head[i] === 0x5b;

  let pending: void | Promise<void> = undefined;
  // Every event with an address gets its country here, after parsing, whichever parser read it.
  const handOn = (events: KlaxonEvent[]): void | Promise<void> => {
    addSourceCountries(events);
    return onEvents(events);
  };
  const deliver = (decoded: Decoded): void => {
    stats.record(decoded);
    const result = decoded.result;
    if (result.status !== 'ok') return;
    if (result.events.length > 0) pending = handOn(result.events) ?? pending;
    else if (result.unbuilt !== undefined) onUnbuilt?.(result.unbuilt);
  };
  if (json) {
    // Each record is decoded and handed on as soon as it is parsed, not after its whole chunk (see JsonRecordReader).
    const reader = new JsonRecordReader(path);
    const sink = {
      push(record: JsonRecord): void {
        for (const decoded of guardedJson(record, options)) deliver(decoded);
      },
    };
    for await (const chunk of all) {
      reader.add(chunk, sink);
      await pending;
    }
    reader.end(sink);
    await pending;
  } else {
    for await (const batch of readLines(all, path)) {
      for (const line of batch) {
        // The hot path (one call per line): no Decoded wrapper, closure or array as for JSON records.
        const result = line.truncated === true ? parseError(`line longer than ${MAX_LINE_BYTES} bytes`) : guardedLine(line.text, line.location, options);
        stats.recordResult(result, line.location);
        if (result.status !== 'ok') continue;
        if (result.events.length > 0) pending = handOn(result.events) ?? pending;
        else if (result.unbuilt !== undefined) onUnbuilt?.(result.unbuilt);
      }
      await pending;
    }
  }
}

/**
 * The parsers are written never to throw; this is the last line of defence (a stack
 * overflow on absurdly nested JSON, say), so that one record can never sink the batch.
 */
function guardedJson(record: JsonRecord, options: DecodeOptions): Decoded[] {
  try {
    return decodeJson(record, options);
  } catch (err) {
    return [{ location: record.location, result: unreadable(err) }];
  }
}

/** `guardedJson` for one auth-log line. */
function guardedLine(text: string, location: InputLocation, options: DecodeOptions): ParseResult {
  try {
    return decodeLine(text, location, options);
  } catch (err) {
    return unreadable(err);
  }
}

function unreadable(err: unknown): ParseResult {
  return parseError(`could not be read: ${err instanceof Error ? err.message : String(err)}`);
}

/** A UTF-8 byte-order mark becomes three spaces: both readers skip leading space, and byte offsets stay those of the file. */
function blankOutByteOrderMark(head: Buffer): void {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head.fill(0x20, 0, 3);
}
