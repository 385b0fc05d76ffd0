import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createArchiveGzipThread } from '../../src/pack/archive-gzip.js';
import { createRawWindowWriter } from '../../src/pack/raw-archive.js';

/** Lines as an API page's records are archived: one JSON document per line, varied enough to compress unevenly. */
function pageLines(page: number, records = 200): Uint8Array {
  let text = '';
  for (let i = 0; i < records; i++) text += `${JSON.stringify({ id: `p${page}r${i}`, t: page * 1000 + i, note: (page * 7919 + i * 104729).toString(36).repeat(1 + (i % 5)) })}\n`;
  return Buffer.from(text);
}

describe('archive gzip thread', () => {
  it('gives the bytes gzip gives here, in the thread and before it starts; a slice of a larger buffer is left to the caller', async () => {
    const thread = createArchiveGzipThread({ inPlaceBytes: 25_000 });
    const moved: boolean[] = [];
    try {
      for (let p = 0; p < 6; p++) {
        const whole = pageLines(p);
        const expected = gzipSync(whole, { level: 1 });
        // Odd pages as a view into a larger buffer (copied for the thread), even ones owned whole (moved to it).
        const lines = p % 2 ? Buffer.concat([Buffer.from('{"prefix":1}'), whole]).subarray(12) : Buffer.from(whole);
        const member = await thread.gzip(lines, 1);
        expect(Buffer.from(member).equals(expected)).toBe(true);
        if (p % 2) expect(Buffer.from(lines).equals(whole)).toBe(true);
        else moved.push(lines.byteLength === 0);
      }
      // Pages of ~10 KB: the first two are gzipped here, the thread takes over from the third.
      expect(moved).toEqual([false, true, true]);
    } finally {
      await thread.close();
    }
  });

  it('a raw archive written through the thread is byte-identical to one gzipped in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-gz-'));
    const thread = createArchiveGzipThread({ inPlaceBytes: 0 });
    const paths = [join(dir, 'here.ndjson.gz'), join(dir, 'thread.ndjson.gz')];
    try {
      const [here, there] = await Promise.all([createRawWindowWriter(paths[0], { holdOpen: true }), createRawWindowWriter(paths[1], { holdOpen: true, gzip: thread.gzip })]);
      for (let p = 0; p < 4; p++) {
        await here.writeLines!(pageLines(p), 200);
        await there.writeLines!(pageLines(p), 200);
      }
      const [a, b] = [await here.commit(), await there.commit()];
      expect(b).toEqual(a);
      expect(readFileSync(paths[1]).equals(readFileSync(paths[0]))).toBe(true);
      expect(gunzipSync(readFileSync(paths[1])).toString().split('\n')).toHaveLength(801);
    } finally {
      await thread.close();
    }
  });

  it('once closed (or its thread stopped), pages are compressed in place: a late page is never lost', async () => {
    const thread = createArchiveGzipThread({ inPlaceBytes: 0 });
    await thread.gzip(pageLines(0), 1);
    await thread.close();
    const lines = pageLines(1);
    expect(Buffer.from(await thread.gzip(lines, 1)).equals(gzipSync(lines, { level: 1 }))).toBe(true);

    const stopping = createArchiveGzipThread({ inPlaceBytes: 0 });
    try {
      // A level zlib refuses throws in the thread, which stops it: the page it was moved with fails.
      await expect(stopping.gzip(pageLines(2), 99)).rejects.toMatchObject({ code: 'IO_FAILED' });
      const late = pageLines(3);
      expect(Buffer.from(await stopping.gzip(late, 1)).equals(gzipSync(late, { level: 1 }))).toBe(true);
      // Compressed here: not moved to a thread started again.
      expect(late.byteLength).toBeGreaterThan(0);
    } finally {
      await stopping.close();
    }
  });
});
