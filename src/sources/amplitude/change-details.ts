import type { ChangeDetail } from '../../model/audit-event.js';

/** Actions that change something (as opposed to a sign-in, a view or a refusal). */
const CHANGE_ACTION = /chang|grant|revok|creat|delet|updat|invit|remov|rotat|configur|reset|add|enabl|disabl|assign|set/i;
/** Property pairs that state a value before and after: old_role/new_role, previous_x/x, from_x/to_x. */
const BEFORE = /^(?:old|previous|prev|from|before)_(.+)$/;
const AFTER = /^(?:new|current|to|after)_(.+)$/;

/**
 * What an Amplitude record says changed: `old_<x>`/`new_<x>` pairs (a role member → admin)
 * become one before → after fact; the other scalar properties of a change action (the permission
 * granted, the setting updated) are facts as stated. Sign-ins, views and refusals change nothing.
 */
export function amplitudeChangeDetails(action: string | undefined, properties: Record<string, unknown>): ChangeDetail[] {
  if (!action || !CHANGE_ACTION.test(action)) return [];
  const scalars = new Map<string, string>();
  for (const [k, v] of Object.entries(properties)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') scalars.set(k, String(v));
  }
  const out: ChangeDetail[] = [];
  const used = new Set<string>();
  for (const [k, before] of scalars) {
    const name = BEFORE.exec(k)?.[1];
    if (!name) continue;
    const afterKey = [...scalars.keys()].find((a) => AFTER.exec(a)?.[1] === name) ?? (scalars.has(name) ? name : undefined);
    if (afterKey === undefined) continue;
    out.push({ name, before, value: scalars.get(afterKey) as string });
    used.add(k).add(afterKey);
  }
  for (const [k, v] of scalars) if (!used.has(k)) out.push({ name: k, value: v });
  return out;
}
