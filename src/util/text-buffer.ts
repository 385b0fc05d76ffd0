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
}

/** From this length a string goes in by one native call. */
const NATIVE_FROM = 48;

export function createTextBuffer(capacity = 256 * 1024): TextBuffer {
  let buf = Buffer.allocUnsafeSlow(capacity);
  let pos = 0;
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
      buf = Buffer.allocUnsafeSlow(capacity);
      pos = 0;
      return out;
    },
  };
}
