import { describe, expect, it } from 'vitest';
import { splitReasons } from '../../../src/render/pdf/sections/exceptions.js';

describe('splitReasons', () => {
  it('states one shared reason once, with no row detail', () => {
    expect(splitReasons(['Root used.', 'Root used.'])).toEqual({ base: 'Root used.', details: [null, null] });
  });

  it('keeps only the bracketed detail of each row', () => {
    const r = splitReasons(['After hours (2026-11-01 22:14 Sun)', 'After hours (2026-11-02 23:01 Mon)', 'After hours']);
    expect(r).toEqual({ base: 'After hours', details: ['2026-11-01 22:14 Sun', '2026-11-02 23:01 Mon', null] });
  });

  it('cuts after the rule text, not at a bracket inside it', () => {
    const base = 'Rejected (4xx other than 401/403): usually a client bug';
    const r = splitReasons([`${base} (3 events)`, `${base} (30 events)`]);
    expect(r.base).toBe(base);
    expect(r.details).toEqual(['3 events', '30 events']);
  });

  it('gives each row its whole reason when the reasons share no rule text', () => {
    const r = splitReasons(['A window failed', 'A digest is missing']);
    expect(r).toEqual({ base: null, details: ['A window failed', 'A digest is missing'] });
  });
});
