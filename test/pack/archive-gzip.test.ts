import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createArchiveGzipThread } from '../../src/pack/archive-gzip.js';
import { locatePage, locatePageOrNull } from '../../src/pack/locate-page.js';
import { createRawWindowWriter } from '../../src/pack/raw-archive.js';
import { MAX_DEPTH } from '../../src/util/json-record-spans.js';

const RECORDS = 200;

/** An API page as received: its records under `auditLogs`, varied enough to compress unevenly. */
function pageBytes(page: number): Buffer {
  const records = Array.from({ length: RECORDS }, (_, i) => JSON.stringify({ id: `p${page}r${i}`, t: page * 1000 + i, note: (page * 7919 + i * 104729).toString(36).repeat(1 + (i % 5)) }));
  return Buffer.from(`{"paginationContext":{"nextToken":"t${page}"},"auditLogs":[${records.join(',')}]}`);
}

/** What locating the page here gives: its records one per line in a gzip member, and their fingerprints. */
function expected(page: number) {
  const located = locatePage(pageBytes(page), 'auditLogs', RECORDS)!;
  return { member: Buffer.from(located.member), contents: [...located.contents] };
}

describe('archive gzip thread', () => {
  it('locates a page as this thread does, in the thread and before it starts; a slice of a larger buffer is left to the caller', async () => {
    const thread = createArchiveGzipThread({ inPlaceBytes: 25_000 });
    const moved: boolean[] = [];
    try {
      for (let p = 0; p < 6; p++) {
        const whole = pageBytes(p);
        // Odd pages as a view into a larger buffer (copied for the thread), even ones owned whole (moved to it).
        const bytes = p % 2 ? Buffer.concat([Buffer.from('{"prefix":1}'), whole]).subarray(12) : Buffer.from(whole);
        const located = await thread.locate(bytes, 'auditLogs', RECORDS);
        expect({ member: Buffer.from(located!.member), contents: [...located!.contents] }).toEqual(expected(p));
        if (p % 2) expect(Buffer.from(bytes).equals(whole)).toBe(true);
        else moved.push(bytes.byteLength === 0);
      }
      // Pages of ~10 KB: the first two are located here, the thread takes over from the third.
      expect(moved).toEqual([false, true, true]);
    } finally {
      await thread.close();
    }
  });

  it('a raw archive written from the thread is byte-identical to one written from pages located in place, and holds each record as received', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-gz-'));
    const thread = createArchiveGzipThread({ inPlaceBytes: 0 });
    const paths = [join(dir, 'here.ndjson.gz'), join(dir, 'thread.ndjson.gz')];
    try {
      const [here, there] = await Promise.all(paths.map((p) => createRawWindowWriter(p, { holdOpen: true })));
      for (let p = 0; p < 4; p++) {
        await here.writeMember!(expected(p).member, RECORDS);
        await there.writeMember!((await thread.locate(pageBytes(p), 'auditLogs', RECORDS))!.member, RECORDS);
      }
      const [a, b] = [await here.commit(), await there.commit()];
      expect(b).toEqual(a);
      expect(readFileSync(paths[1]).equals(readFileSync(paths[0]))).toBe(true);
      const lines = gunzipSync(readFileSync(paths[1])).toString().split('\n');
      expect(lines).toHaveLength(4 * RECORDS + 1);
      expect(lines[RECORDS]).toBe(JSON.stringify({ id: 'p1r0', t: 1000, note: (7919).toString(36) }));
    } finally {
      await thread.close();
    }
  });

  it('says a page it cannot follow cannot be located, here and in the thread alike (the parsed records are archived instead)', async () => {
    const deep = Buffer.from(`{"auditLogs":[${'['.repeat(MAX_DEPTH + 10)}${']'.repeat(MAX_DEPTH + 10)}]}`);
    expect(locatePageOrNull(deep, 'auditLogs', 1)).toBeNull();
    // Fewer records in the bytes than the page parsed: not these records.
    expect(locatePageOrNull(pageBytes(0), 'auditLogs', RECORDS + 1)).toBeNull();
    const thread = createArchiveGzipThread({ inPlaceBytes: 0 });
    try {
      expect(await thread.locate(Buffer.from(deep), 'auditLogs', 1)).toBeNull();
      expect(await thread.locate(pageBytes(0), 'auditLogs', RECORDS + 1)).toBeNull();
      // The thread is still there for the next page.
      expect(Buffer.from((await thread.locate(pageBytes(0), 'auditLogs', RECORDS))!.member)).toEqual(expected(0).member);
    } finally {
      await thread.close();
    }
  });

  it('once closed, or once its thread stopped, locates pages here: a page moved to a thread that stopped fails its window, a later one is never lost', async () => {
    const thread = createArchiveGzipThread({ inPlaceBytes: 0 });
    await thread.locate(pageBytes(0), 'auditLogs', RECORDS);
    await thread.close();
    const late = pageBytes(1);
    expect(Buffer.from((await thread.locate(late, 'auditLogs', RECORDS))!.member)).toEqual(expected(1).member);
    // Located here: not moved to a thread started again.
    expect(late.byteLength).toBeGreaterThan(0);

    const stopping = createArchiveGzipThread({ inPlaceBytes: 0, script: new URL('./stopping-worker.mjs', import.meta.url) });
    try {
      await expect(stopping.locate(pageBytes(2), 'auditLogs', RECORDS)).rejects.toMatchObject({ code: 'IO_FAILED' });
      const after = pageBytes(3);
      expect(Buffer.from((await stopping.locate(after, 'auditLogs', RECORDS))!.member)).toEqual(expected(3).member);
      expect(after.byteLength).toBeGreaterThan(0);
    } finally {
      await stopping.close();
    }
    // A page the thread was given a copy of (a slice of a larger buffer) is located here when it stops.
    const copying = createArchiveGzipThread({ inPlaceBytes: 0, script: new URL('./stopping-worker.mjs', import.meta.url) });
    try {
      const slice = Buffer.concat([Buffer.from('{"prefix":1}'), pageBytes(4)]).subarray(12);
      expect(Buffer.from((await copying.locate(slice, 'auditLogs', RECORDS))!.member)).toEqual(expected(4).member);
    } finally {
      await copying.close();
    }
  });
});
