/**
 * Shares `limit` rows among groups of the given sizes as evenly as they allow (water-filling): each
 * group gets min(size, q) for the largest q that fits, and the rows left over go one each to the
 * next groups still holding more, in the order given. A group with 510 rows can no longer take the
 * whole limit from one with 3.
 */
export function fairShares(sizes: ReadonlyMap<string, number>, limit: number): Map<string, number> {
  const out = new Map<string, number>();
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  if (total <= limit) {
    for (const [k, n] of sizes) out.set(k, n);
    return out;
  }
  const used = (q: number) => [...sizes.values()].reduce((s, n) => s + Math.min(n, q), 0);
  let lo = 0;
  let hi = Math.max(0, ...sizes.values());
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (used(mid) <= limit) lo = mid;
    else hi = mid - 1;
  }
  let left = limit - used(lo);
  for (const [k, n] of sizes) {
    const extra = left > 0 && n > lo ? 1 : 0;
    left -= extra;
    out.set(k, Math.min(n, lo) + extra);
  }
  return out;
}

/**
 * Rows per rule for the PDF: the limit is shared first among criteria (when exceptions are grouped
 * by criterion), then among each criterion's rules.
 */
export function ruleQuotas(byRule: Record<string, number>, controlOf: ReadonlyMap<string, string> | null, limit: number): Map<string, number> {
  const rules = new Map(Object.entries(byRule).filter(([, n]) => n > 0));
  if (!controlOf) return fairShares(rules, limit);
  const byControl = new Map<string, Map<string, number>>();
  for (const [rule, n] of rules) {
    const control = controlOf.get(rule) ?? '';
    if (!byControl.has(control)) byControl.set(control, new Map());
    byControl.get(control)!.set(rule, n);
  }
  const controlSizes = new Map([...byControl].map(([c, m]) => [c, [...m.values()].reduce((a, b) => a + b, 0)] as const));
  const out = new Map<string, number>();
  for (const [control, share] of fairShares(controlSizes, limit)) {
    for (const [rule, n] of fairShares(byControl.get(control)!, share)) out.set(rule, n);
  }
  return out;
}
