import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/util/collect-garbage.js';

describe('collectGarbage', () => {
  it('collects what nothing refers to any more, old space included, there and then', async () => {
    const make = () => new WeakRef(new Float64Array(8 * 1024 * 1024));
    const ref = make();
    // A WeakRef's target lives at least to the end of the job that made it (or read it).
    await nextTurn();
    collectGarbage();
    expect(ref.deref() === undefined).toBe(true);
  });
});
