import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCloudTrailLogFolder, type LogFolderTruth } from '../../../src/emulators/cloudtrail-files/index.js';
import { cloudtrailFilesSource } from '../../../src/sources/cloudtrail-files/index.js';
import { HOUR, makeFilesSource, runWindows, sorted, tempDir, utcWindows } from './harness.js';

const START = Date.UTC(2026, 2, 10);
const END = START + 6 * HOUR;
const ACCOUNTS = ['111122223333', '444455556666'];
const REGIONS = ['us-east-1', 'eu-west-1'];

describe('cloudtrail-files source over a local folder', () => {
  const tmp = tempDir('local');
  let truth: LogFolderTruth;
  beforeAll(() => {
    truth = writeCloudTrailLogFolder({
      dir: tmp.dir,
      accounts: ACCOUNTS,
      regions: REGIONS,
      period: { start: START, end: END },
      seed: 'local-1',
      eventsPerFile: 6,
      fileEveryMinutes: 30,
      duplicates: 4,
    });
  });
  afterAll(() => tmp.remove());

  it('reads every event of every account and region exactly once, skipping Insights files', async () => {
    const source = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, lateDeliveryMinutes: 60, windowHours: 2 });
    const windows = utcWindows(source, START, END);
    expect(windows).toHaveLength(3);
    const run = await runWindows(source, windows);
    expect(sorted(run.events.map((e) => e.id))).toEqual(sorted(truth.events.map((e) => e.id)));
    for (const w of run.windows) {
      expect(w.status).toBe('complete');
      const expected = truth.events.filter((e) => e.time >= Date.parse(w.window.start) && e.time < Date.parse(w.window.end));
      expect(sorted(run.idsByWindow.get(w.window.index) ?? [])).toEqual(sorted(expected.map((e) => e.id)));
      expect(w.pages).toBe(w.extra.filesArchived);
      expect(w.recordsReceived).toBe(w.eventsKept + w.duplicates + w.rereads + w.outsidePeriod + w.refused);
    }
    // Each file read and archived once, whatever window its records belong to.
    expect(run.windows.reduce((s, w) => s + Number(w.extra.filesArchived), 0)).toBe(truth.files.length);
    expect(run.records.length).toBe(truth.files.reduce((n, f) => n + f.records, 0));
    expect(run.windows.reduce((s, w) => s + w.recordsReceived, 0)).toBe(run.records.length);
    expect(run.windows.reduce((s, w) => s + w.rereads, 0)).toBe(0);
    const duplicates = run.windows.reduce((s, w) => s + w.duplicates, 0);
    expect(duplicates).toBe(truth.duplicateIds.length);
    const ids = new Set(run.records.map((r) => (r as { eventID?: string }).eventID));
    for (const id of truth.insightIds) expect(ids.has(id)).toBe(false);
    // Outcomes come through as generated.
    const failures = new Set(truth.events.filter((e) => e.outcome === 'failure').map((e) => e.id));
    expect(sorted(run.events.filter((e) => e.outcome === 'failure').map((e) => e.id))).toEqual(sorted(failures));
    await source.close?.();
  });

  it('filters accounts and regions', async () => {
    const source = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, accounts: [ACCOUNTS[1]], regions: ['eu-west-1'], lateDeliveryMinutes: 60 });
    const run = await runWindows(source, utcWindows(source, START, END));
    const expected = truth.events.filter((e) => e.account === ACCOUNTS[1] && e.region === 'eu-west-1');
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(run.events.map((e) => e.id))).toEqual(sorted(expected.map((e) => e.id)));
    expect(run.events.every((e) => e.account === ACCOUNTS[1] && e.region === 'eu-west-1')).toBe(true);
  });

  it('refuses an account or region that is not there, and a folder without AWSLogs/', async () => {
    const noAccount = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, accounts: ['999999999999'] });
    const [cov] = await runWindows(noAccount, utcWindows(noAccount, START, END)).then(
      () => [null],
      (e: { code?: string; message: string }) => [e],
    );
    expect(cov?.code).toBe('SOURCE_NOT_FOUND');
    expect(cov?.message).toMatch(/999999999999/);
    const noRegion = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, regions: ['ap-south-1'] });
    await expect(runWindows(noRegion, utcWindows(noRegion, START, END))).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    const empty = tempDir('empty');
    const nothing = makeFilesSource({ type: 'cloudtrail-files', location: empty.dir });
    await expect(runWindows(nothing, utcWindows(nothing, START, END))).rejects.toThrow(/no AWSLogs\/ folder/);
    const missing = makeFilesSource({ type: 'cloudtrail-files', location: `${empty.dir}/nope` });
    await expect(runWindows(missing, utcWindows(missing, START, END))).rejects.toThrow(/does not exist/);
    empty.remove();
  });

  it('validates its config', () => {
    const bad = (input: Record<string, unknown>) => cloudtrailFilesSource.configSchema.safeParse({ type: 'cloudtrail-files', location: '/x', ...input }).success;
    expect(bad({})).toBe(true);
    expect(bad({ accounts: ['12345'] })).toBe(false);
    expect(bad({ regions: ['useast1'] })).toBe(false);
    expect(bad({ organizationId: 'org-1' })).toBe(false);
    expect(bad({ unknownKey: 1 })).toBe(false);
    expect(() => makeFilesSource({ type: 'cloudtrail-files', location: 's3://Bad_Bucket/x' })).toThrow(/not an S3 bucket name/);
    expect(() => makeFilesSource({ type: 'cloudtrail-files', location: '/tmp/x', endpoint: 'http://127.0.0.1:1' })).toThrow(/s3:\/\/ locations only/);
    const s = makeFilesSource({ type: 'cloudtrail-files', location: 's3://trail-bucket/org/prefix/', windowHours: 6 });
    expect(s.description).toContain('s3://trail-bucket/org/prefix');
    expect(s.policy).toMatchObject({ maxWindowMs: 6 * HOUR, retentionMs: null });
    expect(s.describeRequest({ index: 0, start: START, end: END })).toMatchObject({ filesDeliveredFrom: new Date(START).toISOString(), lateDeliveryMinutes: 1440 });
  });
});

describe('organization trails', () => {
  const tmp = tempDir('org');
  afterAll(() => tmp.remove());

  it('reads AWSLogs/o-…/<account>/ and filters by organizationId', async () => {
    const truth = writeCloudTrailLogFolder({
      dir: tmp.dir,
      accounts: ['111122223333'],
      regions: ['us-east-1'],
      period: { start: START, end: START + 2 * HOUR },
      seed: 'org',
      eventsPerFile: 3,
      organizationId: 'o-a1b2c3d4e5',
    });
    const source = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, organizationId: 'o-a1b2c3d4e5', lateDeliveryMinutes: 30 });
    const run = await runWindows(source, utcWindows(source, START, START + 2 * HOUR));
    expect(sorted(run.events.map((e) => e.id))).toEqual(sorted(truth.events.map((e) => e.id)));
    const other = makeFilesSource({ type: 'cloudtrail-files', location: tmp.dir, organizationId: 'o-zzzzzzzzzz' });
    await expect(runWindows(other, utcWindows(other, START, START + 2 * HOUR))).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });
});
