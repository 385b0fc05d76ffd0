import { createHash } from 'node:crypto';
import { createReadStream, writeSync } from 'node:fs';
import { appendFile, mkdir, open, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip, gzipSync } from 'node:zlib';
import { isStackOverflow, nestedTooDeep } from '../errors.js';
import { ARCHIVE_GZIP_LEVEL } from './locate-page.js';

/** Ends the line of a page archived as received (its own member: the page may not end with one). */
const NEWLINE_MEMBER = gzipSync('\n');
/** A window with no records (or one that failed before its first page) is still a valid gzip file. */
const EMPTY_MEMBER = gzipSync('');

/**
 * raw/<source>/<window>.ndjson.gz: every record as received, one JSON document per line. Each
 * page is appended as its own gzip member (RFC 1952 allows concatenated members; gunzip, zcat and
 * Node read them as one stream), so a page is on disk as soon as it arrives and an interrupted
 * run can replay the windows it finished. A page received as a gzip file of one line
 * `{"Records": [...]}` (a CloudTrail log file) is appended byte for byte: that line stands for
 * its records, and the file's SHA-256 still matches its digest.
 *
 * Pages go to `<window>.ndjson.gz.part`; `commit` flushes it to disk and renames it into place,
 * so a file under its final name is always whole, and its size and SHA-256 (known to the writer)
 * let a resumed run check it before replaying it.
 */
export interface RawWindowWriter {
  writePage(records: readonly unknown[]): Promise<void>;
  /** A page's records as received, one JSON document per line, already compressed (src/pack/locate-page.ts). */
  writeMember?(member: Uint8Array, records: number): Promise<void>;
  /** A page as received: a gzip member whose content is one line `{"Records": [...]}`. */
  writeGzipPage?(gzip: Uint8Array, records: number): Promise<void>;
  readonly records: number;
}

export interface RawFileSeal {
  bytes: number;
  sha256: string;
}

export interface CommittableRawWriter extends RawWindowWriter {
  /** fsync, then rename the `.part` file to its final name; returns what was written. */
  commit(): Promise<RawFileSeal>;
  /** Closes the `.part` file without committing it (a run stopped midway); nothing after commit. */
  close(): Promise<void>;
}

/**
 * `holdOpen`: the `.part` file stays open from the start to the commit. An open, write and close
 * per page (appendFile) put three trips through libuv's thread pool between a page and the next
 * request of its window (bench/smapi-pull.ts). Without it (a source pulling a whole period: every
 * window's archive is open at once) each append opens the file.
 */
export async function createRawWindowWriter(path: string, opts: { holdOpen?: boolean } = {}): Promise<CommittableRawWriter> {
  await mkdir(dirname(path), { recursive: true });
  const part = `${path}.part`;
  const fh: FileHandle | null = opts.holdOpen ? await open(part, 'w') : null;
  if (!fh) await writeFile(part, new Uint8Array());
  let closed = false;
  let records = 0;
  let bytes = 0;
  const hash = createHash('sha256');
  const append = async (chunk: Uint8Array) => {
    // Appends come one at a time, in order (the archive queue in pull-window.ts). A write of a few
    // KB to the page cache takes microseconds: a trip through libuv's pool cost more than the write.
    if (fh) writeSync(fh.fd, chunk, 0, chunk.byteLength, bytes);
    else await appendFile(part, chunk);
    hash.update(chunk);
    bytes += chunk.byteLength;
  };
  const close = async () => {
    if (closed) return;
    closed = true;
    await fh?.close();
  };
  const appendLines = async (lines: string, count: number) => {
    // Here, not in libuv's pool: zlib's asynchronous gzip of 500 SMAPI pages of 92 KB cost as much
    // of this thread's time as gzipping them here (150 vs 170 ms), and 2.4× the CPU in all.
    await append(gzipSync(lines, { level: ARCHIVE_GZIP_LEVEL }));
    records += count;
  };
  // A window with no records (or one that failed before its first page) is still a valid gzip file.
  await append(EMPTY_MEMBER);
  return {
    async writePage(page) {
      if (page.length === 0) return;
      let text = '';
      try {
        for (const r of page) text += JSON.stringify(r) + '\n';
      } catch (e) {
        // A pathological answer fails its window (DATA_INVALID), not the run (INTERNAL).
        if (isStackOverflow(e)) throw nestedTooDeep(`a page of ${page.length} record(s)`, e);
        throw e;
      }
      await appendLines(text, page.length);
    },
    async writeMember(member, count) {
      if (count === 0) return;
      await append(member);
      records += count;
    },
    async writeGzipPage(member, count) {
      await append(Buffer.concat([member, NEWLINE_MEMBER]));
      records += count;
    },
    get records() {
      return records;
    },
    async commit() {
      const handle = fh && !closed ? fh : await open(part, 'r+');
      try {
        await handle.sync();
      } finally {
        if (handle === fh) await close();
        else await handle.close();
      }
      await rename(part, path);
      return { bytes, sha256: hash.digest('hex') };
    },
    close,
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
