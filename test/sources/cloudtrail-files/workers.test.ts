import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCloudTrailLogFolder } from '../../../src/emulators/cloudtrail-files/index.js';
import { formatCompactTime } from '../../../src/sources/cloudtrail-files/key-layout.js';
import { CLI } from '../../e2e/harness.js';
import { createWorkerPool, WorkerStoppedError } from '../../../src/util/worker-pool.js';
import { HOUR, makeFilesSource, runWindows, sorted, tempDir, utcWindows } from './harness.js';

const run = promisify(execFile);
const START = Date.UTC(2026, 6, 1);
const END = START + 24 * HOUR;

describe('log files parsed in worker threads', () => {
  const tmp = tempDir('workers');
  afterAll(() => tmp.remove());
  const trail = join(tmp.dir, 'trail');
  const truth = writeCloudTrailLogFolder({
    dir: trail, accounts: ['111122223333'], regions: ['us-east-1'], period: { start: START, end: END }, seed: 'workers',
    eventsPerFile: 20, fileEveryMinutes: 60, duplicates: 5, lateDeliveryMinutes: 200, lateEvery: 9,
  });

  it('writes the same pack with --workers 1 and --workers 2: summary.json, coverage.json and raw/ byte for byte', async () => {
    const config = join(tmp.dir, 'config.json');
    writeFileSync(config, JSON.stringify({ organization: 'W', timezone: 'UTC', sources: [{ type: 'cloudtrail-files', location: trail, lateDeliveryMinutes: 240 }] }));
    const pack = async (workers: number) => {
      const out = join(tmp.dir, `pack-${workers}`);
      await run(process.execPath, [CLI, 'run', '-c', config, '--from', '2026-07-01', '--to', '2026-07-01', '--tz', 'UTC', '-t', 'failed-operations', '-o', out, '--generated-at', '2026-08-01T00:00:00Z', '--workers', String(workers), '-q']);
      const files = (dir: string) => readdirSync(dir).sort().map((f) => readFileSync(join(dir, f)));
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { meta: { command?: string } };
      delete summary.meta.command;
      return { summary, coverage: readFileSync(join(out, 'coverage.json'), 'utf8'), raw: files(join(out, 'raw', 'cloudtrail-files')) };
    };
    const one = await pack(1);
    const two = await pack(2);
    expect(two.summary).toEqual(one.summary);
    expect(two.coverage).toBe(one.coverage);
    expect(two.raw).toEqual(one.raw);
    // raw/ holds each log file once: as many bytes as the trail's log files.
    const trailBytes = truth.files.reduce((n, f) => n + readFileSync(join(trail, ...f.key.split('/'))).length, 0);
    expect(one.raw.reduce((n, b) => n + b.length, 0)).toBeGreaterThanOrEqual(trailBytes);
    expect(one.raw.reduce((n, b) => n + b.length, 0)).toBeLessThan(trailBytes + 64 * one.raw.length + truth.files.length * 40);
  }, 120_000);

  it('a worker that dies fails its own task with a reason, never hangs, and is replaced for the next', async () => {
    const pool = createWorkerPool<{ exit?: boolean; n: number }, number>({ script: new URL('./dying-worker.mjs', import.meta.url), size: 1 });
    try {
      await expect(pool.run({ n: 1 })).resolves.toBe(2);
      await expect(pool.run({ exit: true, n: 2 })).rejects.toThrow(WorkerStoppedError);
      await expect(pool.run({ exit: true, n: 2 })).rejects.toThrow(/worker thread stopped \(exit code 3\)/);
      await expect(pool.run({ n: 5 })).resolves.toBe(6);
    } finally {
      await pool.close();
    }
  });

  it('fails the window of a file its worker cannot parse, with the file named, and reads every other file', async () => {
    const dir = join(tmp.dir, 'deep');
    const small = writeCloudTrailLogFolder({ dir, accounts: ['111122223333'], regions: ['us-east-1'], period: { start: START, end: START + 6 * HOUR }, seed: 'deep', eventsPerFile: 5, fileEveryMinutes: 60 });
    const key = `AWSLogs/111122223333/CloudTrail/us-east-1/2026/07/01/111122223333_CloudTrail_us-east-1_${formatCompactTime(START + 3 * HOUR + 5 * 60_000, false)}_DEEPDEEPDEEPDEEP.json.gz`;
    // A record nested far deeper than any serializer walks: the parse fails, the worker lives on.
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    writeFileSync(join(dir, ...key.split('/')), gzipSync(`{"Records":[{"eventID":"deep","eventTime":"2026-07-01T03:00:00Z","requestParameters":${deep}}]}`));
    const source = makeFilesSource({ type: 'cloudtrail-files', location: dir, lateDeliveryMinutes: 60, windowHours: 3 }, {}, { workers: 1 });
    const result = await runWindows(source, utcWindows(source, START, START + 6 * HOUR));
    await source.close?.();
    const failed = result.windows.filter((w) => w.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].problems).toEqual([expect.objectContaining({ item: key })]);
    expect(failed[0].error?.message).toContain(key);
    expect(sorted(result.events.map((e) => e.id))).toEqual(sorted(small.events.map((e) => e.id)));
  }, 60_000);
});
