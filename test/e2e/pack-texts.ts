import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { readPdf } from '../render/pdf/read-pdf.js';

/**
 * Every file of a pack as text, opened the way a reader would open it: the bytes of each file,
 * each gzip archive decompressed, each workbook unzipped part by part, each PDF's text (items
 * joined with and without breaks, so a value split over two text runs is still found).
 */
export async function packTexts(dir: string): Promise<[string, string][]> {
  const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  const texts: [string, string][] = [];
  for (const file of walk(dir)) {
    const rel = relative(dir, file);
    const bytes = readFileSync(file);
    texts.push([rel, bytes.toString('latin1')]);
    if (file.endsWith('.gz')) texts.push([`${rel} (gunzipped)`, gunzipSync(bytes).toString('utf8')]);
    if (file.endsWith('.xlsx')) for (const [part, data] of Object.entries(unzipSync(bytes))) texts.push([`${rel}:${part}`, Buffer.from(data).toString('utf8')]);
    if (file.endsWith('.pdf')) {
      const items = (await readPdf(file)).pages.flat();
      texts.push([`${rel} (text)`, items.join('\n')], [`${rel} (text, joined)`, items.join('')]);
    }
  }
  return texts;
}

/** The files (as named by packTexts) whose text holds any of the values. */
export function filesHolding(texts: [string, string][], values: string[]): string[] {
  return texts.filter(([, text]) => values.some((v) => text.includes(v))).map(([name]) => name);
}
