import { describe, expect, it } from 'vitest';
import { forEachRow, fromBatches, rowBatches } from '../../src/model/row-batches.js';

describe('row batches', () => {
  it("takes a stream's own batches when it has them, else gathers its rows 256 at a time", async () => {
    const own = [[1, 2], [3]];
    const withBatches = { count: 3, open: async function* () { yield* [9]; }, openBatches: async function* () { yield* own; } };
    const seen: (readonly number[])[] = [];
    for await (const b of rowBatches(withBatches)) seen.push(b);
    expect(seen).toEqual(own);

    const rows = Array.from({ length: 600 }, (_, i) => i);
    const plain = { count: rows.length, open: async function* () { yield* rows; } };
    const sizes: number[] = [];
    const back: number[] = [];
    for await (const b of rowBatches(plain)) {
      sizes.push(b.length);
      back.push(...b);
    }
    expect(sizes).toEqual([256, 256, 88]);
    expect(back).toEqual(rows);
  });

  it('hands a stream made from batches out row by row too, in order', async () => {
    const stream = fromBatches(async function* () {
      yield [1, 2];
      yield [];
      yield [3];
    });
    const rows: number[] = [];
    for await (const r of stream.open()) rows.push(r);
    expect(rows).toEqual([1, 2, 3]);
    const batches: (readonly number[])[] = [];
    for await (const b of stream.openBatches()) batches.push(b);
    expect(batches).toEqual([[1, 2], [], [3]]);
  });

  it('calls back for every row in order, awaiting what a call returns before the next row', async () => {
    const order: string[] = [];
    const each = (row: number) => {
      order.push(`row ${row}`);
      if (row % 2) return undefined;
      return new Promise<void>((resolve) => setTimeout(() => {
        order.push(`waited ${row}`);
        resolve();
      }, 1));
    };
    await forEachRow([1, 2, 3], each);
    const batches = (async function* () {
      yield [4, 5];
      yield [6];
    })();
    await forEachRow(batches, each);
    expect(order).toEqual(['row 1', 'row 2', 'waited 2', 'row 3', 'row 4', 'waited 4', 'row 5', 'row 6', 'waited 6']);
  });
});
