import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isAuditpackError } from '../../../src/errors.js';
import { emptyStats } from '../../../src/model/coverage.js';
import { createHttpClient } from '../../../src/http/client.js';
import { systemClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { HOUR, makeFilesSource, runWindows, tempDir } from './harness.js';
import { real2Files, REAL_2_DIR, REAL_DIR, realLines } from './real-records.js';

const DELIVERY_DAY = Date.UTC(2026, 0, 15);
const ACCOUNT = '111122223333';

/**
 * What each raw line should become, decided here from the raw text alone (not with the
 * normalizer): the README's rules for outcome, and "a time CloudTrail or a log pipeline wrote".
 */
function expectation(line: string): { kind: 'digest' } | { kind: 'refused'; source: string } | { kind: 'event'; source: string; outcome: string } {
  const r = JSON.parse(line) as Record<string, unknown>;
  if ('digestSignatureAlgorithm' in r || 'digestStartTime' in r) return { kind: 'digest' };
  const source = typeof r.eventSource === 'string' ? r.eventSource : 'unknown';
  const timeOk = [r.eventTime, r.p_event_time].some((v) => typeof v === 'string' && /^\d{4}-\d\d-\d\d/.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T'))));
  if (!timeOk) return { kind: 'refused', source };
  const code = typeof r.errorCode === 'string' ? r.errorCode.trim() : '';
  const httpOk = /^[123][0-9][0-9]$/.test(code);
  const responses = r.responseElements && typeof r.responseElements === 'object' ? (r.responseElements as Record<string, unknown>) : {};
  const loginFailed = Object.keys(responses).some((k) => /Login$/.test(k) && String(responses[k]).toLowerCase() === 'failure');
  return { kind: 'event', source, outcome: (code !== '' && !httpOk) || loginFailed ? 'failure' : 'success' };
}

function tally(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

describe.skipIf(!REAL_DIR)('the real CloudTrail records through the files source (../shared/fixtures/cloudtrail-real)', () => {
  const tmp = tempDir('real');
  afterAll(() => tmp.remove());

  it('reads all 559 records from gzip log files and normalizes them as counted independently', async () => {
    // One gzip {"Records":[…]} file per fixture file (Panther's in chunks), the raw lines kept byte for byte.
    const lines = realLines();
    const groups = new Map<string, string[]>();
    lines.forEach(({ file, line }, i) => {
      const key = file === 'panther-analysis.jsonl' ? `${file}#${Math.floor(i / 60)}` : file;
      groups.set(key, [...(groups.get(key) ?? []), line]);
    });
    const folder = join(tmp.dir, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2026', '01', '15');
    mkdirSync(folder, { recursive: true });
    let n = 0;
    for (const group of groups.values()) {
      const at = new Date(DELIVERY_DAY + n * 5 * 60_000).toISOString();
      const stamp = `${at.slice(0, 4)}${at.slice(5, 7)}${at.slice(8, 10)}T${at.slice(11, 13)}${at.slice(14, 16)}Z`;
      const name = `${ACCOUNT}_CloudTrail_us-east-1_${stamp}_${String(n).padStart(16, 'R')}.json.gz`;
      writeFileSync(join(folder, name), gzipSync(`{"Records":[${group.join(',')}]}`));
      n++;
    }

    const source = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, lateDeliveryMinutes: 0 });
    const stats = emptyStats();
    const http = createHttpClient({}, { clock: systemClock, log: silentLogger });
    const records: unknown[] = [];
    const window = { index: 0, start: DELIVERY_DAY, end: DELIVERY_DAY + 24 * HOUR };
    for await (const item of source.pull(window, { http, signal: new AbortController().signal, log: silentLogger, clock: systemClock, stats, progress() {} })) {
      if (item.kind === 'page') records.push(...item.records);
    }
    await http.close();
    expect(stats.problems).toEqual([]);
    expect(stats.pages).toBe(groups.size);
    expect(stats.extra.filesRead).toBe(groups.size);
    expect(records).toHaveLength(559);

    const expected = new Map<string, number>();
    const actual = new Map<string, number>();
    let expectedDigests = 0;
    let digests = 0;
    for (const { line } of lines) {
      const x = expectation(line);
      if (x.kind === 'digest') expectedDigests++;
      else tally(expected, x.kind === 'event' ? `${x.source} | ${x.outcome}` : `${x.source} | no usable time`);
    }
    for (const raw of records) {
      try {
        const e = source.normalize(raw);
        if (e === null) digests++;
        else tally(actual, `${e.service} | ${e.outcome}`);
      } catch (err) {
        expect(isAuditpackError(err) && err.code).toBe('DATA_INVALID');
        const r = raw as Record<string, unknown>;
        tally(actual, `${typeof r.eventSource === 'string' ? r.eventSource : 'unknown'} | no usable time`);
      }
    }
    expect(expectedDigests).toBe(1);
    expect(digests).toBe(1);
    expect([...expected.values()].reduce((a, b) => a + b, 0)).toBe(558);
    expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
    // 42 event sources in the fixtures (README), all seen.
    expect(new Set([...actual.keys()].map((k) => k.split(' | ')[0])).size).toBe(42);
    await source.close?.();
  });
});

describe.skipIf(!REAL_2_DIR)('the second real set read in place as a local trail (../shared/fixtures/cloudtrail-real-2)', () => {
  it('keeps every record once, in the window of its own UTC day, across 38 account/region folders', async () => {
    // Counted here from the files themselves, not by the source: records per UTC day folder, distinct ids.
    const files = real2Files();
    const perDay = new Map<string, number>();
    const ids = new Set<string>();
    for (const f of files) {
      const day = f.key.split('/').slice(4, 7).join('-');
      perDay.set(day, (perDay.get(day) ?? 0) + f.records.length);
      for (const r of f.records) ids.add(String(r.eventID));
    }
    const days = [...perDay.keys()].sort();
    const windows = days.map((d, index) => ({ index, start: Date.parse(`${d}T00:00:00Z`), end: Date.parse(`${d}T00:00:00Z`) + 24 * HOUR }));

    // As a user would configure it: the folder as `aws s3 sync` leaves it, every account and region found, the default delivery margin.
    const source = makeFilesSource({ type: 'cloudtrail-files', location: REAL_2_DIR! });
    const run = await runWindows(source, windows);
    await source.close?.();

    expect(run.windows.map((w) => w.status)).toEqual(days.map(() => 'complete'));
    expect(run.windows.flatMap((w) => w.problems)).toEqual([]);
    expect(run.windows[0].extra.accountRegionFolders).toBe(38);
    // Each record is kept in its own day's window or counted there as a duplicate (ids that recur); none is lost.
    expect(Object.fromEntries(run.windows.map((w) => [days[w.window.index], w.eventsKept + w.duplicates]))).toEqual(Object.fromEntries(perDay));
    expect(new Set(run.events.map((e) => e.id))).toEqual(ids);
    expect(ids.size).toBe(3218);
    expect([...perDay.values()].reduce((a, b) => a + b, 0)).toBe(3220);
  });
});
