// Only the two grammars, not the package index: it would load (and vite would transform) seven.
import { HiveSQL } from 'dt-sql-parser/dist/parser/hive/index.js';
import { TrinoSQL } from 'dt-sql-parser/dist/parser/trino/index.js';

const trino = new TrinoSQL();
const hive = new HiveSQL();

/**
 * Checks SQL sent to Athena against real grammars (dt-sql-parser's ANTLR grammars): queries under
 * Trino's, which Athena engine v3 runs (https://docs.aws.amazon.com/athena/latest/ug/functions-env3.html),
 * and DDL under Hive's, which Athena's DDL follows (https://docs.aws.amazon.com/athena/latest/ug/ddl-reference.html).
 * DuckDB accepts much that Athena refuses (`->>`, `::` casts, …): this is what keeps it out.
 * Returns the first error as text, or null when the SQL parses.
 */
export function checkAthenaSql(sql: string, kind: 'DDL' | 'DML'): string | null {
  const errors = (kind === 'DDL' ? hive : trino).validate(sql);
  if (errors.length === 0) return null;
  const e = errors[0];
  return `line ${e.startLine}:${e.startColumn}: ${e.message} (${kind === 'DDL' ? 'Hive DDL' : 'Trino'} grammar)`;
}

export function checkTrinoQuery(sql: string): string | null {
  return checkAthenaSql(sql, 'DML');
}
