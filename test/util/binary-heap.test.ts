import { describe, expect, it } from 'vitest';
import { createBinaryHeap } from '../../src/util/binary-heap.js';

describe('binary heap', () => {
  it('gives its items back first to last, pushes and pops interleaved', () => {
    const heap = createBinaryHeap<number>((a, b) => a < b);
    const xs = Array.from({ length: 500 }, (_, i) => (i * 7919) % 613);
    const out: number[] = [];
    xs.forEach((x, i) => {
      heap.push(x);
      if (i % 3 === 2) out.push(heap.pop()!);
    });
    const popped = [...out];
    while (heap.size > 0) out.push(heap.pop()!);
    expect(heap.pop()).toBeUndefined();
    expect(out.slice(popped.length)).toEqual([...out.slice(popped.length)].sort((a, b) => a - b));
    expect([...out].sort((a, b) => a - b)).toEqual([...xs].sort((a, b) => a - b));
  });

  it('keeps the k smallest with the largest on top, by replacing the top', () => {
    const heap = createBinaryHeap<number>((a, b) => a > b);
    const xs = Array.from({ length: 1000 }, (_, i) => (i * 104729) % 997);
    for (const x of xs) {
      if (heap.size < 25) heap.push(x);
      else if (x < heap.peek()!) heap.replaceTop(x);
    }
    expect([...heap.items()].sort((a, b) => a - b)).toEqual([...xs].sort((a, b) => a - b).slice(0, 25));
  });
});
