import { appendFileSync, copyFileSync, createReadStream, mkdirSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { followFile, type FollowHandle, type FollowNotice, type FollowOptions } from '../../src/input/follow';
import { MAX_LINE_BYTES, readLines, type LocatedText } from '../../src/input/lines';
import { InputReadError } from '../../src/input/open';

const POLL_MS = 20;
const WAIT_MS = 10_000;

let dir: string;
const handles: FollowHandle[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'klaxon-follow-'));
});

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** A follower whose lines, batches and notices are recorded. */
function follow(path: string, options: Partial<FollowOptions> = {}) {
  const lines: LocatedText[] = [];
  const batches: number[] = [];
  const notices: FollowNotice[] = [];
  const handle = followFile(path, {
    pollIntervalMs: POLL_MS,
    onLines: (batch) => {
      batches.push(batch.length);
      lines.push(...batch);
    },
    onNotice: (n) => notices.push(n),
    ...options,
  });
  handles.push(handle);
  const texts = (): string[] => lines.map((l) => l.text);
  const kinds = (): string[] => notices.map((n) => n.kind);
  return { handle, lines, batches, notices, texts, kinds };
}

/** Polls until `condition` holds; fails with `what` (and the last state seen) after WAIT_MS. */
async function waitFor(condition: () => boolean, what: string, state?: () => unknown): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${state === undefined ? '' : `: ${JSON.stringify(state())}`}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function scan(path: string): Promise<LocatedText[]> {
  const out: LocatedText[] = [];
  for await (const batch of readLines(createReadStream(path), path)) out.push(...batch);
  return out;
}

const located = (lines: LocatedText[]): Array<[string, number, number]> => lines.map((l) => [l.text, l.location.offset, l.location.line]);

describe.each([
  ['fs.watch and polling', true],
  ['polling only', false],
])('followFile with %s', (_name, watch) => {
  it('reads existing content with fromStart, then appended lines, exactly as a scan of the file gives them', async () => {
    const path = join(dir, 'auth.log');
    const long = 'L'.repeat(MAX_LINE_BYTES + 5);
    writeFileSync(path, 'one\r\ntwé\n');
    const f = follow(path, { fromStart: true, watch });
    await f.handle.ready;
    expect(f.texts()).toEqual(['one', 'twé']);
    appendFileSync(path, `three\n${long}\nfour\n`);
    await waitFor(() => f.lines.length === 5, 'five lines', f.texts);
    appendFileSync(path, 'five\n\n');
    await waitFor(() => f.lines.length === 7, 'seven lines');
    const scanned = await scan(path);
    expect(f.lines).toEqual(scanned);
    expect(f.lines[3]?.truncated).toBe(true);
  });

  it('starts after the last complete line by default, with true offsets and line numbers', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, 'old 1\nold 2\npart');
    const f = follow(path, { watch });
    await f.handle.ready;
    // The partial last line was read, and is held for its newline.
    expect(f.handle.offset).toBe(16);
    expect(f.lines).toEqual([]);
    appendFileSync(path, 'ial\nnew\n');
    await waitFor(() => f.lines.length === 2, 'two lines', f.texts);
    expect(located(f.lines)).toEqual([
      ['partial', 12, 3],
      ['new', 20, 4],
    ]);
    expect(f.lines).toEqual((await scan(path)).slice(2));
  });

  it('joins a line appended in pieces, and trims \\r\\n split across appends', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, '');
    const f = follow(path, { watch });
    await f.handle.ready;
    const pieces = ['ab', 'c', 'd\r', '\ne', 'f', '\n'];
    let size = 0;
    for (const piece of pieces) {
      appendFileSync(path, piece);
      size += piece.length;
      // Each piece is read on its own before the next is written.
      await waitFor(() => f.handle.offset === size, `offset ${size}`);
    }
    await waitFor(() => f.lines.length === 2, 'two lines', f.texts);
    expect(located(f.lines)).toEqual([
      ['abcd', 0, 1],
      ['ef', 6, 2],
    ]);
  });

  it('follows a file renamed away and recreated: the old file is read to its end, then the new one from its start', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, 'before\n');
    const f = follow(path, { watch, fromStart: true });
    await waitFor(() => f.lines.length === 1, 'the first line');
    renameSync(path, `${path}.1`);
    // The writer goes on appending to the renamed file until it is told to reopen.
    appendFileSync(`${path}.1`, 'old tail 1\nold tail 2\nunfinished');
    writeFileSync(path, 'new 1\nnew 2\n');
    await waitFor(() => f.lines.length === 6, 'six lines', f.texts);
    expect(located(f.lines)).toEqual([
      ['before', 0, 1],
      ['old tail 1', 7, 2],
      ['old tail 2', 18, 3],
      ['unfinished', 29, 4],
      ['new 1', 0, 1],
      ['new 2', 6, 2],
    ]);
    expect(f.kinds()).toContain('rotated');
    appendFileSync(path, 'new 3\n');
    await waitFor(() => f.lines.length === 7, 'a line appended to the new file');
    expect(f.lines[6]?.location).toEqual({ path, offset: 12, line: 3 });
  });

  it('starts again from 0 when the file is truncated in place (copytruncate)', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, 'a fairly long first line\nsecond\n');
    const f = follow(path, { watch, fromStart: true });
    await waitFor(() => f.lines.length === 2, 'two lines');
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    await waitFor(() => f.kinds().includes('truncated'), 'the truncation', f.kinds);
    appendFileSync(path, 'after\n');
    await waitFor(() => f.lines.length === 3, 'a third line', f.texts);
    expect(located(f.lines).slice(2)).toEqual([['after', 0, 1]]);
  });

  it('keeps retrying while the file is deleted, and reads the recreated file from its start', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, 'first\n');
    const f = follow(path, { watch, fromStart: true });
    await waitFor(() => f.lines.length === 1, 'the first line');
    unlinkSync(path);
    await waitFor(() => f.kinds().includes('missing'), 'the file to be seen missing', f.kinds);
    writeFileSync(path, 'again 1\nagain 2\n');
    await waitFor(() => f.lines.length === 3, 'the recreated file', f.texts);
    expect(located(f.lines).slice(1)).toEqual([
      ['again 1', 0, 1],
      ['again 2', 8, 2],
    ]);
    // One notice for the whole time the file was missing, however many checks found it so.
    expect(f.kinds()).toEqual(['missing', 'rotated']);
  });

  it('waits for a file that does not exist yet, and reads it from its start when it appears', async () => {
    const path = join(dir, 'later', 'auth.log');
    const f = follow(path, { watch });
    await f.handle.ready;
    expect(f.kinds()).toEqual(['waiting']);
    mkdirSync(join(dir, 'later'));
    writeFileSync(path, 'hello\nworld\n');
    await waitFor(() => f.lines.length === 2, 'the new file', f.texts);
    expect(located(f.lines)).toEqual([
      ['hello', 0, 1],
      ['world', 6, 2],
    ]);
    expect(f.kinds()).toEqual(['waiting', 'resumed']);
  });
});

describe('followFile', () => {
  it('reads a large append in chunks, in order', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, '');
    const f = follow(path, { chunkBytes: 4096 });
    await f.handle.ready;
    const count = 20_000;
    const text = Array.from({ length: count }, (_, i) => `line ${i}\n`).join('');
    appendFileSync(path, text);
    await waitFor(() => f.lines.length === count, `${count} lines`, () => f.lines.length);
    expect(f.lines).toEqual(await scan(path));
    // Batches of one 4 KiB chunk each: never the whole append at once.
    expect(Math.max(...f.batches)).toBeLessThanOrEqual(4096 / 'line 0\n'.length);
    expect(f.batches.length).toBeGreaterThanOrEqual(Math.floor(text.length / 4096));
  });

  it('delivers a held partial line on stop(), then closes everything and delivers nothing more', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, '');
    const f = follow(path);
    await f.handle.ready;
    appendFileSync(path, 'done\nhalf');
    await waitFor(() => f.handle.offset === 9, 'the partial line to be read');
    expect(f.texts()).toEqual(['done']);
    await f.handle.stop();
    await expect(f.handle.done).resolves.toBeUndefined();
    expect(located(f.lines)).toEqual([
      ['done', 0, 1],
      ['half', 5, 2],
    ]);
    appendFileSync(path, ' more\n');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS * 5));
    expect(f.texts()).toEqual(['done', 'half']);
    await f.handle.stop();
  });

  it('can be stopped at once, and while waiting for a missing file', async () => {
    const now = follow(join(dir, 'a.log'));
    await now.handle.stop();
    const missing = follow(join(dir, 'nope', 'b.log'));
    await missing.handle.ready;
    await missing.handle.stop();
    await expect(missing.handle.done).resolves.toBeUndefined();
  });

  it('waits for a slow onLines before reading on', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, 'a\nb\nc\n');
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: string[] = [];
    const handle = followFile(path, {
      fromStart: true,
      chunkBytes: 2,
      pollIntervalMs: POLL_MS,
      onLines: async (batch) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(...batch.map((l) => l.text));
        inFlight--;
      },
    });
    handles.push(handle);
    await handle.ready;
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(maxInFlight).toBe(1);
  });

  it('turns a UTF-8 byte-order mark into spaces, as a scan does', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x\n')]));
    const f = follow(path, { fromStart: true });
    await f.handle.ready;
    expect(located(f.lines)).toEqual([['   x', 0, 1]]);
  });

  it('keeps invalid UTF-8 as readLines does', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, '');
    const f = follow(path);
    await f.handle.ready;
    appendFileSync(path, Buffer.from([0x61, 0xff, 0xc3]));
    await waitFor(() => f.handle.offset === 3, 'the first bytes');
    appendFileSync(path, Buffer.from([0xa9, 0x0a]));
    await waitFor(() => f.lines.length === 1, 'the line');
    expect(f.lines).toEqual(await scan(path));
    expect(f.texts()).toEqual(['a\ufffdé']);
  });

  it('refuses a gzip-compressed file', async () => {
    const path = join(dir, 'auth.log.1');
    writeFileSync(path, gzipSync('compressed\n'));
    const f = follow(path, { fromStart: true });
    await expect(f.handle.done).rejects.toThrow(InputReadError);
    await expect(f.handle.done).rejects.toThrow(/gzip-compressed.*cannot be followed/);
    expect(f.lines).toEqual([]);
  });

  it('refuses a gzip-compressed file that replaces the followed one', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, 'plain\n');
    const f = follow(path, { fromStart: true });
    await f.handle.ready;
    renameSync(path, `${path}.1`);
    writeFileSync(path, gzipSync('compressed\n'));
    await expect(f.handle.done).rejects.toThrow(/gzip-compressed/);
    expect(f.texts()).toEqual(['plain']);
  });

  it('refuses a directory', async () => {
    const f = follow(dir);
    await expect(f.handle.done).rejects.toThrow(/is a directory/);
  });

  it('stops, with done rejecting, when onLines throws', async () => {
    const path = join(dir, 'auth.log');
    writeFileSync(path, 'boom\n');
    const handle = followFile(path, {
      fromStart: true,
      pollIntervalMs: POLL_MS,
      onLines: () => {
        throw new Error('sink failed');
      },
    });
    handles.push(handle);
    await expect(handle.done).rejects.toThrow('sink failed');
    await handle.stop();
  });
});
