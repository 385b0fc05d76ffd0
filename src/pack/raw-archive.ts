import { createReadStream } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip, gzip as gzipCb } from 'node:zlib';
import { promisify } from 'node:util';

const gzip = promisify(gzipCb);

/**
 * raw/<source>/<window>.ndjson.gz: every record as received, one JSON document per line. Each
 * page is appended as its own gzip member (RFC 1952 allows concatenated members; gunzip, zcat and
 * Node read them as one stream), so a page is on disk as soon as it arrives and an interrupted
 * run can replay the windows it finished.
 */
export interface RawWindowWriter {
  writePage(records: readonly unknown[]): Promise<void>;
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
    get records() {
      return records;
    },
  };
}

export async function* readRawWindow(path: string): AsyncIterable<unknown> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as unknown;
}
