import fc from 'fast-check';
import { readJsonRecords, type JsonRecord } from '../../src/input/json-records';

async function collect(chunks: string[]): Promise<JsonRecord[]> {
  const out: JsonRecord[] = [];
  async function* source(): AsyncGenerator<Buffer> {
    for (const c of chunks) yield Buffer.from(c, 'utf8');
  }
  for await (const batch of readJsonRecords(source(), 'in.json')) out.push(...batch);
  return out;
}

function values(records: JsonRecord[]): unknown[] {
  return records.map((r) => (r.ok ? r.value : { error: r.message }));
}

describe('readJsonRecords', () => {
  it('reads one record per line with byte offsets and line numbers', async () => {
    const records = await collect(['{"a":1}\n{"b":"é"}\n{"c":3}\n']);
    expect(values(records)).toEqual([{ a: 1 }, { b: 'é' }, { c: 3 }]);
    expect(records.map((r) => [r.location.offset, r.location.line])).toEqual([
      [0, 1],
      [8, 2],
      [19, 3],
    ]);
  });

  it('reads records concatenated with no separator, as Firehose writes them', async () => {
    const records = await collect(['{"a":1}{"b":2}{"c":{"d":[1,2]}}']);
    expect(values(records)).toEqual([{ a: 1 }, { b: 2 }, { c: { d: [1, 2] } }]);
    expect(records.map((r) => r.location.offset)).toEqual([0, 7, 14]);
  });

  it('does not split where "}{" stands inside a string (attacker-controlled URIs)', async () => {
    const records = await collect(['{"uri":"/x}{y"}{"uri":"/a} {b"}\n{"z":1}']);
    expect(values(records)).toEqual([{ uri: '/x}{y' }, { uri: '/a} {b' }, { z: 1 }]);
  });

  it('joins records split across chunks at any byte, including inside multi-byte characters', async () => {
    const text = '{"a":"héllo"}\n{"b":"}{"}{"c":"☃"}\n';
    const expected = [{ a: 'héllo' }, { b: '}{' }, { c: '☃' }];
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const out: JsonRecord[] = [];
      async function* source(): AsyncGenerator<Buffer> {
        yield bytes.subarray(0, cut);
        yield bytes.subarray(cut);
      }
      for await (const batch of readJsonRecords(source(), 'x')) out.push(...batch);
      expect(values(out)).toEqual(expected);
    }
  });

  it('reads a whole document: a CloudTrail file and a top-level array', async () => {
    expect(values(await collect(['{"Records":[{"a":1},', '{"b":2}]}']))).toEqual([{ Records: [{ a: 1 }, { b: 2 }] }]);
    expect(values(await collect(['  [{"a":1},', '{"b":2}]']))).toEqual([[{ a: 1 }, { b: 2 }]]);
  });

  it('reports a bad line with its line number and goes on with the rest', async () => {
    const records = await collect(['{"a":1}\nnot json at all\n{"b":2}\n{"broken": tru}\n{"c":3}']);
    expect(records.map((r) => r.ok)).toEqual([true, false, true, false, true]);
    const bad = records.filter((r) => !r.ok);
    expect(bad.map((r) => r.location.line)).toEqual([2, 4]);
    expect(values(records.filter((r) => r.ok))).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('reports an unterminated last record instead of losing it silently', async () => {
    const records = await collect(['{"a":1}\n{"b":"never closed']);
    expect(records).toHaveLength(2);
    expect(records[1]?.ok).toBe(false);
    expect(records[1]?.location.line).toBe(2);
  });

  it('never throws and accounts for every record on arbitrary input split anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 5 }), fc.string(), fc.nat(200), async (objs, noise, cut) => {
        const text = objs.map((o) => JSON.stringify({ v: o })).join('') + noise;
        const bytes = Buffer.from(text, 'utf8');
        const at = Math.min(cut, bytes.length);
        const out: JsonRecord[] = [];
        async function* source(): AsyncGenerator<Buffer> {
          yield bytes.subarray(0, at);
          yield bytes.subarray(at);
        }
        for await (const batch of readJsonRecords(source(), 'x')) out.push(...batch);
        if (noise.trim() === '') expect(values(out)).toEqual(objs.map((o) => JSON.parse(JSON.stringify({ v: o }))));
      }),
    );
  });
});

describe('readJsonRecords on pretty-printed input', () => {
  it('reads pretty-printed objects one after another (jq output)', async () => {
    const a = { Records: [{ eventName: 'X', nested: { k: '}\n{' } }] };
    const b = { detail: { x: [1, { y: 2 }] } };
    const text = `${JSON.stringify(a, null, 2)}\n${JSON.stringify(b, null, 2)}\n`;
    expect(values(await collect([text.slice(0, 20), text.slice(20)]))).toEqual([a, b]);
  });
});

describe('readJsonRecords on damaged input', () => {
  it('a line cut short mid-write does not swallow the record after it', async () => {
    const records = await collect(['{"a":1}\n{"b": {"c": "cut short\n{"d":{"e":2}}\n{"f":3}\n']);
    expect(records.map((r) => r.ok)).toEqual([true, false, true, true]);
    expect(records.map((r) => r.location.line)).toEqual([1, 2, 3, 4]);
    expect(values(records.filter((r) => r.ok))).toEqual([{ a: 1 }, { d: { e: 2 } }, { f: 3 }]);
  });
});
