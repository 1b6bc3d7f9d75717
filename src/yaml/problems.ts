import type { Path, Position } from './locate';
import type { SourceLocator } from './source-locator';

/** A problem in a YAML file, located for `path:line:col: message [CODE]`. */
export interface Problem<Code extends string = string> {
  code: Code;
  file: string;
  line: number;
  col: number;
  message: string;
}

/**
 * What a reader needs of a problem collector: a place for problems with the codes it
 * reports. A collector for a wider set of codes (a rule file's, a template's) will do.
 */
export interface ProblemSink<Code extends string> {
  add(code: Code, path: Path, message: string, options?: { key?: boolean }): void;
  addAt(code: Code, position: Position, message: string): void;
}

/** Collects the problems of one YAML file, locating each by its data path. */
export class Problems<Code extends string> implements ProblemSink<Code> {
  private readonly items: Problem<Code>[] = [];

  constructor(
    private readonly file: string,
    private readonly locator?: SourceLocator,
  ) {}

  /**
   * A problem with the value at `path` (or with its key, when `key` is set). The message
   * is prefixed with where it applies: the path, or for a key the mapping holding it.
   */
  add(code: Code, path: Path, message: string, options: { key?: boolean } = {}): void {
    const position = this.locator?.position(path, options) ?? { line: 1, col: 1 };
    const where = options.key === true ? path.slice(0, -1) : path;
    this.addAt(code, position, where.length === 0 ? message : `${describePath(where)}: ${message}`);
  }

  addAt(code: Code, position: Position, message: string): void {
    this.items.push({ code, file: this.file, line: position.line, col: position.col, message: oneLine(message) });
  }

  get count(): number {
    return this.items.length;
  }

  /** The problems in the order they appear in the file. */
  list(): Problem<Code>[] {
    return [...this.items].sort((a, b) => a.line - b.line || a.col - b.col);
  }
}

/** `path:line:col: message [CODE]`, the form editors and CI annotate. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message} [${p.code}]`;
}

const PLAIN_KEY = /^[A-Za-z_@][A-Za-z0-9_@-]*$/;

/** A data path as a reader writes it: `tests[0].expect.alerts`, `match["source.ip"].cidr`. */
export function describePath(path: Path): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (!PLAIN_KEY.test(String(segment))) text += `[${JSON.stringify(String(segment))}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

const MAX_MESSAGE_LENGTH = 500;

/** Messages quote the file's own text (keys, values), which may hold line breaks or be huge. */
function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = message.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return flat.length > MAX_MESSAGE_LENGTH ? `${flat.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : flat;
}
