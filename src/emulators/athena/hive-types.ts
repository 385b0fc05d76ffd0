import { closingParen, isPunct, SqlTokenError, tokenize, type Token } from './sql-tokens.js';

/** A column type of a Hive DDL (what Athena's CREATE EXTERNAL TABLE takes). */
export type HiveType =
  | { kind: 'primitive'; name: string; args: number[] }
  | { kind: 'array'; element: HiveType }
  | { kind: 'map'; key: HiveType; value: HiveType }
  | { kind: 'struct'; fields: { name: string; type: HiveType }[] };

/** Parses `STRUCT<a:STRING, b:ARRAY<INT>>` etc. (https://docs.aws.amazon.com/athena/latest/ug/data-types.html). */
export function parseHiveType(text: string): HiveType {
  const tokens = tokenize(text);
  const [type, next] = parseAt(tokens, 0);
  if (next !== tokens.length) throw new SqlTokenError(`unexpected "${tokens[next].text}" in type ${text}`);
  return type;
}

function parseAt(tokens: readonly Token[], i: number): [HiveType, number] {
  const t = tokens[i];
  if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) throw new SqlTokenError('a type name was expected');
  const name = t.text.toLowerCase();
  if (name === 'array' || name === 'map' || name === 'struct') {
    if (!isPunct(tokens[i + 1], '<')) throw new SqlTokenError(`${name} needs <…>`);
    let j = i + 2;
    if (name === 'array') {
      const [element, after] = parseAt(tokens, j);
      return [{ kind: 'array', element }, expect(tokens, after, '>')];
    }
    if (name === 'map') {
      const [key, afterKey] = parseAt(tokens, j);
      const [value, afterValue] = parseAt(tokens, expect(tokens, afterKey, ','));
      return [{ kind: 'map', key, value }, expect(tokens, afterValue, '>')];
    }
    const fields: { name: string; type: HiveType }[] = [];
    for (;;) {
      const f = tokens[j];
      if (!f || (f.kind !== 'word' && f.kind !== 'quoted')) throw new SqlTokenError('a struct field name was expected');
      const [type, after] = parseAt(tokens, expect(tokens, j + 1, ':'));
      fields.push({ name: f.text.toLowerCase(), type });
      if (isPunct(tokens[after], ',')) {
        j = after + 1;
        continue;
      }
      return [{ kind: 'struct', fields }, expect(tokens, after, '>')];
    }
  }
  if (isPunct(tokens[i + 1], '(')) {
    const close = closingParen(tokens, i + 1);
    const args = tokens.slice(i + 2, close).filter((a) => a.kind === 'number').map((a) => Number(a.text));
    return [{ kind: 'primitive', name, args }, close + 1];
  }
  return [{ kind: 'primitive', name, args: [] }, i + 1];
}

function expect(tokens: readonly Token[], i: number, punct: string): number {
  if (!isPunct(tokens[i], punct)) throw new SqlTokenError(`"${punct}" expected in type`);
  return i + 1;
}

const PRIMITIVE_DUCKDB: Record<string, string> = {
  string: 'VARCHAR',
  varchar: 'VARCHAR',
  char: 'VARCHAR',
  boolean: 'BOOLEAN',
  tinyint: 'TINYINT',
  smallint: 'SMALLINT',
  int: 'INTEGER',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  binary: 'BLOB',
};

/** The DuckDB type that holds a Hive column. */
export function duckdbType(t: HiveType): string {
  switch (t.kind) {
    case 'primitive':
      if (t.name === 'decimal') return `DECIMAL(${t.args[0] ?? 10}, ${t.args[1] ?? 0})`;
      return PRIMITIVE_DUCKDB[t.name] ?? 'VARCHAR';
    case 'array':
      return `${duckdbType(t.element)}[]`;
    case 'map':
      return `MAP(${duckdbType(t.key)}, ${duckdbType(t.value)})`;
    case 'struct':
      return `STRUCT(${t.fields.map((f) => `${quoteIdent(f.name)} ${duckdbType(f.type)}`).join(', ')})`;
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
