import type { MatchSpec, StringMatch } from '../../../rules/rule-spec.js';
import { ATTRIBUTE_COLUMNS, ATTRIBUTES_WITHOUT_COLUMN } from './normalized.js';
import { sqlIn, sqlString } from './literals.js';

/** What the compiled SQL knows without reading a row: the source's own name and type. */
export interface StaticFacts {
  source: string;
  sourceType: string;
}

/** A SQL boolean that is never NULL, or the reason a match cannot be written in SQL. */
export type Compiled = { sql: string } | { inexpressible: string };

const TRUE = { sql: 'true' };
const FALSE = { sql: 'false' };

/** Normalized columns (normalized.ts) for the fields a match names. */
const FIELD_COLUMNS: Partial<Record<keyof MatchSpec, string>> = {
  service: 'n_service',
  operation: 'n_operation',
  // operationName differs from operation only for SMAPI's versioned names (match.ts operationName()).
  operationName: 'n_operation',
  outcome: 'n_outcome',
  responseCode: 'n_code',
  responseClass: 'n_class',
  requester: 'n_requester',
  requesterType: 'n_requester_type',
  region: 'n_region',
  account: 'n_account',
  sourceIp: 'n_source_ip',
  userAgent: 'n_user_agent',
};

/**
 * compileStringMatch() of src/rules/match.ts as SQL. A NULL value never matches there (undefined
 * fails every test), so each test is wrapped in coalesce(…, false): `not` then negates exactly as
 * the local engine does instead of turning unknown into unknown.
 */
export function compileStringMatch(column: string, m: StringMatch): string {
  const definite = (test: string) => `coalesce(${test}, false)`;
  if (typeof m === 'string') return definite(`${column} = ${sqlString(m)}`);
  if (Array.isArray(m)) return definite(sqlIn(column, m));
  const fold = (v: string) => (m.ignoreCase ? `lower(${v})` : v);
  const lit = (v: string) => sqlString(m.ignoreCase ? v.toLowerCase() : v);
  if (m.equals !== undefined) return definite(`${fold(column)} = ${lit(m.equals)}`);
  if (m.in !== undefined) return definite(m.ignoreCase ? sqlIn(`lower(${column})`, m.in.map((v) => v.toLowerCase())) : sqlIn(column, m.in));
  if (m.prefix !== undefined) {
    const p = m.ignoreCase ? m.prefix.toLowerCase() : m.prefix;
    if (p.length === 0) return definite(`${column} IS NOT NULL`);
    return definite(`substr(${fold(column)}, 1, ${[...p].length}) = ${sqlString(p)}`);
  }
  if (m.regex !== undefined) return definite(`regexp_like(${column}, ${sqlString((m.ignoreCase ? '(?i)' : '') + m.regex)})`);
  return 'false';
}

/** Whether `value` passes a string match, for the fields whose value is known up front. */
function staticMatch(value: string, m: StringMatch): boolean {
  if (typeof m === 'string') return value === m;
  if (Array.isArray(m)) return m.includes(value);
  const f = (v: string) => (m.ignoreCase ? v.toLowerCase() : v);
  if (m.equals !== undefined) return f(value) === f(m.equals);
  if (m.in !== undefined) return m.in.map(f).includes(f(value));
  if (m.prefix !== undefined) return f(value).startsWith(f(m.prefix));
  if (m.regex !== undefined) return new RegExp(m.regex, m.ignoreCase ? 'i' : '').test(value);
  return false;
}

function and(parts: Compiled[]): Compiled {
  // A part known false decides the conjunction, whatever else cannot be written.
  if (parts.some((p) => 'sql' in p && p.sql === 'false')) return FALSE;
  const bad = parts.find((p): p is { inexpressible: string } => 'inexpressible' in p);
  if (bad) return bad;
  const sql = (parts as { sql: string }[]).map((p) => p.sql).filter((p) => p !== 'true');
  if (sql.length === 0) return TRUE;
  return { sql: sql.length === 1 ? sql[0] : `(${sql.join(' AND ')})` };
}

function or(parts: Compiled[]): Compiled {
  if (parts.some((p) => 'sql' in p && p.sql === 'true')) return TRUE;
  const bad = parts.find((p): p is { inexpressible: string } => 'inexpressible' in p);
  if (bad) return bad;
  const sql = (parts as { sql: string }[]).map((p) => p.sql).filter((p) => p !== 'false');
  if (sql.length === 0) return FALSE;
  return { sql: sql.length === 1 ? sql[0] : `(${sql.join(' OR ')})` };
}

function not(p: Compiled): Compiled {
  if ('inexpressible' in p) return p;
  if (p.sql === 'true') return FALSE;
  if (p.sql === 'false') return TRUE;
  return { sql: `(NOT ${p.sql})` };
}

/**
 * compileMatch() of src/rules/match.ts as a SQL predicate over the normalized columns: every key
 * present must hold (AND), `anyOf` is an OR, `not` negates. Source name and type are known, so
 * they fold to true/false. Resources come from requestParameters in ways SQL cannot follow
 * (record-resources.ts), so a match on them is inexpressible, as are attributes without a column.
 */
export function compileMatchSql(spec: MatchSpec, facts: StaticFacts): Compiled {
  const parts: Compiled[] = [];
  if (spec.sourceType !== undefined) parts.push(staticMatch(facts.sourceType, spec.sourceType) ? TRUE : FALSE);
  if (spec.source !== undefined) parts.push(staticMatch(facts.source, spec.source) ? TRUE : FALSE);
  for (const [key, column] of Object.entries(FIELD_COLUMNS) as [keyof MatchSpec, string][]) {
    const m = spec[key] as StringMatch | undefined;
    if (m !== undefined) parts.push({ sql: compileStringMatch(column, m) });
  }
  if (spec.client !== undefined) {
    parts.push(or([{ sql: compileStringMatch('n_client_name', spec.client) }, { sql: compileStringMatch('n_user_agent', spec.client) }]));
  }
  if (spec.resource !== undefined) parts.push({ inexpressible: 'it matches on resources, which the local normalizer derives from requestParameters' });
  if (spec.resourceType !== undefined) parts.push({ inexpressible: 'it matches on resource types, which the local normalizer derives from requestParameters' });
  for (const [name, m] of Object.entries(spec.attributes ?? {})) {
    const column = ATTRIBUTE_COLUMNS[name];
    if (column) parts.push({ sql: compileStringMatch(column, m) });
    else if (ATTRIBUTES_WITHOUT_COLUMN.has(name)) parts.push({ inexpressible: `attribute ${name} has no column in the Athena table` });
    // An attribute CloudTrail records never carry is absent, and an absent attribute never matches.
    else parts.push(FALSE);
  }
  if (spec.anyOf !== undefined) parts.push(or(spec.anyOf.map((m) => compileMatchSql(m, facts))));
  if (spec.not !== undefined) parts.push(not(compileMatchSql(spec.not, facts)));
  return and(parts);
}
