import { identifier, isPunct, isWord, tokenize, type Token } from './sql-tokens.js';

/**
 * The result column names Trino gives the outer SELECT: an alias, or a column reference's own
 * name, or `_colN` (N its position from 0) for any other expression; DuckDB names those after
 * their text instead. Null where the list cannot be read (then DuckDB's names stand), or for a
 * `*` item, whose names DuckDB already gives right.
 */
export function trinoColumnNames(sql: string): (string | null)[] | null {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch {
    return null;
  }
  const select = outerSelect(tokens);
  if (select < 0) return null;
  let i = select + 1;
  if (isWord(tokens[i], 'DISTINCT', 'ALL')) i++;
  const items: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (; i < tokens.length; i++) {
    const t = tokens[i];
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    if (depth < 0) break;
    if (depth === 0 && (isWord(t, 'FROM', 'WHERE', 'GROUP', 'ORDER', 'LIMIT', 'UNION', 'HAVING', 'EXCEPT', 'INTERSECT') || isPunct(t, ';'))) break;
    if (depth === 0 && isPunct(t, ',')) {
      items.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  items.push(current);
  return items.map((item, n) => nameOf(item, n));
}

function nameOf(item: Token[], n: number): string | null {
  const last = item[item.length - 1];
  if (!last) return null;
  if (isPunct(last, '*')) return null;
  const beforeLast = item[item.length - 2];
  if (item.length >= 2 && (last.kind === 'word' || last.kind === 'quoted')) {
    // `expr AS name`, or `expr name` after a value (not a.b, which is a reference).
    if (isWord(beforeLast, 'AS')) return identifier(last);
    if (!isPunct(beforeLast, '.') && (isPunct(beforeLast, ')') || beforeLast.kind === 'string' || beforeLast.kind === 'number' || beforeLast.kind === 'word' || beforeLast.kind === 'quoted')) {
      if (!isWord(last, 'END')) return identifier(last);
    }
  }
  // A column reference (a, t.a, t.a.b): its last name.
  const isReference = item.every((t, k) => (k % 2 === 0 ? t.kind === 'word' || t.kind === 'quoted' : isPunct(t, '.')));
  if (isReference && item.length % 2 === 1) return identifier(last);
  return `_col${n}`;
}

/** The SELECT of the outermost query: the first at depth 0 (after a WITH list's parenthesised queries). */
function outerSelect(tokens: readonly Token[]): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')')) depth--;
    else if (depth === 0 && isWord(tokens[i], 'SELECT')) return i;
  }
  return -1;
}
