import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b];
const CHUNK_BYTES = 1024 * 1024;

/** A user-facing failure to read an input (missing file, permission, corrupt gzip). */
export class InputReadError extends Error {
  override name = 'InputReadError';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}

/**
 * The bytes of a file (or '-' for `stdin`), gunzipped transparently when they start with
 * the gzip magic number, whatever the file is called.
 */
export async function* openInput(path: string, stdin: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  const raw: AsyncIterable<Buffer> = path === '-' ? (stdin as AsyncIterable<Buffer>) : createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const iterator = raw[Symbol.asyncIterator]();
  let first: IteratorResult<Buffer>;
  try {
    first = await iterator.next();
  } catch (err) {
    throw new InputReadError(path, describeFsError(err), { cause: err });
  }
  if (first.done) return;
  const head = Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value);
  const rest: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => iterator,
  };
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
    const gunzip = Readable.from(prepend(head, rest)).pipe(createGunzip({ chunkSize: CHUNK_BYTES }));
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (err) {
      throw new InputReadError(path, `cannot decompress: ${(err as Error).message}`, { cause: err });
    }
    return;
  }
  yield head;
  try {
    for await (const chunk of rest) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
  } catch (err) {
    throw new InputReadError(path, describeFsError(err), { cause: err });
  }
}

async function* prepend(head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  yield* rest;
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message;
}

/** Splits a stream's first chunk off so that its first bytes can be inspected, then replays everything. */
export async function peek(chunks: AsyncIterable<Buffer>): Promise<{ head: Buffer | undefined; all: AsyncIterable<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return { head: undefined, all: (async function* () {})() };
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => iterator };
  return { head: first.value, all: prepend(first.value, rest) };
}
