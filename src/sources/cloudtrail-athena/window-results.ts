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
  groups: EventGroup[];
  duplicates: number;
  activeHours: number[];
}

/** The aggregate query's rows (window-queries.ts aggregateQuery) as groups, duplicates and active hours. */
export function readAggregateRows(rows: readonly ResultRow[], source: { name: string }): AggregateRows {
  const groups: EventGroup[] = [];
  const hours = new Set<number>();
  let duplicates = 0;
  for (const row of rows) {
    if (row.by_group === '0') {
      // "2026-10-04 7": a UTC date and hour.
      const [day, hour] = need(row, 'u_hour').split(' ');
      hours.add(Date.parse(`${day}T00:00:00Z`) / HOUR + Number(hour));
      continue;
    }
    const events = Number(need(row, 'events'));
    if (row.first_copy !== 'true') {
      duplicates += events;
      continue;
    }
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
  return { groups, duplicates, activeHours: [...hours].sort((a, b) => a - b) };
}

/** One file Athena read (`"$path"`), by its key in the trail (from `AWSLogs/`). */
export interface FileRead {
  key: string;
  records: number;
  inWindow: number;
  /** Delivery time from the file name (epoch ms); null for a name that is not a CloudTrail log file's. */
  deliveredAt: number | null;
}

export function readFileRows(rows: readonly ResultRow[]): FileRead[] {
  return rows.map((row) => {
    const path = need(row, 'path');
    const key = storeKeyOf(path.replace(/^s3:\/\/[^/]+\//, ''));
    return { key, records: Number(need(row, 'records')), inWindow: Number(row.in_window ?? 0), deliveredAt: parseLogFileName(key)?.deliveredAt ?? null };
  });
}

/**
 * Records received and outside the window as the local path counts them: every record of the
 * files delivered in [start, end + margin) (what a cloudtrail-files window reads), and those of
 * them whose event is not in the window.
 */
export function ledgerOfFiles(files: readonly FileRead[], window: TimeWindow, lateMs: number): { recordsReceived: number; outsideWindow: number; filesRead: number } {
  let recordsReceived = 0;
  let outsideWindow = 0;
  let filesRead = 0;
  for (const f of files) {
    if (f.deliveredAt === null || f.deliveredAt < window.start || f.deliveredAt >= window.end + lateMs) continue;
    filesRead++;
    recordsReceived += f.records;
    outsideWindow += f.records - f.inWindow;
  }
  return { recordsReceived, outsideWindow, filesRead };
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
  return list.map((f) => ({ key: f.key, records: f.records, inWindow: 0, deliveredAt: parseLogFileName(f.key)?.deliveredAt ?? null }));
}
