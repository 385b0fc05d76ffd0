/**
 * Text appended as UTF-8 into a byte buffer, for files written as text in bulk (sheet XML, CSV).
 * Short ASCII goes in by a JS loop, which beats a native call below a few dozen characters; longer
 * text (a sheet row or CSV line, built as one string) and other text by Buffer.write. Building one
 * string of the whole file instead and encoding it at the end made V8 flatten a rope of millions
 * of small pieces: a fifth of a large workbook's time (bench/cloudtrail-files-run.ts).
 */
export interface TextBuffer {
  put(s: string): void;
  /** Bytes held. */
  readonly size: number;
  /** The bytes so far, in a buffer of their own (the caller may keep it); the buffer starts empty again. */
  take(): Buffer;
  /**
   * Gives back a buffer from `take` once nothing reads it any more (a stream's write callback), to
   * be filled again: a new buffer per take was the most of what made V8 run a full collection
   * every fifth of a second while a large workbook was written (it counts buffers' memory as
   * pressure), each ~10 ms with the run's heap.
   */
  recycle(taken: Buffer): void;
}

/** Buffers kept for reuse: more than a stream's input queue holds (4 MiB of 256 KiB takes). */
const SPARES = 32;

/** From this length a string goes in by one native call. */
const NATIVE_FROM = 48;

export function createTextBuffer(capacity = 256 * 1024): TextBuffer {
  let buf: Buffer = Buffer.allocUnsafeSlow(capacity);
  let pos = 0;
  const spares: Buffer[] = [];
  const room = (n: number) => {
    if (pos + n <= buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, pos + n));
    buf.copy(next, 0, 0, pos);
    buf = next;
  };
  return {
    put(s) {
      const len = s.length;
      if (len >= NATIVE_FROM) {
        // At most 3 bytes of UTF-8 per UTF-16 unit.
        room(len * 3);
        pos += buf.write(s, pos, 'utf8');
        return;
      }
      room(len);
      let p = pos;
      for (let i = 0; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          const n = Buffer.byteLength(s, 'utf8');
          room(n);
          pos += buf.write(s, pos, n, 'utf8');
          return;
        }
        buf[p++] = c;
      }
      pos = p;
    },
    get size() {
      return pos;
    },
    take() {
      const out = buf.subarray(0, pos);
      buf = spares.pop() ?? Buffer.allocUnsafeSlow(capacity);
      pos = 0;
      return out;
    },
    recycle(taken) {
      // The whole buffer the bytes were taken from (allocUnsafeSlow: one ArrayBuffer each); one
      // grown past the capacity by a long string is left to the collector.
      const whole = Buffer.from(taken.buffer, 0, taken.buffer.byteLength);
      if (whole.length === capacity && spares.length < SPARES) spares.push(whole);
    },
  };
}
