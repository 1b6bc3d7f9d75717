/** What a command may touch of the process: its streams and environment. Tests pass their own. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  /** Epoch ms; tests fix it so year inference is repeatable. */
  now?: () => number;
}

/** A mistake in how the command was called: reported with the usage and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const drained = new WeakMap<NodeJS.WritableStream, Promise<void>>();

/**
 * Writes, and when the stream's buffer is full returns a promise for its next `drain`, so
 * large outputs keep constant memory. Writes made before that drain share one listener.
 */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (stream.write(text)) return drained.get(stream);
  let waiting = drained.get(stream);
  if (waiting === undefined) {
    waiting = new Promise((resolve) =>
      stream.once('drain', () => {
        drained.delete(stream);
        resolve();
      }),
    );
    drained.set(stream, waiting);
  }
  return waiting;
}
