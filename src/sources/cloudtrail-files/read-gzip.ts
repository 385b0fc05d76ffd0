import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { AuditpackError } from '../../errors.js';
import type { AttemptRecorder } from '../../http/types.js';
import { isObject } from '../cloudtrail-common/values.js';
import type { LogStore } from './log-store.js';
import { s3Error } from './s3-error.js';

const gunzipAsync = promisify(gunzip);

export interface GzipRead {
  /** Compressed bytes read. */
  compressedBytes: number;
  uncompressedBytes: number;
  /** Hex SHA-256 of the uncompressed bytes (what CloudTrail digests list), when asked for. */
  sha256?: string;
  /** The uncompressed bytes, when asked for. */
  content?: Buffer;
  /** The bytes as stored, when asked for. */
  compressed?: Buffer;
}

/**
 * One object's body as the store streams it, stopped when the signal aborts; a body cut off midway
 * throws what the store's transport errors become (s3Error).
 */
export async function readObjectChunks(store: LogStore, key: string, rec: AttemptRecorder, signal: AbortSignal): Promise<{ chunks: Buffer[]; size: number }> {
  const opened = await store.open(key, rec, signal);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of opened.body as AsyncIterable<Buffer>) {
      if (signal.aborted) {
        opened.body.destroy();
        throw signal.reason ?? new Error('aborted');
      }
      size += chunk.length;
      chunks.push(chunk);
    }
  } catch (e) {
    throw s3Error(e, `reading ${key}`);
  }
  return { chunks, size };
}

/**
 * Reads one object and gunzips it. The compressed body is streamed in, then inflated in one call
 * on libuv's thread pool, so the event loop parses another window's file meanwhile (a streaming
 * gunzip is slower here, and JSON.parse needs the whole text anyway); memory holds one file. A file
 * that is not gzip (or is cut short) throws DATA_INVALID; a missing one StoreMissingError;
 * transport failures throw what the store throws.
 */
export async function readGzip(
  store: LogStore,
  key: string,
  opts: { keep: boolean; hash: boolean; compressed?: boolean },
  rec: AttemptRecorder,
  signal: AbortSignal,
): Promise<GzipRead> {
  const { chunks, size: compressedBytes } = await readObjectChunks(store, key, rec, signal);
  const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, compressedBytes);
  let content: Buffer;
  try {
    content = await gunzipAsync(body);
  } catch (e) {
    throw new AuditpackError('DATA_INVALID', `${key} is not a valid gzip file (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  return {
    compressedBytes,
    uncompressedBytes: content.length,
    ...(opts.hash ? { sha256: createHash('sha256').update(content).digest('hex') } : {}),
    ...(opts.keep ? { content } : {}),
    ...(opts.compressed ? { compressed: body } : {}),
  };
}

/**
 * Whether a log file can go to the raw archive byte for byte (see raw-archive.ts): one gzip member
 * (its trailer's size is the whole content's, so nothing else follows it) holding one line of
 * JSON whose only key is `Records`. Anything else is archived record by record.
 */
export function archivableAsIs(compressed: Buffer, content: Buffer, file: Record<string, unknown>): boolean {
  if (compressed.length < 18 || compressed[0] !== 0x1f || compressed[1] !== 0x8b) return false;
  if (compressed.readUInt32LE(compressed.length - 4) !== content.length % 0x1_0000_0000) return false;
  let end = content.length;
  while (end > 0 && (content[end - 1] === 0x0a || content[end - 1] === 0x0d || content[end - 1] === 0x20 || content[end - 1] === 0x09)) end--;
  const lf = content.indexOf(0x0a);
  const cr = content.indexOf(0x0d);
  if ((lf >= 0 && lf < end) || (cr >= 0 && cr < end)) return false;
  for (const k in file) if (k !== 'Records') return false;
  return true;
}

export function parseLogFile(key: string, content: Buffer): { Records: unknown[] } & Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.toString('utf8'));
  } catch (e) {
    throw new AuditpackError('DATA_INVALID', `${key} is not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (!isObject(parsed) || !Array.isArray(parsed.Records)) {
    throw new AuditpackError('DATA_INVALID', `${key} holds no {"Records": [...]} object`);
  }
  return parsed as { Records: unknown[] } & Record<string, unknown>;
}
