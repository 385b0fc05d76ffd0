import { createHmac } from 'node:crypto';
import type { AuditEvent } from '../model/audit-event.js';
import type { SampleInfo } from '../model/report-model.js';
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

export interface Sampler {
  /** Every kept event, once, with the event rules it matched (RuleEngine.evaluate gives them). */
  onEvent(event: AuditEvent, matchedRuleIds: readonly string[]): void;
  finish(): SampleInfo[];
}

interface Candidate {
  rank: string;
  event: AuditEvent;
}

interface Population {
  spec: SampleSpec;
  includes: (event: AuditEvent, matched: readonly string[]) => boolean;
  size: number;
  /** The MAX_SAMPLE lowest ranks seen so far, ascending. */
  lowest: Candidate[];
}

function compare(a: Candidate, b: Candidate): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  const as = `${a.event.source}\u0000${a.event.id}`;
  const bs = `${b.event.source}\u0000${b.event.id}`;
  return as < bs ? -1 : as > bs ? 1 : 0;
}

/**
 * Reproducible, order-independent and streaming: an event's rank is HMAC-SHA256(seed, event id),
 * so the same seed picks the same events whatever order they arrive in, and only the lowest 25
 * ranks per population are kept.
 */
export function createSampler(specs: SampleSpec[], seed: string): Sampler {
  const populations: Population[] = specs.map((spec) => {
    let includes: Population['includes'];
    if (spec.rules) {
      const ids = new Set(spec.rules);
      includes = (_e, matched) => matched.some((id) => ids.has(id));
    } else {
      const test: EventPredicate = compileMatch(spec.match ?? {});
      includes = (e) => test(e);
    }
    return { spec, includes, size: 0, lowest: [] };
  });

  return {
    onEvent(event, matched) {
      let rank: string | null = null;
      for (const p of populations) {
        if (!p.includes(event, matched)) continue;
        p.size++;
        rank ??= createHmac('sha256', seed).update(event.id).digest('hex');
        const c: Candidate = { rank, event };
        const full = p.lowest.length >= MAX_SAMPLE;
        if (full && compare(c, p.lowest[p.lowest.length - 1]) >= 0) continue;
        let i = p.lowest.length;
        while (i > 0 && compare(c, p.lowest[i - 1]) < 0) i--;
        if (i > 0 && compare(c, p.lowest[i - 1]) === 0) continue; // the same event offered twice
        p.lowest.splice(i, 0, c);
        if (p.lowest.length > MAX_SAMPLE) p.lowest.pop();
      }
    },
    finish() {
      return populations.map((p) => {
        const k = sampleSize(p.size);
        const rows = p.lowest
          .slice(0, k)
          .map((c) => c.event)
          .sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        return {
          population: p.spec.population,
          populationSize: p.size,
          sampleSize: rows.length,
          seed,
          method: methodText(p.spec, k),
          rows,
        };
      });
    },
  };
}

function describePopulation(spec: SampleSpec): string {
  const what = spec.rules ? `events matched by rule${spec.rules.length > 1 ? 's' : ''} ${spec.rules.join(', ')}` : `events matching ${JSON.stringify(spec.match ?? {})}`;
  return spec.description ? `${spec.description} (${what})` : what;
}

/** The method in one line, for the manifest's parameters (each sample's sheet has it in full). */
export const SAMPLE_METHOD =
  `per population: size from the common table (${SIZE_TABLE_TEXT}); the events with the lowest HMAC-SHA256(seed, event id) are taken`;

function methodText(spec: SampleSpec, k: number): string {
  return (
    `Population: ${describePopulation(spec)}. ` +
    `Sample size from the common table (${SIZE_TABLE_TEXT}): ${k}. ` +
    'Selection: each event is ranked by HMAC-SHA256 with the seed as key over the event id (hex, lowest first; ties by source name); ' +
    `the ${k} lowest are taken and listed in time order. The same seed and population always give the same sample.`
  );
}
