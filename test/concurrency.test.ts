import { mapConcurrently } from '../src/concurrency';

describe('mapConcurrently', () => {
  it('runs at most `limit` at once and keeps the input order', async () => {
    let running = 0;
    let most = 0;
    const out = await mapConcurrently([30, 5, 20, 1, 10], 2, async (ms) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return ms * 2;
    });
    expect(out).toEqual([60, 10, 40, 2, 20]);
    expect(most).toBe(2);
    await expect(mapConcurrently([], 2, async () => 1)).resolves.toEqual([]);
  });

  it('rejects with the first failure only once the calls already started have settled', async () => {
    const finished: number[] = [];
    const run = mapConcurrently([1, 2, 3], 3, async (n) => {
      await new Promise((r) => setTimeout(r, n * 10));
      finished.push(n);
      if (n === 1) throw new Error('first');
      return n;
    });
    await expect(run).rejects.toThrow('first');
    expect(finished.sort()).toEqual([1, 2, 3]);
  });
});
