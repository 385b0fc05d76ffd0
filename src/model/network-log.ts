import type { CoverageLedger, SourceLedger, WindowCoverage } from './coverage.js';

/**
 * How the network behaved: counters that depend on timing, not on the data (a request that timed
 * out on a loaded machine and was sent again, a throttle, a jittered backoff, a token that expired
 * mid-run). They are kept out of the coverage ledger, so the same inputs give the same ledger,
 * workbook and summary on any machine, and go to network.json instead.
 */
export const NETWORK_FIELDS = ['attempts', 'retries', 'throttles', 'retryWaitMs'] as const;
type NetworkField = (typeof NETWORK_FIELDS)[number];

/** Source-ledger facts of the same kind (the LWA token endpoint's own attempts and refreshes). */
const NETWORK_FACTS = new Set<string>([...NETWORK_FIELDS, 'refreshes']);

export type WindowNetwork = Pick<WindowCoverage, 'source' | NetworkField> & { window: string };

export interface NetworkLog {
  windows: WindowNetwork[];
  sources: { source: string; title: string; facts: Record<string, string | number | boolean> }[];
}

/** The ledger rows without the network counters: what coverage.json and the workbook hold. */
export type LedgerWindow = Omit<WindowCoverage, NetworkField>;
export type DeterministicLedger = Omit<CoverageLedger, 'windows'> & { windows: LedgerWindow[] };

export function networkLog(ledger: CoverageLedger): NetworkLog {
  return {
    windows: ledger.windows.map((w) => ({
      source: w.source,
      window: w.window.key,
      attempts: w.attempts,
      retries: w.retries,
      throttles: w.throttles,
      retryWaitMs: w.retryWaitMs,
    })),
    sources: ledger.sources.flatMap((s) => {
      const facts = Object.fromEntries(Object.entries(s.facts).filter(([k]) => NETWORK_FACTS.has(k)));
      return Object.keys(facts).length ? [{ source: s.source, title: s.title, facts }] : [];
    }),
  };
}

export function withoutNetwork(ledger: CoverageLedger): DeterministicLedger {
  return {
    ...ledger,
    windows: ledger.windows.map(({ attempts: _a, retries: _r, throttles: _t, retryWaitMs: _w, ...row }) => row),
    sources: ledger.sources.map((s) => ({ ...s, facts: withoutNetworkFacts(s) })),
  };
}

function withoutNetworkFacts(s: SourceLedger): SourceLedger['facts'] {
  return Object.fromEntries(Object.entries(s.facts).filter(([k]) => !NETWORK_FACTS.has(k)));
}
