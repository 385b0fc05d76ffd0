import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createInflateRaw, crc32 } from 'node:zlib';
import { AuditpackError } from '../../errors.js';

/**
 * Just enough of the ZIP format (PKWARE APPNOTE.TXT 6.3.x, sections 4.3.7 local header, 4.3.12
 * central directory header, 4.3.14–4.3.16 zip64 and end records) to list an archive's entries
 * from its central directory and stream one entry's content (zip-writer.ts writes). Zero dependencies,
 * random access: entries can be read in any order without holding the archive in memory.
 */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  centralHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

const bad = (path: string, what: string) =>
  new AuditpackError('PACK_INVALID', `${path} is not a readable zip archive: ${what}`, { hint: 'the file is damaged or was not written by auditpack; render it again' });

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

export async function readZipDirectory(fh: FileHandle, path: string): Promise<ZipEntry[]> {
  const size = (await fh.stat()).size;
  const tailLen = Math.min(size, 22 + 0xffff + 20);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad(path, 'no end of central directory record');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === MAX32 || cdOffset === MAX32) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== ZIP64_LOCATOR) throw bad(path, 'zip64 locator missing');
    const z64 = await readAt(fh, Number(tail.readBigUInt64LE(loc + 8)), 56);
    if (z64.readUInt32LE(0) !== ZIP64_EOCD) throw bad(path, 'zip64 end record missing');
    count = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  const cd = await readAt(fh, cdOffset, cdSize);
  if (cd.length !== cdSize) throw bad(path, 'central directory cut short');
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw bad(path, `central directory entry ${n} is damaged`);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const entry: ZipEntry = {
      name: cd.toString('utf8', p + 46, p + 46 + nameLen),
      method: cd.readUInt16LE(p + 10),
      crc32: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      uncompressedSize: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
      centralHeaderOffset: cdOffset + p,
    };
    // zip64 extended information (APPNOTE 4.5.3): only the fields that overflowed, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let f = x + 4;
        const next = (): number => {
          const v = Number(cd.readBigUInt64LE(f));
          f += 8;
          return v;
        };
        if (entry.uncompressedSize === MAX32) entry.uncompressedSize = next();
        if (entry.compressedSize === MAX32) entry.compressedSize = next();
        if (entry.localHeaderOffset === MAX32) entry.localHeaderOffset = next();
      }
      x += 4 + len;
    }
    entries.push(entry);
    p = xEnd + commentLen;
  }
  return entries;
}

/** Streams an entry's uncompressed bytes, checking its size and CRC-32 against the directory. */
export async function* readZipEntry(fh: FileHandle, path: string, entry: ZipEntry): AsyncGenerator<Buffer> {
  const local = await readAt(fh, entry.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) throw bad(path, `local header of ${entry.name} is damaged`);
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (entry.method !== 0 && entry.method !== 8) throw bad(path, `${entry.name} uses compression method ${entry.method}`);
  let crc = 0;
  let size = 0;
  if (entry.compressedSize > 0) {
    const raw = createReadStream(path, { start, end: start + entry.compressedSize - 1 });
    const body = entry.method === 8 ? raw.pipe(createInflateRaw()) : raw;
    raw.on('error', (e) => body.destroy(e));
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        crc = crc32(chunk, crc);
        size += chunk.length;
        yield chunk;
      }
    } catch (e) {
      if (e instanceof AuditpackError) throw e;
      throw new AuditpackError('PACK_INVALID', `${path} is not a readable zip archive: ${entry.name} cannot be inflated`, {
        cause: e,
        hint: 'the file is damaged; render it again',
      });
    }
  }
  if (size !== entry.uncompressedSize || crc !== entry.crc32) throw bad(path, `${entry.name} does not match its size or CRC-32`);
}

/** MS-DOS date and time (APPNOTE 4.4.6), from the UTC fields. */
export function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(2107, Math.max(1980, date.getUTCFullYear()));
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}
