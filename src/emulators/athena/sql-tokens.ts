/**
 * A small SQL tokenizer, enough to find the statement kind, the tables a query reads, the
 * conjuncts of its WHERE clauses and the parts of a CREATE EXTERNAL TABLE. Not a parser: the
 * SQL itself runs on DuckDB, and tests check its grammar with a real Trino grammar.
 */
export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Identifier or keyword as written (quoted: without the quotes); string: its value. */
  text: string;
  /** Offsets in the source, the quotes included. */
  start: number;
  end: number;
}

export class SqlTokenError extends Error {}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) throw new SqlTokenError('unterminated comment');
      i = close + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const start = i;
      let text = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new SqlTokenError(`unterminated ${c === "'" ? 'string' : 'identifier'} at ${start}`);
        if (sql[i] === c) {
          if (sql[i + 1] === c) {
            text += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += sql[i++];
      }
      tokens.push({ kind: c === "'" ? 'string' : 'quoted', text, start, end: i });
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i, i + 256));
    if (word) {
      tokens.push({ kind: 'word', text: word[0], start: i, end: i + word[0].length });
      i += word[0].length;
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(sql.slice(i, i + 64));
    if (num) {
      tokens.push({ kind: 'number', text: num[0], start: i, end: i + num[0].length });
      i += num[0].length;
      continue;
    }
    const two = sql.slice(i, i + 2);
    const op = ['<=', '>=', '<>', '!=', '||', '->'].includes(two) ? two : c;
    tokens.push({ kind: 'punct', text: op, start: i, end: i + op.length });
    i += op.length;
  }
  return tokens;
}

/** A keyword test: an unquoted word, any case. */
export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t !== undefined && t.kind === 'word' && words.includes(t.text.toUpperCase());
}

export function isPunct(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === text;
}

/** An identifier, quoted or not, lower-cased as Athena folds names. */
export function identifier(t: Token | undefined): string | null {
  if (!t) return null;
  if (t.kind === 'word' || t.kind === 'quoted') return t.text.toLowerCase();
  return null;
}

/** Index of the token closing the parenthesis opened at `open`. */
export function closingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')')) {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new SqlTokenError('unbalanced parentheses');
}
