import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticModel } from '../../../src/model/synthetic-model.js';
import { xlsxContentDigest } from '../../../src/pack/xlsx-content-digest.js';
import { renderXlsx } from '../../../src/render/xlsx/render-xlsx.js';
import { readZipDirectory } from '../../../src/render/xlsx/zip-directory.js';

let dir: string;
let path: string;
let written: string;
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auditpack-digest-'));
  path = join(dir, 'report.xlsx');
  written = (await renderXlsx(syntheticModel({ events: 300, exceptions: 20 }), path)).contentSha256;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The workbook's parts re-zipped by another zip writer, in another order and compression. */
function rezip(from: string, to: string, opts: { level: 0 | 9; reverse: boolean; mtime: Date }): void {
  const parts = unzipSync(new Uint8Array(readFileSync(from)));
  const names = Object.keys(parts).sort();
  if (opts.reverse) names.reverse();
  const z: Zippable = {};
  for (const n of names) z[n] = [parts[n], { level: opts.level, mtime: opts.mtime }];
  writeFileSync(to, zipSync(z));
}

describe('xlsxContentDigest', () => {
  it('is the same for two renders of the same model', async () => {
    const again = join(dir, 'again.xlsx');
    await renderXlsx(syntheticModel({ events: 300, exceptions: 20 }), again);
    expect(await xlsxContentDigest(again)).toBe(await xlsxContentDigest(path));
  });

  it('ignores zip entry times, order and compression', async () => {
    const other = join(dir, 'rezipped.xlsx');
    rezip(path, other, { level: 0, reverse: true, mtime: new Date('2031-05-06T07:08:10Z') });
    expect(sha(other)).not.toBe(sha(path));
    expect(await xlsxContentDigest(other)).toBe(await xlsxContentDigest(path));

    const retimed = join(dir, 'retimed.xlsx');
    rezip(path, retimed, { level: 9, reverse: false, mtime: new Date('2001-02-03T04:05:06Z') });
    expect(sha(retimed)).not.toBe(sha(path));
    expect(await xlsxContentDigest(retimed)).toBe(await xlsxContentDigest(path));
  });

  it('changes when any part changes', async () => {
    const parts = unzipSync(new Uint8Array(readFileSync(path)));
    const core = Buffer.from(parts['docProps/core.xml']).toString('utf8').replace('2026-11-02T09:00:00Z', '2026-11-02T09:00:01Z');
    expect(core).toContain('2026-11-02T09:00:01Z');
    parts['docProps/core.xml'] = new Uint8Array(Buffer.from(core));
    const changed = join(dir, 'changed.xlsx');
    writeFileSync(changed, zipSync(parts));
    expect(await xlsxContentDigest(changed)).not.toBe(await xlsxContentDigest(path));

    const otherModel = join(dir, 'other-model.xlsx');
    await renderXlsx(syntheticModel({ events: 300, exceptions: 20, seed: 'another' }), otherModel);
    expect(await xlsxContentDigest(otherModel)).not.toBe(await xlsxContentDigest(path));
  });

  it('matches an independent computation over the parts in name order, and the digest taken while writing', async () => {
    const parts = unzipSync(new Uint8Array(readFileSync(path)));
    const hash = createHash('sha256');
    for (const name of Object.keys(parts).sort()) {
      const len = Buffer.alloc(8);
      len.writeBigUInt64BE(BigInt(parts[name].length));
      hash.update(name).update(Buffer.from([0])).update(len).update(createHash('sha256').update(parts[name]).digest());
    }
    const expected = hash.digest('hex');
    expect(await xlsxContentDigest(path)).toBe(expected);
    expect(written).toBe(expected);
  });

  it('refuses a damaged workbook', async () => {
    const bytes = readFileSync(path);
    const fh = await open(path, 'r');
    const entries = await readZipDirectory(fh, path);
    await fh.close();
    const sheet = entries.find((e) => e.name === 'xl/worksheets/sheet9.xml')!;
    const flipped = Buffer.from(bytes);
    // A byte inside the sheet's compressed data: inflate fails or the CRC-32 no longer matches.
    const at = sheet.localHeaderOffset + 30 + sheet.name.length + Math.floor(sheet.compressedSize / 2);
    flipped[at] ^= 0xff;
    const damaged = join(dir, 'damaged.xlsx');
    writeFileSync(damaged, flipped);
    await expect(xlsxContentDigest(damaged)).rejects.toMatchObject({ code: 'PACK_INVALID', message: expect.stringContaining('sheet9.xml') });

    const cut = join(dir, 'cut.xlsx');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    await expect(xlsxContentDigest(cut)).rejects.toMatchObject({ code: 'PACK_INVALID' });
  });
});
