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
}

export interface RecordReader {
  f64(): number;
  uint(): number;
  str(): string;
  optStr(): string | null;
}

/** A writer over one growable buffer, reset per record; `bytes()` is valid until the next reset. */
export interface RecordBuilder extends RecordWriter {
  reset(): void;
  readonly size: number;
  bytes(): Buffer;
}

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
  const text = (s: string, plus: number) => {
    // A UTF-16 unit takes at most 3 UTF-8 bytes: reserve that, write, then set the real length.
    // Short strings (ids, names) take one length byte; longer ones are measured first.
    if (s.length < 42) {
      room(1 + s.length * 3);
      const at = pos++;
      const n = buf.write(s, pos, 'utf8');
      buf[at] = n + plus;
      pos += n;
    } else {
      const n = Buffer.byteLength(s, 'utf8');
      uint(n + plus);
      room(n);
      pos += buf.write(s, pos, 'utf8');
    }
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
    reset() {
      pos = 0;
    },
    get size() {
      return pos;
    },
    bytes: () => buf.subarray(0, pos),
  };
}

/** Reads the fields of one record, in the order they were written; `load` points it at a record. */
export interface RecordCursor extends RecordReader {
  load(buf: Buffer, start: number): void;
}

export function createRecordReader(): RecordCursor {
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
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
  return {
    load(b, start) {
      buf = b;
      pos = start;
    },
    f64() {
      const n = buf.readDoubleLE(pos);
      pos += 8;
      return n;
    },
    uint,
    str() {
      const n = uint();
      pos += n;
      return buf.toString('utf8', pos - n, pos);
    },
    optStr() {
      const n = uint();
      if (n === 0) return null;
      pos += n - 1;
      return buf.toString('utf8', pos - n + 1, pos);
    },
  };
}

/** How rows of one kind are stored: written field by field, read back in the same order. */
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
