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

  it('streams a CloudTrail file and a top-level array element by element', async () => {
    const records = await collect(['{"Records":[{"a":1},', '{"b":2}]}']);
    expect(values(records)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(records.map((r) => [r.text, r.location.offset, r.location.line])).toEqual([
      ['{"a":1}', 12, 1],
      ['{"b":2}', 20, 1],
    ]);
    const array = await collect(['  [{"a":1},', '{"b":2}]']);
    expect(values(array)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(array.map((r) => [r.text, r.location.offset])).toEqual([
      ['{"a":1}', 3],
      ['{"b":2}', 11],
    ]);
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
    // a is a CloudTrail file: its records come out one by one.
    expect(values(await collect([text.slice(0, 20), text.slice(20)]))).toEqual([...a.Records, b]);
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

/** Runs the reader over bytes cut into the given chunks. */
async function collectBytes(chunks: Iterable<Buffer>): Promise<JsonRecord[]> {
  const out: JsonRecord[] = [];
  async function* source(): AsyncGenerator<Buffer> {
    for (const c of chunks) yield c;
  }
  for await (const batch of readJsonRecords(source(), 'x')) out.push(...batch);
  return out;
}

function cutAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

function summary(records: JsonRecord[]): Array<[boolean, string, number, number]> {
  return records.map((r) => [r.ok, r.text, r.location.offset, r.location.line]);
}

describe('readJsonRecords on whole documents, streamed', () => {
  it('gives each element of a pretty-printed CloudTrail file its own bytes, offset and line', async () => {
    const text = '{\n  "Records": [\n    {\n      "eventName": "A"\n    },\n    {\n      "eventName": "B",\n      "x": [1, "]}"]\n    }\n  ]\n}\n{"after":1}\n';
    const expected: Array<[boolean, string, number, number]> = [
      [true, '{\n      "eventName": "A"\n    }', 21, 3],
      [true, '{\n      "eventName": "B",\n      "x": [1, "]}"]\n    }', 57, 6],
      [true, '{"after":1}', 116, 12],
    ];
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(summary(await collectBytes([bytes.subarray(0, cut), bytes.subarray(cut)]))).toEqual(expected);
    }
    expect(summary(await collectBytes(cutAt(bytes, [...bytes.keys()])))).toEqual(expected);
  });

  it('splits a top-level array at any byte, with strings, nesting and scalars as elements', async () => {
    const text = ' [ {"a":"x,]}"} ,\n[1,{"b":2}], "s\\"]", -1.5e3 , null,{"c":"☃"} ]\n{"z":1}';
    const expected: Array<[boolean, string, number, number]> = [
      [true, '{"a":"x,]}"}', 3, 1],
      [true, '[1,{"b":2}]', 18, 2],
      [true, '"s\\"]"', 31, 2],
      [true, '-1.5e3', 39, 2],
      [true, 'null', 48, 2],
      [true, '{"c":"☃"}', 53, 2],
      [true, '{"z":1}', 67, 3],
    ];
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(summary(await collectBytes([bytes.subarray(0, cut), bytes.subarray(cut)]))).toEqual(expected);
    }
    expect(summary(await collectBytes(cutAt(bytes, [...bytes.keys()])))).toEqual(expected);
    expect(values(await collectBytes([bytes]))).toEqual([{ a: 'x,]}' }, [1, { b: 2 }], 's"]', -1500, null, { c: '☃' }, { z: 1 }]);
  });

  it('accepts whitespace between the tokens of {"Records":[', async () => {
    const records = await collect(['\n {\t"Records" \n: ', '\r\n [ {"a":1} , {"b":2} ] \n } ']);
    expect(summary(records)).toEqual([
      [true, '{"a":1}', 22, 4],
      [true, '{"b":2}', 32, 4],
    ]);
  });

  it('reports an element that does not parse with its own location and goes on', async () => {
    const records = await collect(['[{"a":1},\n {"b":tru},\n {"c":3}]']);
    expect(records.map((r) => [r.ok, r.location.offset, r.location.line])).toEqual([
      [true, 1, 1],
      [false, 11, 2],
      [true, 23, 3],
    ]);
    expect(records[1]?.text).toBe('{"b":tru}');
    expect(values(records.filter((r) => r.ok))).toEqual([{ a: 1 }, { c: 3 }]);
  });

  it('reports other keys of a CloudTrail file as one unsupported record, then reads what follows', async () => {
    const records = await collect(['{"Records":[{"a":1}],"other":{"x":"}"},"more":[1]}\n{"b":2}']);
    expect(records.map((r) => [r.ok, r.location.offset])).toEqual([
      [true, 12],
      [false, 20],
      [true, 51],
    ]);
    expect(values([records[0], records[2]] as JsonRecord[])).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('handles empty documents and reads concatenated CloudTrail files one after another', async () => {
    expect(await collect(['[]', ' {"Records":[]}'])).toEqual([]);
    const records = await collect(['{"Records":[{"a":1}]}{"Records":[{"b":2}]}\n[{"c":3}]']);
    expect(summary(records)).toEqual([
      [true, '{"a":1}', 12, 1],
      [true, '{"b":2}', 33, 1],
      [true, '{"c":3}', 44, 2],
    ]);
  });

  it('streams an array holding 200 MB of whitespace in constant memory', async () => {
    const spaces = Buffer.alloc(1024 * 1024, 0x20);
    const count = 200;
    let maxExternal = 0;
    const before = process.memoryUsage().arrayBuffers;
    function* source(): Generator<Buffer> {
      yield Buffer.from('[{"a":1},');
      for (let i = 0; i < count; i++) {
        yield spaces;
        if (i % 16 === 0) maxExternal = Math.max(maxExternal, process.memoryUsage().arrayBuffers - before);
      }
      yield Buffer.from('{"b":2}');
      for (let i = 0; i < count; i++) yield spaces;
      yield Buffer.from(']');
    }
    const records = await collectBytes(source());
    expect(maxExternal).toBeLessThan(32 * 1024 * 1024);
    expect(summary(records)).toEqual([
      [true, '{"a":1}', 1, 1],
      [true, '{"b":2}', 9 + count * spaces.length, 1],
    ]);
  });

  it('reads a large pretty-printed CloudTrail file arriving in small chunks, element by element; a whole document over 1 MiB is refused', async () => {
    const big = { detail: Array.from({ length: 40_000 }, (_, i) => ({ id: i, name: `n${i}`, tags: { k: '}\n{' } })) };
    const bytes = Buffer.from(JSON.stringify(big, null, 2), 'utf8');
    const records = await collectBytes(cutAt(bytes, Array.from({ length: Math.floor(bytes.length / 1024) }, (_, i) => i * 1024)));
    expect(records.map((r) => (r.ok ? 'ok' : r.message))).toEqual(['record longer than 1048576 bytes (1 MiB): skipped']);
    const cloudTrail = Buffer.from(JSON.stringify({ Records: big.detail }, null, 2), 'utf8');
    const elements = await collectBytes(cutAt(cloudTrail, Array.from({ length: Math.floor(cloudTrail.length / 1024) }, (_, i) => i * 1024)));
    expect(values(elements)).toEqual(big.detail);
  });
});

describe('readJsonRecords on Firehose records cut short mid-write', () => {
  const good = (n: number): string =>
    JSON.stringify({ timestamp: n, webaclId: 'arn:aws:wafv2:eu-west-1:1:regional/webacl/a/b', action: 'BLOCK', httpRequest: { clientIp: `192.0.2.${n}`, headers: [{ name: 'Host', value: 'x' }] } });

  it('a record cut inside a string does not swallow the record glued to it', async () => {
    const cut = '{"timestamp":1,"webaclId":"arn:aws:wafv2:eu-w';
    const text = good(1) + cut + good(2) + good(3);
    const records = await collect([text]);
    const g1 = good(1).length;
    expect(summary(records)).toEqual([
      [true, good(1), 0, 1],
      [false, cut, g1, 1],
      [true, good(2), g1 + cut.length, 1],
      [true, good(3), g1 + cut.length + good(2).length, 1],
    ]);
  });

  it('a record cut between tokens does not swallow the record glued to it', async () => {
    const cut = '{"timestamp":1,"httpRequest":{"clientIp":"192.0.2.1"},"action"';
    const text = `${good(1)}\n${cut}${good(2)}\n${good(3)}\n`;
    const records = await collect([text]);
    const g1 = good(1).length + 1;
    expect(summary(records)).toEqual([
      [true, good(1), 0, 1],
      [false, cut, g1, 2],
      [true, good(2), g1 + cut.length, 2],
      [true, good(3), g1 + cut.length + good(2).length + 1, 3],
    ]);
  });

  it('keeps a broken record whole when no restart parses', async () => {
    const records = await collect(['{"a":{"b":tru}}{"c":1}']);
    expect(summary(records)).toEqual([
      [false, '{"a":{"b":tru}}', 0, 1],
      [true, '{"c":1}', 15, 1],
    ]);
  });
});

describe('readJsonRecords property: any layout, any chunking', () => {
  type Layout = 'lines' | 'concatenated' | 'array' | 'records' | 'pretty' | 'prettyArray' | 'prettyRecords';
  const layouts: Layout[] = ['lines', 'concatenated', 'array', 'records', 'pretty', 'prettyArray', 'prettyRecords'];

  function write(objects: object[], layout: Layout): string {
    const compact = objects.map((o) => JSON.stringify(o));
    switch (layout) {
      case 'lines':
        return compact.map((c) => `${c}\n`).join('');
      case 'concatenated':
        return compact.join('');
      case 'array':
        return `[${compact.join(',')}]`;
      case 'records':
        return `{"Records":[${compact.join(',')}]}`;
      case 'pretty':
        return objects.map((o) => JSON.stringify(o, null, 2)).join('\n');
      case 'prettyArray':
        return JSON.stringify(objects, null, 2);
      case 'prettyRecords':
        return JSON.stringify({ Records: objects }, null, 2);
    }
  }

  // A value whose first key is "Records" holding a list is read as a CloudTrail file by design: leave it out here.
  const object = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }).filter((o) => !Array.isArray(o.Records));

  it('yields the values written, each located at its first byte', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(object, { maxLength: 6 }), fc.constantFrom(...layouts), fc.array(fc.nat(), { maxLength: 8 }), async (objects, layout, cuts) => {
        const bytes = Buffer.from(write(objects, layout), 'utf8');
        const records = await collectBytes(cutAt(bytes, cuts));
        expect(records.every((r) => r.ok)).toBe(true);
        expect(values(records)).toEqual(objects.map((o) => JSON.parse(JSON.stringify(o)) as unknown));
        for (const r of records) {
          const text = Buffer.from(r.text, 'utf8');
          expect(bytes.subarray(r.location.offset, r.location.offset + text.length).equals(text)).toBe(true);
          expect(r.text.startsWith('{')).toBe(true);
          expect(r.location.line).toBe(bytes.subarray(0, r.location.offset).toString('latin1').split('\n').length);
        }
      }),
      { numRuns: 500 },
    );
  });
});
