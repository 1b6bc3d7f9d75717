import { readLines } from '../../src/input/lines';

async function lines(chunks: string[]): Promise<Array<[string, number, number]>> {
  const out: Array<[string, number, number]> = [];
  async function* source(): AsyncGenerator<Buffer> {
    for (const c of chunks) yield Buffer.from(c, 'utf8');
  }
  for await (const batch of readLines(source(), 'f')) for (const l of batch) out.push([l.text, l.location.offset, l.location.line]);
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
});
