import { readJsonRecords, MAX_RECORD_BYTES, type JsonRecord } from '../../src/input/json-records';

/**
 * Issue 10, item 5: one JSON record is capped at 1 MiB, as a line is. Before the cap, a 400 MB
 * unterminated record was kept whole in memory (1.34 GB) and 2.6 GB ended the scan with exit 70.
 * The oversized record is one located error; the records after it are read.
 */
async function collect(chunks: Iterable<Buffer>, onChunk?: () => void): Promise<JsonRecord[]> {
  const out: JsonRecord[] = [];
  async function* source(): AsyncGenerator<Buffer> {
    for (const c of chunks) {
      onChunk?.();
      yield c;
    }
  }
  for await (const batch of readJsonRecords(source(), 'in.json')) out.push(...batch);
  return out;
}

function* pieces(parts: Array<string | [string, number]>, chunkBytes = 64 * 1024): Generator<Buffer> {
  // [text, n]: text repeated n times, streamed without ever building the whole input
  for (const part of parts) {
    const [text, times] = typeof part === 'string' ? [part, 1] : part;
    const unit = Buffer.from(text);
    const perChunk = Math.max(1, Math.floor(chunkBytes / unit.length));
    const block = Buffer.concat(Array.from({ length: perChunk }, () => unit));
    for (let left = times; left > 0; left -= perChunk) yield left >= perChunk ? block : Buffer.concat(Array.from({ length: left }, () => unit));
  }
}

function summary(records: JsonRecord[]): Array<[number, number, string]> {
  return records.map((r) => [r.location.line, r.location.offset, r.ok ? JSON.stringify(r.value) : r.message]);
}

const TOO_LONG = 'record longer than 1048576 bytes (1 MiB): skipped';
const MB = 1024 * 1024;

describe('a JSON record is capped at 1 MiB', () => {
  it('an unterminated 64 MiB record is one error at its start, kept in bounded memory, and the stream ends cleanly', async () => {
    let peakBuffered = 0;
    const before = process.memoryUsage().arrayBuffers;
    const records = await collect(pieces(['{"a":1}\n', '{"huge":"', ['x', 64 * MB]]), () => {
      peakBuffered = Math.max(peakBuffered, process.memoryUsage().arrayBuffers - before);
    });
    expect(summary(records)).toEqual([
      [1, 0, '{"a":1}'],
      [2, 8, TOO_LONG],
    ]);
    expect(records[1]?.text.startsWith('{"huge":"xxx')).toBe(true);
    expect(records[1]?.text.length).toBeLessThanOrEqual(200);
    // what is held is about one record's cap, not the 64 MiB that went by
    expect(peakBuffered).toBeLessThan(16 * MB);
  });

  it('after an oversized record, the next record on the next line is read (JSON Lines)', async () => {
    const big = `{"k":"${'y'.repeat(MAX_RECORD_BYTES)}"}\n`;
    const records = await collect(pieces([big, '{"after":1}\n', '{"after":2}\n']));
    expect(summary(records)).toEqual([
      [1, 0, TOO_LONG],
      [2, big.length, '{"after":1}'],
      [3, big.length + 12, '{"after":2}'],
    ]);
  });

  it('an oversized record arriving in one piece is refused without being parsed', async () => {
    const big = `{"k":"${'y'.repeat(MAX_RECORD_BYTES)}"}{"next":true}`;
    const records = await collect([Buffer.from(big)]);
    expect(summary(records)).toEqual([
      [1, 0, TOO_LONG],
      [1, big.length - 13, '{"next":true}'],
    ]);
  });

  it('an unterminated record cut off by a new line that begins a record: the next one is read', async () => {
    const records = await collect(pieces(['{"huge":"', ['z', 2 * MB], '\n{"after":1}\n']));
    expect(summary(records)).toEqual([
      [1, 0, TOO_LONG],
      [2, 2 * MB + 10, '{"after":1}'],
    ]);
  });

  it('a pretty-printed record over the cap is skipped to its closing brace', async () => {
    const inner = Array.from({ length: 30_000 }, (_, i) => `  "k${i}": "${'v'.repeat(40)}"`).join(',\n');
    const big = `{\n${inner}\n}\n`;
    expect(big.length).toBeGreaterThan(MAX_RECORD_BYTES);
    const records = await collect(pieces([big, '{"after":1}']));
    expect(summary(records)).toEqual([
      [1, 0, TOO_LONG],
      [30_003, big.length, '{"after":1}'],
    ]);
  });

  it('an oversized element of a CloudTrail file is skipped; the elements around it are read', async () => {
    const huge = `{"eventName":"Big","pad":"${'p'.repeat(2 * MB)}","n":[1,{"x":"]}"}]}`;
    const records = await collect(pieces(['{"Records":[{"eventName":"A"},\n', huge, ',\n{"eventName":"B"}]}\n{"after":1}\n']));
    expect(summary(records).map(([, , text]) => text)).toEqual(['{"eventName":"A"}', TOO_LONG, '{"eventName":"B"}', '{"after":1}']);
    expect(records[1]?.location.line).toBe(2);
    expect(records[2]?.location.line).toBe(3);
  });

  it('an oversized last element closes its array', async () => {
    const records = await collect(pieces(['[{"a":1},', `{"b":"${'q'.repeat(2 * MB)}"}`, ']\n{"c":3}\n']));
    expect(summary(records).map(([, , text]) => text)).toEqual(['{"a":1}', TOO_LONG, '{"c":3}']);
  });

  it('a line of over 1 MiB that is not JSON is one error; the next line is read', async () => {
    const records = await collect(pieces([['n', 3 * MB], '\n{"after":1}\n']));
    expect(summary(records)).toEqual([
      [1, 0, TOO_LONG],
      [2, 3 * MB + 1, '{"after":1}'],
    ]);
  });

  it('a record just under the cap is read', async () => {
    const value = 'w'.repeat(MAX_RECORD_BYTES - 10);
    const records = await collect(pieces([`{"k":"${value}"}\n`]));
    expect(records).toHaveLength(1);
    expect(records[0]?.ok).toBe(true);
  });
});
