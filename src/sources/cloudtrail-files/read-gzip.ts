import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { AuditpackError } from '../../errors.js';
import type { AttemptRecorder } from '../../http/types.js';
import { isObject } from '../cloudtrail-common/values.js';
import type { LogStore } from './log-store.js';
import { s3Error } from './s3-store.js';

const gunzipAsync = promisify(gunzip);

export interface GzipRead {
  /** Compressed bytes read. */
  compressedBytes: number;
  uncompressedBytes: number;
  /** Hex SHA-256 of the uncompressed bytes (what CloudTrail digests list), when asked for. */
  sha256?: string;
  /** The uncompressed bytes, when asked for. */
  content?: Buffer;
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
  opts: { keep: boolean; hash: boolean },
  rec: AttemptRecorder,
  signal: AbortSignal,
): Promise<GzipRead> {
  const opened = await store.open(key, rec, signal);
  const chunks: Buffer[] = [];
  let compressedBytes = 0;
  try {
    for await (const chunk of opened.body as AsyncIterable<Buffer>) {
      if (signal.aborted) {
        opened.body.destroy();
        throw signal.reason ?? new Error('aborted');
      }
      compressedBytes += chunk.length;
      chunks.push(chunk);
    }
  } catch (e) {
    throw s3Error(e, `reading ${key}`);
  }
  let content: Buffer;
  try {
    content = await gunzipAsync(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, compressedBytes));
  } catch (e) {
    throw new AuditpackError('DATA_INVALID', `${key} is not a valid gzip file (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  return {
    compressedBytes,
    uncompressedBytes: content.length,
    ...(opts.hash ? { sha256: createHash('sha256').update(content).digest('hex') } : {}),
    ...(opts.keep ? { content } : {}),
  };
}

/** `{"Records":[…]}` from a log file's uncompressed bytes; DATA_INVALID when it is not that. */
export function parseRecordsFile(key: string, content: Buffer): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.toString('utf8'));
  } catch (e) {
    throw new AuditpackError('DATA_INVALID', `${key} is not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (!isObject(parsed) || !Array.isArray(parsed.Records)) {
    throw new AuditpackError('DATA_INVALID', `${key} holds no {"Records": [...]} object`);
  }
  return parsed.Records;
}
