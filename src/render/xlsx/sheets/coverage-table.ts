import type { DeterministicLedger, LedgerWindow } from '../../../model/network-log.js';
import type { PlainRow } from '../plain-rows.js';
import type { Mark } from '../styles.js';
import { timeColumns, type TableSpec } from '../table-sheet.js';

const STATUS_MARK: Record<LedgerWindow['status'], Mark> = { complete: 'none', failed: 'failure', skipped: 'warning' };

const json = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object' && Object.keys(v).length === 0) return null;
  return JSON.stringify(v);
};

const problemsText = (problems: { item: string; code: string; message: string }[]): string | null =>
  problems.length ? problems.map((p) => `${p.item}: ${p.code} ${p.message}`).join('\n') : null;

/** Source ledgers (e.g. digest validation) and the ID collisions under the windows table. */
function ledgerRows(ledger: DeterministicLedger): PlainRow[] {
  return [...sourceLedgerRows(ledger), ...idCollisionRows(ledger)];
}

/** Event ids kept with more than one content: every record was kept; the auditor sees which ids to read twice. */
function idCollisionRows(ledger: DeterministicLedger): PlainRow[] {
  if (!ledger.idCollisions.length) return [];
  const rows: PlainRow[] = [
    { cells: ['ID collisions (one event id, records of different content: every record kept)'], role: 'section' },
    { cells: ['Source', 'Event id', 'Records kept'], role: 'header' },
  ];
  for (const c of ledger.idCollisions) rows.push({ cells: [c.source, c.eventId, { value: c.records, kind: 'count' }] });
  rows.push({ cells: [] });
  return rows;
}

function sourceLedgerRows(ledger: DeterministicLedger): PlainRow[] {
  if (!ledger.sources.length) return [];
  const rows: PlainRow[] = [{ cells: ['Source ledgers'], role: 'section' }];
  for (const s of ledger.sources) {
    rows.push({ cells: [`${s.source} (${s.sourceType}): ${s.title}`, { value: s.status, mark: s.status === 'failed' ? 'failure' : 'none' }], role: 'pair' });
    for (const [k, v] of Object.entries(s.facts)) {
      rows.push({ cells: [k, typeof v === 'number' ? { value: v, kind: Number.isInteger(v) ? 'count' : 'number' } : v] });
    }
    for (const p of s.problems) rows.push({ cells: [`problem: ${p.item}`, { value: `${p.code} ${p.message}`, mark: 'failure' }] });
    rows.push({ cells: [] });
  }
  return rows;
}

/**
 * Every source × window as the coverage ledger has it (network counters are in network.json);
 * failed windows are marked.
 */
export function coverageTable(ledger: DeterministicLedger, timeZone: string): TableSpec<LedgerWindow> {
  return {
    name: 'Coverage',
    columns: [
      { header: 'Source', kind: 'text', value: (w) => w.source },
      { header: 'Type', kind: 'text', value: (w) => w.sourceType },
      { header: 'Window', kind: 'count', value: (w) => w.window.index },
      { header: 'Window key', kind: 'text', value: (w) => w.window.key },
      ...timeColumns<LedgerWindow>('Window start', timeZone, (w) => w.window.start),
      ...timeColumns<LedgerWindow>('Window end, exclusive', timeZone, (w) => w.window.end),
      { header: 'Status', kind: 'text', value: (w) => w.status.toUpperCase() },
      { header: 'Resumed', kind: 'text', value: (w) => (w.resumed ? 'yes' : 'no') },
      { header: 'Pages', kind: 'count', value: (w) => w.pages },
      { header: 'Records received', kind: 'count', value: (w) => w.recordsReceived },
      { header: 'Events kept', kind: 'count', value: (w) => w.eventsKept },
      { header: 'Duplicates', kind: 'count', value: (w) => w.duplicates },
      { header: 'Read again', kind: 'count', value: (w) => w.rereads },
      { header: 'Outside period', kind: 'count', value: (w) => w.outsidePeriod },
      { header: 'Not events', kind: 'count', value: (w) => w.refused },
      { header: 'ID collisions (kept)', kind: 'count', value: (w) => w.idCollisions },
      { header: 'Restarts', kind: 'count', value: (w) => w.restarts },
      ...timeColumns<LedgerWindow>('First event', timeZone, (w) => w.firstEventTime),
      ...timeColumns<LedgerWindow>('Last event', timeZone, (w) => w.lastEventTime),
      { header: 'Error', kind: 'text', value: (w) => (w.error ? `${w.error.code}: ${w.error.message}` : null) },
      { header: 'Problems', kind: 'text', value: (w) => problemsText(w.problems) },
      { header: 'Request', kind: 'text', value: (w) => json(w.request) },
      { header: 'Source facts', kind: 'text', value: (w) => json(w.extra) },
    ],
    mark: (w) => STATUS_MARK[w.status],
    markScope: 'row',
    epilogue: ledgerRows(ledger),
    expectedRows: ledger.windows.length,
  };
}
