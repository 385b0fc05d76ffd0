import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createZipWriter } from '../../../src/render/xlsx/zip-writer.js';

describe('zip writer', () => {
  it('writes parts that another reader inflates back byte for byte: chunks deflated several at once, an empty part, a part added whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ap-zip-'));
    try {
      const path = join(dir, 'out.zip');
      const zip = await createZipWriter(path, { date: new Date('2026-11-02T09:00:00Z'), level: 1 });
      // Text that compresses well, random bytes that do not, and chunks of very different sizes,
      // so later chunks finish deflating before earlier ones.
      const chunks = Array.from({ length: 40 }, (_, i) =>
        i % 5 === 0 ? randomBytes(70_000 + i * 1000) : Buffer.from(`<row r="${i}">${'<c t="str"><v>text</v></c>'.repeat(10 + ((i * 7919) % 9000))}</row>`));
      let consumed = 0;
      const big = zip.part('xl/worksheets/sheet1.xml');
      for (const c of chunks) {
        const wait = big.write(c, () => consumed++);
        if (wait) await wait;
      }
      await big.end();
      await zip.part('empty.xml').end();
      await zip.add('xl/styles.xml', '<styleSheet>é</styleSheet>');
      const digests = await zip.close();

      expect(consumed).toBe(chunks.length);
      const parts = unzipSync(new Uint8Array(readFileSync(path)));
      const whole = Buffer.concat(chunks);
      expect(Buffer.from(parts['xl/worksheets/sheet1.xml']).equals(whole)).toBe(true);
      expect(parts['empty.xml'].length).toBe(0);
      expect(Buffer.from(parts['xl/styles.xml']).toString('utf8')).toBe('<styleSheet>é</styleSheet>');
      expect(digests.map((d) => [d.name, d.bytes, d.sha256.toString('hex')])).toEqual([
        ['xl/worksheets/sheet1.xml', whole.length, createHash('sha256').update(whole).digest('hex')],
        ['empty.xml', 0, createHash('sha256').digest('hex')],
        ['xl/styles.xml', 27, createHash('sha256').update('<styleSheet>é</styleSheet>').digest('hex')],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
