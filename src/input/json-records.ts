import type { InputLocation } from './location';

export type JsonRecord =
  | { ok: true; value: unknown; text: string; location: InputLocation }
  | { ok: false; message: string; text: string; location: InputLocation };

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const NEWLINE = 0x0a;
const NEWLINE_BRACE = Buffer.from('\n{');

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Streams JSON values, in batches of one input chunk, out of bytes holding them back to back: one per line (JSON Lines),
 * concatenated with no separator (as Firehose writes WAF logs), pretty-printed one after
 * another, or a single document (a CloudTrail file `{"Records":[...]}`; a top-level
 * array is yielded whole).
 *
 * Written by hand rather than with a streaming JSON tokenizer because the native
 * JSON.parse on each record is several times faster, and WAF throughput is a target.
 * The fast path guesses that a record ends at a `}` followed by a newline or `{` and lets
 * JSON.parse confirm it. When the guess fell inside a string (attackers put `}{` in URIs)
 * or inside a pretty-printed object, the parse fails as truncated and the record's real
 * end is found by one string-aware scan. Multi-byte UTF-8 never contains the bytes looked
 * for, so scanning bytes is safe and gives exact byte offsets.
 */
export async function* readJsonRecords(chunks: AsyncIterable<Buffer>, path: string): AsyncGenerator<JsonRecord[]> {
  const acc = new GrowableBuffer();
  const state: ScanState = { base: 0, line: 1, resumeAt: 0 };
  let wholeDocument: boolean | undefined;

  for await (const chunk of chunks) {
    acc.append(chunk);
    if (wholeDocument === undefined) {
      const start = skipSpace(acc.view(), 0);
      if (start < acc.length) wholeDocument = acc.view()[start] === OPEN_BRACKET;
    }
    if (wholeDocument) continue;
    const batch: JsonRecord[] = [];
    acc.consume(drain(splitRecords(acc.view(), state, path, false), batch));
    if (batch.length > 0) yield batch;
  }
  const buf = acc.view();
  if (wholeDocument) {
    const start = skipSpace(buf, 0);
    yield [parseRecord(buf, start, buf.length, { path, offset: state.base + start, line: state.line + countNewlines(buf, 0, start) })];
    return;
  }
  const batch: JsonRecord[] = [];
  drain(splitRecords(buf, state, path, true), batch);
  if (batch.length > 0) yield batch;
}

/** Runs a generator to its end, collecting what it yields; returns what it returns. */
function drain<T, R>(generator: Generator<T, R>, into: T[]): R {
  let step = generator.next();
  while (!step.done) {
    into.push(step.value);
    step = generator.next();
  }
  return step.value;
}

interface ScanState {
  /** Offset of the buffer's first byte in the input. */
  base: number;
  /** Line number of the buffer's first byte. */
  line: number;
  /** Where the boundary search for the pending record left off, so a large record is not rescanned per chunk. */
  resumeAt: number;
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

/** Yields the complete records in buf; returns how many bytes were consumed. */
function* splitRecords(buf: Buffer, state: ScanState, path: string, atEnd: boolean): Generator<JsonRecord, number> {
  const base = state.base;
  let line = state.line;
  let start = skipSpace(buf, 0);
  line += countNewlines(buf, 0, start);
  const finish = (consumed: number): number => {
    state.base += consumed;
    state.line = line;
    return consumed;
  };
  while (start < buf.length) {
    if (buf[start] !== OPEN_BRACE) {
      // Not the start of an object: report up to the end of the line as one bad record.
      let end = buf.indexOf(NEWLINE, start);
      if (end === -1) {
        if (!atEnd) return finish(start);
        end = buf.length;
      }
      const location = { path, offset: base + start, line };
      yield { ok: false, message: 'not a JSON object', text: buf.toString('utf8', start, end), location };
      const next = skipSpace(buf, end);
      line += countNewlines(buf, start, next);
      start = next;
      continue;
    }
    let candidate = nextBoundary(buf, Math.max(start, state.resumeAt - base), atEnd);
    if (candidate === -1) {
      state.resumeAt = base + Math.max(start, buf.length - 64);
      return finish(start);
    }
    let record = parseRecord(buf, start, candidate, { path, offset: base + start, line });
    const lineStart = record.ok ? -1 : buf.indexOf(NEWLINE_BRACE, start);
    if (lineStart !== -1 && lineStart < candidate) {
      // A line that begins with `{` is always a new record (raw newlines cannot stand in JSON strings):
      // the piece before it is broken on its own, typically a line cut short mid-write.
      candidate = lineStart;
      record = parseRecord(buf, start, candidate, { path, offset: base + start, line });
    } else if (!record.ok && isTruncated(record.message, record.text.length)) {
      // The candidate fell inside a string or a nested object: find the real end once, structurally.
      const end = scanValueEnd(buf, start);
      if (end === -1 && !atEnd) {
        state.resumeAt = base + Math.max(start, buf.length - 64);
        return finish(start);
      }
      candidate = end === -1 ? buf.length : end;
      record = parseRecord(buf, start, candidate, { path, offset: base + start, line });
    }
    yield record;
    const next = skipSpace(buf, candidate);
    line += countNewlines(buf, start, next);
    start = next;
    state.resumeAt = 0;
  }
  return finish(start);
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

/** The end (exclusive) of the JSON object or array starting at `start`, tracking strings and nesting; -1 if it does not end in buf. */
function scanValueEnd(buf: Buffer, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < buf.length; i++) {
    const b = buf[i];
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
    else if (b === CLOSE_BRACE || b === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function parseRecord(buf: Buffer, start: number, end: number, location: InputLocation): JsonRecord {
  const text = buf.toString('utf8', start, end);
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

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  let i = buf.indexOf(NEWLINE, from);
  while (i !== -1 && i < to) {
    n++;
    i = buf.indexOf(NEWLINE, i + 1);
  }
  return n;
}
