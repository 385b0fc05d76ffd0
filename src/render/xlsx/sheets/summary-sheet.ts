import { SEVERITY_ORDER } from '../../../model/exception.js';
import type { ReportModel, Totals } from '../../../model/report-model.js';
import { blankRow, type PlainCell, type PlainRow } from '../plain-rows.js';
import type { Mark } from '../styles.js';
import { humanLabel, responseClassLabel } from '../../labels.js';

/** A table as it will be laid out: its sheets (more than one past the row limit) and rows. */
export interface PlannedTable {
  base: string;
  names: string[];
  rows: number;
  contents: string;
}

const SEVERITY_MARK: Record<string, Mark> = { critical: 'critical', high: 'high', medium: 'medium', low: 'none' };

/** The status is set in 14 pt; LibreOffice does not grow a row to its font, and cuts the word's top. */
const STATUS_ROW_HEIGHT = 21;

/** A label and its value; a long text value spans the columns beside it and wraps. */
export function pair(label: string, value: PlainCell): PlainRow {
  const text = typeof value === 'object' && value !== null ? value.value : value;
  return { cells: [label, value], role: 'pair', ...(typeof text === 'string' && text.length > 24 ? { spanLast: true } : {}) };
}

function parameterText(v: unknown): PlainCell {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return { value: v, kind: 'number' };
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return JSON.stringify(v);
}

/**
 * The run parameters in words ("Period start (UTC)", not periodStartUtc); the sources are left
 * out here because the Sources table beside them lists each one (manifest.json keeps them all).
 */
export function parameterRows(parameters: Record<string, unknown>): PlainRow[] {
  return Object.entries(parameters)
    .filter(([k]) => k !== 'sources')
    .map(([k, v]): PlainRow => pair(humanLabel(k), parameterText(v)));
}

function keyFigureRows(model: ReportModel): PlainRow[] {
  const { timeZone } = model.period;
  const columns: Totals[] = [model.totals, ...model.bySource];
  const line = (label: string, cell: (t: Totals) => PlainCell): PlainRow => ({ cells: [label, ...columns.map(cell)], role: 'pair' });
  return [
    { cells: ['Figure', 'All sources', ...model.bySource.map((s) => (s.source === s.sourceType ? s.source : `${s.source} (${s.sourceType})`))], role: 'header' },
    line('Events', (t) => ({ value: t.events, kind: 'count' })),
    line('Failures', (t) => ({ value: t.failures, kind: 'count', mark: t.failures > 0 ? 'failure' : 'none' })),
    line('Success rate', (t) => ({ value: t.successRate, kind: 'rate' })),
    line('Distinct requesters', (t) => ({ value: t.requesters, kind: 'count' })),
    line('Distinct operations', (t) => ({ value: t.operations, kind: 'count' })),
    line(`First event (${timeZone})`, (t) => ({ value: t.firstEventTime, kind: 'time', clock: 'local' })),
    line('First event (UTC)', (t) => ({ value: t.firstEventTime, kind: 'time', clock: 'utc' })),
    line(`Last event (${timeZone})`, (t) => ({ value: t.lastEventTime, kind: 'time', clock: 'local' })),
    line('Last event (UTC)', (t) => ({ value: t.lastEventTime, kind: 'time', clock: 'utc' })),
    line('Duplicates removed', (t) => ({ value: t.duplicatesRemoved, kind: 'count' })),
    line('Records outside the period (dropped)', (t) => ({ value: t.outsidePeriod, kind: 'count' })),
    line('Records read again (kept once)', (t) => ({ value: t.readAgain, kind: 'count' })),
    line('ID collisions (both records kept; Coverage sheet)', (t) => ({ value: t.idCollisions, kind: 'count', mark: t.idCollisions > 0 ? 'warning' : 'none' })),
  ];
}

function sheetRows(tables: PlannedTable[], rowLimit: number): PlainRow[] {
  const rows: PlainRow[] = [{ cells: ['Sheet', 'Rows', 'Contents'], role: 'header' }];
  for (const t of tables) {
    rows.push({ cells: [t.names.length > 1 ? `${t.names[0]} … ${t.names[t.names.length - 1]}` : t.names[0], { value: t.rows, kind: 'count' }, t.contents], role: 'pair', spanLast: true });
  }
  for (const t of tables.filter((x) => x.names.length > 1)) {
    rows.push({
      cells: [{
        value: `${t.base}: ${t.rows.toLocaleString('en-US')} rows exceed the ${rowLimit.toLocaleString('en-US')}-row sheet limit; ` +
          `the table continues in order across ${t.names.length} sheets: ${t.names.join(', ')}. Nothing is left out.`,
        mark: 'warning',
      }],
    });
  }
  return rows;
}

/** The first sheet: completeness beyond doubt, the period in both clocks, figures per source. */
export function summaryRows(model: ReportModel, tables: PlannedTable[], rowLimit: number): PlainRow[] {
  const { meta, period } = model;
  const rows: PlainRow[] = [
    { cells: [meta.title], role: 'title' },
    pair('Organization', meta.organization),
    pair('Period', `${period.label}: ${period.startLocal} to ${period.endLocal} (${period.timeZone}), end exclusive`),
    blankRow,
    { cells: ['Completeness'], role: 'section' },
  ];
  if (model.complete) {
    rows.push({ ...pair('Status', { value: 'COMPLETE', mark: 'good' }), height: STATUS_ROW_HEIGHT });
    rows.push({ cells: ['', 'Every window of every source was pulled to its end (see sheet Coverage).'], role: 'note', spanLast: true });
  } else {
    rows.push({ ...pair('Status', { value: 'INCOMPLETE', mark: 'bad' }), height: STATUS_ROW_HEIGHT });
    rows.push({ cells: ['', { value: 'Some data was NOT retrieved: the figures in this workbook are lower bounds. Do not rely on them as a complete population.', mark: 'failure' }], spanLast: true });
    const reasons = model.incompleteReasons.length ? model.incompleteReasons : ['(no reason recorded; see sheet Coverage)'];
    for (const reason of reasons) rows.push(pair('Reason', { value: reason, mark: 'failure' }));
  }
  rows.push(
    blankRow,
    { cells: ['Period and run'], role: 'section' },
    pair('Period', period.label),
    pair('Time zone', `${period.timeZone} — every local time column is in this zone; a UTC column stands beside each`),
    pair(`Start (${period.timeZone})`, period.startLocal),
    pair(`End, exclusive (${period.timeZone})`, period.endLocal),
    pair('Start (UTC)', period.startUtc),
    pair('End, exclusive (UTC)', period.endUtc),
    pair('Generated at (UTC)', meta.generatedAt),
    pair('auditpack version', meta.toolVersion),
    pair('Pack id', meta.packId),
    pair('Template', `${meta.template} — ${meta.templateDescription}`),
    pair('Command', meta.command),
    blankRow,
    { cells: ['Key figures'], role: 'section' },
    ...keyFigureRows(model),
    blankRow,
    { cells: ['Response classes'], role: 'section' },
    { cells: ['Class', 'Events', 'Failures', 'Failure rate'], role: 'header' },
    ...model.responseClasses.map((c): PlainRow => ({
      cells: [responseClassLabel(c.key), { value: c.events, kind: 'count' }, { value: c.failures, kind: 'count', mark: c.failures ? 'failure' : 'none' }, { value: c.failureRate, kind: 'rate' }],
      role: 'pair',
    })),
    blankRow,
    { cells: ['Exceptions'], role: 'section' },
    { cells: ['Total', { value: model.exceptions.count, kind: 'count' }, 'every row is in sheet Exceptions'], role: 'pair' },
    { cells: ['Severity', 'Rows'], role: 'header' },
    ...SEVERITY_ORDER.map((s): PlainRow => ({ cells: [{ value: s, mark: SEVERITY_MARK[s] }, { value: model.exceptionCounts.bySeverity[s] ?? 0, kind: 'count' }] })),
    { cells: ['Control', 'Rows'], role: 'header' },
    ...Object.keys(model.exceptionCounts.byControl).sort().map((c): PlainRow => ({ cells: [c, { value: model.exceptionCounts.byControl[c], kind: 'count' }], role: 'pair' })),
    { cells: ['Rule', 'Rows'], role: 'header' },
    ...Object.keys(model.exceptionCounts.byRule).sort().map((r): PlainRow => ({ cells: [r, { value: model.exceptionCounts.byRule[r], kind: 'count' }], role: 'pair' })),
    blankRow,
    { cells: ['Sheets in this workbook'], role: 'section' },
    ...sheetRows(tables, rowLimit),
    blankRow,
    { cells: ['Sources'], role: 'section' },
    { cells: ['Name', 'Type', 'Description'], role: 'header' },
    ...meta.sources.map((s): PlainRow => ({ cells: [s.name, s.type, s.description], role: 'pair', spanLast: true })),
    blankRow,
    { cells: ['Parameters'], role: 'section' },
    ...parameterRows(meta.parameters),
  );
  if (model.sections.includes('signoff')) {
    const s = model.signOff;
    rows.push(
      blankRow,
      { cells: ['Sign-off'], role: 'section' },
      pair('Prepared by', s.preparedBy),
      pair('Reviewed by', s.reviewedBy),
      pair('Date', s.date),
      pair('Conclusion', s.conclusion),
    );
  }
  return rows;
}
