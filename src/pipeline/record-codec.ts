/**
 * The spill's binary record format: fields written one after another, no keys, no text to parse.
 * Numbers are little-endian float64 or unsigned varints; a string is its UTF-8 byte length as a
 * varint, then its bytes; an optional string stores length + 1, and 0 for absent. Reading back is
 * slicing bytes: JSON.parse of a million rows was most of the spill's read time.
 */
export interface RecordWriter {
  f64(n: number): void;
  uint(n: number): void;
  str(s: string): void;
  /** undefined and null are both stored as absent, and read back as `null`. */
  optStr(s: string | null | undefined): void;
  /** A flat string map: 0 when absent, else 1 + the number of entries, then key, value pairs. */
  strMap(m: Readonly<Record<string, string>> | null | undefined): void;
}

export interface RecordReader {
  f64(): number;
  uint(): number;
  str(): string;
  /** A string that rarely repeats (an event id): read without the reader's cache, whose slots it would only take from the strings that do repeat. */
  uniqueStr(): string;
  /** Moves past a string written by `str`, unread. */
  skipStr(): void;
  optStr(): string | null;
  /**
   * A map written by `strMap`; null when absent. Maps repeat from record to record (an event's
   * attributes), so the reader hands back the same object for the same bytes: read-only.
   */
  strMap(): Readonly<Record<string, string>> | null;
}

/** A writer over one growable buffer, reset per record; `bytes()` is valid until the next reset. */
export interface RecordBuilder extends RecordWriter {
  reset(): void;
  readonly size: number;
  bytes(): Buffer;
  /**
   * Starts a record framed as the spill stores it (a 4-byte little-endian length, then its bytes),
   * after those already written: what `endFrame` is then given.
   */
  beginFrame(): number;
  endFrame(at: number): void;
  /**
   * The bytes written, a view of the start of a buffer of their own that can be moved to another
   * thread; the builder goes on in a new buffer an eighth larger than this one was filled (so a run
   * of similar batches, a log file's events each, grows none), and at least `initial`.
   */
  detach(): Uint8Array;
}

/** Buffer's own slice and write methods (Node's buffer.js), without `toString`/`write`'s argument checks. */
interface FastBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/**
 * Strings up to this many UTF-16 units are written by a JS loop when they are ASCII (nearly all:
 * names, codes, ARNs, user agents): a native `Buffer.write` costs a few hundred nanoseconds per
 * call whatever the length, which made encoding an event (some 25 strings) about 14 µs.
 */
const JS_WRITE_MAX = 512;

export function createRecordBuilder(initial = 4096): RecordBuilder {
  let buf: Buffer = Buffer.allocUnsafeSlow(initial);
  let pos = 0;
  const room = (n: number) => {
    if (pos + n <= buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, pos + n));
    buf.copy(next, 0, 0, pos);
    buf = next;
  };
  const uint = (n: number) => {
    room(8);
    while (n >= 0x80) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    buf[pos++] = n;
  };
  /** Writes `s` as ASCII after its length (`s.length + plus`); false, and nothing kept, if it is not ASCII. */
  const ascii = (s: string, plus: number): boolean => {
    const len = s.length;
    const start = pos;
    uint(len + plus);
    room(len);
    let p = pos;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        pos = start;
        return false;
      }
      buf[p++] = c;
    }
    pos = p;
    return true;
  };
  const text = (s: string, plus: number) => {
    if (s.length <= JS_WRITE_MAX && ascii(s, plus)) return;
    const n = Buffer.byteLength(s, 'utf8');
    uint(n + plus);
    room(n);
    pos += buf.write(s, pos, n, 'utf8');
  };
  return {
    f64(n) {
      room(8);
      buf.writeDoubleLE(n, pos);
      pos += 8;
    },
    uint,
    str: (s) => text(s, 0),
    optStr(s) {
      if (s === undefined || s === null) uint(0);
      else text(s, 1);
    },
    strMap(m) {
      if (!m) {
        uint(0);
        return;
      }
      const keys = Object.keys(m);
      uint(keys.length + 1);
      for (const k of keys) {
        text(k, 0);
        text(m[k], 0);
      }
    },
    reset() {
      pos = 0;
    },
    get size() {
      return pos;
    },
    bytes: () => buf.subarray(0, pos),
    beginFrame() {
      room(4);
      pos += 4;
      return pos - 4;
    },
    endFrame(at) {
      buf.writeUInt32LE(pos - at - 4, at);
    },
    detach() {
      const out = new Uint8Array(buf.buffer, buf.byteOffset, pos);
      buf = Buffer.allocUnsafeSlow(Math.max(initial, pos + (pos >> 3)));
      pos = 0;
      return out;
    },
  };
}

/** Reads the fields of one record, in the order they were written; `load` points it at a record. */
export interface RecordCursor extends RecordReader {
  load(buf: Buffer, start: number): void;
}

/** Strings up to this many bytes are looked up in the reader's cache before a new one is made. */
const INTERN_MAX = 64;
const INTERN_SLOTS = 1 << 12;
/** Maps up to this many bytes are looked up in the reader's table of maps; larger ones are made anew. */
const MAP_INTERN_MAX = 512;
const MAP_SLOTS = 1 << 8;

/** A map the reader made, with the bytes it was read from. */
interface KnownMap {
  bytes: Buffer;
  map: Readonly<Record<string, string>>;
}

/** FNV-1a over buf[start, end). */
function hashBytes(buf: Buffer, start: number, end: number): number {
  let h = end - start;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h ^ (h >>> 15);
}

/**
 * A reader keeps the short strings it made (one per slot of a small table, by a hash of the
 * bytes): a spill's rows repeat the same services, operations, codes, requesters and regions, so
 * most strings come back from the table, neither sliced by a native call nor left for the GC.
 * Reading a million events three times (the workbook, the CSV, the samples) made that most of the
 * render's time.
 */
export function createRecordReader(): RecordCursor {
  let buf = Buffer.alloc(0) as FastBuffer;
  let pos = 0;
  const interned: string[] = new Array<string>(INTERN_SLOTS).fill('');
  const maps: (KnownMap | undefined)[] = new Array<KnownMap | undefined>(MAP_SLOTS).fill(undefined);
  const uint = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (pos >= buf.length) throw new Error('spill record cut short: a number runs past its end');
      const b = buf[pos++];
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 128;
    }
  };
  /** Moves past the n bytes of a string; where they start. */
  const skip = (n: number): number => {
    const start = pos;
    if (start + n > buf.length) throw new Error('spill record cut short: a string runs past its end');
    pos = start + n;
    return start;
  };
  const slice = (n: number): string => {
    const start = skip(n);
    const end = pos;
    if (n === 0) return '';
    if (n > INTERN_MAX) return buf.utf8Slice(start, end);
    let h = n;
    let high = 0;
    for (let i = start; i < end; i++) {
      const b = buf[i];
      high |= b;
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (high >= 0x80) return buf.utf8Slice(start, end);
    const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
    const known = interned[slot];
    if (known.length === n) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (known.charCodeAt(i) !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return known;
    }
    const made = buf.latin1Slice(start, end);
    interned[slot] = made;
    return made;
  };
  return {
    load(b, start) {
      buf = b as FastBuffer;
      pos = start;
    },
    f64() {
      const n = buf.readDoubleLE(pos);
      pos += 8;
      return n;
    },
    uint,
    str() {
      return slice(uint());
    },
    uniqueStr() {
      const start = skip(uint());
      return buf.utf8Slice(start, pos);
    },
    skipStr() {
      skip(uint());
    },
    optStr() {
      const n = uint();
      return n === 0 ? null : slice(n - 1);
    },
    strMap() {
      const n = uint();
      if (n === 0) return null;
      // Past the entries first: their bytes are the key of the table of maps.
      const start = pos;
      for (let i = 2 * (n - 1); i > 0; i--) skip(uint());
      const end = pos;
      const small = end - start <= MAP_INTERN_MAX;
      const slot = small ? hashBytes(buf, start, end) & (MAP_SLOTS - 1) : -1;
      const known = small ? maps[slot] : undefined;
      if (known && known.bytes.length === end - start && known.bytes.equals(buf.subarray(start, end))) return known.map;
      pos = start;
      const m: Record<string, string> = {};
      for (let i = n - 1; i > 0; i--) m[slice(uint())] = slice(uint());
      if (small) maps[slot] = { bytes: Buffer.from(buf.subarray(start, end)), map: m };
      return m;
    },
  };
}

/** How rows of one kind are stored: written field by field, read back in the same order. */
/** What a sort reads of each record and how it orders them. */
export interface SortKey<K> {
  /**
   * A key smaller than the row, decoded alone. Absent: the key is the row itself, decoded by the
   * codec, and a record a sort decoded to compare it is not decoded again to be read out.
   */
  decode?(r: RecordReader): K;
  compare(a: K, b: K): number;
  /**
   * A number read alone that orders records as `compare` does before its ties (compare(a, b) < 0
   * implies primary(a) <= primary(b)): a sort orders by it and decodes the keys of only the records
   * it cannot tell apart.
   */
  primary?(r: RecordReader): number;
}

export interface RecordCodec<T> {
  encode(row: T, w: RecordWriter): void;
  decode(r: RecordReader): T;
}

/**
 * `true` when K names every field of T; otherwise a type naming the missing ones. A codec declares
 * `const covered: Covers<Row, 'a' | 'b'> = true`, so a field added to Row fails to compile there
 * until the codec writes and reads it: no field is silently lost between the pull and the renderers.
 */
export type Covers<T, K extends keyof T> = [Exclude<keyof T, K>] extends [never] ? true : { notInCodec: Exclude<keyof T, K> };
