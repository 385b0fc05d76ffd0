import type { TimeWindow } from '../../model/window.js';
import type { AuditpackError } from '../../errors.js';

/** One log file as read: what each window reading it needs. */
export interface LogFileRead {
  compressedBytes: number;
  /** The file as stored, when it can be archived byte for byte (see archivableAsIs). */
  gzip: Buffer | null;
  /** Every record; once the file's own window has read it, only those an earlier window can need. */
  records: unknown[];
  /** Records left out of `records`: their events lie at or after the own window's start. */
  dropped: number;
  /** The file was read but its content refused (not JSON, no Records). */
  error: AuditpackError | null;
}

interface Entry {
  read: Promise<LogFileRead>;
  /** Windows of the run that will still ask for the file. */
  remaining: number;
  /** Records held, once read. */
  held: number;
}

/**
 * Above this many records held, the oldest reads are forgotten (a neighbour then reads the file
 * again): bounds memory when windows run far apart or one stops before reading what it planned to.
 */
const MAX_HELD_RECORDS = 100_000;

/**
 * Reads shared between the windows of a run: with the delivery margin, a file is read by its own
 * window (delivered inside it) and by the earlier windows whose margin covers it. The first read
 * is kept until every other window that will ask for the file has; after its own window, only
 * the records an earlier window can need (events before the own window's start) are kept, so
 * what is held is the late records, not the file. Without the run's windows (a lone window),
 * every read is the window's own.
 */
export interface SharedReads {
  get(key: string, deliveredAt: number, window: TimeWindow, windows: readonly TimeWindow[] | undefined, load: () => Promise<LogFileRead>): Promise<LogFileRead>;
  clear(): void;
}

export function createSharedReads(lateMs: number, eventTime: (record: unknown) => number | null): SharedReads {
  const entries = new Map<string, Entry>();
  let held = 0;

  const drop = (key: string, e: Entry) => {
    if (entries.get(key) !== e) return;
    entries.delete(key);
    held -= e.held;
  };
  const trim = () => {
    for (const [key, e] of entries) {
      if (held <= MAX_HELD_RECORDS) return;
      if (e.held > 0) drop(key, e);
    }
  };

  return {
    async get(key, deliveredAt, window, windows, load) {
      let e = entries.get(key);
      if (!e) {
        const readers = windows ? windows.filter((w) => w.start <= deliveredAt && deliveredAt < w.end + lateMs).length : 1;
        if (readers <= 1) return load();
        const entry: Entry = { read: load(), remaining: readers, held: 0 };
        entries.set(key, entry);
        entry.read.then(
          (r) => {
            if (entries.get(key) !== entry) return;
            entry.held = r.records.length;
            held += entry.held;
            trim();
          },
          () => drop(key, entry),
        );
        e = entry;
      }
      const read = await e.read;
      e.remaining--;
      if (e.remaining <= 0) {
        drop(key, e);
      } else if (read.gzip && deliveredAt >= window.start && deliveredAt < window.end && entries.get(key) === e) {
        // The own window has it; earlier windows only keep events before its start.
        const early = read.records.filter((r) => {
          const t = eventTime(r);
          return t === null || t < window.start;
        });
        const kept: LogFileRead = { ...read, records: early, dropped: read.dropped + read.records.length - early.length };
        held -= e.held - early.length;
        e.held = early.length;
        e.read = Promise.resolve(kept);
      }
      return read;
    },
    clear() {
      entries.clear();
      held = 0;
    },
  };
}
