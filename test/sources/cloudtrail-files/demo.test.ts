import { afterAll, describe, expect, it } from 'vitest';
import { demoCloudtrailFilesSetup } from '../../../src/emulators/cloudtrail-files/index.js';
import { DAY, HOUR, finish, makeFilesSource, runWindows, sorted, tempDir, utcWindows } from './harness.js';

describe('demoCloudtrailFilesSetup', () => {
  const tmp = tempDir('demo');
  afterAll(() => tmp.remove());

  it('writes a verifiable us-east-1 folder of Alexa for Business and Lex events the source reads back', async () => {
    const now = Date.UTC(2026, 5, 15, 12, 30);
    const { sourceConfig, env, truth } = demoCloudtrailFilesSetup(tmp.dir, { now, days: 4 });
    expect(env).toEqual({});
    const source = makeFilesSource(sourceConfig);
    const end = Date.UTC(2026, 5, 15);
    const start = end - 2 * DAY;
    const run = await runWindows(source, utcWindows(source, start, end));
    expect(run.windows.every((w) => w.status === 'complete')).toBe(true);
    const expected = truth.events.filter((e) => e.time >= start && e.time < end);
    expect(sorted(run.events.map((e) => e.id))).toEqual(sorted(expected.map((e) => e.id)));
    expect(new Set(run.events.map((e) => e.region))).toEqual(new Set(['us-east-1']));
    expect(new Set(run.events.map((e) => e.service))).toEqual(new Set(['a4b.amazonaws.com', 'lex.amazonaws.com', 'signin.amazonaws.com']));
    const ledger = await finish(source, { start, end }, now);
    expect(ledger.problems).toEqual([]);
    expect(ledger.status).toBe('complete');
    expect(Number(ledger.facts.logFilesValidated)).toBeGreaterThan(0);
    // Digests stop at the data's end: a period reaching "now" leaves no gap before the last two hours.
    const recent = await finish(source, { start: now - 6 * HOUR, end: now }, now);
    expect(recent.status).toBe('complete');
    await source.close?.();
  });
});
