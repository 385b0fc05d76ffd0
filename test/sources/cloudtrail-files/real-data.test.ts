import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyStats } from '../../../src/model/coverage.js';
import { systemClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { HOUR, makeFilesSource, runWindows, tempDir, utcWindows } from './harness.js';
import { real2Files, REAL_2_DIR, REAL_DIR, realLines } from './real-records.js';
import { cloudTrailContentHash } from '../../../src/sources/cloudtrail-common/content-hash.js';

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

/** One gzip {"Records":[…]} file per fixture file (Panther's in chunks), the raw lines kept byte for byte, delivered on DELIVERY_DAY. */
function writeFolder(dir: string, lines: { file: string; line: string }[]): number {
  const groups = new Map<string, string[]>();
  lines.forEach(({ file, line }, i) => {
    const key = file === 'panther-analysis.jsonl' ? `${file}#${Math.floor(i / 60)}` : file;
    groups.set(key, [...(groups.get(key) ?? []), line]);
  });
  const folder = join(dir, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2026', '01', '15');
  mkdirSync(folder, { recursive: true });
  let n = 0;
  for (const group of groups.values()) {
    const at = new Date(DELIVERY_DAY + n * 5 * 60_000).toISOString();
    const stamp = `${at.slice(0, 4)}${at.slice(5, 7)}${at.slice(8, 10)}T${at.slice(11, 13)}${at.slice(14, 16)}Z`;
    const name = `${ACCOUNT}_CloudTrail_us-east-1_${stamp}_${String(n).padStart(16, 'R')}.json.gz`;
    writeFileSync(join(folder, name), gzipSync(`{"Records":[${group.join(',')}]}`));
    n++;
  }
  return groups.size;
}

describe.skipIf(!REAL_DIR)('the real CloudTrail records through the files source (../shared/fixtures/cloudtrail-real)', () => {
  const tmp = tempDir('real');
  afterAll(() => tmp.remove());
  const lines = REAL_DIR ? realLines() : [];
  const files = REAL_DIR ? writeFolder(tmp.dir, lines) : 0;

  it('reads all 559 records from gzip log files and normalizes them (in worker threads) as counted independently', async () => {
    const source = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, lateDeliveryMinutes: 0 });
    const stats = emptyStats();
    const window = { index: 0, start: DELIVERY_DAY, end: DELIVERY_DAY + 24 * HOUR };
    const actual = new Map<string, number>();
    let records = 0;
    let digests = 0;
    let refused = 0;
    let pages = 0;
    for await (const file of source.pullPeriod!([window], { signal: new AbortController().signal, log: silentLogger, clock: systemClock, stats: () => stats, progress() {} })) {
      pages++;
      expect(file.error).toBeUndefined();
      records += file.records;
      digests += file.notEvents;
      refused += file.invalid.length;
      for (const { event } of file.events) tally(actual, `${event.service} | ${event.outcome}`);
    }
    expect(pages).toBe(files);
    expect(records).toBe(559);

    const expected = new Map<string, number>();
    let expectedDigests = 0;
    let expectedRefused = 0;
    for (const { line } of lines) {
      const x = expectation(line);
      if (x.kind === 'digest') expectedDigests++;
      else if (x.kind === 'refused') expectedRefused++;
      else tally(expected, `${x.source} | ${x.outcome}`);
    }
    expect(expectedDigests).toBe(1);
    expect(digests).toBe(1);
    expect(refused).toBe(expectedRefused);
    expect([...expected.values()].reduce((a, b) => a + b, 0) + expectedRefused).toBe(558);
    expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
    // 42 event sources in the fixtures (README), all seen among the events or the refused.
    const refusedSources = lines.map(({ line }) => expectation(line)).flatMap((x) => (x.kind === 'refused' ? [x.source] : []));
    expect(new Set([...actual.keys()].map((k) => k.split(' | ')[0]).concat(refusedSources)).size).toBe(42);
    await source.close?.();
  });

  it('keeps every record of an id reused by other content, and flags the id collision; removes only identical records', async () => {
    // A period holding every record's time: 2000 to the delivery day, in 31-day windows.
    const start = Date.UTC(2000, 0, 1);
    const end = DELIVERY_DAY + 24 * HOUR;
    const source = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, lateDeliveryMinutes: 0, windowHours: 744 });
    const run = await runWindows(source, utcWindows(source, start, end));
    await source.close?.();
    // Decided here from the raw text: records with a usable time and an eventID, grouped by id, compared as parsed.
    const byId = new Map<string, Set<string>>();
    let withId = 0;
    for (const { line } of lines) {
      const r = JSON.parse(line) as Record<string, unknown>;
      const id = eventIdOf(r);
      if (expectation(line).kind !== 'event' || id === null) continue;
      withId++;
      byId.set(id, (byId.get(id) ?? new Set()).add(JSON.stringify(r)));
    }
    const collidedIds = [...byId.values()].filter((s) => s.size > 1);
    const collisions = collidedIds.reduce((n, s) => n + s.size - 1, 0);
    const distinct = [...byId.values()].reduce((n, s) => n + s.size, 0);
    expect(collidedIds.length).toBeGreaterThan(20);
    const sum = (k: 'idCollisions' | 'duplicates' | 'eventsKept' | 'outsidePeriod') => run.windows.reduce((n, w) => n + w[k], 0);
    expect(sum('idCollisions')).toBe(collisions);
    expect(sum('outsidePeriod')).toBe(0);
    // Every distinct record of an id kept, identical ones removed (records without eventID are
    // identified by their content, so their copies are duplicates too).
    const kept = run.events.filter((e) => byId.has(e.id));
    expect(kept).toHaveLength(distinct);
    expect(sum('duplicates')).toBe(withId - distinct + duplicatesWithoutId(lines));
    for (const w of run.windows) expect(w.recordsReceived).toBe(w.eventsKept + w.duplicates + w.rereads + w.outsidePeriod + w.refused);
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

/** Records without eventID whose content occurs more than once: their id is the hash of their canonical content less vendor `p_*` fields (content-hash.ts), so those are the same record. */
function duplicatesWithoutId(lines: { line: string }[]): number {
  const seen = new Set<string>();
  let dups = 0;
  for (const { line } of lines) {
    const r = JSON.parse(line) as Record<string, unknown>;
    if (expectation(line).kind !== 'event' || eventIdOf(r) !== null) continue;
    const text = cloudTrailContentHash(r);
    if (seen.has(text)) dups++;
    else seen.add(text);
  }
  return dups;
}

/** A record's eventID as the normalizer reads it (trimmed text, or a number); null when it has none. */
function eventIdOf(r: Record<string, unknown>): string | null {
  if (typeof r.eventID === 'number' && Number.isFinite(r.eventID)) return String(r.eventID);
  return typeof r.eventID === 'string' && r.eventID.trim() !== '' ? r.eventID.trim() : null;
}
