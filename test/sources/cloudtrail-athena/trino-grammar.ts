/**
 * The Trino grammar (dt-sql-parser's antlr4 TrinoSQL) as a syntax gate: every SQL text auditpack
 * sends to Athena must parse as Trino, so nothing DuckDB-only slips through the emulator. Only the
 * Trino parser module is imported: the package index loads every dialect (tens of MB) and took
 * most of a minute under vitest.
 */
let parser: Promise<{ validate(sql: string): { message: string }[] }> | null = null;

export async function trinoSyntaxErrors(sql: string): Promise<string[]> {
  parser ??= import('dt-sql-parser/dist/parser/trino/index.js').then((m) => new m.TrinoSQL());
  return (await parser).validate(sql).map((e) => e.message);
}
