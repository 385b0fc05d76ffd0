import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoStack, type DemoStack } from '../../src/demo/demo-stack.js';
import { parsePeriod } from '../../src/period/parse-period.js';
import type { PeriodInfo } from '../../src/model/report-model.js';
import type { RunJobResult } from '../../src/job/run-job.js';
import { JSON_FILES, runPack, tempDir } from './harness.js';
import { packTexts } from './pack-texts.js';

let stack: DemoStack;
let period: PeriodInfo;
let result: RunJobResult;
let out: string;

beforeAll(async () => {
  period = parsePeriod({ period: 'last-month', timeZone: 'America/New_York', now: Date.now() });
  stack = await startDemoStack({ dir: tempDir('ap-demo-'), period, now: Date.now(), timeZone: period.timeZone });
  out = join(tempDir(), 'pack');
  result = await runPack({ configFile: stack.configFile, env: stack.env, period: 'last-month', tz: period.timeZone, out });
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

function inPeriod(t: number): boolean {
  return t >= period.start && t < period.end;
}

describe('the demo pack over all five sources', () => {
  it('is complete, and every source’s count equals its emulator’s ground truth', () => {
    const { smapi, cloudtrail, trailLogs, amplitude, files } = stack.handles;
    const lookups = ['a4b.amazonaws.com', 'lex.amazonaws.com'].flatMap((value) =>
      cloudtrail.truth.select({ regions: ['us-east-1'], start: period.start, end: period.end, lookup: { key: 'EventSource', value } }).map((e) => e.id),
    );
    const expected: Record<string, number> = {
      smapi: smapi.truth.count({ start: period.start, end: period.end }).events,
      cloudtrail: new Set(lookups).size,
      'cloudtrail-files': files.truth.events.filter((e) => inPeriod(e.time)).length,
      'trail-logs': trailLogs.truth.between(period.start, period.end).length,
      amplitude: amplitude.truth.records.filter((r) => inPeriod(r.time)).length,
    };
    expect(result.model.complete).toBe(true);
    expect(Object.fromEntries(result.model.bySource.map((s) => [s.source, s.events]))).toEqual(expected);
    for (const n of Object.values(expected)) expect(n).toBeGreaterThan(0);
    // The log folder delivers some events twice: removed, and counted.
    const filesDup = result.model.coverage.windows.filter((w) => w.source === 'cloudtrail-files').reduce((n, w) => n + w.duplicates, 0);
    expect(filesDup).toBeGreaterThan(0);
    expect(result.model.coverage.sources.some((s) => s.source === 'cloudtrail-files' && s.status === 'complete')).toBe(true);
  });

  it('has a ledger that adds up: for every window of every source, received = kept + duplicates + read again + outside the period + not events', () => {
    const windows = result.model.coverage.windows;
    expect(new Set(windows.map((w) => w.source)).size).toBe(5);
    for (const w of windows) {
      expect(w.recordsReceived, `${w.source} ${w.window.key}`).toBe(w.eventsKept + w.duplicates + w.rereads + w.outsidePeriod + w.refused);
    }
    // And per source, the kept events are the events counted.
    for (const s of result.model.bySource) {
      const mine = windows.filter((w) => w.source === s.source);
      expect(mine.reduce((n, w) => n + w.eventsKept, 0), s.source).toBe(s.events);
      expect(mine.reduce((n, w) => n + w.outsidePeriod, 0), s.source).toBe(s.outsidePeriod);
      expect(mine.reduce((n, w) => n + w.rereads, 0), s.source).toBe(s.readAgain);
    }
    // The log files are read once each: nothing is read again, and each file is archived once.
    const files = windows.filter((w) => w.source === 'cloudtrail-files');
    expect(files.reduce((n, w) => n + w.rereads, 0)).toBe(0);
    const { files: folder } = stack.handles;
    const delivered = folder.truth.files.filter((f) => f.deliveredAt >= period.start && f.deliveredAt < period.end + Number(files[0].extra.lateDeliveryMinutes) * 60_000);
    expect(files.reduce((n, w) => n + Number(w.extra.filesArchived), 0)).toBe(delivered.length);
  });

  it('holds no secret in any file: not in raw archives, workbook parts, PDF text, ledger or manifest', async () => {
    // Ids (an AWS access key id, an LWA client id) and a region are not secrets; keys, tokens and secrets are.
    const secretNames = Object.keys(stack.env).filter((k) => /SECRET|TOKEN|API_KEY/.test(k));
    const secrets = [...secretNames.map((k) => stack.env[k]), stack.handles.trailLogs.truth.plantedSecret];
    expect(secretNames.length).toBeGreaterThanOrEqual(5);
    const texts = await packTexts(out);
    expect(texts.some(([name]) => name.includes('raw/trail-logs'))).toBe(true);
    // The planted secret really was received (and redacted), so this search means something.
    const redactions = result.model.coverage.windows.filter((w) => w.source === 'trail-logs').reduce((n, w) => n + Number(w.extra.redactions ?? 0), 0);
    expect(redactions).toBeGreaterThan(0);
    for (const [name, text] of texts) for (const secret of secrets) expect(text.includes(secret), `${secret.slice(0, 6)}… in ${name}`).toBe(false);
  });
});

describe('the demo runs the same whenever it runs', () => {
  it('a second run on the same emulators writes the same ledger and summary (nothing in them depends on scheduling)', async () => {
    const again = join(tempDir(), 'pack');
    // Only the files compared are rendered (the first run rendered every file).
    const second = await runPack({ configFile: stack.configFile, env: stack.env, period: 'last-month', tz: period.timeZone, out: again, files: JSON_FILES });
    const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
    expect(read(again, 'coverage.json')).toBe(read(out, 'coverage.json'));
    expect(read(again, 'summary.json')).toBe(read(out, 'summary.json'));
    expect(second.model.totals.events).toBe(result.model.totals.events);
  });

  it('an ended period gets the same data set an hour later', async () => {
    const later = await startDemoStack({ dir: tempDir('ap-demo-'), period, now: Date.now() + 3_600_000, timeZone: period.timeZone });
    try {
      const count = (s: DemoStack) => ({
        smapi: s.handles.smapi.truth.count({ start: period.start, end: period.end }).events,
        trailLogs: s.handles.trailLogs.truth.between(period.start, period.end).length,
        amplitude: s.handles.amplitude.truth.between(period.start, period.end).length,
        files: s.handles.files.truth.events.filter((e) => inPeriod(e.time)).length,
      });
      expect(count(later)).toEqual(count(stack));
    } finally {
      await later.close();
    }
  });
});
