import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { readZipDirectory, readZipEntry } from '../render/xlsx/zip-directory.js';

/** A part of the workbook: its name, uncompressed size and the SHA-256 of its bytes. */
export interface PartDigest {
  name: string;
  bytes: number;
  sha256: Buffer;
}

/**
 * SHA-256 over a workbook's unzipped parts in name order: for each part its UTF-8 name, a NUL,
 * its uncompressed length as 8 bytes big-endian, then the 32-byte SHA-256 of its bytes. Two
 * workbooks with the same content have the same digest even where zip details (entry times,
 * compression, order) differ; the manifest records it beside the file's own SHA-256. Each part is
 * hashed on its own, so the writer computes the digest while it writes (render-xlsx.ts), and
 * this reads it back from any file the same way.
 */
export function combinePartDigests(parts: readonly PartDigest[]): string {
  const sorted = [...parts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hash = createHash('sha256');
  const len = Buffer.alloc(8);
  for (const p of sorted) {
    hash.update(p.name, 'utf8');
    hash.update(Buffer.from([0]));
    len.writeBigUInt64BE(BigInt(p.bytes));
    hash.update(len);
    hash.update(p.sha256);
  }
  return hash.digest('hex');
}

/** The content digest of a workbook on disk; part sizes and CRCs are checked on the way. */
export async function xlsxContentDigest(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const parts: PartDigest[] = [];
    for (const entry of await readZipDirectory(fh, path)) {
      const hash = createHash('sha256');
      for await (const chunk of readZipEntry(fh, path, entry)) hash.update(chunk);
      parts.push({ name: entry.name, bytes: entry.uncompressedSize, sha256: hash.digest() });
    }
    return combinePartDigests(parts);
  } finally {
    await fh.close();
  }
}
