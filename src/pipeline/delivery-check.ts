import type { CoverageLedger, SourceLedger } from '../model/coverage.js';
import type { Source } from '../sources/source.js';

/**
 * Sources whose data for the period may still be arriving when the pack is dated: generated
 * before the period's end plus the source's delivery delay (CloudTrail log files: the configured
 * late-delivery margin), a pack could be missing events that will exist later. Each such source
 * gets a failed ledger section, so the pack is INCOMPLETE everywhere and says why.
 */
export function deliveryLedgers(sources: readonly Pick<Source, 'name' | 'type' | 'policy'>[], periodEnd: number, generatedAt: number): SourceLedger[] {
  const out: SourceLedger[] = [];
  for (const s of sources) {
    const delay = s.policy.deliveryDelayMs ?? 0;
    const finalAt = periodEnd + delay;
    if (generatedAt >= finalAt) continue;
    const iso = (t: number) => new Date(t).toISOString();
    const why =
      generatedAt < periodEnd
        ? `the pack is dated ${iso(generatedAt)}, before the period ends (${iso(periodEnd)})`
        : `the pack is dated ${iso(generatedAt)}, within the source's delivery delay of ${minutes(delay)} after the period's end`;
    out.push({
      source: s.name,
      sourceType: s.type,
      title: 'delivery check',
      status: 'failed',
      facts: { periodEnd: iso(periodEnd), deliveryDelayMinutes: delay / 60_000, dataFinalAt: iso(finalAt), generatedAt: iso(generatedAt) },
      problems: [{ item: 'generated too early', code: 'NOT_FINAL', message: `${why}; events may still arrive until ${iso(finalAt)}: run again after then` }],
    });
  }
  return out;
}

/** The ledger with those sections added: complete only if it was and every source's data was final. */
export function withDeliveryCheck(coverage: CoverageLedger, ledgers: SourceLedger[]): CoverageLedger {
  if (ledgers.length === 0) return coverage;
  return { ...coverage, complete: false, sources: [...coverage.sources, ...ledgers] };
}

function minutes(ms: number): string {
  return ms % 3_600_000 === 0 && ms > 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`;
}
