import { MAX_LINE_BYTES, readLines, type LocatedText } from '../../src/input/lines';

async function collectLines(chunks: Iterable<Buffer>): Promise<LocatedText[]> {
  const out: LocatedText[] = [];
  async function* source(): AsyncGenerator<Buffer> {
    for (const c of chunks) yield c;
  }
  for await (const batch of readLines(source(), 'f')) out.push(...batch);
  return out;
}

async function lines(chunks: string[]): Promise<Array<[string, number, number]>> {
  const out = await collectLines(chunks.map((c) => Buffer.from(c, 'utf8')));
  return out.map((l) => [l.text, l.location.offset, l.location.line]);
}

/** Splits bytes into chunks of `size`. */
function chunked(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

describe('readLines', () => {
  it('gives each line its byte offset and line number, across chunk boundaries', async () => {
    expect(await lines(['ab\nc', 'dé\r\n', 'last'])).toEqual([
      ['ab', 0, 1],
      ['cdé', 3, 2],
      ['last', 9, 3],
    ]);
  });

  it('keeps empty lines (they are counted, then skipped by the parser)', async () => {
    expect(await lines(['\n\nx\n'])).toEqual([
      ['', 0, 1],
      ['', 1, 2],
      ['x', 2, 3],
    ]);
  });

  it('trims \\r\\n split across chunks, and gives the same lines whatever the chunk size', async () => {
    const text = Buffer.from('a\r\nbé\r\n\r\n\rc\r', 'utf8');
    const expected = [
      ['a', 0, 1],
      ['bé', 3, 2],
      ['', 8, 3],
      ['\rc', 10, 4],
    ];
    for (let size = 1; size <= text.length; size++) {
      const out = await collectLines(chunked(text, size));
      expect(out.map((l) => [l.text, l.location.offset, l.location.line])).toEqual(expected);
    }
  });
});

describe('readLines on lines longer than MAX_LINE_BYTES', () => {
  const long = 'x'.repeat(MAX_LINE_BYTES + 10);

  it('keeps the first MAX_LINE_BYTES bytes, marks the line truncated, and keeps exact offsets after it', async () => {
    const text = Buffer.from(`first\n${long}\nnext\r\nlast`, 'utf8');
    for (const size of [7, 64 * 1024, text.length]) {
      const out = await collectLines(chunked(text, size));
      expect(out.map((l) => [l.text.length, l.location.offset, l.location.line, l.truncated])).toEqual([
        [5, 0, 1, undefined],
        [MAX_LINE_BYTES, 6, 2, true],
        [4, 6 + MAX_LINE_BYTES + 11, 3, undefined],
        [4, 6 + MAX_LINE_BYTES + 17, 4, undefined],
      ]);
      expect(out[2]?.text).toBe('next');
      expect(out[3]?.text).toBe('last');
    }
  });

  it('does not truncate a line of exactly MAX_LINE_BYTES bytes, with or without \\r', async () => {
    const exact = 'y'.repeat(MAX_LINE_BYTES);
    const text = Buffer.from(`${exact}\n${exact}\r\nz`, 'utf8');
    for (const size of [1000, 64 * 1024, text.length]) {
      const out = await collectLines(chunked(text, size));
      expect(out.map((l) => [l.text === exact, l.location.offset, l.location.line, l.truncated])).toEqual([
        [true, 0, 1, undefined],
        [true, MAX_LINE_BYTES + 1, 2, undefined],
        [false, 2 * MAX_LINE_BYTES + 3, 3, undefined],
      ]);
    }
  });

  it('marks a long last line without a newline as truncated', async () => {
    const out = await collectLines(chunked(Buffer.from(`a\n${long}`), 4096));
    expect(out.map((l) => [l.text.length, l.location.offset, l.location.line, l.truncated])).toEqual([
      [1, 0, 1, undefined],
      [MAX_LINE_BYTES, 2, 2, true],
    ]);
  });

  it('reads a 300 MB line in 64 KB chunks without holding it', async () => {
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const count = Math.ceil((300 * 1024 * 1024) / piece.length);
    let maxExternal = 0;
    const before = process.memoryUsage().arrayBuffers;
    function* source(): Generator<Buffer> {
      yield Buffer.from('start\n');
      for (let i = 0; i < count; i++) {
        yield piece;
        if (i % 256 === 0) maxExternal = Math.max(maxExternal, process.memoryUsage().arrayBuffers - before);
      }
      yield Buffer.from('\nafter\n');
    }
    const started = Date.now();
    const out = await collectLines(source());
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(maxExternal).toBeLessThan(64 * 1024 * 1024);
    expect(out.map((l) => [l.text.length, l.location.offset, l.location.line, l.truncated])).toEqual([
      [5, 0, 1, undefined],
      [MAX_LINE_BYTES, 6, 2, true],
      [5, 6 + count * piece.length + 1, 3, undefined],
    ]);
  });
});
