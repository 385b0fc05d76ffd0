import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoCloudtrailFilesSetup } from '../../../src/emulators/cloudtrail-files/demo.js';
import { tempDir } from '../../e2e/harness.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)));
}

describe('the demo CloudTrail log folder', () => {
  it('holds only the files of the latest setup when written again over another range', () => {
    const dir = tempDir();
    demoCloudtrailFilesSetup(dir, { now: Date.parse('2026-11-03T10:00:00Z'), days: 2 });
    const { truth } = demoCloudtrailFilesSetup(dir, { now: Date.parse('2026-11-05T07:00:00Z'), days: 2 });
    const expected = [...truth.files.map((f) => f.key), ...truth.digests.map((d) => d.key)].sort();
    const onDisk = filesUnder(join(dir, 'trail')).filter((k) => k.endsWith('.json.gz') && (k.includes('/CloudTrail/') || k.includes('/CloudTrail-Digest/'))).sort();
    expect(truth.files.length).toBeGreaterThan(10);
    expect(onDisk).toEqual(expected);
  });
});
