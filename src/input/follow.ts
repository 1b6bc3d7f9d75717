import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { LineSplitter, type LocatedText } from './lines';
import { InputReadError } from './open';

/** Something worth telling the user about a followed file; following goes on after each. */
export interface FollowNotice {
  /**
   * - `waiting`: the path cannot be opened (missing, or not readable); retried quietly until it can.
   * - `resumed`: the path can be opened again after `waiting`; it is read from its start.
   * - `missing`: the path went away while its last file is still open (deleted, or renamed away
   *   and not yet recreated); that file is still read until a new one appears.
   * - `rotated`: the path names a new file; the old one was read to its end, the new one is read from its start.
   * - `truncated`: the file shrank below the offset read (copytruncate); it is read again from its start.
   */
  kind: 'waiting' | 'resumed' | 'missing' | 'rotated' | 'truncated';
  path: string;
  /** A sentence for the user, without the path. */
  message: string;
}

/** How to follow a file: see `followFile`. */
export interface FollowOptions {
  /**
   * Receives the complete lines, in file order, in batches of one read chunk. When it returns
   * a promise, nothing more is read until that settles; when it throws or rejects, following
   * stops and `done` rejects with that error.
   */
  onLines: (lines: LocatedText[]) => void | Promise<void>;
  /** Read the content the file already has first. Default false: only lines completed after following starts. */
  fromStart?: boolean;
  /** Told of rotation, truncation and the file going missing; for information only. */
  onNotice?: (notice: FollowNotice) => void;
  /** Milliseconds between checks when fs.watch reports nothing (it misses changes on some filesystems). Default 250. */
  pollIntervalMs?: number;
  /** Bytes read at a time. Default 64 KiB. */
  chunkBytes?: number;
  /** Use fs.watch for prompt wake-ups as well as polling. Default true; false polls only. */
  watch?: boolean;
}

/** A file being followed. */
export interface FollowHandle {
  readonly path: string;
  /**
   * Resolves once the first check is over: the starting point is fixed (with `fromStart`, the
   * existing content has been delivered), or the file was found missing. Never rejects.
   */
  readonly ready: Promise<void>;
  /**
   * Settles when following ends: resolves after `stop()`, rejects when the file cannot be
   * followed (an InputReadError: gzip-compressed, not a regular file, a read error) or when
   * `onLines` failed. Everything is closed by then. Attach a handler: it is the only place
   * such errors are reported.
   */
  readonly done: Promise<void>;
  /** Offset in the file now followed of the next byte to read (bytes read so far, counting from the file's start). */
  readonly offset: number;
  /**
   * Stops following: a check under way finishes its current chunk, the partial last line
   * held (if any) is delivered as a line, then the watcher, timer and file descriptor are
   * closed. Resolves once they are, whether following had failed or not; never rejects.
   * Idempotent.
   */
  stop(): Promise<void>;
}

const NEWLINE = 10;
const DEFAULT_POLL_MS = 250;
const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Errors on opening that `tail -F` also waits out: the file may (re)appear, or become readable. */
const RETRIED_CODES = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM']);

/**
 * Follows a growing log file like `tail -F`, delivering its complete lines to
 * `options.onLines` with the same text, byte offsets, line numbers and truncation of long
 * lines as `readLines` gives when the file is scanned (the same `LineSplitter` does the
 * splitting; a UTF-8 byte-order mark at offset 0 becomes spaces, as `readEvents` does).
 *
 * - Start: at the end of the file's last complete line (existing lines are counted so that
 *   line numbers stay true, which costs one read of the file), or at its start with
 *   `fromStart`. A file that does not exist yet is read from its start when it appears.
 * - A partial last line is held until its newline arrives. It is delivered as it is when
 *   the file is finished with (rotated away, truncated) and on `stop()`, as a scan of the
 *   file at that moment would yield it.
 * - Rotation: when the path names another file (rename and create, logrotate's default),
 *   the old file is read to its end through the descriptor still open, then the new one
 *   from its start. While the path is missing, the old descriptor stays open and read
 *   (a writer may still append to the renamed file); a missing path is retried quietly
 *   until it appears. When the file shrinks below the offset read (copytruncate), it is
 *   read again from its start.
 * - Checks run on fs.watch events for the file's directory and, since fs.watch misses
 *   changes on some filesystems, every `pollIntervalMs` after the previous check ends. One
 *   descriptor is open at a time, read `chunkBytes` at a time into one reused buffer.
 * - Gzip-compressed files cannot be followed: `done` rejects with an InputReadError.
 *
 * A callback rather than an async iterator so that several files can be followed at once
 * without merging iterators, and `stop()` can be called from a signal handler.
 *
 * @example
 * const follower = followFile('/var/log/auth.log', {
 *   fromStart: true,
 *   onLines: async (lines) => { for (const { text, location } of lines) await handle(text, location); },
 *   onNotice: (n) => stderr.write(`${n.path}: ${n.message}\n`),
 * });
 * process.once('SIGINT', () => void follower.stop());
 * await follower.done;
 */
export function followFile(path: string, options: FollowOptions): FollowHandle {
  return new Follower(path, options);
}

interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

class Follower implements FollowHandle {
  readonly ready: Promise<void>;
  readonly done: Promise<void>;

  private readonly pollMs: number;
  private readonly buffer: Buffer;
  private readonly name: string;
  private markReady: () => void = () => undefined;

  private file: FileHandle | undefined;
  private identity: FileIdentity | undefined;
  private splitter: LineSplitter | undefined;
  /** Next offset to read in `file`. */
  private position = 0;
  private gzipChecked = false;
  /** Whether the path is known to be unopenable (`waiting` told) or gone from under the open file (`missing` told). */
  private waiting = false;
  private missing = false;

  private watcher: FSWatcher | undefined;
  /** Whether fs.watch failed on something retrying will not fix. */
  private watchBroken = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** Set by a wake-up that came during a check, so that another check runs at once. */
  private dirty = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    readonly path: string,
    private readonly options: FollowOptions,
  ) {
    this.pollMs = Math.max(1, options.pollIntervalMs ?? DEFAULT_POLL_MS);
    this.buffer = Buffer.allocUnsafe(Math.max(1, options.chunkBytes ?? DEFAULT_CHUNK_BYTES));
    this.name = basename(path);
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.done = this.run();
  }

  get offset(): number {
    return this.position;
  }

  stop(): Promise<void> {
    if (this.stopped === undefined) {
      this.stopping = true;
      this.wake();
      this.stopped = this.done.then(
        () => undefined,
        () => undefined,
      );
    }
    return this.stopped;
  }

  private async run(): Promise<void> {
    try {
      let startup = true;
      while (!this.stopping) {
        this.dirty = false;
        await this.check(startup);
        if (startup) {
          startup = false;
          this.markReady();
        }
        await this.sleep();
      }
      if (this.splitter !== undefined) await this.deliver(this.splitter.end());
    } finally {
      this.markReady();
      this.wakeUp?.();
      this.watcher?.close();
      this.watcher = undefined;
      await this.closeFile();
    }
  }

  /** One look at the file: open it if need be, read what was appended, then see whether the path still names it. */
  private async check(startup: boolean): Promise<void> {
    if (this.watcher === undefined) this.startWatching();
    if (this.file === undefined && !(await this.openFile(startup && this.options.fromStart !== true))) return;
    await this.readToEnd();
    if (this.stopping) return;

    let now: FileIdentity;
    try {
      now = await stat(this.path, { bigint: true });
    } catch (err) {
      if (!RETRIED_CODES.has(errorCode(err))) throw new InputReadError(this.path, describeError(err), { cause: err });
      if (!this.missing) this.notify('missing', 'is gone; still reading the file it named, and waiting for a new one');
      this.missing = true;
      return;
    }
    this.missing = false;
    const was = this.identity;
    if (was !== undefined && now.dev === was.dev && now.ino === was.ino) return;

    // Another file has the name: finish the old one (a writer may have appended since the read above).
    await this.readToEnd();
    if (this.stopping) return;
    await this.finishLines();
    await this.closeFile();
    this.notify('rotated', 'was rotated; reading the new file from its start');
    if (await this.openFile(false)) await this.readToEnd();
  }

  /**
   * Opens the path, and sets where reading starts: at the end of the last complete line when
   * `atEnd`, else at 0. False, with a `waiting` notice the first time, when the path cannot
   * be opened for now.
   */
  private async openFile(atEnd: boolean): Promise<boolean> {
    let file: FileHandle;
    try {
      // Checked before opening: opening a FIFO would block until a writer came.
      const info = await stat(this.path);
      if (!info.isFile()) throw new InputReadError(this.path, info.isDirectory() ? 'is a directory' : 'is not a regular file');
      file = await open(this.path, 'r');
    } catch (err) {
      if (err instanceof InputReadError) throw err;
      if (!RETRIED_CODES.has(errorCode(err))) throw new InputReadError(this.path, describeError(err), { cause: err });
      if (!this.waiting) this.notify('waiting', `${describeError(err)}; waiting for it`);
      this.waiting = true;
      return false;
    }
    try {
      const info = await this.io(file.stat({ bigint: true }));
      const size = Number(info.size);
      this.gzipChecked = false;
      await this.refuseGzip(file, size);
      const start = atEnd ? await this.endOfLastLine(file, size) : { offset: 0, line: 1 };
      if (start === undefined) {
        await file.close();
        return false;
      }
      this.file = file;
      this.identity = { dev: info.dev, ino: info.ino };
      this.position = start.offset;
      this.splitter = new LineSplitter(this.path, start.offset, start.line);
      this.missing = false;
    } catch (err) {
      await file.close();
      throw err;
    }
    if (this.waiting) this.notify('resumed', 'can be read again; reading it from its start');
    this.waiting = false;
    return true;
  }

  /**
   * Where the line after the last newline in the first `size` bytes starts, and its number.
   * Undefined when stopped meanwhile.
   */
  private async endOfLastLine(file: FileHandle, size: number): Promise<{ offset: number; line: number } | undefined> {
    let offset = 0;
    let line = 1;
    for (let at = 0; at < size; ) {
      if (this.stopping) return undefined;
      const { bytesRead } = await this.io(file.read(this.buffer, 0, Math.min(this.buffer.length, size - at), at));
      if (bytesRead === 0) break;
      const chunk = this.buffer.subarray(0, bytesRead);
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, nl + 1)) {
        line++;
        offset = at + nl + 1;
      }
      at += bytesRead;
    }
    return { offset, line };
  }

  /** Reads from `position` to the end of the open file, delivering lines chunk by chunk. */
  private async readToEnd(): Promise<void> {
    const file = this.file;
    if (file === undefined || this.splitter === undefined) return;
    const size = Number((await this.io(file.stat({ bigint: true }))).size);
    if (size < this.position) {
      await this.finishLines();
      this.position = 0;
      this.splitter = new LineSplitter(this.path);
      this.gzipChecked = false;
      this.notify('truncated', 'was truncated; reading it again from its start');
    }
    await this.refuseGzip(file, size);
    while (!this.stopping) {
      const { bytesRead } = await this.io(file.read(this.buffer, 0, this.buffer.length, this.position));
      if (bytesRead === 0) return;
      const chunk = this.buffer.subarray(0, bytesRead);
      if (this.position === 0) blankOutByteOrderMark(chunk);
      this.position += bytesRead;
      await this.deliver(this.splitter.push(chunk));
    }
  }

  /** Throws when the file starts with the gzip magic number; looks once per file, when it holds two bytes. */
  private async refuseGzip(file: FileHandle, size: number): Promise<void> {
    if (this.gzipChecked || size < 2) return;
    const { bytesRead } = await this.io(file.read(this.buffer, 0, 2, 0));
    if (bytesRead === 2 && this.buffer[0] === 0x1f && this.buffer[1] === 0x8b) {
      throw new InputReadError(this.path, 'is gzip-compressed, and compressed files cannot be followed');
    }
    this.gzipChecked = true;
  }

  /** A file-system call, whose failure becomes an InputReadError. */
  private async io<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (err) {
      throw new InputReadError(this.path, describeError(err), { cause: err });
    }
  }

  /** Delivers the partial line held, if any: the file it came from is finished with. */
  private async finishLines(): Promise<void> {
    if (this.splitter !== undefined) await this.deliver(this.splitter.end());
  }

  private async deliver(lines: LocatedText[]): Promise<void> {
    if (lines.length > 0) await this.options.onLines(lines);
  }

  private async closeFile(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    this.identity = undefined;
    this.splitter = undefined;
    this.position = 0;
    if (file !== undefined) await file.close();
  }

  /**
   * Watches the file's directory rather than the file: a watch on the file would follow
   * its inode when it is renamed away, and would not see a new file created under the name.
   */
  private startWatching(): void {
    if (this.options.watch === false || this.watchBroken || this.stopping) return;
    try {
      this.watcher = watch(dirname(this.path), { persistent: true }, (_event, filename) => {
        if (filename === null || filename === this.name) this.wake();
      });
    } catch (err) {
      // A directory that does not exist yet may later; anything else (no inotify watches left), polling alone.
      if (errorCode(err) !== 'ENOENT') this.watchBroken = true;
      return;
    }
    this.watcher.on('error', () => {
      this.watcher?.close();
      this.watcher = undefined;
      this.wake();
    });
  }

  /** Waits for the poll interval, a watch event, or stop(). */
  private sleep(): Promise<void> {
    if (this.dirty || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), this.pollMs);
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = done;
    });
  }

  private wake(): void {
    this.dirty = true;
    this.wakeUp?.();
  }

  private notify(kind: FollowNotice['kind'], message: string): void {
    this.options.onNotice?.({ kind, path: this.path, message });
  }
}

/** As `readEvents` does: a UTF-8 byte-order mark becomes three spaces, keeping byte offsets. */
function blankOutByteOrderMark(head: Buffer): void {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head.fill(0x20, 0, 3);
}

/** Duck-typed rather than `instanceof Error`: errors from another realm (jest's sandbox) fail that test. */
function errorCode(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

function describeError(err: unknown): string {
  const code = errorCode(err);
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  const message = typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(err);
}
