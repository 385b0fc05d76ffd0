import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { tableKey, type TableDef } from './catalog.js';
import { duckdbType, quoteIdent } from './hive-types.js';
import { cloudTrailKeyCasing, learnKeyCasing, readerType, spelling } from './json-casing.js';
import type { ObjectStore } from './object-store.js';
import { tableFiles, type CandidateFile } from './projection.js';
import { trinoColumnNames } from './column-names.js';
import { findTableRefs } from './table-refs.js';
import { renameTrinoFunctions, TRINO_MACROS, trinoTypeName } from './trino-compat.js';

const FETCH_AHEAD = 8;
const FILES_PER_BATCH = 500;
const BYTES_PER_BATCH = 128 * 1024 * 1024;
const MIN_OBJECT_BYTES = 32 * 1024 * 1024;
const SAMPLE_RECORDS = 50;

export interface ResultColumn {
  name: string;
  /** Athena's type name (varchar, bigint, …). */
  type: string;
}

export interface QueryOutput {
  columns: ResultColumn[];
  /** Values as GetQueryResults returns them: strings, null for SQL NULL. */
  rows: (string | null)[][];
  /** Compressed bytes of the files the query read (what Athena bills). */
  bytesScanned: number;
  /** s3:// URLs of the files the query read. */
  filesRead: string[];
}

/** A failure Athena reports in the query's status (the query ran and failed). */
export class QueryFailure extends Error {
  constructor(
    message: string,
    readonly errorCategory: 1 | 2 | 3,
    readonly errorType: number,
  ) {
    super(message);
  }
}

export interface Engine {
  run(sql: string, defaultDatabase: string, tables: (database: string, name: string) => TableDef | undefined, now: number): Promise<QueryOutput>;
  /** A table was dropped or replaced: forget its loaded rows. */
  forget(database: string, name: string): Promise<void>;
  close(): Promise<void>;
}

interface LoadedTable {
  sqlName: string;
  /** Column definitions the DuckDB table was created with (a replaced table with other columns is recreated). */
  signature: string;
  /** path → etag of the files whose rows are in the table. */
  files: Map<string, string>;
}

/**
 * Runs Athena SQL on an in-process DuckDB. A table's rows are loaded from its objects on first
 * read (and again when an object changes), converted as the Hive JSON SerDe reads them; a query
 * reads a view of the files its partition predicates leave, so `"$path"`, the bytes scanned and
 * the silent zero rows of an unprojected partition are Athena's. Queries run one at a time.
 */
export async function createEngine(store: ObjectStore): Promise<Engine> {
  // Never fetch an extension: json and icu ship inside the npm package, and CI reaches only npm.
  // A database file in a scratch folder rather than memory: a benchmark's million events spill to disk.
  // One thread: the emulator's queries are small and run one at a time, and on the 2 cores the tests
  // and the demo share with the client, DuckDB's extra threads only contended with it (the Athena
  // half of test/sources/cloudtrail-athena/differential-data: 40 -> 23 s, 21 -> 15 CPU s, at load 10).
  const scratch = await mkdtemp(join(tmpdir(), 'auditpack-athena-'));
  const instance = await DuckDBInstance.create(join(scratch, 'tables.duckdb'), { autoinstall_known_extensions: 'false', memory_limit: '1GB', threads: '1' });
  const conn = await instance.connect();
  await conn.run(`SET TimeZone = 'UTC'`);
  for (const m of TRINO_MACROS) await conn.run(m);
  const loaded = new Map<string, LoadedTable>();
  const casing = cloudTrailKeyCasing();
  let queue: Promise<unknown> = Promise.resolve();
  let seq = 0;

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };

  async function ensureTable(table: TableDef): Promise<LoadedTable> {
    const key = tableKey(table.database, table.name);
    const columns = [...table.columns, ...table.partitions].map((c) => `${quoteIdent(c.name)} ${duckdbType(c.type)}`);
    columns.push(`"$path" VARCHAR`);
    const signature = columns.join(', ');
    const existing = loaded.get(key);
    if (existing && existing.signature === signature) return existing;
    const sqlName = quoteIdent(`t_${table.database}__${table.name}`);
    await conn.run(`DROP TABLE IF EXISTS ${sqlName}`);
    await conn.run(`CREATE TABLE ${sqlName} (${signature})`);
    const fresh = { sqlName, signature, files: new Map<string, string>() };
    loaded.set(key, fresh);
    return fresh;
  }

  /**
   * Loads the rows of files not loaded yet (or changed since). DuckDB reads the objects itself,
   * in batches, with a STRUCT type spelled as the JSON is (json-casing.ts): one file of each batch
   * is parsed here to learn the spellings; the rest never passes through JavaScript.
   */
  async function loadFiles(table: TableDef, target: LoadedTable, files: readonly CandidateFile[]): Promise<void> {
    const stale = files.filter((f) => target.files.get(f.path) !== f.etag);
    if (stale.length === 0) return;
    const fetches = new Map<number, Promise<Buffer>>();
    const fetchAt = (i: number) => {
      if (i < stale.length && !fetches.has(i)) fetches.set(i, store.get(splitBucket(stale[i].path), stale[i].key));
    };
    for (let i = 0; i < Math.min(FETCH_AHEAD, stale.length); i++) fetchAt(i);
    let batch: { file: CandidateFile; local: string; bytes: number }[] = [];
    let batchBytes = 0;
    for (const [i, f] of stale.entries()) {
      fetchAt(i + FETCH_AHEAD);
      const bytes = await (fetches.get(i) as Promise<Buffer>);
      fetches.delete(i);
      const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
      if (batch.length === 0) for (const r of sampleRecords(gz ? gunzipSync(bytes) : bytes, isCloudTrailFormat(table))) learnKeyCasing(r, table.columns, casing);
      const local = join(scratch, `obj-${++seq}.json${gz ? '.gz' : ''}`);
      await writeFile(local, bytes);
      const size = gz && bytes.length >= 4 ? bytes.readUInt32LE(bytes.length - 4) : bytes.length;
      batch.push({ file: f, local, bytes: size });
      batchBytes += size;
      if (batch.length >= FILES_PER_BATCH || batchBytes >= BYTES_PER_BATCH) {
        await insertBatch(table, target, batch);
        batch = [];
        batchBytes = 0;
      }
    }
    await insertBatch(table, target, batch);
  }

  async function insertBatch(table: TableDef, target: LoadedTable, batch: { file: CandidateFile; local: string; bytes: number }[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      for (const b of batch) {
        if (target.files.has(b.file.path)) await conn.run(`DELETE FROM ${target.sqlName} WHERE "$path" = ${sqlLiteral(b.file.path)}`);
      }
      const mapName = `load_map_${++seq}`;
      const partCols = table.partitions.map((p) => `${quoteIdent(p.name)} ${duckdbType(p.type)}`);
      await conn.run(`CREATE TEMP TABLE ${mapName} (local VARCHAR, path VARCHAR${partCols.map((c) => `, ${c}`).join('')})`);
      try {
        const values = batch.map((b) => `(${[b.local, b.file.path, ...table.partitions.map((p) => b.file.partition[p.name])].map((v) => sqlLiteral(v)).join(', ')})`);
        await conn.run(`INSERT INTO ${mapName} VALUES ${values.join(', ')}`);
        // Buffers of this size per thread: the largest object of the batch, at least Athena's 32 MB row limit.
        const maxObject = Math.max(MIN_OBJECT_BYTES, ...batch.map((b) => b.bytes + 1024));
        const files = `[${batch.map((b) => sqlLiteral(b.local)).join(', ')}]`;
        const targetCols = [...table.columns, ...table.partitions].map((c) => quoteIdent(c.name)).concat('"$path"');
        const partSelect = table.partitions.map((p) => `m.${quoteIdent(p.name)}`);
        let select: string;
        if (isCloudTrailFormat(table)) {
          const recordType = readerType({ kind: 'struct', fields: table.columns.map((c) => ({ name: c.name, type: c.type })) }, casing, duckdbType, '');
          const cols = table.columns.map((c) => `j.r.${quoteIdent(spelling(c.name, c.name, casing))}`);
          select = `SELECT ${[...cols, ...partSelect, 'm.path'].join(', ')} FROM (SELECT unnest(Records) AS r, filename FROM read_json(${files}, columns = {Records: ${sqlLiteral(`${recordType}[]`)}}, filename = true, maximum_object_size = ${maxObject})) j JOIN ${mapName} m ON j.filename = m.local`;
        } else {
          const spec = table.columns.map((c) => `${quoteIdent(spelling(c.name, c.name, casing))}: ${sqlLiteral(readerType(c.type, casing, duckdbType, c.name))}`);
          const cols = table.columns.map((c) => `j.${quoteIdent(spelling(c.name, c.name, casing))}`);
          select = `SELECT ${[...cols, ...partSelect, 'm.path'].join(', ')} FROM read_json(${files}, format = 'newline_delimited', columns = {${spec.join(', ')}}, filename = true, maximum_object_size = ${maxObject}) j JOIN ${mapName} m ON j.filename = m.local`;
        }
        await conn.run(`INSERT INTO ${target.sqlName} (${targetCols.join(', ')}) ${select}`);
      } finally {
        await conn.run(`DROP TABLE IF EXISTS ${mapName}`);
      }
      for (const b of batch) target.files.set(b.file.path, b.file.etag);
    } catch (e) {
      throw new QueryFailure(`HIVE_CURSOR_ERROR: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, 2, 1100);
    } finally {
      for (const b of batch) await rm(b.local, { force: true });
    }
  }

  async function candidates(table: TableDef, now: number): Promise<CandidateFile[]> {
    const layout = tableFiles(table);
    const out: CandidateFile[] = [];
    for (const o of await store.list(layout.bucket, layout.prefix)) {
      const partition = layout.match(o.key, now);
      if (partition) out.push({ path: `s3://${layout.bucket}/${o.key}`, key: o.key, size: o.size, etag: o.etag, partition });
    }
    return out;
  }

  /** The candidates whose partition values satisfy every pruning conjunct, evaluated by DuckDB itself. */
  async function prune(table: TableDef, files: CandidateFile[], conjuncts: readonly string[], tag: string): Promise<CandidateFile[]> {
    if (conjuncts.length === 0 || files.length === 0 || table.partitions.length === 0) return files;
    const name = `parts_${tag}`;
    const cols = table.partitions.map((p) => `${quoteIdent(p.name)} ${duckdbType(p.type)}`).join(', ');
    await conn.run(`CREATE TEMP TABLE ${name} (i INTEGER, ${cols})`);
    try {
      const values = files.map((f, i) => `(${i}, ${table.partitions.map((p) => sqlLiteral(f.partition[p.name])).join(', ')})`);
      for (let k = 0; k < values.length; k += 1000) await conn.run(`INSERT INTO ${name} VALUES ${values.slice(k, k + 1000).join(', ')}`);
      const kept = await conn.runAndReadAll(`SELECT i FROM ${name} WHERE ${conjuncts.map((c) => `(${c})`).join(' AND ')}`);
      return kept.getRows().map((r) => files[Number(r[0])]);
    } catch (e) {
      throw asFailure(e);
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${name}`);
    }
  }

  async function run(sql: string, defaultDatabase: string, tables: (database: string, name: string) => TableDef | undefined, now: number): Promise<QueryOutput> {
    const refs = findTableRefs(
      sql,
      defaultDatabase,
      (db, name) => tables(db, name) !== undefined,
      (db, name) => (tables(db, name)?.partitions ?? []).map((p) => p.name),
    );
    const tag = `q${++seq}`;
    const views: string[] = [];
    let rewritten = '';
    let last = 0;
    let bytesScanned = 0;
    const filesRead = new Set<string>();
    try {
      for (const [k, ref] of refs.entries()) {
        const table = tables(ref.database, ref.name) as TableDef;
        checkInjected(table, ref.partitionConjuncts);
        const target = await ensureTable(table);
        const read = await prune(table, await candidates(table, now), ref.partitionConjuncts, `${tag}_${k}`);
        await loadFiles(table, target, read);
        const view = `${tag}_${k}`;
        const pathList = read.length > 0 ? read.map((f) => sqlLiteral(f.path)).join(', ') : 'NULL';
        await conn.run(`CREATE TEMP VIEW ${view} AS SELECT * FROM ${target.sqlName} WHERE "$path" IN (${pathList})`);
        views.push(view);
        rewritten += sql.slice(last, ref.start) + view;
        last = ref.end;
        for (const f of read) {
          bytesScanned += f.size;
          filesRead.add(f.path);
        }
      }
      rewritten += sql.slice(last);
      let result;
      try {
        result = await conn.runAndReadAll(renameTrinoFunctions(rewritten).replace(/;\s*$/, ''));
      } catch (e) {
        throw asFailure(e, defaultDatabase);
      }
      const types = result.columnTypes().map((t) => t.toString());
      const names = trinoColumnNames(sql);
      const aligned = names !== null && names.length === types.length;
      return {
        columns: result.columnNames().map((name, i) => ({ name: (aligned ? names[i] : null) ?? name, type: trinoTypeName(types[i]) })),
        rows: result.getRows().map((r) => r.map((v) => formatValue(v))),
        bytesScanned,
        filesRead: [...filesRead].sort(),
      };
    } finally {
      for (const v of views) await conn.run(`DROP VIEW IF EXISTS ${v}`);
    }
  }

  return {
    run: (sql, db, tables, now) => serial(() => run(sql, db, tables, now)),
    forget: (database, name) =>
      serial(async () => {
        const t = loaded.get(tableKey(database, name));
        if (!t) return;
        loaded.delete(tableKey(database, name));
        await conn.run(`DROP TABLE IF EXISTS ${t.sqlName}`);
      }),
    close: () =>
      serial(async () => {
        conn.closeSync();
        instance.closeSync();
        await rm(scratch, { recursive: true, force: true });
      }),
  };
}

/**
 * An injected projected partition has no values of its own: "queries on the table must include a
 * static equality condition" on it (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-dynamic-id-partitioning.html).
 */
function checkInjected(table: TableDef, conjuncts: readonly string[]): void {
  for (const p of table.partitions) {
    if (table.properties[`projection.${p.name}.type`]?.toLowerCase() !== 'injected') continue;
    const col = `"${p.name}"`;
    const equality = conjuncts.some((c) => c.trim().startsWith(col) && /^\s*(=\s*'[^']*'|IN\s*\(\s*'[^']*'(\s*,\s*'[^']*')*\s*\))\s*$/i.test(c.trim().slice(col.length)));
    if (!equality) {
      throw new QueryFailure(
        `CONSTRAINT_VIOLATION: For the injected projected partition column ${p.name}, the WHERE clause must contain only static equality conditions, and at least one such condition must be present.`,
        2,
        1301,
      );
    }
  }
}

function isCloudTrailFormat(table: TableDef): boolean {
  return /CloudTrail/i.test(table.inputFormat ?? '') || /CloudTrailSerde/i.test(table.serde ?? '');
}

/**
 * Records of a file, to learn key spellings from: CloudTrailInputFormat reads each element of a
 * file's `Records` as a row; other JSON tables read one object per line.
 */
function sampleRecords(bytes: Buffer, cloudTrail: boolean): unknown[] {
  const text = bytes.toString('utf8');
  try {
    if (cloudTrail) {
      const doc = JSON.parse(text) as { Records?: unknown };
      return Array.isArray(doc.Records) ? doc.Records.slice(0, SAMPLE_RECORDS) : [];
    }
    return text
      .split('\n')
      .filter((l) => l.trim())
      .slice(0, SAMPLE_RECORDS)
      .map((l) => JSON.parse(l) as unknown);
  } catch {
    // DuckDB reports the unreadable file when it reads it.
    return [];
  }
}

function splitBucket(path: string): string {
  return path.slice('s3://'.length, path.indexOf('/', 's3://'.length));
}

function sqlLiteral(v: string | undefined): string {
  return v === undefined ? 'NULL' : `'${v.replace(/'/g, "''")}'`;
}

/** DuckDB's error text to the failure Athena would report: category 2 (user) for what the SQL asked. */
function asFailure(e: unknown, database = 'default'): QueryFailure {
  if (e instanceof QueryFailure) return e;
  const message = e instanceof Error ? e.message : String(e);
  const missing = /Table with name (\S+) does not exist/.exec(message);
  if (missing) return new QueryFailure(`TABLE_NOT_FOUND: line 1:1: Table 'awsdatacatalog.${database}.${missing[1]}' does not exist`, 2, 1301);
  const fn = /Scalar Function with name (\S+) does not exist/.exec(message);
  if (fn) return new QueryFailure(`FUNCTION_NOT_FOUND: ${message.split('\n')[0]} (the emulator runs DuckDB: map the Trino function in src/emulators/athena/trino-compat.ts)`, 2, 1301);
  if (/^Parser Error/.test(message)) return new QueryFailure(`SYNTAX_ERROR: ${message}`, 2, 1002);
  if (/^(Binder|Catalog) Error/.test(message)) return new QueryFailure(`COLUMN_NOT_FOUND: ${message}`, 2, 1301);
  return new QueryFailure(`GENERIC_USER_ERROR: ${message}`, 2, 1300);
}

/** A value as Athena's GetQueryResults writes it (Trino's text forms). */
export function formatValue(v: DuckDBValue): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e7 && !Object.is(v, -0) ? String(v) : javaDouble(v);
  if (v instanceof DuckDBDateValue) return v.toString();
  if (v instanceof DuckDBTimestampTZValue) return `${microsText(v.micros)} UTC`;
  if (v instanceof DuckDBTimestampValue) return microsText(v.micros);
  if (v instanceof DuckDBDecimalValue) return v.toString();
  if (v instanceof DuckDBListValue) return `[${v.items.map((i) => formatValue(i) ?? 'null').join(', ')}]`;
  if (v instanceof DuckDBStructValue) return `{${Object.entries(v.entries).map(([k, i]) => `${k}=${formatValue(i) ?? 'null'}`).join(', ')}}`;
  if (v instanceof DuckDBMapValue) return `{${v.entries.map((e) => `${formatValue(e.key) ?? 'null'}=${formatValue(e.value) ?? 'null'}`).join(', ')}}`;
  return String(v);
}

function microsText(micros: bigint): string {
  const ms = Number(micros / 1000n);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** Java's Double.toString, which Trino uses for doubles: "1.0", "0.5", "1.0E7". */
function javaDouble(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(v);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) {
    const s = String(v);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant, exp] = v.toExponential().split('e');
  return `${mant.includes('.') ? mant : `${mant}.0`}E${Number(exp)}`;
}

