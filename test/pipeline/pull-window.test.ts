import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import type { PullItem, Source } from '../../src/sources/source.js';
import { pullWindow, replayWindow } from '../../src/pipeline/pull-window.js';
import { createRawWindowWriter, readRawWindow } from '../../src/pack/raw-archive.js';
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

async function run(script: (PullItem | Error)[], seen = new Set<string>()) {
  const dir = mkdtempSync(join(tmpdir(), 'ap-pw-'));
  const kept: AuditEvent[] = [];
  const archive = await createRawWindowWriter(join(dir, 'raw.ndjson.gz'));
  const cov = await pullWindow(scriptedSource(script), { index: 0, start: 100, end: 200 }, {
    http: noHttp, signal: new AbortController().signal, log: silentLogger, clock: systemClock, archive, seen, strays: new Map(), period: { start: 0, end: 1000 },
    sink: { accept: (e) => kept.push(e) }, progress: () => {},
  });
  await archive.commit();
  return { cov, kept, rawPath: join(dir, 'raw.ndjson.gz') };
}

describe('pullWindow', () => {
  it('keeps [start, end) only, removes duplicates and counts everything', async () => {
    const { cov, kept } = await run([page({ id: 'a', t: 100 }, { id: 'b', t: 150 }, { id: 'c', t: 200 }), page({ id: 'b', t: 150 }, { id: 'd', t: 99 }, { id: 'digest', t: 0 })]);
    expect(kept.map((e) => e.id)).toEqual(['a', 'b']);
    expect(cov).toMatchObject({ status: 'complete', eventsKept: 2, outsideWindow: 2, duplicates: 1, rereads: 0, recordsReceived: 6, pages: 2 });
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
      seen: new Set(), strays: new Map(), period: { start: 0, end: 1000 }, sink: { accept: (e) => kept.push(e) }, progress: () => {}, log: silentLogger,
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
      seen: new Set(), strays: new Map(), period: { start: 0, end: 1000 }, sink: { accept: (e) => kept.push(e) }, progress: () => {}, log: silentLogger,
    });
    expect(kept.map((e) => e.id)).toEqual(['a', 'b']);
    expect(replayed).toMatchObject({ resumed: true, eventsKept: 2, duplicates: 1, outsideWindow: 1, pages: 2, status: 'complete' });
  });
});
