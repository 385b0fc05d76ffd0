import type { TimeWindow } from '../../../model/window.js';
import type { CompiledRules } from './compile-rules.js';
import { PARTITION } from '../table-layout.js';
import { LEAF_COLUMNS, PATH_COLUMN } from './columns.js';
import { compactMinute, isoLiteral, partitionDay, sqlIdentifier, sqlIn, sqlString } from './literals.js';
import { selectStep, STEP_EVENT, STEP_IDENTITY, STEP_ROLE, STEP_TRIMMED } from './normalized.js';

/** What every query of a window needs to know. */
export interface QueryScope {
  database: string;
  table: string;
  accounts: readonly string[];
  regions: readonly string[];
  timeZone: string;
  /** The report period (half-open, epoch ms). */
  period: { start: number; end: number };
  /** Every window of the source's plan, in order: late files are attributed by it. */
  plan: readonly TimeWindow[];
  /** Late-delivery margin (ms): files delivered up to a window's end + this can hold its events. */
  lateMs: number;
}

/** The delivery minute in a CloudTrail log file name (`…_CloudTrail_<region>_20261004T0405Z_<id>.json.gz`). */
const DELIVERED = `regexp_extract(${PATH_COLUMN}, '_CloudTrail_[a-z0-9-]+_([0-9]{8}T[0-9]{4}Z)_[A-Za-z0-9]+\\.json\\.gz$', 1)`;

const ts = (t: number) => `from_iso8601_timestamp(${isoLiteral(t)})`;
const delivered = (t: number) => sqlString(compactMinute(t));

/**
 * Partition pruning: the accounts and regions, and the UTC delivery days that can hold files
 * delivered in [from, to) (the date in a CloudTrail key is the delivery date:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html).
 * Only partition keys prune (https://docs.aws.amazon.com/athena/latest/ug/partitions.html).
 */
function partitionPredicate(scope: QueryScope, from: number, to: number): string {
  return [
    sqlIn(PARTITION.account, scope.accounts),
    sqlIn(PARTITION.region, scope.regions),
    `${PARTITION.deliveryDate} BETWEEN ${sqlString(partitionDay(from))} AND ${sqlString(partitionDay(Math.max(from, to - 1)))}`,
  ].join('\n    AND ');
}

function tableName(scope: QueryScope): string {
  return `${sqlIdentifier(scope.database)}.${sqlIdentifier(scope.table)}`;
}

function scanned(scope: QueryScope, from: number, to: number): string {
  const leaves = LEAF_COLUMNS.map((c) => `${c.expr} AS ${c.alias}`).join(',\n    ');
  return `SELECT ${leaves},
    ${PATH_COLUMN} AS path,
    ${DELIVERED} AS delivered,
    from_iso8601_timestamp(eventtime) AS ts
  FROM ${tableName(scope)}
  WHERE ${partitionPredicate(scope, from, to)}`;
}

/**
 * The rows a window keeps, exactly as the local window runner does (src/pipeline/pull-window.ts
 * with cloudtrail-files' pull.ts): events in [start, end) from files delivered in
 * [start, end + margin); and events of an earlier window of the period that reached no file its
 * own window read (delivered past that window's end + margin), taken once, by the window whose
 * own delivery range (its end, or end + margin for the last) holds their file.
 */
export function windowMembership(scope: QueryScope, w: TimeWindow): string {
  const onTime = `(delivered >= ${delivered(w.start)} AND delivered < ${delivered(w.end + scope.lateMs)} AND ts >= ${ts(w.start)} AND ts < ${ts(w.end)})`;
  const earlier = scope.plan.filter((p) => p.end <= w.start);
  if (earlier.length === 0) return onTime;
  const last = scope.plan[scope.plan.length - 1];
  const ownRangeEnd = last && last.index === w.index ? w.end + scope.lateMs : w.end;
  const ownDeadline = `CASE ${earlier.map((p) => `WHEN ts < ${ts(p.end)} THEN ${delivered(p.end + scope.lateMs)}`).join(' ')} END`;
  const late = `(delivered >= ${delivered(w.start)} AND delivered < ${delivered(ownRangeEnd)} AND ts >= ${ts(scope.period.start)} AND ts < ${ts(w.start)} AND delivered >= ${ownDeadline})`;
  return `(${onTime}\n    OR ${late})`;
}

/** The key an event is de-duplicated by: its eventID (a record without one is keyed by what identifies it). */
const EVENT_KEY = `coalesce(c_event_id, concat('noid:', coalesce(c_event_time, ''), '|', coalesce(c_event_source, ''), '|', coalesce(c_event_name, ''), '|', coalesce(c_request_id, '')))`;

/** The normalizer steps and the local clock, over a relation named `kept`. */
function normalizedCtes(timeZone: string): string {
  const local = `ts AT TIME ZONE ${sqlString(timeZone)}`;
  const utc = `ts AT TIME ZONE 'UTC'`;
  return `s1 AS (
  ${selectStep('kept', STEP_TRIMMED)}
),
s2 AS (
  ${selectStep('s1', STEP_ROLE)}
),
s3 AS (
  ${selectStep('s2', STEP_IDENTITY)}
),
s4 AS (
  ${selectStep('s3', STEP_EVENT)}
),
located AS (
  SELECT *,
    CAST(CAST(${local} AS date) AS varchar) AS l_day,
    day_of_week(${local}) AS l_dow,
    hour(${local}) * 60 + minute(${local}) AS l_minute,
    CAST(CAST(${utc} AS date) AS varchar) || ' ' || CAST(hour(${utc}) AS varchar) AS u_hour,
    ${EVENT_KEY} AS event_key
  FROM s4
)`;
}

/**
 * (a) The counts the report needs, one row per (local day, service, operation, response code,
 * outcome, requester, requester type, client), with kept = false for copies of an event already
 * counted (duplicates); and (grouping set 2) the UTC hours that have events, for quiet periods.
 */
export function aggregateQuery(scope: QueryScope, w: TimeWindow): string {
  return `WITH scanned AS (
  ${scanned(scope, w.start, w.end + scope.lateMs)}
),
kept AS (
  SELECT * FROM scanned WHERE ${windowMembership(scope, w)}
),
${normalizedCtes(scope.timeZone)},
numbered AS (
  SELECT *, row_number() OVER (PARTITION BY event_key ORDER BY path, c_event_time) = 1 AS first_copy FROM located
)
SELECT
  grouping(u_hour) AS by_group,
  l_day, n_service, n_operation, n_code, n_outcome, n_requester, n_requester_type, n_client_name, first_copy, u_hour,
  count(*) AS events,
  min_by(c_event_time, ts) AS first_time,
  max_by(c_event_time, ts) AS last_time,
  min(n_user_agent) AS user_agent
FROM numbered
GROUP BY GROUPING SETS (
  (l_day, n_service, n_operation, n_code, n_outcome, n_requester, n_requester_type, n_client_name, first_copy),
  (u_hour)
)`;
}

/** Whole seconds where the rule's window is whole seconds: an interval literal both engines read. */
function intervalLiteral(ms: number): string {
  const seconds = ms / 1000;
  return `INTERVAL ${sqlString(Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(3))} SECOND`;
}

/** How far around a window a burst can reach: its events need their neighbours to be found. */
export function burstReach(rules: CompiledRules): number {
  return rules.bursts.reduce((m, b) => Math.max(m, b.windowMs), 0);
}

/**
 * (b) The exception candidates: full rows of the window's events that meet any event rule's
 * predicate or belong to a burst (findBursts() of src/rules/burst.ts: an event is in a burst iff
 * some run of `threshold` consecutive matching events of its requester containing it spans less
 * than the window; computed with window functions over the window's events and, for bursts that
 * cross its edges, its neighbours within the burst window). Null when no rule needs rows.
 */
export function exceptionQuery(scope: QueryScope, w: TimeWindow, rules: CompiledRules): string | null {
  if (rules.eventRules.length === 0 && rules.bursts.length === 0) return null;
  const reach = burstReach(rules);
  const from = Math.max(scope.period.start, w.start - reach);
  const to = Math.min(scope.period.end, w.end + reach);
  const inWindow = windowMembership(scope, w);
  const context = reach > 0
    ? `(delivered >= ${delivered(scope.period.start)} AND delivered < ${delivered(scope.period.end + scope.lateMs)} AND ts >= ${ts(from)} AND ts < ${ts(to)})`
    : 'false';
  const order = 'ORDER BY ts, event_key';
  const burstCols = rules.bursts.map((b, i) => `CASE WHEN f${i} THEN lead(ts, ${b.threshold - 1}) OVER (PARTITION BY f${i}, n_requester ${order}) END AS f${i}_run_end`);
  const burstStarts = rules.bursts.map((b, i) => `coalesce(f${i} AND f${i}_run_end < ts + ${intervalLiteral(b.windowMs)}, false) AS f${i}_start`);
  const burstMembers = rules.bursts.map(
    (b, i) =>
      `(f${i} AND max(CASE WHEN f${i}_start THEN 1 ELSE 0 END) OVER (PARTITION BY f${i}, n_requester ${order} ROWS BETWEEN ${b.threshold - 1} PRECEDING AND CURRENT ROW) = 1) AS f${i}_member`,
  );
  const wanted = [...rules.eventRules.map((r) => r.sql), ...rules.bursts.map((_b, i) => `f${i}_member`)];
  const leaves = LEAF_COLUMNS.map((c) => c.alias).join(', ');
  const bursting = rules.bursts.length > 0;
  return `WITH scanned AS (
  ${scanned(scope, from, Math.min(to, scope.period.end) + scope.lateMs)}
),
kept AS (
  SELECT *, coalesce(${inWindow}, false) AS in_window FROM scanned
  WHERE ${inWindow}
    OR ${context}
),
${normalizedCtes(scope.timeZone)},
deduped AS (
  SELECT * FROM (
    SELECT *, row_number() OVER (PARTITION BY event_key ORDER BY in_window DESC, path, c_event_time) AS copy FROM located
  ) WHERE copy = 1
),
flagged AS (
  SELECT *${bursting ? `,\n    ${rules.bursts.map((b, i) => `coalesce(${b.filter}, false) AS f${i}`).join(',\n    ')}` : ''} FROM deduped
),
runs AS (
  SELECT *${bursting ? `,\n    ${burstCols.join(',\n    ')}` : ''} FROM flagged
),
starts AS (
  SELECT *${bursting ? `,\n    ${burstStarts.join(',\n    ')}` : ''} FROM runs
),
members AS (
  SELECT *${bursting ? `,\n    ${burstMembers.join(',\n    ')}` : ''} FROM starts
)
SELECT ${leaves}, path
FROM members
WHERE in_window AND (${wanted.join('\n  OR ')})
ORDER BY ts, event_key`;
}

/**
 * (d) The files the window's scan read (Athena's `"$path"`), each with its records and those
 * inside the window: the completeness proof compares them with the digests, and the ledger counts
 * records received and outside the window as the local path does.
 */
export function filesQuery(scope: QueryScope, w: TimeWindow): string {
  return `SELECT path, count(*) AS records, sum(CASE WHEN ts >= ${ts(w.start)} AND ts < ${ts(w.end)} THEN 1 ELSE 0 END) AS in_window
FROM (
  SELECT ${PATH_COLUMN} AS path, from_iso8601_timestamp(eventtime) AS ts
  FROM ${tableName(scope)}
  WHERE ${partitionPredicate(scope, w.start, w.end + scope.lateMs)}
)
GROUP BY path
ORDER BY path`;
}
