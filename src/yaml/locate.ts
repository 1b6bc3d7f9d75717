import { isAlias, isMap, isNode, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';

/** A path into a YAML file's data, as zod reports it: mapping keys and list indexes. */
export type Path = ReadonlyArray<PropertyKey>;

/** 1-based line and column. */
export interface Position {
  line: number;
  col: number;
}

/** Maps paths in the parsed data back to where they are written in the YAML text. */
export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    /** The text the document was parsed from. */
    readonly text: string,
  ) {}

  /**
   * Where the value at `path` is written (or its key, with `key: true`). A path that does
   * not exist resolves to the deepest part of it that does, so a missing key points at
   * its mapping.
   */
  position(path: Path, options: { key?: boolean } = {}): Position {
    return this.positionOf(this.find(path, options.key === true).offset);
  }

  /** Start and end offsets of the value node at `path`, when it exists. */
  range(path: Path): [number, number] | undefined {
    const found = this.find(path, false);
    if (!found.complete || found.node === undefined || found.node.range == null) return undefined;
    return [found.node.range[0], found.node.range[1]];
  }

  positionOf(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return line === 0 ? { line: 1, col: offset + 1 } : { line, col };
  }

  private find(path: Path, wantKey: boolean): { offset: number; node?: Node; complete: boolean } {
    let node: unknown = this.doc.contents;
    let offset = startOf(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair === undefined) return { offset, complete: false };
        const keyOffset = startOf(pair.key) ?? offset;
        if (wantKey && i === path.length - 1) return { offset: keyOffset, complete: true };
        node = pair.value;
        // `key:` with nothing after it has an empty value node; the key is the useful place to point at.
        offset = isNode(node) && node.range != null && node.range[1] > node.range[0] ? node.range[0] : keyOffset;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        const start = startOf(node);
        if (start === undefined) return { offset, complete: false };
        offset = start;
      } else {
        return { offset, complete: false };
      }
    }
    return { offset, node: isNode(node) ? node : undefined, complete: true };
  }
}

function startOf(node: unknown): number | undefined {
  return isNode(node) && node.range != null ? node.range[0] : undefined;
}
