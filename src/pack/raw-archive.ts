import { createReadStream } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip, gzip as gzipCb, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';

const gzip = promisify(gzipCb);

/** Ends the line of a page archived as received (its own member: the page may not end with one). */
const NEWLINE_MEMBER = gzipSync('\n');

/**
 * raw/<source>/<window>.ndjson.gz: every record as received, one JSON document per line. Each
 * page is appended as its own gzip member (RFC 1952 allows concatenated members; gunzip, zcat and
 * Node read them as one stream), so a page is on disk as soon as it arrives and an interrupted
 * run can replay the windows it finished. A page received as a gzip file of one line
 * `{"Records": [...]}` (a CloudTrail log file) is appended byte for byte: that line stands for
 * its records, and the file's SHA-256 still matches its digest.
 */
export interface RawWindowWriter {
  writePage(records: readonly unknown[]): Promise<void>;
  /** A page as received: a gzip member whose content is one line `{"Records": [...]}`. */
  writeGzipPage?(gzip: Uint8Array, records: number): Promise<void>;
  readonly records: number;
}

export async function createRawWindowWriter(path: string): Promise<RawWindowWriter> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, new Uint8Array());
  let records = 0;
  return {
    async writePage(page) {
      if (page.length === 0) return;
      let text = '';
      for (const r of page) text += JSON.stringify(r) + '\n';
      // gzip runs on the libuv pool: compression overlaps with the next page's network wait.
      // Level 1, zlib's fastest: on the real CloudTrail fixtures ~30% larger than level 6, in under half the time.
      await appendFile(path, await gzip(text, { level: 1 }));
      records += page.length;
    },
    async writeGzipPage(bytes, count) {
      await appendFile(path, Buffer.concat([bytes, NEWLINE_MEMBER]));
      records += count;
    },
    get records() {
      return records;
    },
  };
}

export async function* readRawWindow(path: string): AsyncIterable<unknown> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const value = JSON.parse(line) as unknown;
    const records = wholeFileRecords(value);
    if (records) yield* records;
    else yield value;
  }
}

/** The records of a line that is a whole log file as received (an object whose only key is `Records`). */
function wholeFileRecords(value: unknown): unknown[] | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  let only: unknown = undefined;
  let keys = 0;
  for (const k in value) {
    keys++;
    if (k !== 'Records' || keys > 1) return null;
    only = (value as Record<string, unknown>)[k];
  }
  return keys === 1 && Array.isArray(only) ? only : null;
}
