import { identifier, isPunct, isWord, tokenize, type Token } from './sql-tokens.js';

/** Where a query reads a catalog table, and the WHERE conjuncts Athena prunes its partitions with. */
export interface TableRef {
  database: string;
  name: string;
  /** Offsets of the table name (qualifiers included) in the SQL text. */
  start: number;
  end: number;
  /**
   * Conjuncts of the WHERE clause of the same SELECT that name only partition columns and
   * literals, with qualifiers removed: every row the query keeps satisfies each of them.
   */
  partitionConjuncts: string[];
}

const CLAUSE_END = ['GROUP', 'ORDER', 'LIMIT', 'HAVING', 'UNION', 'EXCEPT', 'INTERSECT', 'WINDOW', 'OFFSET', 'FETCH'];
/** Words allowed in a pruning conjunct besides partition columns and function names. */
const PREDICATE_WORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'IS', 'NULL', 'LIKE', 'TRUE', 'FALSE', 'CAST', 'AS', 'VARCHAR', 'DATE', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'ESCAPE']);

/**
 * Finds each `FROM t` / `JOIN t` naming a table of the catalog (`isTable`), resolving unqualified
 * names in `defaultDatabase` and `awsdatacatalog.db.t` as Athena does.
 */
export function findTableRefs(
  sql: string,
  defaultDatabase: string,
  isTable: (database: string, name: string) => boolean,
  partitionColumns: (database: string, name: string) => readonly string[],
): TableRef[] {
  const tokens = tokenize(sql);
  const refs: TableRef[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'FROM', 'JOIN') && !(isPunct(tokens[i], ',') && inFromList(tokens, i))) continue;
    const path: string[] = [];
    let j = i + 1;
    for (;;) {
      const name = identifier(tokens[j]);
      if (!name) break;
      path.push(name);
      if (!isPunct(tokens[j + 1], '.')) break;
      j += 2;
    }
    if (path.length === 0 || path.length > 3 || isPunct(tokens[j + 1], '(')) continue;
    if (path.length === 3 && path[0] !== 'awsdatacatalog') continue;
    const [database, name] = path.length === 1 ? [defaultDatabase, path[0]] : [path[path.length - 2], path[path.length - 1]];
    if (!isTable(database, name)) continue;
    const alias = aliasAfter(tokens, j + 1);
    const columns = partitionColumns(database, name);
    refs.push({
      database,
      name,
      start: tokens[i + 1].start,
      end: tokens[j].end,
      partitionConjuncts: whereConjuncts(tokens, j + 1)
        .map((c) => partitionOnly(sql, tokens.slice(c[0], c[1]), columns, [name, alias].filter((x): x is string => !!x)))
        .filter((c): c is string => c !== null),
    });
  }
  return refs;
}

/** A comma continues a FROM list when the nearest FROM before it, at the same depth, has no clause keyword between. */
function inFromList(tokens: readonly Token[], comma: number): boolean {
  let depth = 0;
  for (let k = comma - 1; k >= 0; k--) {
    const t = tokens[k];
    if (isPunct(t, ')')) depth++;
    else if (isPunct(t, '(')) {
      if (depth === 0) return false;
      depth--;
    } else if (depth === 0) {
      if (isWord(t, 'FROM')) return true;
      if (isWord(t, 'SELECT', 'WHERE', 'ON', ...CLAUSE_END)) return false;
    }
  }
  return false;
}

function aliasAfter(tokens: readonly Token[], k: number): string | null {
  const t = isWord(tokens[k], 'AS') ? tokens[k + 1] : tokens[k];
  if (!t) return null;
  if (t.kind === 'quoted') return t.text.toLowerCase();
  if (t.kind === 'word' && !isWord(t, 'WHERE', 'JOIN', 'LEFT', 'RIGHT', 'INNER', 'FULL', 'CROSS', 'ON', 'USING', ...CLAUSE_END)) return t.text.toLowerCase();
  return null;
}

/** Token ranges [from, to) of the depth-0 AND-ed conjuncts of the WHERE clause following token k. */
function whereConjuncts(tokens: readonly Token[], k: number): [number, number][] {
  let depth = 0;
  let where = -1;
  for (let i = k; i < tokens.length; i++) {
    const t = tokens[i];
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) {
      if (depth === 0) return [];
      depth--;
    } else if (depth === 0 && (isPunct(t, ';') || isWord(t, ...CLAUSE_END))) return [];
    else if (depth === 0 && isWord(t, 'WHERE')) {
      where = i;
      break;
    }
  }
  if (where < 0) return [];
  const out: [number, number][] = [];
  let start = where + 1;
  let betweenPending = false;
  depth = 0;
  let i = start;
  for (; i < tokens.length; i++) {
    const t = tokens[i];
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (isPunct(t, ';') || isWord(t, ...CLAUSE_END))) break;
    else if (depth === 0 && isWord(t, 'BETWEEN')) betweenPending = true;
    else if (depth === 0 && isWord(t, 'AND')) {
      if (betweenPending) betweenPending = false;
      else {
        out.push([start, i]);
        start = i + 1;
      }
    }
  }
  out.push([start, i]);
  return out.filter(([a, b]) => b > a);
}

/** The conjunct's text if it names partition columns and nothing else a row holds; qualifiers dropped. */
function partitionOnly(sql: string, tokens: readonly Token[], columns: readonly string[], qualifiers: readonly string[]): string | null {
  let text = '';
  let usesPartition = false;
  let last = tokens[0]?.start ?? 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    text += sql.slice(last, t.start);
    last = t.end;
    if (t.kind === 'word' || t.kind === 'quoted') {
      const name = t.text.toLowerCase();
      if (isPunct(tokens[i + 1], '.') && qualifiers.includes(name) && columns.includes(identifier(tokens[i + 2]) ?? '')) {
        // `c.account` → `account`: skip the qualifier and the dot.
        last = tokens[i + 1].end;
        i++;
        continue;
      }
      if (columns.includes(name)) {
        usesPartition = true;
        text += `"${name}"`;
        continue;
      }
      if (t.kind === 'word' && (PREDICATE_WORDS.has(t.text.toUpperCase()) || isPunct(tokens[i + 1], '('))) {
        text += sql.slice(t.start, t.end);
        continue;
      }
      return null;
    }
    text += sql.slice(t.start, t.end);
  }
  return usesPartition ? text : null;
}
