import { createHash } from 'node:crypto';
import { isObject } from './values.js';

/**
 * Id for a record without eventID: "sha256:" + hex SHA-256 of its canonical JSON (object keys
 * sorted at every level, array order kept). Top-level vendor enrichment fields (`p_*`, added by
 * log pipelines at ingestion) are left out, so the same CloudTrail event ingested twice hashes
 * the same.
 */
export function cloudTrailContentHash(record: Record<string, unknown>): string {
  const core: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!k.startsWith('p_')) core[k] = v;
  return `sha256:${createHash('sha256').update(canonicalJson(core)).digest('hex')}`;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
