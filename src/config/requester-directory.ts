import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { AuditpackError } from '../errors.js';

export interface DirectoryEntry {
  name: string;
  email: string;
}

/** requester id → name and e-mail, so reports show people rather than bare ids (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html, tool-builder workflow). */
export interface RequesterDirectory {
  size: number;
  get(id: string): DirectoryEntry | undefined;
  has(id: string): boolean;
  /** Every requester id, for a source that checks membership where the data lives (an Athena query). */
  ids(): string[];
}

function directoryFromRows(rows: readonly { userId: string; name: string; email: string }[]): RequesterDirectory {
  const map = new Map(rows.map((r) => [r.userId, { name: r.name, email: r.email }]));
  return { size: map.size, get: (id) => map.get(id), has: (id) => map.has(id), ids: () => [...map.keys()] };
}

/** Reads a CSV with a header row `userId,name,email` (extra columns are ignored). */
export async function loadRequesterDirectory(path: string): Promise<RequesterDirectory> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new AuditpackError('CONFIG_INVALID', `cannot read the requester directory ${path}`, { cause, hint: 'check requesterDirectory in the config' });
  }
  const text = decodeUtf8(bytes, path);
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (cause) {
    throw new AuditpackError('CONFIG_INVALID', `the requester directory ${path} is not valid CSV: ${(cause as Error).message}`, { cause });
  }
  if (records.length > 0 && !('userId' in records[0])) {
    throw new AuditpackError('CONFIG_INVALID', `the requester directory ${path} has no userId column`, {
      hint: 'its first line must be: userId,name,email',
    });
  }
  return directoryFromRows(records.map((r) => ({ userId: r.userId, name: r.name ?? '', email: r.email ?? '' })));
}

/**
 * The file as UTF-8, refusing invalid bytes instead of turning them into U+FFFD: a name silently
 * altered would then be what the report shows. The error names the first bad line.
 */
function decodeUtf8(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        break;
      }
      line++;
      start = i + 1;
    }
    throw new AuditpackError('CONFIG_INVALID', `the requester directory ${path} is not valid UTF-8 (line ${line})`, {
      hint: 'save it as UTF-8 (e.g. iconv -f WINDOWS-1252 -t UTF-8), then run again',
    });
  }
}
