import type { TimeWindow } from '../../../model/window.js';
import type { CompiledRules } from './compile-rules.js';
import { PARTITION } from '../table-layout.js';
import { LEAF_COLUMNS, PATH_COLUMN } from './columns.js';
import { CLOUDTRAIL_COLUMNS } from '../table-ddl.js';
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

/**
 * What tells two records apart (the local path: src/util/content-fingerprint.ts, "same id, other
 * content"): every column of the table, each NULL-safe and length-prefixed so no two rows share
 * the text unless they hold the same values, hashed to 64 bits (a chance of about 2^-64 that two
 * different records of one id look the same). The table's columns are the record as Athena reads
 * it: a field outside the AWS-documented schema, or only the order of a record's keys, does not
 * make two records different here, as it does for the local fingerprint.
 */
function contentHash(): string {
  const part = (e: string) => `coalesce(CAST(length(${e}) AS varchar) || ':' || ${e}, '-')`;
  const parts = CLOUDTRAIL_COLUMNS.map(([name, type]) => part(type === 'STRING' ? name : `json_format(CAST(${name} AS JSON))`));
  return `to_hex(xxhash64(to_utf8(${parts.join(' || \'|\' ||\n      ')})))`;
}

/**
 * The key an event is de-duplicated by: its eventID; a record without one is keyed by its content
 * (the local normalizer makes its id of its content, so two of them are never an id collision).
 */
const EVENT_KEY = `coalesce(eventid, concat('noid:', content))`;

/**
 * Which window of the plan counts a record, as cloudtrail-files does (src/pipeline/pull-window.ts
 * pullPeriod: every file delivered in [period start, period end + margin) is read once; an event in
 * the period is counted by the window of its time, a record outside it by the window its file was
 * delivered in): an event in the period is taken by the window of its time when its file was
 * delivered in that window's own range [start, end + margin) (the range that window's queries
 * scan), and otherwise (delivered late, or before the window: a clock skew) by the window its file
 * was delivered in, whose scan reads it. Each record is therefore counted by exactly one window,
 * and the sum over windows is the local path's. NULL: not in the period, or a file outside the range.
 */
function memberWindow(scope: QueryScope): string {
  const plan = scope.plan;
  const first = plan[0];
  const last = plan[plan.length - 1];
  const onTime = `CASE ${plan.map((p) => `WHEN ts < ${ts(p.end)} THEN CASE WHEN delivered >= ${delivered(p.start)} AND delivered < ${delivered(p.end + scope.lateMs)} THEN ${p.index} END`).join(' ')} END`;
  return `CASE WHEN ts >= ${ts(first.start)} AND ts < ${ts(last.end)} AND ${deliveredInPeriod(scope)} THEN coalesce(${onTime}, ${deliveryWindow(scope)}) END`;
}

/** Records outside the period (or with no usable time) are counted by the window their file was delivered in. */
function outsideWindow(scope: QueryScope): string {
  const first = scope.plan[0];
  const last = scope.plan[scope.plan.length - 1];
  return `CASE WHEN (ts IS NULL OR ts < ${ts(first.start)} OR ts >= ${ts(last.end)}) AND ${deliveredInPeriod(scope)} THEN ${deliveryWindow(scope)} END`;
}

function deliveredInPeriod(scope: QueryScope): string {
  const first = scope.plan[0];
  const last = scope.plan[scope.plan.length - 1];
  return `delivered >= ${delivered(first.start)} AND delivered < ${delivered(last.end + scope.lateMs)}`;
}

/** The window a file belongs to by its delivery time (the last one for files delivered in the margin after the period). */
function deliveryWindow(scope: QueryScope): string {
  const plan = scope.plan;
  const last = plan[plan.length - 1];
  if (plan.length === 1) return String(last.index);
  return `CASE ${plan.slice(0, -1).map((p) => `WHEN delivered < ${delivered(p.end)} THEN ${p.index}`).join(' ')} ELSE ${last.index} END`;
}

/** The rows a scan reads, with their file, delivery minute, time, content hash, key and counting window. */
function scanned(scope: QueryScope, from: number, to: number): string {
  const leaves = LEAF_COLUMNS.map((c) => `${c.expr} AS ${c.alias}`).join(',\n    ');
  return `base AS (
  SELECT ${leaves},
    eventid,
    ${PATH_COLUMN} AS path,
    ${DELIVERED} AS delivered,
    from_iso8601_timestamp(eventtime) AS ts,
    ${contentHash()} AS content
  FROM ${tableName(scope)}
  WHERE ${partitionPredicate(scope, from, to)}
),
scanned AS (
  SELECT *,
    ${EVENT_KEY} AS event_key,
    ${memberWindow(scope)} AS member_window,
    ${outsideWindow(scope)} AS outside_window
  FROM base
)`;
}

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
    CAST(CAST(${utc} AS date) AS varchar) || ' ' || CAST(hour(${utc}) AS varchar) AS u_hour
  FROM s4
)`;
}

/** Whether a row's key is one of the keys with more than one record in the period (identityQuery): those rows are returned in full. */
function anomalous(keys: readonly string[]): string {
  return keys.length === 0 ? 'false' : `coalesce(${sqlIn('event_key', keys)}, false)`;
}

/**
 * The period's keys with more than one record (copies delivered twice, or an id reused by other
 * content), each copy with its file and the window that counts it: the only records whose fate
 * (kept, duplicate, id collision) depends on records other windows read. One scan of the period's
 * delivery range; few rows. The windows' queries take these keys as literals and return their
 * rows in full; every other key has exactly one record in the period and needs no de-duplication.
 */
export function identityQuery(scope: QueryScope): string {
  const first = scope.plan[0];
  const last = scope.plan[scope.plan.length - 1];
  return `WITH ${scanned(scope, first.start, last.end + scope.lateMs)},
copies AS (
  SELECT event_key, content, path, member_window, count(*) AS copies
  FROM scanned
  WHERE member_window IS NOT NULL
  GROUP BY event_key, content, path, member_window
),
counted AS (
  SELECT *, sum(copies) OVER (PARTITION BY event_key) AS key_copies FROM copies
)
SELECT event_key, content, path, member_window, copies
FROM counted
WHERE key_copies > 1
ORDER BY event_key, path, content`;
}

/**
 * (a) The counts the report needs, one row per (local day, service, operation, response code,
 * outcome, requester, requester type, client) over the records the window counts, with
 * anomalous = true for the keys identityQuery found (counted by the client from their full rows);
 * (grouping set 2) the UTC hours that have events, for quiet periods.
 */
export function aggregateQuery(scope: QueryScope, w: TimeWindow, anomalousKeys: readonly string[]): string {
  return `WITH ${scanned(scope, w.start, w.end + scope.lateMs)},
kept AS (
  SELECT *, ${anomalous(anomalousKeys)} AS anomalous FROM scanned WHERE member_window = ${w.index}
),
${normalizedCtes(scope.timeZone)}
SELECT
  grouping(u_hour) AS by_group,
  l_day, n_service, n_operation, n_code, n_outcome, n_requester, n_requester_type, n_client_name, anomalous, u_hour,
  count(*) AS events,
  min_by(c_event_time, ts) AS first_time,
  max_by(c_event_time, ts) AS last_time,
  min(n_user_agent) AS user_agent
FROM located
GROUP BY GROUPING SETS (
  (l_day, n_service, n_operation, n_code, n_outcome, n_requester, n_requester_type, n_client_name, anomalous),
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
 * (b, c) The rows the window returns in full: its events that meet any event rule's predicate,
 * belong to a burst (findBursts() of src/rules/burst.ts: an event is in a burst iff some run of
 * `threshold` consecutive matching events of its requester containing it spans less than the
 * window; computed with window functions over the window's events and, for bursts that cross its
 * edges, its neighbours within the burst window), or belong to a sample population (the sampler
 * draws from them: src/rules/sampling.ts); and, as `anomalous`, one row per (key, content, file) of
 * the keys identityQuery found, with its number of copies. Null when nothing needs rows.
 */
export function rowsQuery(scope: QueryScope, w: TimeWindow, rules: CompiledRules, anomalousKeys: readonly string[]): string | null {
  if (rules.eventRules.length === 0 && rules.bursts.length === 0 && rules.populations.length === 0 && anomalousKeys.length === 0) return null;
  const reach = burstReach(rules);
  const first = scope.plan[0];
  const last = scope.plan[scope.plan.length - 1];
  const from = Math.max(first.start, w.start - reach);
  const to = Math.min(last.end, w.end + reach);
  const context = reach > 0 ? `(member_window IS NOT NULL AND ts >= ${ts(from)} AND ts < ${ts(to)})` : 'false';
  const order = 'ORDER BY ts, event_key, content';
  const burstCols = rules.bursts.map((b, i) => `CASE WHEN f${i} THEN lead(ts, ${b.threshold - 1}) OVER (PARTITION BY f${i}, n_requester ${order}) END AS f${i}_run_end`);
  const burstStarts = rules.bursts.map((b, i) => `coalesce(f${i} AND f${i}_run_end < ts + ${intervalLiteral(b.windowMs)}, false) AS f${i}_start`);
  const burstMembers = rules.bursts.map(
    (b, i) =>
      `(f${i} AND max(CASE WHEN f${i}_start THEN 1 ELSE 0 END) OVER (PARTITION BY f${i}, n_requester ${order} ROWS BETWEEN ${b.threshold - 1} PRECEDING AND CURRENT ROW) = 1) AS f${i}_member`,
  );
  const wanted = [...rules.eventRules.map((r) => r.sql), ...rules.bursts.map((_b, i) => `f${i}_member`), ...rules.populations];
  const leaves = LEAF_COLUMNS.map((c) => c.alias).join(', ');
  const bursting = rules.bursts.length > 0;
  return `WITH ${scanned(scope, from, Math.min(to, last.end) + scope.lateMs)},
kept AS (
  SELECT *, coalesce(member_window = ${w.index}, false) AS in_window, ${anomalous(anomalousKeys)} AS anomalous FROM scanned
  WHERE member_window = ${w.index}
    OR ${context}
),
${normalizedCtes(scope.timeZone)},
copies AS (
  SELECT *,
    row_number() OVER (PARTITION BY event_key, content, path ORDER BY ts) AS file_copy,
    count(*) OVER (PARTITION BY event_key, content, path) AS copies,
    row_number() OVER (PARTITION BY event_key, content ORDER BY path) AS copy
  FROM located
),
deduped AS (
  SELECT * FROM copies WHERE copy = 1
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
SELECT ${leaves}, path, event_key, content, false AS anomalous, 1 AS copies, ts
FROM members
WHERE in_window AND NOT anomalous AND (${wanted.length ? wanted.join('\n  OR ') : 'false'})
UNION ALL
SELECT ${leaves}, path, event_key, content, true AS anomalous, copies, ts
FROM copies
WHERE in_window AND anomalous AND file_copy = 1
ORDER BY ts, event_key, content, path`;
}

/**
 * (d) The files the window's scan read (Athena's `"$path"`), each with its records, those inside
 * the window, and those outside the period this window counts (memberWindow): the completeness
 * proof compares the files with the digests, and the ledger counts what the local path counts.
 */
export function filesQuery(scope: QueryScope, w: TimeWindow): string {
  return `WITH ${scanned(scope, w.start, w.end + scope.lateMs)}
SELECT path,
  count(*) AS records,
  sum(CASE WHEN ts >= ${ts(w.start)} AND ts < ${ts(w.end)} THEN 1 ELSE 0 END) AS in_window,
  sum(CASE WHEN outside_window = ${w.index} THEN 1 ELSE 0 END) AS outside_period
FROM scanned
GROUP BY path
ORDER BY path`;
}
