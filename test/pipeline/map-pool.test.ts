import { describe, expect, it } from 'vitest';
import { mapPool } from '../../src/pipeline/map-pool.js';

/** A promise and its settling functions, so a test decides when each item ends. */
function gate<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('mapPool', () => {
  it('runs at most `limit` items at once and keeps the input order of results', async () => {
    const gates = [0, 1, 2, 3].map(() => gate<string>());
    const started: number[] = [];
    const all = mapPool([0, 1, 2, 3], 2, (i) => {
      started.push(i);
      return gates[i].promise;
    });
    await turn();
    expect(started).toEqual([0, 1]);
    gates[1].resolve('b');
    await turn();
    expect(started).toEqual([0, 1, 2]);
    gates[0].resolve('a');
    gates[2].resolve('c');
    gates[3].resolve('d');
    expect(await all).toEqual(['a', 'b', 'c', 'd']);
  });

  it('an item that releases its slot lets the next one start while it goes on, and its result still counts', async () => {
    const gates = [0, 1, 2].map(() => gate<number>());
    const started: number[] = [];
    const all = mapPool([0, 1, 2], 1, (i, _, release) => {
      started.push(i);
      if (i === 0) release();
      return gates[i].promise;
    });
    await turn();
    expect(started).toEqual([0, 1]);
    gates[1].resolve(11);
    await turn();
    expect(started).toEqual([0, 1, 2]);
    gates[2].resolve(12);
    gates[0].resolve(10);
    expect(await all).toEqual([10, 11, 12]);
  });

  it('waits for released items: their failure fails the pool, once the rest settled', async () => {
    const gates = [0, 1].map(() => gate<number>());
    let settled = false;
    const all = mapPool([0, 1], 1, (i, _, release) => {
      if (i === 0) release();
      return gates[i].promise;
    }).finally(() => (settled = true));
    gates[0].reject(new Error('window 0 failed after its release'));
    await turn();
    expect(settled).toBe(false);
    gates[1].resolve(1);
    await expect(all).rejects.toThrow('window 0 failed after its release');
  });

  it('an item that fails holding its slot fails the pool at once and starts nothing more', async () => {
    const started: number[] = [];
    const never = gate<number>();
    await expect(
      mapPool([0, 1, 2], 1, (i) => {
        started.push(i);
        return i === 0 ? Promise.reject(new Error('boom')) : never.promise;
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([0]);
  });
});
