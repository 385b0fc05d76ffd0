import { parseHiveType, type HiveType } from './hive-types.js';
import { closingParen, identifier, isPunct, isWord, SqlTokenError, tokenize, type Token } from './sql-tokens.js';

export interface ColumnDef {
  name: string;
  type: HiveType;
  /** As written in the DDL. */
  typeText: string;
}

export interface TableDef {
  database: string;
  name: string;
  columns: ColumnDef[];
  partitions: ColumnDef[];
  location: string;
  serde: string | null;
  inputFormat: string | null;
  properties: Record<string, string>;
  /** The DDL text that created it. */
  ddl: string;
}

/** What a DDL statement did to the catalog. */
export type DdlOutcome =
  | { kind: 'create-database'; database: string }
  | { kind: 'create-table'; table: TableDef }
  | { kind: 'drop-table'; database: string; name: string }
  | { kind: 'set-properties'; database: string; name: string; properties: Record<string, string> };

export class DdlError extends Error {
  constructor(
    message: string,
    /** Athena's ErrorType for it, when known. */
    readonly errorType = 1003,
  ) {
    super(message);
  }
}

/** Databases and tables, as the Glue Data Catalog would hold them (one catalog, AwsDataCatalog). */
export interface Catalog {
  databases: Set<string>;
  tables: Map<string, TableDef>;
  get(database: string, name: string): TableDef | undefined;
  /** Applies a DDL statement; throws DdlError with Athena's message for what it refuses. */
  apply(sql: string, defaultDatabase: string): DdlOutcome;
}

export function tableKey(database: string, name: string): string {
  return `${database}.${name}`;
}

export function createCatalog(): Catalog {
  const databases = new Set(['default']);
  const tables = new Map<string, TableDef>();
  return {
    databases,
    tables,
    get: (database, name) => tables.get(tableKey(database, name)),
    apply(sql, defaultDatabase) {
      const outcome = parseDdl(sql, defaultDatabase);
      switch (outcome.kind) {
        case 'create-database':
          databases.add(outcome.database);
          return outcome;
        case 'create-table': {
          const t = outcome.table;
          if (!databases.has(t.database)) throw new DdlError(`Database ${t.database} not found.`, 1301);
          const exists = tables.has(tableKey(t.database, t.name));
          if (exists && !/\bIF\s+NOT\s+EXISTS\b/i.test(sql)) throw new DdlError(`AlreadyExistsException: Table ${t.database}.${t.name} already exists`, 1004);
          if (!exists) tables.set(tableKey(t.database, t.name), t);
          return outcome;
        }
        case 'drop-table': {
          const key = tableKey(outcome.database, outcome.name);
          if (!tables.has(key) && !/\bIF\s+EXISTS\b/i.test(sql)) throw new DdlError(`Table not found ${outcome.database}.${outcome.name}`, 1301);
          tables.delete(key);
          return outcome;
        }
        case 'set-properties': {
          const t = tables.get(tableKey(outcome.database, outcome.name));
          if (!t) throw new DdlError(`Table not found ${outcome.database}.${outcome.name}`, 1301);
          t.properties = { ...t.properties, ...outcome.properties };
          return outcome;
        }
      }
    },
  };
}

/** Is this statement DDL (what Athena runs through the Hive metastore side)? */
export function isDdl(sql: string): boolean {
  return /^\s*(CREATE|DROP|ALTER|MSCK|SHOW|DESCRIBE)\b/i.test(stripLeadingComments(sql));
}

function stripLeadingComments(sql: string): string {
  return sql.replace(/^(\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/))*/, '');
}

function parseDdl(sql: string, defaultDatabase: string): DdlOutcome {
  let tokens: Token[];
  try {
    tokens = tokenize(sql).filter((t) => !isPunct(t, ';'));
  } catch (e) {
    throw new DdlError(`line 1:1: ${(e as Error).message}`, 1002);
  }
  const r = reader(tokens);
  if (r.word('CREATE')) {
    if (r.word('DATABASE') || r.word('SCHEMA')) {
      r.optional('IF', 'NOT', 'EXISTS');
      return { kind: 'create-database', database: r.name() };
    }
    r.word('EXTERNAL');
    if (!r.word('TABLE')) throw new DdlError('Only CREATE [EXTERNAL] TABLE and CREATE DATABASE are emulated', 1001);
    r.optional('IF', 'NOT', 'EXISTS');
    const [database, name] = r.qualifiedName(defaultDatabase);
    return { kind: 'create-table', table: parseTableBody(r, sql, database, name) };
  }
  if (r.word('DROP')) {
    if (!r.word('TABLE')) throw new DdlError('Only DROP TABLE is emulated', 1001);
    r.optional('IF', 'EXISTS');
    const [database, name] = r.qualifiedName(defaultDatabase);
    return { kind: 'drop-table', database, name };
  }
  if (r.word('ALTER')) {
    if (!r.word('TABLE')) throw new DdlError('Only ALTER TABLE … SET TBLPROPERTIES is emulated', 1001);
    const [database, name] = r.qualifiedName(defaultDatabase);
    if (!r.word('SET') || !r.word('TBLPROPERTIES')) throw new DdlError('Only ALTER TABLE … SET TBLPROPERTIES is emulated', 1001);
    return { kind: 'set-properties', database, name, properties: r.properties() };
  }
  throw new DdlError(`line 1:1: statement not supported by the emulator: ${sql.trim().split(/\s+/).slice(0, 3).join(' ')}`, 1001);
}

function parseTableBody(r: Reader, sql: string, database: string, name: string): TableDef {
  const columns = r.columns(sql);
  const table: TableDef = { database, name, columns, partitions: [], location: '', serde: null, inputFormat: null, properties: {}, ddl: sql };
  while (!r.done()) {
    if (r.word('COMMENT')) r.string();
    else if (r.word('PARTITIONED')) {
      r.expectWord('BY');
      table.partitions = r.columns(sql);
    } else if (r.word('ROW')) {
      r.expectWord('FORMAT');
      if (r.word('SERDE')) {
        table.serde = r.string();
        if (r.word('WITH')) {
          r.expectWord('SERDEPROPERTIES');
          r.properties();
        }
      } else {
        r.expectWord('DELIMITED');
        while (!r.done() && !r.peekWord('STORED', 'LOCATION', 'TBLPROPERTIES')) r.skip();
      }
    } else if (r.word('STORED')) {
      r.expectWord('AS');
      if (r.word('INPUTFORMAT')) {
        table.inputFormat = r.string();
        r.expectWord('OUTPUTFORMAT');
        r.string();
      } else r.skip();
    } else if (r.word('LOCATION')) table.location = r.string();
    else if (r.word('TBLPROPERTIES')) table.properties = r.properties();
    else throw new DdlError(`line 1:1: mismatched input '${r.peek()?.text ?? ''}' in CREATE TABLE`, 1002);
  }
  if (!/^s3:\/\/[^/]+/.test(table.location)) throw new DdlError('LOCATION must be an s3:// URL', 1003);
  return table;
}

interface Reader {
  done(): boolean;
  peek(): Token | undefined;
  peekWord(...words: string[]): boolean;
  skip(): void;
  word(w: string): boolean;
  expectWord(w: string): void;
  optional(...words: string[]): void;
  name(): string;
  qualifiedName(defaultDatabase: string): [string, string];
  string(): string;
  columns(sql: string): ColumnDef[];
  properties(): Record<string, string>;
}

function reader(tokens: readonly Token[]): Reader {
  let i = 0;
  const fail = (what: string): never => {
    throw new DdlError(`line 1:${(tokens[i]?.start ?? 0) + 1}: ${what} expected, found '${tokens[i]?.text ?? 'end of statement'}'`, 1002);
  };
  const self: Reader = {
    done: () => i >= tokens.length,
    peek: () => tokens[i],
    peekWord: (...words) => isWord(tokens[i], ...words),
    skip: () => {
      i++;
    },
    word(w) {
      if (isWord(tokens[i], w)) {
        i++;
        return true;
      }
      return false;
    },
    expectWord(w) {
      if (!self.word(w)) fail(w);
    },
    optional(...words) {
      if (!isWord(tokens[i], words[0])) return;
      for (const w of words) self.expectWord(w);
    },
    name() {
      const n = identifier(tokens[i]);
      if (!n) return fail('a name');
      i++;
      return n;
    },
    qualifiedName(defaultDatabase) {
      const first = self.name();
      if (isPunct(tokens[i], '.')) {
        i++;
        return [first, self.name()];
      }
      return [defaultDatabase, first];
    },
    string() {
      const t = tokens[i];
      if (t?.kind !== 'string') return fail('a quoted string');
      i++;
      return t.text;
    },
    columns(sql) {
      if (!isPunct(tokens[i], '(')) fail('(');
      const close = closingParen(tokens, i);
      const out: ColumnDef[] = [];
      let j = i + 1;
      while (j < close) {
        const name = identifier(tokens[j]);
        if (!name) throw new DdlError(`line 1:${tokens[j].start + 1}: a column name expected`, 1002);
        let end = j + 1;
        let depth = 0;
        while (end < close) {
          const t = tokens[end];
          if (isPunct(t, '<') || isPunct(t, '(')) depth++;
          else if (isPunct(t, '>') || isPunct(t, ')')) depth--;
          else if (depth === 0 && (isPunct(t, ',') || isWord(t, 'COMMENT'))) break;
          end++;
        }
        const typeText = sql.slice(tokens[j + 1].start, tokens[end - 1].end);
        let type: HiveType;
        try {
          type = parseHiveType(typeText);
        } catch (e) {
          throw new DdlError(`line 1:${tokens[j + 1].start + 1}: column ${name}: ${e instanceof SqlTokenError ? e.message : String(e)}`, 1002);
        }
        out.push({ name, type, typeText });
        if (isWord(tokens[end], 'COMMENT')) end += 2;
        j = isPunct(tokens[end], ',') ? end + 1 : end;
      }
      i = close + 1;
      return out;
    },
    properties() {
      if (!isPunct(tokens[i], '(')) fail('(');
      const close = closingParen(tokens, i);
      const props: Record<string, string> = {};
      let j = i + 1;
      while (j < close) {
        const k = tokens[j];
        const v = tokens[j + 2];
        if (k?.kind !== 'string' || !isPunct(tokens[j + 1], '=') || v?.kind !== 'string') {
          throw new DdlError(`line 1:${(k?.start ?? 0) + 1}: properties are written 'key'='value'`, 1002);
        }
        props[k.text] = v.text;
        j += 3;
        if (isPunct(tokens[j], ',')) j++;
      }
      i = close + 1;
      return props;
    },
  };
  return self;
}
