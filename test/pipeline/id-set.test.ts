import { describe, expect, it } from 'vitest';
import { createIdSet } from '../../src/pipeline/id-set.js';

/** A lower-case UUID from a counter (distinct for distinct n). */
const uuid = (n: number) => {
  const h = (n >>> 0).toString(16).padStart(8, '0');
  return `${h}-0000-4000-8000-${(n * 7919 >>> 0).toString(16).padStart(12, '0')}`;
};

describe('createIdSet', () => {
  it('keeps every id and its content across many growths of the table: duplicates, collisions and unseen ids told apart', () => {
    const set = createIdSet();
    const n = 40_000;
    for (let i = 0; i < n; i++) expect(set.check(uuid(i), i + 0.5)).toBe('new');
    for (let i = 0; i < n; i += 7) expect(set.check(uuid(i), i + 0.5)).toBe('duplicate');
    for (let i = 3; i < n; i += 1001) expect(set.check(uuid(i), -1)).toBe('collision');
    expect(set.has(uuid(n - 1))).toBe(true);
    expect(set.has(uuid(n + 5))).toBe(false);
    expect(set.check('not-a-uuid', 1)).toBe('new');
    expect(set.check('not-a-uuid', 1)).toBe('duplicate');
    expect(set.collisions().size).toBe(Math.ceil((n - 3) / 1001));
  });

  it('keeps ids apart that differ only in spelling: upper-case hex, or a character that is no hex digit, never shares a UUID\'s slot', () => {
    const set = createIdSet();
    const lower = 'abcdef0f-0000-4000-8000-000000000001';
    expect(set.check(lower, 1)).toBe('new');
    expect(set.check(lower.toUpperCase(), 2)).toBe('new');
    expect(set.check('abcdef0g-0000-4000-8000-000000000001', 3)).toBe('new');
    expect(set.check(lower, 1)).toBe('duplicate');
    expect(set.collisions().size).toBe(0);
  });

  it('tells the nil UUID (whose words are those of a free slot) and contents of 0 apart like any other', () => {
    const set = createIdSet();
    const nil = '00000000-0000-0000-0000-000000000000';
    expect(set.has(nil)).toBe(false);
    expect(set.check(nil, 0)).toBe('new');
    expect(set.has(nil)).toBe(true);
    expect(set.check(nil, 0)).toBe('duplicate');
    expect(set.check(nil, 1)).toBe('collision');
    expect(set.check(uuid(1), 0)).toBe('new');
    expect(set.check(uuid(1), 0)).toBe('duplicate');
    expect(set.has(uuid(2))).toBe(false);
  });
});
