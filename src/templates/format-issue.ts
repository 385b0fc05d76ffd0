import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** `rules[3].match.operation.regex`; keys that are not identifiers are quoted: `attributes["a-b"]`. */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(top level)';
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

const ARTICLE: Record<string, string> = { object: 'an object', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false', int: 'an integer' };

/** The most specific issue of a union: the branch that got deepest into the value explains best. */
function deepest(issue: Issue): { issue: Issue; prefix: PathKey[] } {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, prefix: [] };
  let best: Issue | null = null;
  let bestScore = -1;
  for (const branch of issue.errors) {
    for (const i of branch) {
      const score = i.path.length * 2 + (i.code === 'invalid_type' && i.path.length === 0 ? 0 : 1);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
  }
  // Every branch refused the value's type outright: the union's own message says what fits.
  if (!best || bestScore === 0) return { issue, prefix: [] };
  const inner = deepest(best);
  return { issue: inner.issue, prefix: [...best.path, ...inner.prefix] };
}

/** What was expected at the issue's place, phrased for one line: `expected a string, got 5`. */
export function explainIssue(root: unknown, issue: Issue): { path: PathKey[]; text: string } {
  const { issue: i, prefix } = deepest(issue);
  const path = [...issue.path, ...prefix];
  const got = valueAt(root, path);
  const ownMessage = /^[a-z]/.test(i.message);
  switch (i.code) {
    case 'unrecognized_keys': {
      const key = i.keys[0];
      const more = i.keys.length > 1 ? ` (also ${i.keys.slice(1).map((k) => `"${k}"`).join(', ')})` : '';
      return { path: [...path, key], text: `unknown key "${key}"${more}: remove it or check its spelling` };
    }
    case 'invalid_type':
      if (got === undefined) return { path, text: `missing: expected ${ARTICLE[i.expected] ?? i.expected}` };
      return { path, text: `expected ${ARTICLE[i.expected] ?? i.expected}, got ${describeValue(got)}` };
    case 'invalid_value':
      return { path, text: `expected ${ownMessage ? i.message : `one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`}, got ${describeValue(got)}` };
    case 'invalid_union':
      if (i.discriminator !== undefined && i.errors.length === 0 && 'options' in i) {
        const options = i.options ?? [];
        const where = got === null || typeof got !== 'object' || Array.isArray(got) ? path : [...path, i.discriminator];
        const value = valueAt(root, where);
        return { path: where, text: `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${describeValue(value)}` };
      }
      return { path, text: `expected ${ownMessage ? i.message : 'a different kind of value'}, got ${describeValue(got)}` };
    case 'too_small':
    case 'too_big': {
      if (ownMessage) return { path, text: `expected ${i.message}, got ${describeValue(got)}` };
      const bound = Number(i.code === 'too_small' ? i.minimum : i.maximum);
      const dir = i.code === 'too_small' ? 'at least' : 'at most';
      if (i.origin === 'array') return { path, text: `expected ${dir} ${bound} item${bound === 1 ? '' : 's'}, got ${Array.isArray(got) ? got.length : describeValue(got)}` };
      if (i.origin === 'string') return { path, text: `expected ${dir} ${bound} character${bound === 1 ? '' : 's'}, got ${describeValue(got)}` };
      const strict = i.inclusive === false ? (i.code === 'too_small' ? 'more than' : 'less than') : dir;
      return { path, text: `expected a number ${strict} ${bound}, got ${describeValue(got)}` };
    }
    default: {
      const saysGot = got === undefined || typeof got === 'object' || i.message.includes(JSON.stringify(got));
      if (ownMessage) return { path, text: `expected ${i.message}${saysGot ? '' : `, got ${describeValue(got)}`}` };
      return { path, text: i.message };
    }
  }
}

/** Where a JSON.parse error is, as "line L column C", from whichever form this Node.js reports. */
export function jsonErrorLocation(text: string, error: unknown): string | null {
  const message = error instanceof Error ? error.message : String(error);
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return `line ${lc[1]} column ${lc[2]}`;
  const pos = /position (\d+)/.exec(message);
  const offset = pos ? Number(pos[1]) : /end of JSON input/i.test(message) ? text.length : contextOffset(text, message);
  if (offset === null) return null;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line} column ${column}`;
}

/**
 * Newer V8 (Node 20+) says `Unexpected token '}', ..."urces": [\n}\n" is not valid JSON`: no
 * position, but up to 10 characters of context each side of the token (V8's
 * kMaxContextCharacters), with "..." where the context was cut.
 */
function contextOffset(text: string, message: string): number | null {
  const m = /Unexpected token '([\s\S])', (\.\.\.)?"([\s\S]*)"(?:\.\.\.)? is not valid JSON/.exec(message);
  if (!m) return null;
  const [, token, cut, context] = m;
  const at = text.indexOf(context);
  if (at < 0) return null;
  return cut ? at + 10 : at + context.indexOf(token);
}
