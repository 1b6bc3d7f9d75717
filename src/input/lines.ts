import type { InputLocation } from './location';

/** The longest line kept, in bytes: the rest of a longer line is skipped, and the line marked `truncated`. */
export const MAX_LINE_BYTES = 1024 * 1024;

export interface LocatedText {
  text: string;
  location: InputLocation;
  /** Set when the line was longer than MAX_LINE_BYTES: `text` holds only its first MAX_LINE_BYTES bytes. */
  truncated?: boolean;
}

const NEWLINE = 10;
const CR = 13;

/**
 * Splits a byte stream into lines with their byte offsets, in batches of one input chunk
 * (batches keep the per-line cost free of async overhead), in constant memory: at most
 * MAX_LINE_BYTES of one partial line are carried between chunks, and the rest of a longer
 * line is skipped without being kept. `\r\n` endings are trimmed; a final line without a
 * newline is still yielded.
 */
export async function* readLines(chunks: AsyncIterable<Buffer>, path: string): AsyncGenerator<LocatedText[]> {
  const splitter = new LineSplitter(path);
  for await (const chunk of chunks) {
    const batch = splitter.push(chunk);
    if (batch.length > 0) yield batch;
  }
  const last = splitter.end();
  if (last.length > 0) yield last;
}

/**
 * The incremental core of `readLines`, for bytes that arrive over time (a followed file):
 * `push` returns the lines a chunk completes, and holds a partial last line (its first
 * MAX_LINE_BYTES bytes) until its newline arrives or `end` is called.
 */
export class LineSplitter {
  private readonly carry = new PartialLine();

  /**
   * @param path reported in each line's location
   * @param offset input offset of the first byte pushed (non-zero when starting mid-file)
   * @param line line number of the first byte pushed, which must start a line
   */
  constructor(
    readonly path: string,
    private offset = 0,
    private line = 1,
  ) {}

  /** Input offset just past the last byte pushed. */
  get position(): number {
    return this.offset;
  }

  /** Bytes of the partial line held, waiting for its newline (0 when none). */
  get pendingBytes(): number {
    return this.carry.bytes;
  }

  /**
   * The lines that `chunk` completes, in order (often none). The chunk is not kept: the
   * caller may reuse its memory once this returns.
   */
  push(chunk: Buffer): LocatedText[] {
    const { carry, path } = this;
    const chunkOffset = this.offset;
    let line = this.line;
    const batch: LocatedText[] = [];
    let start = 0;
    let nl = chunk.indexOf(NEWLINE);
    if (carry.bytes > 0) {
      if (nl === -1) {
        carry.add(chunk);
        this.offset += chunk.length;
        return batch;
      }
      carry.add(chunk.subarray(0, nl));
      batch.push(carry.take(path, line));
      line++;
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    while (nl !== -1) {
      const end = nl > start && chunk[nl - 1] === CR ? nl - 1 : nl;
      if (end - start > MAX_LINE_BYTES) {
        batch.push({ text: chunk.toString('utf8', start, start + MAX_LINE_BYTES), location: { path, offset: chunkOffset + start, line }, truncated: true });
      } else {
        batch.push({ text: chunk.toString('utf8', start, end), location: { path, offset: chunkOffset + start, line } });
      }
      line++;
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      carry.offset = chunkOffset + start;
      carry.add(chunk.subarray(start));
    }
    this.offset = chunkOffset + chunk.length;
    this.line = line;
    return batch;
  }

  /** The partial line held, as a line of its own (none when nothing is held). Pushing may go on after it. */
  end(): LocatedText[] {
    if (this.carry.bytes === 0) return [];
    return [this.carry.take(this.path, this.line++)];
  }
}

/** The line being read across chunks: its first MAX_LINE_BYTES bytes (copied), and how long it is in all. */
class PartialLine {
  /** Input offset of the line's first byte. */
  offset = 0;
  /** Bytes of the line seen so far, kept or not. */
  bytes = 0;
  private parts: Buffer[] = [];
  private kept = 0;
  private last = 0;

  add(piece: Buffer): void {
    if (piece.length === 0) return;
    this.bytes += piece.length;
    this.last = piece[piece.length - 1] as number;
    if (this.kept < MAX_LINE_BYTES) {
      const part = Buffer.from(piece.subarray(0, MAX_LINE_BYTES - this.kept));
      this.parts.push(part);
      this.kept += part.length;
    }
  }

  /** The line, for the text seen so far; resets for the next line. */
  take(path: string, line: number): LocatedText {
    const length = this.last === CR ? this.bytes - 1 : this.bytes;
    const kept = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.kept);
    const location = { path, offset: this.offset, line };
    const out: LocatedText =
      length > MAX_LINE_BYTES
        ? { text: kept.toString('utf8', 0, MAX_LINE_BYTES), location, truncated: true }
        : { text: kept.toString('utf8', 0, length), location };
    this.parts = [];
    this.kept = 0;
    this.bytes = 0;
    this.last = 0;
    return out;
  }
}
