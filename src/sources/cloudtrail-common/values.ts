/** Tolerant readers for CloudTrail record fields: real records carry nulls, empty strings and string booleans. */

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object, or an empty one for null, absent or non-object values. */
export function obj(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

/** A non-empty trimmed string, or undefined (numbers are stated as strings). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * "true"/"false" from a boolean or the string forms real records use ("True", "false", "Yes",
 * "No", "YES"): CloudTrail's additionalEventData.MFAUsed is "Yes"/"No", sessionContext's
 * mfaAuthenticated is "true"/"false", and enriched copies sometimes say "True".
 */
export function boolString(v: unknown): 'true' | 'false' | undefined {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const s = str(v)?.toLowerCase();
  if (s === 'true' || s === 'yes') return 'true';
  if (s === 'false' || s === 'no') return 'false';
  return undefined;
}
