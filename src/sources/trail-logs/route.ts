/**
 * Turns a concrete request path into its route (`/v1/keys/9f2c4a…` → `/v1/keys/:id`) so that
 * aggregation groups calls by endpoint instead of by the resource they touched.
 */
export function collapseRoute(path: string): string {
  const bare = path.split(/[?#]/, 1)[0] ?? '';
  const segments = bare.split('/').map((s) => (s === '' || !isIdSegment(s) ? s : ':id'));
  let route = segments.join('/');
  if (route.length > 1 && route.endsWith('/')) route = route.slice(0, -1);
  return route.startsWith('/') ? route : `/${route}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const DATE = /^\d{4}-\d{2}-\d{2}([T ].*)?$/;

function isIdSegment(raw: string): boolean {
  // Every test below needs 8 characters or more, or a digit-only segment, `%`, `@` or `:`: a short
  // plain word (`v1`, `keys`) is no id, found without a pattern.
  if (raw.length < 8 && isShortWord(raw)) return false;
  let s = raw;
  try {
    s = decodeURIComponent(raw);
  } catch {
    // A malformed escape is kept as written.
  }
  if (/^\d+$/.test(s)) return true;
  if (UUID.test(s)) return true;
  if (/^did:[a-z0-9]+:/i.test(s)) return true;
  if (/^[0-9a-f]{16,}$/i.test(s)) return true;
  if (/^[0-9a-f]{8,}$/i.test(s) && /\d/.test(s)) return true;
  if (ULID.test(s)) return true;
  if (DATE.test(s)) return true;
  if (s.includes('@')) return true;
  // Prefixed or encoded ids (`key_01HZX…`, base64url): long, and mixing letters with digits.
  const digits = s.replace(/\D/g, '').length;
  if (s.length >= 16 && /^[A-Za-z0-9_.:=~+-]+$/.test(s) && digits >= 2 && /[A-Za-z]/.test(s)) return true;
  return false;
}

/** Not all digits, and no `%` (an escape), `@` or `:`. */
function isShortWord(s: string): boolean {
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 || c === 0x40 || c === 0x3a) return false;
    if (c >= 0x30 && c <= 0x39) digits++;
  }
  return digits < s.length;
}
