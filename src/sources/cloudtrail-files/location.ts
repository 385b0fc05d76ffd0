import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditpackError } from '../../errors.js';

export type ParsedLocation = { kind: 's3'; bucket: string; prefix: string } | { kind: 'local'; folder: string };

/** An S3 location as written in a config: the inverse of parseLocation's s3:// form. */
export function formatS3Location(bucket: string, prefix: string): string {
  return `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
}

/** `s3://bucket[/prefix]`, `file:///path`, or a folder path (relative to the config file's folder). */
export function parseLocation(location: string, configDir: string): ParsedLocation {
  const trimmed = location.trim();
  if (/^s3:\/\//i.test(trimmed)) {
    const rest = trimmed.slice(5);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new AuditpackError('CONFIG_INVALID', `location ${location}: "${bucket}" is not an S3 bucket name`, {
        hint: 'write s3://bucket-name/optional/prefix',
      });
    }
    return { kind: 's3', bucket, prefix };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) && !/^file:\/\//i.test(trimmed)) {
    throw new AuditpackError('CONFIG_INVALID', `location ${location}: only s3:// and local folders are supported`);
  }
  const path = /^file:\/\//i.test(trimmed) ? fileURLToPath(trimmed) : trimmed;
  return { kind: 'local', folder: isAbsolute(path) ? path : resolve(configDir, path) };
}
