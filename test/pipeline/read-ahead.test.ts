import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/pipeline/read-ahead.js';

/** A source that records when each step starts; each step takes a few turns of the microtask queue. */
function steps(n: number, failAt = -1) {
  const started: number[] = [];
  let closed = false;
  async function* gen() {
    try {
      for (let i = 0; i < n; i++) {
        started.push(i);
        for (let k = 0; k < 3; k++) await Promise.resolve();
        if (i === failAt) throw new Error(`step ${i} failed`);
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { gen: gen(), started, closed: () => closed };
}

describe('readAhead', () => {
  it('keeps `depth` steps of the source going while the caller works on an item, in order', async () => {
    const s = steps(6);
    const seen: number[] = [];
    for await (const v of readAhead(s.gen, 3)) {
      if (v === 0) {
        // The caller is slow on item 0 (a turn of the event loop: every step asked for has run by
        // then): steps 1..3 have been asked for meanwhile, not more.
        await new Promise((r) => setImmediate(r));
        expect(s.started).toEqual([0, 1, 2, 3]);
      }
      seen.push(v);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('rethrows a failed step where the caller reaches it, after the items before it', async () => {
    const s = steps(6, 2);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of readAhead(s.gen, 4)) seen.push(v);
      })(),
    ).rejects.toThrow('step 2 failed');
    expect(seen).toEqual([0, 1]);
  });

  it('closes the source when the caller stops early', async () => {
    const s = steps(10);
    for await (const v of readAhead(s.gen, 2)) if (v === 1) break;
    expect(s.closed()).toBe(true);
    expect(s.started.length).toBeLessThanOrEqual(4);
  });
});
