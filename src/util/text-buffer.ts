/**
 * Text appended as UTF-8 into a byte buffer, for files written as text in bulk (sheet XML, CSV).
 * ASCII goes in by a JS loop; other text by Buffer.write. Building one long string instead and
 * encoding it at the end made V8 flatten a rope of millions of small pieces: a fifth of a large
 * workbook's time (bench/cloudtrail-files-run.ts).
 */
export interface TextBuffer {
  put(s: string): void;
  /** Bytes held. */
  readonly size: number;
  /** The bytes so far, in a buffer of their own (the caller may keep it); the buffer starts empty again. */
  take(): Buffer;
}

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
