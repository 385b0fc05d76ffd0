import { compareExceptionRows, SEVERITY_ORDER, type ExceptionRow } from '../model/exception.js';
import { createBinaryHeap, type BinaryHeap } from '../util/binary-heap.js';

const DAY = 86_400_000;

/** The exceptions spill's bucket of a row: by severity, then by UTC day. */
export function exceptionBucket(row: ExceptionRow): number {
  return SEVERITY_ORDER.indexOf(row.severity) * 1_000_000 + Math.max(0, Math.floor(row.time / DAY));
}

/** The exceptions stream's order (bucket, then row order within it) for rows added in different orders. */
export function compareInExceptionStream(a: ExceptionRow, b: ExceptionRow): number {
  return exceptionBucket(a) - exceptionBucket(b) || compareExceptionRows(a, b);
}

export interface ExceptionHeads {
  add(row: ExceptionRow): void;
  /** Every rule's first `perRule` rows of the stream, in the stream's order. */
  rows(): ExceptionRow[];
}

interface Held {
  row: ExceptionRow;
  /** Arrival: the stream keeps rows that compare equal in the order they were added. */
  seq: number;
}

const order = (a: Held, b: Held): number => compareInExceptionStream(a.row, b.row) || a.seq - b.seq;
const later = (a: Held, b: Held): boolean => order(a, b) > 0;

/**
 * Each rule's first rows of the exceptions stream, kept as the rows are added (a max-heap per
 * rule, at most `perRule` rows each): the PDF shows at most its limit of rows, each rule at most
 * its share (render/pdf/exception-quota.ts), and the stream lists a rule's rows after every row
 * of higher severity. Picking them from the sorted stream read most of it: 330,000 of 490,000
 * exceptions decoded for 500 rows in a month of a million events.
 */
export function createExceptionHeads(perRule: number): ExceptionHeads {
  const heaps = new Map<string, BinaryHeap<Held>>();
  let seq = 0;
  return {
    add(row) {
      if (perRule <= 0) return;
      const held: Held = { row, seq: seq++ };
      let heap = heaps.get(row.ruleId);
      // The latest row held on top: the one a row earlier in the stream replaces.
      if (!heap) heaps.set(row.ruleId, (heap = createBinaryHeap(later)));
      if (heap.size < perRule) heap.push(held);
      else if (later(heap.peek()!, held)) heap.replaceTop(held);
    },
    rows() {
      const all = [...heaps.values()].flatMap((h) => h.items());
      all.sort(order);
      return all.map((h) => h.row);
    },
  };
}
