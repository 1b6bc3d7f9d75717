/** Where a line or record came from, for `log.file.path` / `log.offset` and for error reports. */
export interface InputLocation {
  /** The file path, or '-' for standard input. */
  path: string;
  /** Byte offset of the record in the (decompressed) input. */
  offset: number;
  /** 1-based line number of the record's first byte. */
  line: number;
}

export function describeLocation(loc: InputLocation): string {
  return `${loc.path}:${loc.line}`;
}
