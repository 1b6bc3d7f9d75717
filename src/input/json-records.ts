import type { InputLocation } from './location';

export type JsonRecord =
  | { ok: true; value: unknown; text: string; location: InputLocation }
  | { ok: false; message: string; text: string; location: InputLocation };

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;
const NEWLINE_BRACE = Buffer.from('\n{');
const RECORDS_KEY = Buffer.from('"Records"');
/** How many bytes of skipped, unsupported content an error record shows. */
const SHOWN_BYTES = 200;
/** How many restarts at a later `{` are tried for a broken record before reporting it whole. */
const MAX_RETRIES = 8;
/**
 * The largest record read, as for lines (MAX_LINE_BYTES). A longer one is reported as a
 * located error and skipped without being kept: an unterminated 400 MB record costs one
 * error line and constant memory, and the records after it are read.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;
const TOO_LONG = `record longer than ${MAX_RECORD_BYTES} bytes (1 MiB): skipped`;

/** What a skip over an oversized record stops at. */
const enum Skip {
  /** A value: its closer, or a line that begins with `{` (always a new record). */
  Value,
  /** An array element: the `,` or the array's closer after it. */
  Element,
  /** Content that is not an object: the end of its line. */
  Line,
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Streams JSON values, in batches of one input chunk, out of bytes holding them back to back: one per line (JSON Lines),
 * concatenated with no separator (as Firehose writes WAF logs), or pretty-printed one after
 * another. A document that is a top-level array `[a, b, ...]`, or a CloudTrail log file
 * `{"Records":[a, b, ...]}`, is streamed element by element in constant memory: each
 * element is a record of its own, with its own bytes as `text` and its own location.
 *
 * Written by hand rather than with a streaming JSON tokenizer because the native
 * JSON.parse on each record is several times faster, and WAF throughput is a target.
 * The fast path guesses that a record ends at a `}` followed by a newline or `{` and lets
 * JSON.parse confirm it. When the guess fell inside a string (attackers put `}{` in URIs)
 * or inside a pretty-printed object, the parse fails as truncated and the record's real
 * end is found by one string-aware scan, resumed chunk after chunk, so that a large
 * record costs linear time. Multi-byte UTF-8 never contains the bytes looked for, so
 * scanning bytes is safe and gives exact byte offsets.
 */
export async function* readJsonRecords(chunks: AsyncIterable<Buffer>, path: string): AsyncGenerator<JsonRecord[]> {
  const reader = new JsonRecordReader(path);
  for await (const chunk of chunks) {
    const batch: JsonRecord[] = [];
    reader.add(chunk, batch);
    if (batch.length > 0) yield batch;
  }
  const batch: JsonRecord[] = [];
  reader.end(batch);
  if (batch.length > 0) yield batch;
}

/** Where records go as they are read: an array, or a consumer that handles each at once. */
export interface RecordSink {
  push(record: JsonRecord): unknown;
}

/**
 * What readJsonRecords does, a chunk at a time, handing each record to a sink the moment it is
 * parsed. A consumer that decodes it there keeps one record alive instead of a chunk's worth
 * (about 70 WAF records per 64 KiB): fewer survivors for every young-generation GC to copy.
 */
export class JsonRecordReader {
  private readonly acc = new GrowableBuffer();
  private readonly splitter: Splitter;

  constructor(path: string) {
    this.splitter = new Splitter(path);
  }

  /** Reads the records that `chunk` completes. */
  add(chunk: Buffer, sink: RecordSink): void {
    this.acc.append(chunk);
    this.acc.consume(this.splitter.split(this.acc.view(), false, sink));
  }

  /** The input has ended: reads what is left. */
  end(sink: RecordSink): void {
    this.splitter.split(this.acc.view(), true, sink);
    this.acc.consume(this.acc.length);
  }
}

/** Where a structural scan of a pending value stands, so the next chunk resumes it instead of starting over. */
interface Scan {
  /** Input offset of the next byte to look at. */
  pos: number;
  depth: number;
  inString: boolean;
  escaped: boolean;
}

const enum Mode {
  /** Values back to back (lines, concatenated, pretty-printed). */
  Values,
  /** Inside a streamed top-level array: before an element. */
  Array,
  /** Inside the `Records` array of a CloudTrail file: before an element. */
  Records,
  /** After the `Records` array: the closing `}` is expected. */
  AfterRecords,
  /** Skipping what follows `Records` in a CloudTrail file, up to its closing `}`. */
  SkipRest,
}

/** Appends chunks with amortised copying, so a multi-megabyte document arriving in small chunks costs linear time. */
class GrowableBuffer {
  private data: Buffer = Buffer.alloc(0);
  private start = 0;
  length = 0;

  append(chunk: Buffer): void {
    if (this.start + this.length + chunk.length > this.data.length) {
      const needed = this.length + chunk.length;
      if (needed <= this.data.length / 2) {
        this.data.copy(this.data, 0, this.start, this.start + this.length);
      } else {
        const bigger = Buffer.allocUnsafe(Math.max(needed * 2, 64 * 1024));
        this.data.copy(bigger, 0, this.start, this.start + this.length);
        this.data = bigger;
      }
      this.start = 0;
    }
    chunk.copy(this.data, this.start + this.length);
    this.length += chunk.length;
  }

  view(): Buffer {
    return this.data.subarray(this.start, this.start + this.length);
  }

  consume(n: number): void {
    this.start += n;
    this.length -= n;
  }
}

/** The record splitter's state between chunks; `split` is called with the unconsumed bytes each time. */
class Splitter {
  /** Offset of the buffer's first byte in the input. */
  private base = 0;
  /** Line number of the buffer's first byte. */
  private line = 1;
  private mode = Mode.Values;
  /** True where a new document begins (start of input, or after a streamed document), where `[` starts an array to stream. */
  private documentStart = true;
  /** Where the boundary search for the pending record left off, so a large record is not rescanned per chunk. */
  private resumeAt = 0;
  /** The structural scan of the pending record or element, when one is under way. */
  private scan: Scan | undefined;
  /** Set while an oversized record is being skipped (with `scan` resumed across chunks for values and elements). */
  private skipping: Skip | undefined;

  constructor(private readonly path: string) {}

  /** Appends the complete records in buf to `out`; returns how many bytes were consumed. */
  split(buf: Buffer, atEnd: boolean, out: RecordSink): number {
    const base = this.base;
    let line = this.line;
    let start = 0;
    const at = (offset: number, lineNo: number): InputLocation => ({ path: this.path, offset: base + offset, line: lineNo });
    for (;;) {
      if (this.skipping !== undefined) {
        const skipped = this.skipping;
        const stop = this.skipEnd(buf, start, base);
        line += countNewlines(buf, start, stop === -1 ? buf.length : stop);
        start = stop === -1 ? buf.length : stop;
        if (stop === -1 && !atEnd) break;
        this.endSkip(buf, stop);
        if (stop === -1) break;
        // an element's delimiter (`,` or the array's closer) is consumed with it
        if (skipped === Skip.Element) start++;
        continue;
      }
      if (this.scan === undefined) {
        const next = skipSpace(buf, start);
        line += countNewlines(buf, start, next);
        start = next;
      }
      if (start >= buf.length) break;
      const mode = this.mode;

      if (mode === Mode.Array || mode === Mode.Records) {
        if (this.scan === undefined && (buf[start] === CLOSE_BRACKET || buf[start] === CLOSE_BRACE)) {
          start++;
          this.closeArray();
          continue;
        }
        this.scan ??= { pos: base + start, depth: 0, inString: false, escaped: false };
        const delimiter = scanElement(buf, this.scan, base);
        if (delimiter === -1 && !atEnd) {
          if (buf.length - start > MAX_RECORD_BYTES) {
            const end = trimEnd(buf, start, buf.length);
            // At depth 0 outside strings the element is whole and only whitespace follows it so far.
            if (this.scan.depth === 0 && !this.scan.inString && end - start <= MAX_RECORD_BYTES) {
              out.push(parseRecord(buf, start, end, at(start, line)));
              this.skipping = Skip.Element;
            } else {
              this.startSkip(buf, start, at(start, line), out, Skip.Element);
            }
            line += countNewlines(buf, start, buf.length);
            start = buf.length;
          }
          break;
        }
        this.scan = undefined;
        const stop = delimiter === -1 ? buf.length : delimiter;
        out.push(parseRecord(buf, start, trimEnd(buf, start, stop), at(start, line)));
        line += countNewlines(buf, start, stop);
        start = stop + 1;
        if (delimiter !== -1 && buf[delimiter] !== COMMA) this.closeArray();
        continue;
      }

      if (mode === Mode.AfterRecords) {
        if (buf[start] === CLOSE_BRACE) {
          start++;
          this.mode = Mode.Values;
          this.documentStart = true;
          continue;
        }
        const shown = buf.toString('utf8', start, Math.min(buf.length, start + SHOWN_BYTES));
        const message = 'CloudTrail log file: content other than "Records" is not supported, skipped up to the end of the file object';
        out.push({ ok: false, message, text: shown, location: at(start, line) });
        this.mode = Mode.SkipRest;
        this.scan = { pos: base + start, depth: 1, inString: false, escaped: false };
        continue;
      }

      if (mode === Mode.SkipRest) {
        const scan = this.scan ?? { pos: base + start, depth: 1, inString: false, escaped: false };
        const end = scanValue(buf, scan, base);
        const stop = end === -1 ? buf.length : end;
        line += countNewlines(buf, start, stop);
        start = stop;
        if (end === -1) {
          this.scan = scan;
          if (!atEnd) break;
        }
        this.scan = undefined;
        this.mode = Mode.Values;
        this.documentStart = true;
        continue;
      }

      // Mode.Values
      const first = buf[start];
      if (this.scan === undefined && this.documentStart && first === OPEN_BRACKET) {
        start++;
        this.mode = Mode.Array;
        continue;
      }
      if (this.scan === undefined && first === OPEN_BRACE) {
        const afterPrefix = matchRecordsPrefix(buf, start);
        if (afterPrefix === NEED_MORE && !atEnd) break;
        if (afterPrefix >= 0) {
          line += countNewlines(buf, start, afterPrefix);
          start = afterPrefix;
          this.mode = Mode.Records;
          continue;
        }
      }
      this.documentStart = false;
      if (first !== OPEN_BRACE) {
        // Not the start of an object: report up to the end of the line as one bad record.
        let end = buf.indexOf(NEWLINE, start);
        if (end === -1) {
          if (!atEnd) {
            if (buf.length - start > MAX_RECORD_BYTES) {
              this.startSkip(buf, start, at(start, line), out, Skip.Line);
              start = buf.length;
            }
            break;
          }
          end = buf.length;
        }
        out.push({ ok: false, message: 'not a JSON object', text: buf.toString('utf8', start, end), location: at(start, line) });
        line += countNewlines(buf, start, end);
        start = end;
        continue;
      }
      let candidate: number;
      let record: JsonRecord;
      if (this.scan === undefined) {
        candidate = nextBoundary(buf, Math.max(start, this.resumeAt - base), atEnd);
        if (candidate === -1) {
          const end = trimEnd(buf, start, buf.length);
          if (buf.length - start > MAX_RECORD_BYTES && end - start <= MAX_RECORD_BYTES && buf[end - 1] === CLOSE_BRACE) {
            // A record followed by nothing but whitespace so far (no newline yet): it is whole.
            const record = parseRecord(buf, start, end, at(start, line));
            if (record.ok) {
              out.push(record);
              start = buf.length;
              break;
            }
          }
          if (buf.length - start > MAX_RECORD_BYTES) {
            this.scan = { pos: base + start, depth: 0, inString: false, escaped: false };
            this.startSkip(buf, start, at(start, line), out, Skip.Value);
            this.resumeAt = 0;
            continue;
          }
          this.resumeAt = base + Math.max(start, buf.length - 64);
          break;
        }
        record = parseRecord(buf, start, candidate, at(start, line));
        if (!record.ok) {
          const lineStart = buf.subarray(start, candidate).indexOf(NEWLINE_BRACE);
          if (lineStart !== -1) {
            // A line that begins with `{` is always a new record (raw newlines cannot stand in JSON strings):
            // the piece before it is broken on its own, typically a line cut short mid-write.
            candidate = start + lineStart;
            record = parseRecord(buf, start, candidate, at(start, line));
          } else if (isTruncated(record.message, record.text.length)) {
            // The candidate fell inside a string or a nested object: find the real end structurally.
            this.scan = { pos: base + start, depth: 0, inString: false, escaped: false };
          } else {
            const restart = findRestart(buf, start, candidate, record.message, atEnd, at, line);
            if (restart !== undefined) {
              // A record cut short mid-write, with the next one glued to it: report the piece, keep the next.
              out.push(restart.bad);
              line += countNewlines(buf, start, restart.from);
              start = restart.from;
              record = restart.good;
              candidate = restart.end;
            }
          }
        }
      } else {
        candidate = -1;
        record = { ok: false, message: '', text: '', location: at(start, line) };
      }
      if (this.scan !== undefined) {
        const scanFrom = this.scan.pos - base;
        const end = scanValue(buf, this.scan, base);
        if (end === -1 && !atEnd) {
          if (buf.length - start > MAX_RECORD_BYTES) {
            this.startSkip(buf, start, at(start, line), out, Skip.Value);
            const nextRecord = buf.indexOf(NEWLINE_BRACE, Math.max(start, scanFrom));
            if (nextRecord !== -1) {
              line += countNewlines(buf, start, nextRecord);
              start = nextRecord;
              this.scan = undefined;
              this.skipping = undefined;
              continue;
            }
            line += countNewlines(buf, start, buf.length);
            start = buf.length;
          }
          break;
        }
        this.scan = undefined;
        candidate = end === -1 ? buf.length : end;
        record = parseRecord(buf, start, candidate, at(start, line));
      }
      out.push(record);
      line += countNewlines(buf, start, candidate);
      start = candidate;
      this.resumeAt = 0;
    }
    this.base += start;
    this.line = line;
    return start;
  }

  /** Reports the record starting at `start` as oversized, showing its first bytes, and starts skipping it. */
  private startSkip(buf: Buffer, start: number, location: InputLocation, out: RecordSink, skip: Skip): void {
    out.push(oversized(buf, start, location));
    this.skipping = skip;
  }

  /**
   * Where the skipped record ends in buf (from `start`): for a value the index after its
   * closer or the `{` of the next line that begins one, for an element its delimiter, for a
   * line its newline; -1 when not in buf yet.
   */
  private skipEnd(buf: Buffer, start: number, base: number): number {
    if (this.skipping === Skip.Line) return buf.indexOf(NEWLINE, start);
    const scan = this.scan ?? { pos: base + start, depth: 0, inString: false, escaped: false };
    this.scan = scan;
    if (this.skipping === Skip.Element) return scanElement(buf, scan, base);
    const from = scan.pos - base;
    const nextRecord = buf.indexOf(NEWLINE_BRACE, Math.max(start, from));
    const end = scanValue(buf, scan, base);
    if (nextRecord !== -1 && (end === -1 || nextRecord < end)) return nextRecord + 1;
    return end;
  }

  private endSkip(buf: Buffer, stop: number): void {
    const skipped = this.skipping;
    this.skipping = undefined;
    this.scan = undefined;
    if (skipped === Skip.Element && buf[stop] !== COMMA) this.closeArray();
  }

  private closeArray(): void {
    if (this.mode === Mode.Records) {
      this.mode = Mode.AfterRecords;
    } else {
      this.mode = Mode.Values;
      this.documentStart = true;
    }
  }
}

/**
 * For a piece that failed to parse for a reason other than running out of input: the
 * first later `{` from which a record parses (the last `{` at or before where JSON.parse
 * stopped, the next one after it, or the next ones after the start), with the piece
 * before it as a bad record. Undefined when no restart parses.
 */
function findRestart(
  buf: Buffer,
  start: number,
  candidate: number,
  message: string,
  atEnd: boolean,
  location: (offset: number, line: number) => InputLocation,
  line: number,
): { bad: JsonRecord; good: JsonRecord; from: number; end: number } | undefined {
  const tries: number[] = [];
  const position = /at position (\d+)/.exec(message);
  if (position !== null) {
    const stopped = start + Number(position[1]);
    const before = buf.lastIndexOf(OPEN_BRACE, stopped);
    if (before > start) tries.push(before);
    const after = buf.indexOf(OPEN_BRACE, stopped + 1);
    if (after !== -1 && after < candidate) tries.push(after);
  }
  let next = buf.indexOf(OPEN_BRACE, start + 1);
  while (next !== -1 && next < candidate && tries.length < MAX_RETRIES) {
    if (!tries.includes(next)) tries.push(next);
    next = buf.indexOf(OPEN_BRACE, next + 1);
  }
  for (const from of tries) {
    const end = nextBoundary(buf, from, atEnd);
    if (end === -1 || end > candidate) continue;
    const good = parseRecord(buf, from, end, location(from, line + countNewlines(buf, start, from)));
    if (!good.ok) continue;
    const bad = parseRecord(buf, start, trimEnd(buf, start, from), location(start, line));
    return { bad, good, from, end };
  }
  return undefined;
}

/**
 * The end (exclusive) of the first `}` at or after `from` that is followed by a newline or
 * by `{` (spaces between allowed): a likely record end. -1 when none is certain yet; at the
 * end of input, the end of the buffer.
 */
function nextBoundary(buf: Buffer, from: number, atEnd: boolean): number {
  let i = buf.indexOf(CLOSE_BRACE, from);
  while (i !== -1) {
    let after = i + 1;
    while (after < buf.length && (buf[after] === 0x20 || buf[after] === 0x09 || buf[after] === 0x0d)) after++;
    if (after >= buf.length) return atEnd ? buf.length : -1;
    if (buf[after] === NEWLINE || buf[after] === OPEN_BRACE) return i + 1;
    i = buf.indexOf(CLOSE_BRACE, i + 1);
  }
  return atEnd ? buf.length : -1;
}

/**
 * Continues a scan for the end (exclusive) of a JSON object or array, tracking strings and
 * nesting: the index after the closer that brings the depth to 0, or -1 if it is not in
 * buf yet (the scan then holds where to resume). `base` is the input offset of buf[0].
 */
function scanValue(buf: Buffer, scan: Scan, base: number): number {
  return scanJson(buf, scan, base, false);
}

/**
 * Continues a scan over an array element: the index of the `,` after it or of the closer
 * of the array (both outside strings and nesting), or -1 if it is not in buf yet (the scan
 * then holds where to resume). `base` is the input offset of buf[0].
 */
function scanElement(buf: Buffer, scan: Scan, base: number): number {
  return scanJson(buf, scan, base, true);
}

/** The byte loop behind scanValue and scanElement; `element` says which end is looked for. */
function scanJson(buf: Buffer, scan: Scan, base: number, element: boolean): number {
  let { depth, inString, escaped } = scan;
  const length = buf.length;
  let i = scan.pos - base;
  for (; i < length; i++) {
    const b = buf[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (b === BACKSLASH) escaped = true;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      if (element && depth === 0) return i;
      depth--;
      if (!element && depth <= 0) return i + 1;
    } else if (element && b === COMMA && depth === 0) return i;
  }
  scan.pos = base + i;
  scan.depth = depth;
  scan.inString = inString;
  scan.escaped = escaped;
  return -1;
}

const NEED_MORE = -2;

/**
 * Whether an object starting at `start` opens with `"Records": [` (whitespace allowed between
 * tokens): the index after the `[`, -1 if not, NEED_MORE if buf ends before it can tell.
 */
function matchRecordsPrefix(buf: Buffer, start: number): number {
  let i = skipSpace(buf, start + 1);
  for (let k = 0; k < RECORDS_KEY.length; k++, i++) {
    if (i >= buf.length) return NEED_MORE;
    if (buf[i] !== RECORDS_KEY[k]) return -1;
  }
  i = skipSpace(buf, i);
  if (i >= buf.length) return NEED_MORE;
  if (buf[i] !== COLON) return -1;
  i = skipSpace(buf, i + 1);
  if (i >= buf.length) return NEED_MORE;
  return buf[i] === OPEN_BRACKET ? i + 1 : -1;
}

function oversized(buf: Buffer, start: number, location: InputLocation): JsonRecord {
  return { ok: false, message: TOO_LONG, text: buf.toString('utf8', start, Math.min(buf.length, start + SHOWN_BYTES)), location };
}

/**
 * `buf.toString('utf8', start, end)` without its argument checks and encoding lookup, which cost
 * a few per cent of a WAF scan: Buffer's own UTF-8 slice (on Buffer.prototype since Node 0.x, not typed).
 */
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice?: (this: Buffer, start: number, end: number) => string }).utf8Slice;

function decodeUtf8(buf: Buffer, start: number, end: number): string {
  return utf8Slice === undefined ? buf.toString('utf8', start, end) : utf8Slice.call(buf, start, end);
}

function parseRecord(buf: Buffer, start: number, end: number, location: InputLocation): JsonRecord {
  if (end - start > MAX_RECORD_BYTES) return oversized(buf, start, location);
  const text = decodeUtf8(buf, start, end);
  try {
    return { ok: true, value: JSON.parse(text), text, location };
  } catch (err) {
    return { ok: false, message: `invalid JSON: ${(err as Error).message}`, text, location };
  }
}

/** True when JSON.parse failed only because the text stopped early (so a longer piece may parse). */
function isTruncated(message: string, length: number): boolean {
  if (message.includes('Unterminated string') || message.includes('Unexpected end of JSON input')) return true;
  const at = /at position (\d+)/.exec(message);
  return at !== null && Number(at[1]) >= length;
}

function skipSpace(buf: Buffer, from: number): number {
  let i = from;
  while (i < buf.length && isSpace(buf[i])) i++;
  return i;
}

/** The end of buf[start, end) without its trailing whitespace. */
function trimEnd(buf: Buffer, start: number, end: number): number {
  let i = end;
  while (i > start && isSpace(buf[i - 1])) i--;
  return i;
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  if (to - from < 256) {
    for (let i = from; i < to; i++) if (buf[i] === NEWLINE) n++;
    return n;
  }
  const part = buf.subarray(from, to);
  let i = part.indexOf(NEWLINE);
  while (i !== -1) {
    n++;
    i = part.indexOf(NEWLINE, i + 1);
  }
  return n;
}
