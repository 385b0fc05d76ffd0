/** A half-open query window [start, end) in epoch milliseconds, UTC. */
export interface TimeWindow {
  /** Position within its source's plan, from 0. */
  index: number;
  start: number;
  end: number;
}

/** A stable, file-name-safe key for a window: `w003-20261004T0400Z`. */
export function windowKey(w: TimeWindow): string {
  const iso = new Date(w.start).toISOString(); // 2026-10-04T04:00:00.000Z
  const compact = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  return `w${String(w.index).padStart(3, '0')}-${compact}`;
}
