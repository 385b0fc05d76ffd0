import { isPunct, tokenize } from './sql-tokens.js';

/**
 * The Trino functions auditpack's queries use that DuckDB lacks or names differently, as DuckDB
 * macros, so the Athena SQL runs unchanged. Each follows Trino's documented semantics
 * (https://trino.io/docs/current/functions.html); where DuckDB differs, the macro says how it
 * closes the gap. Grow this list when a query needs another function, with a test.
 */
export const TRINO_MACROS: readonly string[] = [
  // https://trino.io/docs/current/functions/datetime.html#from_iso8601_timestamp: CloudTrail's eventTime is "2024-03-10T06:30:00Z".
  `CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
  `CREATE MACRO to_iso8601(t) AS strftime(CAST(t AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%g') || 'Z'`,
  `CREATE MACRO to_unixtime(t) AS epoch(t)`,
  `CREATE MACRO from_unixtime(n) AS to_timestamp(n)`,
  `CREATE MACRO at_timezone(t, z) AS timezone(z, t)`,
  // Trino's day_of_week is ISO: Monday 1 … Sunday 7; DuckDB's dayofweek has Sunday 0.
  `CREATE MACRO day_of_week(t) AS isodow(t)`,
  `CREATE MACRO dow(t) AS isodow(t)`,
  `CREATE MACRO day_of_year(t) AS dayofyear(t)`,
  // https://trino.io/docs/current/functions/datetime.html#date_format (MySQL specifiers): %Y %m %d %H match strftime; DuckDB wants the format constant, so %i (minutes) is not translated.
  `CREATE MACRO date_format(t, f) AS strftime(CAST(t AS TIMESTAMP), f)`,
  // Trino's json_extract_scalar returns NULL when the value at the path is an object or array
  // (https://trino.io/docs/current/functions/json.html#json_extract_scalar); DuckDB's json_extract_string returns its text.
  `CREATE MACRO json_extract_scalar(j, p) AS CASE WHEN json_type(CAST(j AS JSON), p) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(CAST(j AS JSON), p) END`,
  `CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)`,
  `CREATE MACRO approx_distinct(x) AS approx_count_distinct(x)`,
  `CREATE MACRO arbitrary(x) AS any_value(x)`,
  `CREATE MACRO cardinality(x) AS len(x)`,
  // https://trino.io/docs/current/functions/binary.html: to_utf8 gives a varbinary, xxhash64 its 64-bit
  // hash (varbinary), to_hex its hex text. DuckDB's hash() is another 64-bit hash: the values differ
  // from Trino's, the use (telling contents apart, as equal or not) does not.
  `CREATE MACRO to_utf8(s) AS encode(s)`,
  `CREATE MACRO xxhash64(b) AS hash(b)`,
  // https://trino.io/docs/current/functions/json.html#json_format: the JSON value's text; DuckDB's JSON casts to it.
  `CREATE MACRO json_format(j) AS CAST(j AS VARCHAR)`,
];

/**
 * Trino functions whose DuckDB twin has another name and takes a lambda (which a DuckDB macro
 * cannot pass on): renamed in the SQL text, as function calls only.
 * https://trino.io/docs/current/functions/array.html#transform, #filter, #any_match
 */
const RENAMED_FUNCTIONS: Readonly<Record<string, string>> = {
  transform: 'list_transform',
  filter: 'list_filter',
};

/** The SQL with the renamed functions' calls replaced; everything else untouched. */
export function renameTrinoFunctions(sql: string): string {
  let out = '';
  let last = 0;
  const tokens = tokenize(sql);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const to = t.kind === 'word' && isPunct(tokens[i + 1], '(') ? RENAMED_FUNCTIONS[t.text.toLowerCase()] : undefined;
    if (!to) continue;
    out += sql.slice(last, t.start) + to;
    last = t.end;
  }
  return out + sql.slice(last);
}

/** Athena's names for the column types a result can have (ResultSetMetadata.ColumnInfo.Type). */
export function trinoTypeName(duckdbType: string): string {
  const t = duckdbType.toUpperCase();
  if (t.endsWith('[]')) return 'array';
  if (t.startsWith('STRUCT')) return 'row';
  if (t.startsWith('MAP')) return 'map';
  if (t.startsWith('DECIMAL')) return 'decimal';
  switch (t) {
    case 'VARCHAR':
      return 'varchar';
    case 'BIGINT':
    case 'HUGEINT':
    case 'UBIGINT':
      return 'bigint';
    case 'INTEGER':
    case 'UINTEGER':
      return 'integer';
    case 'SMALLINT':
    case 'USMALLINT':
      return 'smallint';
    case 'TINYINT':
    case 'UTINYINT':
      return 'tinyint';
    case 'DOUBLE':
      return 'double';
    case 'FLOAT':
      return 'real';
    case 'BOOLEAN':
      return 'boolean';
    case 'DATE':
      return 'date';
    case 'TIMESTAMP':
      return 'timestamp';
    case 'TIMESTAMP WITH TIME ZONE':
      return 'timestamp with time zone';
    case 'JSON':
      return 'json';
    default:
      return 'varchar';
  }
}
