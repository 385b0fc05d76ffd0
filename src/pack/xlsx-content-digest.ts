import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { readZipDirectory, readZipEntry } from '../render/xlsx/zip-directory.js';

/**
 * SHA-256 over a workbook's unzipped parts in name order: for each part its UTF-8 name, a NUL,
 * its uncompressed length as 8 bytes big-endian, then its bytes. Two workbooks with the same
 * content have the same digest even where zip details (entry times, compression) differ; the
 * manifest records it beside the file's own SHA-256. Part sizes and CRCs are checked on the way.
 */
export async function xlsxContentDigest(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const entries = (await readZipDirectory(fh, path)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const hash = createHash('sha256');
    const len = Buffer.alloc(8);
    for (const entry of entries) {
      hash.update(entry.name, 'utf8');
      hash.update(Buffer.from([0]));
      len.writeBigUInt64BE(BigInt(entry.uncompressedSize));
      hash.update(len);
      for await (const chunk of readZipEntry(fh, path, entry)) hash.update(chunk);
    }
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}
