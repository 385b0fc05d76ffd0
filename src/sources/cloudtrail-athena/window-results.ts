import type { AuditEvent, Outcome } from '../../model/audit-event.js';
import type { EventGroup } from '../../model/event-group.js';
import type { TimeWindow } from '../../model/window.js';
import { parseCloudTrailTime } from '../cloudtrail-common/event-time.js';
import { normalizeCloudTrailRecord } from '../cloudtrail-common/normalize-record.js';
import { parseLogFileName, storeKeyOf } from '../cloudtrail-files/key-layout.js';
import { LEAF_COLUMNS } from './sql/columns.js';

/** A result row by column name; null is SQL NULL (GetQueryResults leaves VarCharValue out). */
export type ResultRow = Readonly<Record<string, string | null>>;

const HOUR = 3_600_000;

function need(row: ResultRow, column: string): string {
  const v = row[column];
  if (v === null || v === undefined) throw new Error(`result column ${column} is missing`);
  return v;
}

function timeOf(text: string): number {
  const t = parseCloudTrailTime(text);
  if (t === null) throw new Error(`result time ${text} is not an ISO 8601 instant`);
  return t;
}

export interface AggregateRows {
  /** Groups of the window's events, except those of keys with more than one record in the period. */
  groups: EventGroup[];
  /** Every record the window counts (memberWindow), whatever becomes of it. */
  records: number;
  activeHours: number[];
}

/** The aggregate query's rows (window-queries.ts aggregateQuery) as groups, records counted and active hours. */
export function readAggregateRows(rows: readonly ResultRow[], source: { name: string }): AggregateRows {
  const groups: EventGroup[] = [];
  const hours = new Set<number>();
  let records = 0;
  for (const row of rows) {
    if (row.by_group === '0') {
      // "2026-10-04 7": a UTC date and hour.
      const [day, hour] = need(row, 'u_hour').split(' ');
      hours.add(Date.parse(`${day}T00:00:00Z`) / HOUR + Number(hour));
      continue;
    }
    const events = Number(need(row, 'events'));
    records += events;
    // Records of keys with other records in the period: the rows query returns them in full.
    if (row.anomalous === 'true') continue;
    const userAgent = row.user_agent ?? undefined;
    const clientName = row.n_client_name ?? undefined;
    const type = row.n_requester_type ?? undefined;
    groups.push({
      source: source.name,
      sourceType: 'cloudtrail-athena',
      day: need(row, 'l_day'),
      service: need(row, 'n_service'),
      operation: need(row, 'n_operation'),
      outcome: need(row, 'n_outcome') as Outcome,
      responseCode: need(row, 'n_code'),
      requester: type ? { id: need(row, 'n_requester'), type } : { id: need(row, 'n_requester') },
      ...(userAgent ? { client: { id: userAgent, name: clientName ?? userAgent } } : {}),
      events,
      firstTime: timeOf(need(row, 'first_time')),
      lastTime: timeOf(need(row, 'last_time')),
    });
  }
  return { groups, records, activeHours: [...hours].sort((a, b) => a - b) };
}

/** One copy of a key with more than one record in the period (window-queries.ts identityQuery). */
export interface KeyCopy {
  content: string;
  path: string;
  /** Index of the window that counts it. */
  window: number;
  /** Records with this key and content in this file. */
  copies: number;
}

/** What becomes of the records of one (key, content, file): at most one kept, the rest duplicates. */
export interface CopyFate {
  kept: boolean;
  /** The kept record is an id collision: the key was kept before with other content. */
  collision: boolean;
  duplicates: number;
  /** Distinct contents of the key in the period (an id collision's record count). */
  contents: number;
}

/**
 * The identity query's rows by key, copies in the order the local path reads them (files in key
 * order: cloudtrail-files lists folder by folder and day by day), so each window decides its own
 * copies' fate the way the local de-duplication set does (src/pipeline/id-set.ts): the first
 * record of a key is kept, a later one with content already kept is a duplicate, a later one with
 * new content is kept and is an id collision.
 */
export function readIdentityRows(rows: readonly ResultRow[]): Map<string, KeyCopy[]> {
  const byKey = new Map<string, KeyCopy[]>();
  for (const row of rows) {
    const key = need(row, 'event_key');
    const list = byKey.get(key) ?? [];
    list.push({ content: need(row, 'content'), path: need(row, 'path'), window: Number(need(row, 'member_window')), copies: Number(need(row, 'copies')) });
    byKey.set(key, list);
  }
  for (const list of byKey.values()) list.sort((a, b) => ordinal(a.path, b.path) || ordinal(a.content, b.content));
  return byKey;
}

/** The fate of each (content, file) copy of one key, in the key's copy order. */
export function copyFates(list: readonly KeyCopy[]): Map<string, CopyFate> {
  const contents = new Set(list.map((c) => c.content)).size;
  const seen = new Set<string>();
  const fates = new Map<string, CopyFate>();
  for (const c of list) {
    const fresh = !seen.has(c.content);
    fates.set(`${c.content}\u0000${c.path}`, { kept: fresh, collision: fresh && seen.size > 0, duplicates: fresh ? c.copies - 1 : c.copies, contents });
    seen.add(c.content);
  }
  return fates;
}

/** Keys with a copy counted by this window. */
export function keysOfWindow(identity: ReadonlyMap<string, readonly KeyCopy[]>, window: number): string[] {
  const keys: string[] = [];
  for (const [key, list] of identity) if (list.some((c) => c.window === window)) keys.push(key);
  return keys.sort(ordinal);
}

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One file Athena read (`"$path"`), by its key in the trail (from `AWSLogs/`). */
export interface FileRead {
  key: string;
  records: number;
  inWindow: number;
  /** Records outside the period that the window counts (its file was delivered in the window). */
  outsidePeriod: number;
  /** Delivery time from the file name (epoch ms); null for a name that is not a CloudTrail log file's. */
  deliveredAt: number | null;
}

export function readFileRows(rows: readonly ResultRow[]): FileRead[] {
  return rows.map((row) => {
    const path = need(row, 'path');
    const key = storeKeyOf(path.replace(/^s3:\/\/[^/]+\//, ''));
    return {
      key,
      records: Number(need(row, 'records')),
      inWindow: Number(row.in_window ?? 0),
      outsidePeriod: Number(row.outside_period ?? 0),
      deliveredAt: parseLogFileName(key)?.deliveredAt ?? null,
    };
  });
}

/** Files of the window's delivery range [start, end + margin): what a window's share of the trail is. */
export function filesDeliveredIn(files: readonly FileRead[], window: TimeWindow, lateMs: number): number {
  return files.filter((f) => f.deliveredAt !== null && f.deliveredAt >= window.start && f.deliveredAt < window.end + lateMs).length;
}

/**
 * A full row (the leaf columns, columns.ts) back into the CloudTrail record it was read from, so
 * the local normalizer gives the same event the files path gives: JSON columns parsed, absent
 * values left out.
 */
export function recordOfRow(row: ResultRow): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const c of LEAF_COLUMNS) {
    const v = row[c.alias];
    if (v === null || v === undefined) continue;
    let value: unknown = v;
    if (c.json) {
      try {
        value = JSON.parse(v);
      } catch {
        value = v;
      }
    }
    let at = record;
    for (const part of c.path.slice(0, -1)) {
      const next = at[part];
      if (typeof next === 'object' && next !== null) at = next as Record<string, unknown>;
      else at = (at[part] = {}) as Record<string, unknown>;
    }
    at[c.path[c.path.length - 1]] = value;
  }
  return record;
}

export function eventOfRow(row: ResultRow, sourceName: string): AuditEvent | null {
  return normalizeCloudTrailRecord(recordOfRow(row), sourceName, 'cloudtrail-athena');
}

/** The files a window's evidence (run-window.ts) says its scan read, for a resumed run. */
export function readEvidenceFiles(evidence: Record<string, unknown>): FileRead[] {
  const list = Array.isArray(evidence.filesScanned) ? (evidence.filesScanned as { key: string; records: number }[]) : [];
  return list.map((f) => ({ key: f.key, records: f.records, inWindow: 0, outsidePeriod: 0, deliveredAt: parseLogFileName(f.key)?.deliveredAt ?? null }));
}
