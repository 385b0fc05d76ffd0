import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import type { PeriodFile, PullItem, Source } from '../../src/sources/source.js';
import { createIdSet } from '../../src/pipeline/id-set.js';
import { gzipSync } from 'node:zlib';
import { pullPeriod, pullWindow, replayWindow } from '../../src/pipeline/pull-window.js';
import { createRawWindowWriter, readRawWindow } from '../../src/pack/raw-archive.js';
import { createArchiveGzipThread, type LocatePage } from '../../src/pack/archive-gzip.js';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { AuditpackError } from '../../src/errors.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import type { HttpClient } from '../../src/http/types.js';

interface Rec { id: string; t: number }

/** A source whose pages are scripted in memory: this tests the pipeline's bookkeeping, not HTTP. */
function scriptedSource(script: (PullItem | Error)[]): Source {
  return {
    name: 'mem', type: 'smapi', description: 'scripted', policy: { maxWindowMs: null, retentionMs: null, endInclusive: true, pageSize: 10, concurrency: 1 },
    describeRequest: (w) => ({ start: w.start, end: w.end }),
    async *pull(_w, ctx) {
      for (const item of script) {
        if (item instanceof Error) throw item;
        if (item.kind === 'page') ctx.stats.pages++;
        else ctx.stats.restarts++;
        yield item;
      }
    },
    normalize(raw) {
      const r = raw as Rec;
      if (r.id === 'digest') return null;
      return { id: r.id, time: r.t, source: 'mem', sourceType: 'smapi', service: 'smapi', operation: 'op', outcome: 'success', responseCode: '200', requester: { id: 'u' }, resources: [] } satisfies AuditEvent;
    },
  };
}

const page = (...recs: Rec[]): PullItem => ({ kind: 'page', records: recs });
const noHttp = {} as HttpClient;

/** A page as an API source gives it: parsed, and its bytes as received (`received`, here with a key order of their own), in which the pipeline locates its records. */
const bytesPage = (...texts: string[]): PullItem => {
  const body = Buffer.from(`{"next":"x","auditLogs":[${texts.join(',')}]}`);
  return { kind: 'page', records: (JSON.parse(body.toString()) as { auditLogs: unknown[] }).auditLogs, received: { bytes: body, arrayKey: 'auditLogs' } };
};

async function run(script: (PullItem | Error)[], seen = createIdSet(), locate?: LocatePage) {
  const dir = mkdtempSync(join(tmpdir(), 'ap-pw-'));
  const kept: AuditEvent[] = [];
  const archive = await createRawWindowWriter(join(dir, 'raw.ndjson.gz'));
  const cov = await pullWindow(scriptedSource(script), { index: 0, start: 100, end: 200 }, {
    http: noHttp, signal: new AbortController().signal, log: silentLogger, clock: systemClock, archive, seen, strays: new Map(), period: { start: 0, end: 1000 },
    sink: { accept: (e) => kept.push(e) }, progress: () => {}, locate,
  });
  await archive.commit();
  return { cov, kept, rawPath: join(dir, 'raw.ndjson.gz') };
}

describe('pullWindow', () => {
  it('keeps [start, end) only, removes duplicates and counts everything: the ledger adds up', async () => {
    const { cov, kept } = await run([page({ id: 'a', t: 100 }, { id: 'b', t: 150 }, { id: 'c', t: 200 }), page({ id: 'b', t: 150 }, { id: 'd', t: 99 }, { id: 'digest', t: 0 })]);
    expect(kept.map((e) => e.id)).toEqual(['a', 'b']);
    // c (at the end) and d (before the start) are the neighbours' records inside the period: read again, not outside it.
    expect(cov).toMatchObject({ status: 'complete', eventsKept: 2, outsidePeriod: 0, duplicates: 1, rereads: 2, refused: 1, recordsReceived: 6, pages: 2 });
    expect(cov.extra.nonEventRecords).toBe(1);
    expect(cov.firstEventTime).toBe(new Date(100).toISOString());
  });

  it('counts records seen again after a restart as re-reads, not duplicates, and keeps them once', async () => {
    const { cov, kept } = await run([page({ id: 'a', t: 110 }, { id: 'b', t: 120 }), { kind: 'restart', reason: 'token expired' }, page({ id: 'a', t: 110 }, { id: 'b', t: 120 }, { id: 'c', t: 130 }), page({ id: 'c', t: 130 })]);
    expect(kept.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(cov).toMatchObject({ eventsKept: 3, rereads: 2, duplicates: 1, restarts: 1, status: 'complete' });
  });

  it('replays a window that restarted to the same re-reads and duplicates', async () => {
    const first = await run([page({ id: 'a', t: 110 }, { id: 'b', t: 120 }), { kind: 'restart', reason: 'token expired' }, page({ id: 'a', t: 110 }, { id: 'b', t: 120 }, { id: 'c', t: 130 }), page({ id: 'c', t: 130 })]);
    const kept: AuditEvent[] = [];
    const replayed = await replayWindow(scriptedSource([]), { index: 0, start: 100, end: 200 }, readRawWindow(first.rawPath), first.cov, {
      seen: createIdSet(), strays: new Map(), period: { start: 0, end: 1000 }, sink: { accept: (e) => kept.push(e) }, progress: () => {}, log: silentLogger,
    });
    expect(kept.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(replayed).toMatchObject({ resumed: true, eventsKept: 3, rereads: 2, duplicates: 1, restarts: 1, recordsReceived: 6 });
  });

  it('marks the window failed on a non-fatal error and keeps what arrived', async () => {
    const { cov, kept } = await run([page({ id: 'a', t: 110 }), new AuditpackError('HTTP_STATUS', 'HTTP 503 after 5 attempts', { status: 503 })]);
    expect(kept).toHaveLength(1);
    expect(cov.status).toBe('failed');
    expect(cov.error).toEqual({ code: 'HTTP_STATUS', message: 'HTTP 503 after 5 attempts' });
  });

  it('rethrows fatal errors so the run stops', async () => {
    await expect(run([new AuditpackError('AUTH_REFUSED', 'token refused')])).rejects.toMatchObject({ code: 'AUTH_REFUSED' });
  });

  it('archives pages as received and replays them to the same result', async () => {
    const script = [page({ id: 'a', t: 110 }, { id: 'z', t: 500 }), page({ id: 'b', t: 120 }, { id: 'a', t: 110 })];
    const first = await run(script);
    const raw: unknown[] = [];
    for await (const r of readRawWindow(first.rawPath)) raw.push(r);
    expect(raw).toEqual([{ id: 'a', t: 110 }, { id: 'z', t: 500 }, { id: 'b', t: 120 }, { id: 'a', t: 110 }]);
    const kept: AuditEvent[] = [];
    const replayed = await replayWindow(scriptedSource([]), { index: 0, start: 100, end: 200 }, readRawWindow(first.rawPath), first.cov, {
      seen: createIdSet(), strays: new Map(), period: { start: 0, end: 1000 }, sink: { accept: (e) => kept.push(e) }, progress: () => {}, log: silentLogger,
    });
    expect(kept.map((e) => e.id)).toEqual(['a', 'b']);
    expect(replayed).toMatchObject({ resumed: true, eventsKept: 2, duplicates: 1, rereads: 1, outsidePeriod: 0, pages: 2, status: 'complete' });
    expect(replayed).toMatchObject({ recordsReceived: first.cov.recordsReceived, eventsKept: first.cov.eventsKept, duplicates: first.cov.duplicates, rereads: first.cov.rereads });
  });

  it('a page with its records\' bytes: archived byte for byte, fingerprinted from them, and a replay counts the same', async () => {
    const a = '{"t":110,"id":"a"}';
    const script = [bytesPage(a, '{"t":120,"id":"b"}'), bytesPage('{"t":120,"id":"a"}', a, String.raw`{"t":5e3,"id":"l\u0061te"}`)];
    const first = await run(script);
    expect(gunzipSync(readFileSync(first.rawPath)).toString()).toBe(`${a}\n{"t":120,"id":"b"}\n{"t":120,"id":"a"}\n${a}\n{"t":5e3,"id":"l\\u0061te"}\n`);
    expect(first.kept.map((e) => [e.id, e.time])).toEqual([['a', 110], ['b', 120], ['a', 120]]);
    expect(first.cov).toMatchObject({ eventsKept: 3, idCollisions: 1, duplicates: 1, outsidePeriod: 1, recordsReceived: 5 });
    const replayed = await replayWindow(scriptedSource([]), { index: 0, start: 100, end: 200 }, readRawWindow(first.rawPath), first.cov, {
      seen: createIdSet(), strays: new Map(), period: { start: 0, end: 1000 }, sink: { accept: () => {} }, progress: () => {}, log: silentLogger,
    });
    expect(replayed).toMatchObject({ eventsKept: 3, idCollisions: 1, duplicates: 1, outsidePeriod: 1, recordsReceived: 5 });
  });

  it('a page given as its bytes is archived and counted the same located here or in the archive thread; a pretty-printed one is archived from its parsed records', async () => {
    const a = '{"t":110,"id":"a"}';
    const texts = [[a, '{"t":120,"id":"b"}'], ['{"t":120,"id":"a"}', a, String.raw`{"t":5e3,"id":"l\u0061te"}`]];
    const here = await run(texts.map((t) => bytesPage(...t)));
    expect(gunzipSync(readFileSync(here.rawPath)).toString()).toBe(`${texts.flat().join('\n')}\n`);
    expect(here.cov).toMatchObject({ eventsKept: 3, idCollisions: 1, duplicates: 1, outsidePeriod: 1, recordsReceived: 5 });
    const thread = createArchiveGzipThread({ inPlaceBytes: 0 });
    const inThread: boolean[] = [];
    const locate: LocatePage = async (...args) => {
      const page = await thread.locate(...args);
      inThread.push(page !== null);
      return page;
    };
    try {
      const there = await run(texts.map((t) => bytesPage(...t)), createIdSet(), locate);
      // Both pages were located by the thread, not here.
      expect(inThread).toEqual([true, true]);
      expect(readFileSync(there.rawPath).equals(readFileSync(here.rawPath))).toBe(true);
      expect(there.cov).toEqual(here.cov);
      expect(there.kept).toEqual(here.kept);
    } finally {
      await thread.close();
    }
    const pretty = Buffer.from(`{"auditLogs": [\n  {"t": 110, "id": "a"},\n  {"t": 120, "id": "b"}\n]}`);
    const spaced = await run([{ kind: 'page', records: (JSON.parse(pretty.toString()) as { auditLogs: unknown[] }).auditLogs, received: { bytes: pretty, arrayKey: 'auditLogs' } }]);
    expect(gunzipSync(readFileSync(spaced.rawPath)).toString()).toBe(`${a}\n{"t":120,"id":"b"}\n`);
    expect(spaced.cov).toMatchObject({ eventsKept: 2, recordsReceived: 2, status: 'complete' });
  });

  it('keeps both records of an id reused by other content and counts the collision; an identical copy is a duplicate; outside the period is never kept', async () => {
    const { cov, kept } = await run([page({ id: 'a', t: 110 }, { id: 'a', t: 120 }, { id: 'a', t: 110 }, { id: 'late', t: 5000 }, { id: 'early', t: -5 })]);
    expect(kept.map((e) => [e.id, e.time])).toEqual([['a', 110], ['a', 120]]);
    expect(cov).toMatchObject({ eventsKept: 2, idCollisions: 1, duplicates: 1, outsidePeriod: 2, rereads: 0, recordsReceived: 5 });
  });
});

/** A period source scripted in memory: files with their delivery window and events. */
function periodSource(files: PeriodFile[]): Source {
  return {
    name: 'files', type: 'cloudtrail-files', description: 'scripted files',
    policy: { maxWindowMs: null, retentionMs: null, endInclusive: false, pageSize: 0, concurrency: 1 },
    describeRequest: () => ({}),
    async *pullPeriod() {
      yield* files;
    },
    normalize: () => null,
  };
}

function file(item: string, window: number, recs: Rec[], extra: Partial<PeriodFile> = {}): PeriodFile {
  const events = recs.map((r) => ({
    event: { id: r.id, time: r.t, source: 'files', sourceType: 'cloudtrail-files', service: 's3', operation: 'op', outcome: 'success', responseCode: 'Success', requester: { id: 'u' }, resources: [] } satisfies AuditEvent,
    content: r.t,
  }));
  return { kind: 'file', item, window, archive: { gzip: gzipSync(`{"Records":${JSON.stringify(recs)}}`), records: recs.length }, records: recs.length, events, notEvents: 0, invalid: [], bytes: 10, ...extra };
}

describe('pullPeriod', () => {
  const plan = [{ index: 0, start: 100, end: 200 }, { index: 1, start: 200, end: 300 }];
  async function runPeriod(files: PeriodFile[]) {
    const dir = mkdtempSync(join(tmpdir(), 'ap-pp-'));
    const paths = plan.map((w) => join(dir, `${w.index}.ndjson.gz`));
    const archives = await Promise.all(paths.map((p) => createRawWindowWriter(p)));
    const kept: AuditEvent[] = [];
    const covs = await pullPeriod(periodSource(files), plan, {
      signal: new AbortController().signal, log: silentLogger, clock: systemClock, archives, seen: createIdSet(), period: { start: 100, end: 300 },
      sink: { accept: (e) => kept.push(e) }, progress: () => {},
    });
    for (const a of archives) await a.commit();
    const archived: unknown[][] = [];
    for (const p of paths) {
      const recs: unknown[] = [];
      for await (const r of readRawWindow(p)) recs.push(r);
      archived.push(recs);
    }
    return { covs, kept, archived };
  }

  it('keeps a record delivered in the next window\'s file exactly once, in its own window; archives each file once; counts outside the period', async () => {
    const { covs, kept, archived } = await runPeriod([
      file('f0', 0, [{ id: 'a', t: 150 }, { id: 'before', t: 50 }]),
      // Delivered in window 1, holding a record of window 0 (and a copy of `a`), one of window 1 and one after the period.
      file('f1', 1, [{ id: 'late', t: 190 }, { id: 'a', t: 150 }, { id: 'b', t: 250 }, { id: 'after', t: 300 }]),
    ]);
    expect(kept.map((e) => e.id)).toEqual(['a', 'late', 'b']);
    expect(covs[0]).toMatchObject({ eventsKept: 2, duplicates: 1, outsidePeriod: 1, rereads: 0, recordsReceived: 4, extra: { filesArchived: 1, filesFed: 2 } });
    expect(covs[1]).toMatchObject({ eventsKept: 1, duplicates: 0, outsidePeriod: 1, rereads: 0, recordsReceived: 2, extra: { filesArchived: 1, filesFed: 1 } });
    for (const c of covs) expect(c.recordsReceived).toBe(c.eventsKept + c.duplicates + c.rereads + c.outsidePeriod + c.refused);
    expect(archived.map((a) => a.length)).toEqual([2, 4]);
    expect(covs.every((c) => c.status === 'complete')).toBe(true);
  });

  it('fails the window a bad file was delivered in, with the reason, and keeps every other file', async () => {
    const { covs, kept } = await runPeriod([
      file('f0', 0, [{ id: 'a', t: 150 }]),
      file('bad', 1, [], { archive: null, error: { code: 'WORKER_STOPPED', message: 'bad was not parsed: its worker thread stopped' } }),
      file('f2', 1, [{ id: 'b', t: 250 }], { notEvents: 1, records: 2 }),
    ]);
    expect(kept.map((e) => e.id)).toEqual(['a', 'b']);
    expect(covs[0].status).toBe('complete');
    expect(covs[1]).toMatchObject({ status: 'failed', problems: [{ item: 'bad', code: 'WORKER_STOPPED' }], refused: 1, recordsReceived: 2, eventsKept: 1 });
    expect(covs[1].error?.message).toMatch(/worker thread stopped/);
  });
});
