import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCloudTrailLogFolder } from '../../../src/emulators/cloudtrail-files/index.js';
import { HOUR, makeFilesSource, runWindows, sorted, tempDir, utcWindows } from './harness.js';

const START = Date.UTC(2026, 4, 4);

describe('corrupt files', () => {
  const tmp = tempDir('corrupt');
  afterAll(() => tmp.remove());

  it('records a problem per bad file, fails the window, and still reads every other file', async () => {
    const truth = writeCloudTrailLogFolder({
      dir: tmp.dir,
      accounts: ['111122223333'],
      regions: ['us-east-1', 'us-west-2'],
      period: { start: START, end: START + 4 * HOUR },
      seed: 'corrupt',
      eventsPerFile: 5,
      fileEveryMinutes: 30,
    });
    const [cut, badJson, noRecords] = [truth.files[1], truth.files[4], truth.files[9]];
    const path = (key: string) => join(tmp.dir, ...key.split('/'));
    const gz = readFileSync(path(cut.key));
    writeFileSync(path(cut.key), gz.subarray(0, Math.floor(gz.length / 2)));
    writeFileSync(path(badJson.key), gzipSync('{"Records": [{"eventID": "x", '));
    writeFileSync(path(noRecords.key), gzipSync('{"records": []}'));
    const bad = new Set([cut.key, badJson.key, noRecords.key]);

    const source = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, lateDeliveryMinutes: 30 });
    const run = await runWindows(source, utcWindows(source, START, START + 4 * HOUR));
    expect(run.windows).toHaveLength(1);
    const [w] = run.windows;
    expect(w.status).toBe('failed');
    expect(sorted(w.problems.map((p) => p.item))).toEqual(sorted(bad));
    expect(w.problems.every((p) => p.code === 'DATA_INVALID')).toBe(true);
    expect(w.problems.find((p) => p.item === cut.key)?.message).toMatch(/not a valid gzip file/);
    expect(w.problems.find((p) => p.item === badJson.key)?.message).toMatch(/not valid JSON/);
    expect(w.problems.find((p) => p.item === noRecords.key)?.message).toMatch(/no \{"Records"/);
    expect(w.extra.filesFailed).toBe(3);
    const expected = truth.events.filter((e) => !bad.has(e.fileKey));
    expect(sorted(run.events.map((e) => e.id))).toEqual(sorted(expected.map((e) => e.id)));
    // Every other file archived, once; a refused file is not (its problem names it).
    expect(w.extra.filesArchived).toBe(truth.files.length - 3);
    expect(w.pages).toBe(truth.files.length);
  });
});

describe('late delivery', () => {
  const tmp = tempDir('late');
  afterAll(() => tmp.remove());
  const end = START + 6 * HOUR;
  const truth = writeCloudTrailLogFolder({
    dir: tmp.dir,
    accounts: ['111122223333'],
    regions: ['eu-central-1'],
    period: { start: START, end },
    seed: 'late',
    eventsPerFile: 6,
    fileEveryMinutes: 20,
    lateDeliveryMinutes: 150,
    lateEvery: 4,
  });

  it('counts a record delivered after its window ended in that window', async () => {
    const source = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, windowHours: 1, lateDeliveryMinutes: 180 });
    const windows = utcWindows(source, START, end);
    const run = await runWindows(source, windows);
    let lateInWindow = 0;
    for (const w of windows) {
      const expected = truth.events.filter((e) => e.time >= w.start && e.time < w.end);
      lateInWindow += expected.filter((e) => e.deliveredAt >= w.end).length;
      expect(sorted(run.idsByWindow.get(w.index) ?? [])).toEqual(sorted(expected.map((e) => e.id)));
    }
    expect(lateInWindow).toBeGreaterThan(5);
    // Including records delivered after the whole period ended.
    expect(truth.events.some((e) => e.deliveredAt > end + HOUR)).toBe(true);
    expect(run.events).toHaveLength(truth.events.length);
    expect(run.windows.every((w) => w.status === 'complete')).toBe(true);
    expect(run.windows.some((w) => Number(w.extra.filesDeliveredAfterEnd) > 0)).toBe(true);
  });

  it('with no margin misses only what was delivered after the period ended (the margin is what finds it)', async () => {
    const source = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, windowHours: 1, lateDeliveryMinutes: 0 });
    const run = await runWindows(source, utcWindows(source, START, end));
    const afterEnd = truth.events.filter((e) => e.deliveredAt >= end);
    expect(afterEnd.length).toBeGreaterThan(0);
    expect(sorted(run.events.map((e) => e.id))).toEqual(sorted(truth.events.filter((e) => e.deliveredAt < end).map((e) => e.id)));
  });
});
