import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCloudTrailLogFolder, type LogFolderTruth } from '../../../src/emulators/cloudtrail-files/index.js';
import type { CoverageLedger } from '../../../src/model/coverage.js';
import { readJson, runPack } from '../../e2e/harness.js';
import { HOUR, makeFilesSource, runWindows, sorted, tempDir, utcWindows } from './harness.js';

const START = Date.UTC(2026, 4, 6);
const END = START + 4 * HOUR;
const MiB = 1024 * 1024;

/**
 * Issue 12 item 6: a file in a trail's delivery path whose name or content is not a CloudTrail log
 * is a problem naming it (the window fails, the pack is INCOMPLETE), never a silent skip; a log file
 * that decompresses past `maxLogFileMiB` fails its window with a reason naming the file and the cap.
 */
describe('files in the delivery path that are not CloudTrail log files', () => {
  const tmp = tempDir('not-log');
  afterAll(() => tmp.remove());

  const trail = (label: string): { dir: string; truth: LogFolderTruth; path(key: string): string } => {
    const dir = join(tmp.dir, label, 'trail');
    const truth = writeCloudTrailLogFolder({
      dir,
      accounts: ['111122223333'],
      regions: ['us-east-1'],
      period: { start: START, end: END },
      seed: `not-log-${label}`,
      eventsPerFile: 3,
      fileEveryMinutes: 30,
      insights: false,
    });
    return { dir, truth, path: (key: string) => join(dir, ...key.split('/')) };
  };
  const put = (path: string, body: Buffer | string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  };
  /** A key in the same day folder as `like`, with another base name. */
  const sibling = (like: string, name: string) => `${like.slice(0, like.lastIndexOf('/') + 1)}${name}`;
  /** A log-file name for the same account, region and delivery minute as `like`, with another id. */
  const otherId = (like: string, id: string) => like.replace(/_[A-Za-z0-9]{16}\.json\.gz$/, `_${id}.json.gz`);

  it('a renamed log file, a stray file, an uncompressed log file and a gzip that is not {"Records":…}: each a problem naming it', async () => {
    const t = trail('mixed');
    const [renamedFrom, base] = [t.truth.files[2], t.truth.files[5]];
    const renamed = `${renamedFrom.key}.bak`;
    renameSync(t.path(renamedFrom.key), t.path(renamed));
    const stray = sibling(base.key, 'notes.txt');
    put(t.path(stray), 'copied here by hand\n');
    // A log file's content under a log file's name, but not gzip-compressed.
    const plain = otherId(base.key, 'PLAINPLAINPLAIN1');
    put(t.path(plain), gunzipSync(readFileSync(t.path(base.key))));
    // A gzip JSON file under a log file's name, without the Records array.
    const notRecords = otherId(base.key, 'NORECORDSNORECO2');
    put(t.path(notRecords), gzipSync(JSON.stringify({ records: [{ eventID: 'lower-case-key' }] })));

    const source = makeFilesSource({ type: 'cloudtrail-files', location: t.dir, lateDeliveryMinutes: 30 });
    const run = await runWindows(source, utcWindows(source, START, END));
    const [w] = run.windows;
    expect(w.status).toBe('failed');
    expect(sorted(w.problems.map((p) => p.item))).toEqual(sorted([renamed, stray, plain, notRecords]));
    expect(w.problems.every((p) => p.code === 'DATA_INVALID')).toBe(true);
    const message = (key: string) => w.problems.find((p) => p.item === key)?.message ?? '';
    expect(message(renamed)).toBe(`${renamed} is in the trail's log folders but is not a CloudTrail log file by its name (<account>_CloudTrail_<region>_<time>_<id>.json.gz); not read`);
    expect(message(stray)).toMatch(/notes\.txt is in the trail's log folders but is not a CloudTrail log file by its name/);
    expect(message(plain)).toMatch(/PLAINPLAINPLAIN1\.json\.gz is not a valid gzip file/);
    expect(message(notRecords)).toMatch(/NORECORDSNORECO2\.json\.gz holds no \{"Records": \[\.\.\.\]\} object/);
    expect(w.extra.filesFailed).toBe(4);
    // Every other file was read: only the renamed file's records are missing, and its problem says so.
    const expected = t.truth.events.filter((e) => e.fileKey !== renamedFrom.key);
    expect(sorted(run.events.map((e) => e.id))).toEqual(sorted(expected.map((e) => e.id)));
  });

  it('a stray file makes the pack INCOMPLETE with a reason naming it', async () => {
    const t = trail('pack');
    const stray = sibling(t.truth.files[3].key, 'export-2026-05-06.csv');
    put(t.path(stray), 'eventTime,eventName\n');
    const configFile = join(tmp.dir, 'pack', 'auditpack.json');
    writeFileSync(configFile, JSON.stringify({ organization: 'Stray file test', timezone: 'UTC', sources: [{ type: 'cloudtrail-files', location: 'trail', lateDeliveryMinutes: 30 }] }));
    const out = join(tmp.dir, 'pack', 'pack');
    const result = await runPack({ configFile, env: {}, from: '2026-05-06T00:00:00Z', to: '2026-05-06T04:00:00Z', tz: 'UTC', out });
    expect(result.manifest.status).toBe('INCOMPLETE');
    expect(result.manifest.incompleteReasons.join('\n')).toContain(stray);
    const summary = await readJson<{ complete: boolean }>(join(out, 'summary.json'));
    expect(summary.complete).toBe(false);
    const coverage = await readJson<CoverageLedger>(join(out, 'coverage.json'));
    expect(coverage.windows.flatMap((w) => w.problems.map((p) => p.item))).toEqual([stray]);
  });

  it('a log file that decompresses past maxLogFileMiB fails its window with a reason naming it and the cap', async () => {
    const t = trail('cap');
    const record = (i: number, pad: number) => ({
      eventVersion: '1.08',
      eventTime: new Date(START + 60_000 * (i + 1)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      awsRegion: 'us-east-1',
      eventID: `cap-${i}`,
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/cap', accountId: '111122223333' },
      requestParameters: { padding: 'x'.repeat(pad) },
    });
    const base = t.truth.files[1].key;
    // 2 MiB uncompressed (a few KiB gzipped): over a 1 MiB cap.
    const big = otherId(base, 'BIGBIGBIGBIGBIG1');
    put(t.path(big), gzipSync(JSON.stringify({ Records: [record(1, 2 * MiB)] })));
    // Just under the cap: read.
    const under = otherId(base, 'UNDERUNDERUNDER2');
    put(t.path(under), gzipSync(JSON.stringify({ Records: [record(2, MiB - 4096)] })));
    expect(readFileSync(t.path(big)).length).toBeLessThan(64 * 1024);

    const source = makeFilesSource({ type: 'cloudtrail-files', location: t.dir, lateDeliveryMinutes: 30, maxLogFileMiB: 1 });
    const run = await runWindows(source, utcWindows(source, START, END));
    const [w] = run.windows;
    expect(w.status).toBe('failed');
    expect(w.problems).toEqual([
      { item: big, code: 'DATA_TOO_LARGE', message: `${big} decompresses to more than 1 MiB (the maxLogFileMiB cap); not read` },
    ]);
    expect(w.error?.message).toContain(big);
    const ids = new Set(run.events.map((e) => e.id));
    expect(ids.has('cap-2')).toBe(true);
    expect(ids.has('cap-1')).toBe(false);
    expect(ids.size).toBe(t.truth.events.length + 1);

    // The default cap (256 MiB) reads the same file.
    const roomy = makeFilesSource({ type: 'cloudtrail-files', location: t.dir, lateDeliveryMinutes: 30 });
    const again = await runWindows(roomy, utcWindows(roomy, START, END));
    expect(again.windows[0].status).toBe('complete');
    expect(again.events.some((e) => e.id === 'cap-1')).toBe(true);
  });
});
