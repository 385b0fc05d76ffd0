import { createHash, createHmac } from 'node:crypto';
import type { AuditEvent } from '../model/audit-event.js';
import { compareEvents } from '../model/event-order.js';
import type { RowStream, SampleInfo, SamplePick, SampleMethodVersion, SampleSeedSource } from '../model/report-model.js';
import { compileMatch, type EventPredicate } from './match.js';
import type { SampleSpec } from './rule-spec.js';

/** The largest sample the size table ever asks for (more than 250 items: 25). */
const MAX_SAMPLE = 25;

const SIZE_TABLE_TEXT = '1–5 items: all; 6–50: 5; 51–250: 10% rounded up; more than 250: 25';

/** The common audit sampling table for a population of `n` items. */
export function sampleSize(n: number): number {
  if (n <= 5) return Math.max(0, n);
  if (n <= 50) return 5;
  if (n <= 250) return Math.ceil(n / 10);
  return MAX_SAMPLE;
}

/** New packs draw with v2; v1 stays selectable (`--sample-method v1`) to re-draw an earlier pack's samples. */
export const DEFAULT_SAMPLE_METHOD: SampleMethodVersion = 'v2';

export interface SamplerOptions {
  seed: string;
  /** Whether the seed was given (`--sample-seed`) or is the default derived from period and template. */
  seedSource: SampleSeedSource;
  method: SampleMethodVersion;
}

/** A population's members as they arrive, given back in canonical order (a spill store). */
export interface MemberStore {
  /** `encoded`: the event's spill bytes, when the caller has them. */
  add(event: AuditEvent, encoded?: Uint8Array): void;
  seal(): RowStream<AuditEvent> & {
    /** The members at these positions (1-based, canonical order), in that order, each with its position. */
    pick(positions: readonly number[]): AsyncIterable<{ position: number; row: AuditEvent }>;
  };
}

export interface Sampler {
  /** Every kept event, once, with the event rules it matched (RuleEngine.evaluate gives them). */
  onEvent(event: AuditEvent, matchedRuleIds: readonly string[], encoded?: Uint8Array): void;
  finish(): Promise<SampleInfo[]>;
}

function includesOf(spec: SampleSpec): (event: AuditEvent, matched: readonly string[]) => boolean {
  if (spec.rules) {
    const ids = new Set(spec.rules);
    return (_e, matched) => matched.some((id) => ids.has(id));
  }
  const test: EventPredicate = compileMatch(spec.match ?? {});
  return (e) => test(e);
}

/**
 * `members(i)` gives the store for population i (method v2 only: v1 keeps its 25 lowest ranks in
 * memory and needs none).
 */
export function createSampler(specs: SampleSpec[], opts: SamplerOptions, members: (index: number) => MemberStore): Sampler {
  return opts.method === 'v1' ? createHmacSampler(specs, opts) : createPositionSampler(specs, opts, members);
}

// ---------------------------------------------------------------------------------------------
// v2: positions drawn from a seeded generator over the population in canonical order.

/**
 * The k positions (1-based, in canonical order) drawn for a population of n, with their draw
 * order (rank 1 is drawn first). The generator is SHA-256 in counter mode: draw j (0, 1, 2, …)
 * is the first 6 bytes, big-endian, of SHA-256 of the UTF-8 text
 * `auditpack-sample-v2\n<seed>\n<population>\n<j>`. A draw x becomes a position in 1..n as
 * 1 + (x mod n), unless x ≥ n·⌊2^48 / n⌋ (then it is skipped, so every position is equally
 * likely); a position already drawn is skipped too, until k positions are drawn. Anyone can
 * recompute them (docs/sampling.md), and a SQL engine fetches the rows at those positions.
 */
export function samplePositions(seed: string, population: string, n: number, k = sampleSize(n)): SamplePick[] {
  const picks: SamplePick[] = [];
  if (k <= 0 || n <= 0) return picks;
  const limit = Math.floor(2 ** 48 / n) * n;
  const taken = new Set<number>();
  for (let j = 0; picks.length < Math.min(k, n); j++) {
    const digest = createHash('sha256').update(`auditpack-sample-v2\n${seed}\n${population}\n${j}`, 'utf8').digest();
    const x = digest.readUIntBE(0, 6);
    if (x >= limit) continue;
    const position = 1 + (x % n);
    if (taken.has(position)) continue;
    taken.add(position);
    picks.push({ rank: picks.length + 1, position });
  }
  return picks;
}

function createPositionSampler(specs: SampleSpec[], opts: SamplerOptions, members: (index: number) => MemberStore): Sampler {
  const populations = specs.map((spec, i) => ({ spec, includes: includesOf(spec), store: members(i), size: 0 }));
  return {
    onEvent(event, matched, encoded) {
      for (const p of populations) {
        if (!p.includes(event, matched)) continue;
        p.size++;
        p.store.add(event, encoded);
      }
    },
    async finish() {
      const out: SampleInfo[] = [];
      for (const p of populations) {
        const sealed = p.store.seal();
        const picks = samplePositions(opts.seed, p.spec.population, sealed.count);
        const byPosition = new Map(picks.map((pick) => [pick.position ?? 0, pick]));
        const rows: AuditEvent[] = [];
        const selection: SamplePick[] = [];
        for await (const { position, row } of sealed.pick([...byPosition.keys()])) {
          rows.push(row);
          selection.push(byPosition.get(position)!);
        }
        out.push({
          population: p.spec.population,
          populationSize: sealed.count,
          sampleSize: rows.length,
          seed: opts.seed,
          seedSource: opts.seedSource,
          methodVersion: 'v2',
          method: positionMethodText(p.spec, picks.length),
          rows,
          selection,
        });
      }
      return out;
    },
  };
}

function positionMethodText(spec: SampleSpec, k: number): string {
  return (
    `Population: ${describePopulation(spec)}, numbered 1..N in canonical order (event time in ms, source, event id, operation, requester id, response code, service). ` +
    `Sample size from the common table (${SIZE_TABLE_TEXT}): ${k}. ` +
    'Selection (method v2): position j is drawn from the first 6 bytes (big-endian) of SHA-256("auditpack-sample-v2\\n" + seed + "\\n" + population name + "\\n" + j) for j = 0, 1, 2, …, ' +
    `as 1 + (x mod N), skipping x ≥ N·floor(2^48/N) and positions already drawn, until ${k} are drawn; the selection rank is the draw order. ` +
    'The same seed and population always give the same sample.'
  );
}

// ---------------------------------------------------------------------------------------------
// v1: the events with the lowest HMAC-SHA256(seed, event id). Kept so that packs made with it can
// be re-drawn; it costs one HMAC per population member.

interface Candidate {
  rank: string;
  event: AuditEvent;
}

function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  const as = `${a.event.source}\u0000${a.event.id}`;
  const bs = `${b.event.source}\u0000${b.event.id}`;
  return as < bs ? -1 : as > bs ? 1 : 0;
}

function createHmacSampler(specs: SampleSpec[], opts: SamplerOptions): Sampler {
  const populations = specs.map((spec) => ({ spec, includes: includesOf(spec), size: 0, lowest: [] as Candidate[] }));
  return {
    onEvent(event, matched) {
      let rank: string | null = null;
      for (const p of populations) {
        if (!p.includes(event, matched)) continue;
        p.size++;
        rank ??= createHmac('sha256', opts.seed).update(event.id).digest('hex');
        const c: Candidate = { rank, event };
        const full = p.lowest.length >= MAX_SAMPLE;
        if (full && compareCandidates(c, p.lowest[p.lowest.length - 1]) >= 0) continue;
        let i = p.lowest.length;
        while (i > 0 && compareCandidates(c, p.lowest[i - 1]) < 0) i--;
        if (i > 0 && compareCandidates(c, p.lowest[i - 1]) === 0) continue; // the same event offered twice
        p.lowest.splice(i, 0, c);
        if (p.lowest.length > MAX_SAMPLE) p.lowest.pop();
      }
    },
    async finish() {
      return populations.map((p) => {
        const k = sampleSize(p.size);
        const chosen = p.lowest.slice(0, k).map((c, i) => ({ event: c.event, pick: { rank: i + 1, position: null } }));
        chosen.sort((a, b) => compareEvents(a.event, b.event));
        return {
          population: p.spec.population,
          populationSize: p.size,
          sampleSize: chosen.length,
          seed: opts.seed,
          seedSource: opts.seedSource,
          methodVersion: 'v1' as const,
          method: hmacMethodText(p.spec, k),
          rows: chosen.map((c) => c.event),
          selection: chosen.map((c) => c.pick),
        };
      });
    },
  };
}

function hmacMethodText(spec: SampleSpec, k: number): string {
  return (
    `Population: ${describePopulation(spec)}. ` +
    `Sample size from the common table (${SIZE_TABLE_TEXT}): ${k}. ` +
    'Selection (method v1): each event is ranked by HMAC-SHA256 with the seed as key over the event id (hex, lowest first; ties by source name); ' +
    `the ${k} lowest are taken and listed in time order; the selection rank is the HMAC order. The same seed and population always give the same sample.`
  );
}

function describePopulation(spec: SampleSpec): string {
  const what = spec.rules ? `events matched by rule${spec.rules.length > 1 ? 's' : ''} ${spec.rules.join(', ')}` : `events matching ${JSON.stringify(spec.match ?? {})}`;
  return spec.description ? `${spec.description} (${what})` : what;
}

/** The method in one line, for the manifest's parameters (each sample's sheet has it in full). */
export function sampleMethodSummary(method: SampleMethodVersion): string {
  return method === 'v1'
    ? `v1: per population, size from the common table (${SIZE_TABLE_TEXT}); the events with the lowest HMAC-SHA256(seed, event id) are taken`
    : `v2: per population, size from the common table (${SIZE_TABLE_TEXT}); positions in canonical order drawn from SHA-256("auditpack-sample-v2\\n" + seed + "\\n" + population + "\\n" + j)`;
}
