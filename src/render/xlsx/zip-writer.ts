import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { constants, crc32, deflateRaw } from 'node:zlib';
import { AuditpackError } from '../../errors.js';
import { dosDateTime } from './zip-directory.js';

/**
 * A streaming zip writer (PKWARE APPNOTE.TXT 6.3.x: 4.3.7 local file header, 4.3.9 data
 * descriptor, 4.3.12 central directory, 4.3.16 end record): one part at a time, deflated on
 * libuv's thread pool while the caller builds the next XML, so on two cores the sheet text and
 * its compression run side by side. Every part's CRC-32, size and SHA-256 are taken from the bytes
 * as they go in: the workbook's content digest needs no second read. Entry times are one fixed
 * date (the report's generated-at), so the same content gives the same bytes.
 */
export interface ZipPartDigest {
  name: string;
  bytes: number;
  sha256: Buffer;
}

export interface PartStream {
  /**
   * Adds bytes to the part; the promise (when there is one) resolves once the deflater caught up.
   * `consumed` is called once the deflater has read the chunk, which may then be filled again.
   */
  write(chunk: string | Buffer, consumed?: () => void): Promise<void> | undefined;
  end(): Promise<void>;
}

export interface ZipWriter {
  /** Starts a part; the previous one must be ended. */
  part(name: string): PartStream;
  add(name: string, content: string | Buffer): Promise<void>;
  /** Writes the central directory and closes the file; the parts' digests in the order written. */
  close(): Promise<ZipPartDigest[]>;
  /** Closes the file without finishing it (after an error). */
  abort(): Promise<void>;
}

const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const CENTRAL = 0x02014b50;
const EOCD = 0x06054b50;
const MAX32 = 0xffffffff;
/** Bit 3: sizes and CRC in a data descriptor after the data; bit 11: names are UTF-8. */
const FLAGS = 0x0008 | 0x0800;
/** Chunks being deflated at once: libuv's thread pool has four threads by default. */
const DEFLATES_AT_ONCE = 4;
/** An empty final block with fixed codes (RFC 1951 §3.2.6): what ends a deflate stream of sync-flushed pieces. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);
/** Deflate output queued for the file before the writer waits for the disk. */
const WRITE_HIGH_WATER = 16 * 1024 * 1024;
const PIECE_OUTPUT = 64 * 1024;

interface Entry {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

export async function createZipWriter(path: string, opts: { date: Date; level: number }): Promise<ZipWriter> {
  const fh: FileHandle = await open(path, 'w');
  const dos = dosDateTime(opts.date);
  const entries: Entry[] = [];
  const digests: ZipPartDigest[] = [];
  let offset = 0;
  let writing: Promise<unknown> = Promise.resolve();
  let queued = 0;
  let failure: unknown = null;
  let open_ = false;

  const tooLarge = (what: string) =>
    new AuditpackError('INTERNAL', `cannot write ${path}: ${what} is larger than 4 GiB, which needs zip64`, { hint: 'split the period into shorter runs' });

  /** Appends bytes at the end of the file, in call order. */
  const append = (buf: Buffer): void => {
    const at = offset;
    offset += buf.length;
    queued += buf.length;
    writing = writing.then(async () => {
      if (failure) return;
      try {
        await fh.write(buf, 0, buf.length, at);
      } catch (e) {
        failure = e;
      } finally {
        queued -= buf.length;
      }
    });
  };
  const check = () => {
    if (failure) throw new AuditpackError('INTERNAL', `cannot write ${path}: ${failure instanceof Error ? failure.message : String(failure)}`, { cause: failure, hint: 'check that the folder is writable and has free space' });
  };

  const part = (nameText: string): PartStream => {
    if (open_) throw new AuditpackError('INTERNAL', `zip part ${nameText} started before the previous one ended`);
    open_ = true;
    const name = Buffer.from(nameText, 'utf8');
    const entry: Entry = { name, crc: 0, compressed: 0, size: 0, offset };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(8, 8);
    header.writeUInt16LE(dos.time, 10);
    header.writeUInt16LE(dos.date, 12);
    header.writeUInt16LE(name.length, 26);
    append(Buffer.concat([header, name]));
    const hash: Hash = createHash('sha256');
    // Each chunk is deflated on its own, on the thread pool, several at once (as pigz does): one
    // deflate stream per part compressed a large sheet on one thread, which the writer then waited
    // for. A chunk ends in a sync flush (byte-aligned, not final) and the part in an empty final
    // block, so the pieces in order are one raw deflate stream (RFC 1951 §3.2.3, §3.2.4; zlib's
    // Z_SYNC_FLUSH: https://www.zlib.net/manual.html#Basic). Each chunk starts with an empty
    // window, which costs a little ratio at 256 KiB chunks.
    let deflateError: unknown = null;
    let chain: Promise<void> = Promise.resolve();
    const inFlight: Promise<void>[] = [];
    const deflated = (buf: Buffer, consumed?: () => void): Promise<Buffer> =>
      new Promise<Buffer>((resolve, reject) => {
        // 64 KiB of output room, which holds a 256 KiB piece of sheet XML deflated: with zlib's
        // 16 KiB default each piece came back in several trips to the thread pool. Not room for
        // any piece whole: the piece is a view of its output buffer, which waits with it in the
        // write queue.
        deflateRaw(buf, { level: opts.level, finishFlush: constants.Z_SYNC_FLUSH, chunkSize: PIECE_OUTPUT }, (e, out) => {
          if (e) reject(e);
          else {
            consumed?.();
            resolve(out);
          }
        });
      });
    const waitForDisk = async () => {
      while (queued > WRITE_HIGH_WATER) await writing;
      check();
    };
    const throwIfFailed = () => {
      if (deflateError) throw new AuditpackError('INTERNAL', `cannot compress ${nameText} in ${path}: ${deflateError instanceof Error ? deflateError.message : String(deflateError)}`, { cause: deflateError });
    };
    return {
      write(chunk, consumed) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        if (buf.length === 0) {
          consumed?.();
          return undefined;
        }
        throwIfFailed();
        entry.crc = crc32(buf, entry.crc);
        entry.size += buf.length;
        hash.update(buf);
        const piece = deflated(buf, consumed);
        piece.catch(() => undefined);
        // Appended in the order written, whichever finishes first.
        chain = chain.then(async () => {
          if (deflateError) return;
          try {
            const out = await piece;
            entry.compressed += out.length;
            append(out);
          } catch (e) {
            deflateError = e;
          }
        });
        inFlight.push(chain);
        if (inFlight.length < DEFLATES_AT_ONCE && queued <= WRITE_HIGH_WATER) return undefined;
        return (async () => {
          while (inFlight.length >= DEFLATES_AT_ONCE) await inFlight.shift();
          throwIfFailed();
          await waitForDisk();
        })();
      },
      async end() {
        await chain;
        throwIfFailed();
        entry.compressed += FINAL_BLOCK.length;
        append(FINAL_BLOCK);
        if (entry.size > MAX32 || entry.compressed > MAX32 || entry.offset > MAX32) throw tooLarge(nameText);
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(DESCRIPTOR, 0);
        descriptor.writeUInt32LE(entry.crc >>> 0, 4);
        descriptor.writeUInt32LE(entry.compressed, 8);
        descriptor.writeUInt32LE(entry.size, 12);
        append(descriptor);
        entries.push(entry);
        digests.push({ name: nameText, bytes: entry.size, sha256: hash.digest() });
        open_ = false;
        await waitForDisk();
      },
    };
  };

  return {
    part,
    async add(name, content) {
      const p = part(name);
      await p.write(content);
      await p.end();
    },
    async close() {
      const start = offset;
      for (const e of entries) {
        const h = Buffer.alloc(46);
        h.writeUInt32LE(CENTRAL, 0);
        h.writeUInt16LE(20, 4);
        h.writeUInt16LE(20, 6);
        h.writeUInt16LE(FLAGS, 8);
        h.writeUInt16LE(8, 10);
        h.writeUInt16LE(dos.time, 12);
        h.writeUInt16LE(dos.date, 14);
        h.writeUInt32LE(e.crc >>> 0, 16);
        h.writeUInt32LE(e.compressed, 20);
        h.writeUInt32LE(e.size, 24);
        h.writeUInt16LE(e.name.length, 28);
        h.writeUInt32LE(e.offset, 42);
        append(Buffer.concat([h, e.name]));
      }
      if (offset > MAX32 || entries.length > 0xffff) throw tooLarge('the workbook');
      const end = Buffer.alloc(22);
      end.writeUInt32LE(EOCD, 0);
      end.writeUInt16LE(entries.length, 8);
      end.writeUInt16LE(entries.length, 10);
      end.writeUInt32LE(offset - start, 12);
      end.writeUInt32LE(start, 16);
      append(end);
      await writing;
      check();
      await fh.close();
      return digests;
    },
    async abort() {
      await writing.catch(() => undefined);
      await fh.close().catch(() => undefined);
    },
  };
}
