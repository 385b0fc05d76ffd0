import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import { createSampler, sampleSize, samplePositions, type MemberStore } from '../../src/rules/sampling.js';
import { compareEvents } from '../../src/model/event-order.js';
import type { SampleMethodVersion } from '../../src/model/report-model.js';
import type { SampleSpec } from '../../src/rules/rule-spec.js';
import { seededRandom } from '../../src/emulators/kit/random.js';
import { loadTemplate } from '../../src/templates/load-template.js';
import { TEMPLATES_DIR, ev } from './fixtures.js';

const failures: SampleSpec = { population: 'Failed operations', match: { outcome: 'failure' } };
const everything: SampleSpec = { population: 'All events', match: {} };

function population(n: number, prefix = 'e'): AuditEvent[] {
  return Array.from({ length: n }, (_, i) =>
    ev({ id: `${prefix}-${String(i).padStart(5, '0')}`, time: Date.UTC(2026, 9, 1) + i * 60_000, outcome: i % 3 === 0 ? 'failure' : 'success' }),
  );
}

/** A population store in memory, sorted as the spill store sorts. */
function memoryMembers(): MemberStore {
  const rows: AuditEvent[] = [];
  return {
    add: (e) => rows.push(e),
    seal: () => {
      const sorted = [...rows].sort(compareEvents);
      return {
        count: sorted.length,
        open: async function* () { yield* sorted; },
        pick: async function* (positions: readonly number[]) {
          for (const position of [...new Set(positions)].sort((a, b) => a - b)) if (position >= 1 && position <= sorted.length) yield { position, row: sorted[position - 1] };
        },
      };
    },
  };
}

function sample(events: AuditEvent[], specs: SampleSpec[], seed: string, method: SampleMethodVersion = 'v2') {
  const s = createSampler(specs, { seed, seedSource: 'given', method }, memoryMembers);
  for (const e of events) s.onEvent(e, []);
  return s.finish();
}

function shuffle<T>(items: T[], seed: string): T[] {
  const rnd = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd.int(0, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('sample size table', () => {
  it.each([
    [0, 0],
    [1, 1],
    [5, 5],
    [6, 5],
    [50, 5],
    [51, 6],
    [100, 10],
    [249, 25],
    [250, 25],
    [251, 25],
    [100_000, 25],
  ])('population %i → %i', (n, k) => {
    expect(sampleSize(n)).toBe(k);
  });

  it('51–250 takes 10% rounded up: the smallest sample that is at least a tenth of the population', () => {
    expect([51, 59, 60, 61, 101, 150, 151, 241, 249].map(sampleSize)).toEqual([6, 6, 6, 7, 11, 15, 16, 25, 25]);
    for (let n = 51; n <= 250; n++) {
      const k = sampleSize(n);
      expect(k * 10, `n=${n}`).toBeGreaterThanOrEqual(n);
      expect((k - 1) * 10, `n=${n}`).toBeLessThan(n);
    }
    // The size never shrinks as the population grows: no step down at 5/6, 50/51 or 250/251.
    for (let n = 1; n < 400; n++) expect(sampleSize(n + 1), `n=${n}`).toBeGreaterThanOrEqual(sampleSize(n));
  });

  it.each([5, 6, 50, 51, 250, 251])('takes exactly the table size from a real population of %i', async (n) => {
    const [info] = await sample(population(n), [everything], 'seed');
    expect(info.populationSize).toBe(n);
    expect(info.sampleSize).toBe(sampleSize(n));
    expect(info.rows).toHaveLength(sampleSize(n));
    expect(new Set(info.rows.map((r) => r.id)).size).toBe(info.rows.length);
    expect(info.selection.map((p) => p.rank).sort((a, b) => a - b)).toEqual(Array.from({ length: info.rows.length }, (_, i) => i + 1));
  });
});

describe('seeded sample', () => {
  const events = population(1000);

  it('is the same for the same seed whatever the arrival order', async () => {
    const [a] = await sample(events, [everything], 'audit-2026-10');
    const [b] = await sample(shuffle(events, 'x'), [everything], 'audit-2026-10');
    const [c] = await sample([...events].reverse(), [everything], 'audit-2026-10');
    expect(a.rows.map((r) => r.id)).toEqual(b.rows.map((r) => r.id));
    expect(a.rows.map((r) => r.id)).toEqual(c.rows.map((r) => r.id));
    expect(a.seed).toBe('audit-2026-10');
  });

  it('differs for another seed', async () => {
    const [a] = await sample(events, [everything], 'seed-1');
    const [b] = await sample(events, [everything], 'seed-2');
    expect(a.rows.map((r) => r.id)).not.toEqual(b.rows.map((r) => r.id));
  });

  it('v2: the rows at positions drawn from SHA-256 in counter mode over the population in canonical order, as the method text says', async () => {
    const seed = 'recompute-me';
    const [info] = await sample(shuffle(events, 'y'), [failures], seed);
    const pop = events.filter((e) => e.outcome === 'failure').sort(compareEvents);
    // An independent reading of the documented method (docs/sampling.md).
    const n = pop.length;
    const k = sampleSize(n);
    const drawn: number[] = [];
    for (let j = 0; drawn.length < k; j++) {
      const x = Number(BigInt('0x' + createHash('sha256').update(`auditpack-sample-v2\n${seed}\nFailed operations\n${j}`).digest('hex').slice(0, 12)));
      if (x >= Math.floor(2 ** 48 / n) * n) continue;
      const p = 1 + (x % n);
      if (!drawn.includes(p)) drawn.push(p);
    }
    const expected = drawn.map((p, i) => ({ id: pop[p - 1].id, rank: i + 1, position: p })).sort((a, b) => a.position - b.position);
    expect(info.rows.map((r, i) => ({ id: r.id, ...info.selection[i] }))).toEqual(expected);
    expect(info.populationSize).toBe(n);
    expect(info.methodVersion).toBe('v2');
    expect(info.method).toContain('SHA-256');
    expect(info.method).toContain('1–5 items: all; 6–50: 5; 51–250: 10% rounded up; more than 250: 25');
  });

  it('v2 positions stay what they were: a pack drawn today re-draws the same later', () => {
    expect(samplePositions('2026-10:soc2-monthly', 'Failed operations', 1000)).toEqual(PINNED_V2);
  });

  it('v1: the k lowest HMAC-SHA256(seed, id), as its method text tells an auditor to recompute', async () => {
    const seed = 'recompute-me';
    const [info] = await sample(events, [failures], seed, 'v1');
    const pop = events.filter((e) => e.outcome === 'failure');
    const expected = pop
      .map((e) => ({ id: e.id, rank: createHmac('sha256', seed).update(e.id).digest('hex') }))
      .sort((x, y) => (x.rank < y.rank ? -1 : 1))
      .slice(0, sampleSize(pop.length))
      .map((x) => x.id)
      .sort();
    expect(info.rows.map((r) => r.id).sort()).toEqual(expected);
    expect(info.populationSize).toBe(pop.length);
    expect(info.method).toContain('HMAC-SHA256');
    expect(info.methodVersion).toBe('v1');
    // Listed in time order for the reader.
    const times = info.rows.map((r) => r.time);
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it('is not changed by events outside the population', async () => {
    const base = population(300, 'p');
    const noise = Array.from({ length: 500 }, (_, i) => ev({ id: `noise-${i}`, outcome: 'success' }));
    const [a] = await sample(base, [failures], 's');
    const [b] = await sample(shuffle([...base, ...noise], 'n'), [failures], 's');
    expect(a.populationSize).toBe(100);
    expect(a.sampleSize).toBe(10);
    expect(b.rows.map((r) => r.id)).toEqual(a.rows.map((r) => r.id));
  });

  it('builds populations from rule ids with the engine’s matched rules', async () => {
    const template = await loadTemplate('auditor-handoff', TEMPLATES_DIR);
    const engine = createRuleEngine(template.rules, { timeZone: 'UTC', directory: null, businessHours: null });
    const sampler = createSampler(template.samples, { seed: 'handoff', seedSource: 'default', method: 'v2' }, memoryMembers);
    const mixed = [
      ...Array.from({ length: 7 }, (_, i) => ev({ id: `pub-${i}`, operation: 'publishSkill.v1' })),
      ...Array.from({ length: 3 }, (_, i) => ev({ id: `fail-${i}`, outcome: 'failure', responseCode: '500' })),
      ...Array.from({ length: 20 }, (_, i) => ev({ id: `read-${i}` })),
    ];
    for (const e of mixed) sampler.onEvent(e, engine.evaluate(e).matchedRuleIds);
    const infos = await sampler.finish();
    const privileged = infos.find((i) => i.population === 'Privileged changes')!;
    const failed = infos.find((i) => i.population === 'Failed operations')!;
    expect(privileged.populationSize).toBe(7);
    expect(privileged.rows).toHaveLength(5);
    expect(privileged.rows.every((r) => r.operation === 'publishSkill.v1')).toBe(true);
    expect(privileged.method).toContain('smapi-certification-publishing');
    expect(failed.populationSize).toBe(3);
    expect(failed.rows.map((r) => r.id).sort()).toEqual(['fail-0', 'fail-1', 'fail-2']);
  });
});

/** samplePositions('2026-10:soc2-monthly', 'Failed operations', 1000) when v2 was introduced: never to change. */
const PINNED_V2 = [786, 448, 444, 455, 922, 741, 888, 569, 903, 266, 849, 946, 163, 329, 278, 650, 135, 296, 718, 611, 556, 808, 475, 730, 901].map((position, i) => ({ rank: i + 1, position }));
