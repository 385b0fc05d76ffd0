/** A binary heap (an array kept in heap order): `first(a, b)` is true when a is to come out before b. */
export interface BinaryHeap<T> {
  readonly size: number;
  /** The item that comes out next. */
  peek(): T | undefined;
  push(item: T): void;
  pop(): T | undefined;
  /** Puts `item` in place of the top: one pass down instead of a pop and a push. */
  replaceTop(item: T): void;
  /** The items, in no particular order. */
  items(): readonly T[];
}

export function createBinaryHeap<T>(first: (a: T, b: T) => boolean): BinaryHeap<T> {
  const heap: T[] = [];
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!first(heap[i], heap[p])) return;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && first(heap[l], heap[m])) m = l;
      if (r < heap.length && first(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  return {
    get size() {
      return heap.length;
    },
    peek: () => heap[0],
    push(item) {
      up(heap.push(item) - 1);
    },
    pop() {
      const top = heap[0];
      const last = heap.pop();
      if (heap.length > 0 && last !== undefined) {
        heap[0] = last;
        down(0);
      }
      return top;
    },
    replaceTop(item) {
      if (heap.length === 0) heap.push(item);
      else {
        heap[0] = item;
        down(0);
      }
    },
    items: () => heap,
  };
}
