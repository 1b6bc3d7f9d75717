import type { InputLocation } from './location';

export interface LocatedText {
  text: string;
  location: InputLocation;
}

/**
 * Splits a byte stream into lines with their byte offsets, in batches of one input chunk
 * (batches keep the per-line cost free of async overhead), in constant memory: one partial
 * line is carried between chunks. `\r\n` endings are trimmed; a final line without a
 * newline is still yielded.
 */
export async function* readLines(chunks: AsyncIterable<Buffer>, path: string): AsyncGenerator<LocatedText[]> {
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0;
  let line = 1;
  for await (const chunk of chunks) {
    const buf = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    const batch: LocatedText[] = [];
    let start = 0;
    let nl = buf.indexOf(10, start);
    while (nl !== -1) {
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      batch.push({ text: buf.toString('utf8', start, end), location: { path, offset: carryOffset + start, line } });
      line++;
      start = nl + 1;
      nl = buf.indexOf(10, start);
    }
    carry = buf.subarray(start);
    carryOffset += start;
    if (batch.length > 0) yield batch;
  }
  if (carry.length > 0) {
    const end = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length;
    yield [{ text: carry.toString('utf8', 0, end), location: { path, offset: carryOffset, line } }];
  }
}
