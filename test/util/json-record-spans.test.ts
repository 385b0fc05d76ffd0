import { describe, expect, it } from 'vitest';
import { recordSpans } from '../../src/util/json-record-spans.js';

/** Records whose strings hold escaped quotes and backslashes, brackets and commas, and multi-byte text at every offset within a 4-byte word. */
function records(): unknown[] {
  const out: unknown[] = [];
  for (let at = 0; at < 9; at++) {
    const pad = 'p'.repeat(at);
    out.push({ id: `${pad}"`, a: `${pad}\\`, b: `${pad}\\"],{}`, c: `${pad}é"ü\\\\`, d: [`${pad}x`, { e: `${pad}${'z'.repeat(13)}"` }], n: at });
  }
  return out;
}

/** `text` in a buffer whose bytes start `offset` bytes into an aligned allocation. */
function at(text: string, offset: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const whole = Buffer.alloc(bytes.length + offset + 8);
  bytes.copy(whole, offset);
  return whole.subarray(offset, offset + bytes.length);
}

describe('recordSpans', () => {
  it('finds each record whatever the alignment of the bytes (the word-at-a-time skip inside strings, and the byte-by-byte scan)', () => {
    const recs = records();
    for (let lead = 0; lead < 4; lead++) {
      const text = `${' '.repeat(lead)}{"x":"a\\"]","Records":${JSON.stringify(recs)},"y":["\\\\"]}`;
      for (let offset = 0; offset < 4; offset++) {
        const buf = at(text, offset);
        const spans = recordSpans(buf)!;
        expect(spans.start.map((s, i) => JSON.parse(buf.toString('utf8', s, spans.end[i])))).toEqual(recs);
        expect(spans.separated).toBe(true);
      }
    }
  });

  it('a string cut off at the end of the bytes is no document, at every alignment', () => {
    for (let n = 0; n < 12; n++) {
      const text = `{"Records":[{"a":"${'q'.repeat(n)}`;
      for (let offset = 0; offset < 4; offset++) expect(recordSpans(at(text, offset))).toBeNull();
    }
  });
});
