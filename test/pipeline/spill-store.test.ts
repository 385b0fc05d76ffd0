import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSpillStore } from '../../src/pipeline/spill-store.js';

describe('spill store', () => {
  it('returns rows in bucket order, sorted within buckets, whatever the arrival order, and can be read twice', async () => {
    const store = createSpillStore<{ t: number }>({ dir: mkdtempSync(join(tmpdir(), 'ap-spill-')), name: 'x', bucketOf: (r) => Math.floor(r.t / 10), compare: (a, b) => a.t - b.t, flushBytes: 16 });
    const times = [35, 3, 21, 7, 30, 12, 0, 39, 25];
    for (const t of times) store.add({ t });
    const sealed = store.seal();
    const read = async () => {
      const out: number[] = [];
      for await (const r of sealed.open()) out.push(r.t);
      return out;
    };
    const sorted = [...times].sort((a, b) => a - b);
    expect(await read()).toEqual(sorted);
    expect(await read()).toEqual(sorted);
    expect(sealed.count).toBe(times.length);
  });
});
