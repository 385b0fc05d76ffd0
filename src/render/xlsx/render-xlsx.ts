import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { AuditpackError } from '../../errors.js';
import type { ReportModel } from '../../model/report-model.js';
import { declareFilterRanges } from './filter-names.js';
import { writePlainRows, type PlainRow } from './plain-rows.js';
import { addSheet, type RenderContext } from './render-context.js';
import { countTable, dailyTable, failureClusterTable, requesterTable, responseCodeTable } from './sheets/count-tables.js';
import { coverageTable } from './sheets/coverage-table.js';
import { eventTable } from './sheets/event-table.js';
import { exceptionTable } from './sheets/exception-table.js';
import { manifestRows } from './sheets/manifest-sheet.js';
import { summaryRows, type PlannedTable } from './sheets/summary-sheet.js';
import { createStylePalette } from './styles.js';
import { continuationNames, writeTable, type TableSpec } from './table-sheet.js';
import { createWallClock } from './wall-clock.js';
import { pinZipEntryTimes } from './zip-directory.js';

/** Excel's rows per sheet (Excel specifications and limits: 1,048,576 rows). */
const EXCEL_MAX_ROWS = 1_048_576;

export interface RenderXlsxOptions {
  /** Rows per sheet, header included; tests pass a small one to see the continuation sheets. */
  rowLimit?: number;
}

export interface RenderXlsxResult {
  sheets: string[];
  /** Data rows per table sheet; all written rows for Summary and Manifest. */
  rows: Record<string, number>;
}

interface Step {
  plan: PlannedTable;
  write(ctx: RenderContext): Promise<void>;
}

function tableStep<R>(ctx: { rowLimit: number }, contents: string, spec: TableSpec<R>, rows: number, source: () => AsyncIterable<R> | Iterable<R>): Step {
  const headerRow = (spec.preamble?.length ?? 0) + 1;
  return {
    plan: { base: spec.name, names: continuationNames(spec.name, rows, ctx.rowLimit, headerRow), rows, contents },
    async write(c) {
      await writeTable(c, spec, source());
    },
  };
}

/** The sheets in workbook order, each with what the Summary says about it, from the model alone. */
function planSheets(model: ReportModel, rowLimit: number): Step[] {
  const tz = model.period.timeZone;
  const has = (s: ReportModel['sections'][number]) => model.sections.includes(s);
  const o = { rowLimit };
  const steps: Step[] = [];
  if (has('operations')) steps.push(tableStep(o, 'Events and failures per operation', countTable('Operations', 'Operation', 'Label', model.operations, tz), model.operations.length, () => model.operations));
  if (has('responseCodes')) steps.push(tableStep(o, 'Events per response code', responseCodeTable(model.responseCodes, tz), model.responseCodes.length, () => model.responseCodes));
  if (has('requesters')) steps.push(tableStep(o, 'Events and failures per requester', requesterTable(model.requesters, tz), model.requesters.length, () => model.requesters));
  if (has('clients')) steps.push(tableStep(o, 'Events and failures per client', countTable('Clients', 'Client', 'Client id', model.clients, tz), model.clients.length, () => model.clients));
  if (has('daily')) steps.push(tableStep(o, `Events per day (${tz})`, dailyTable(model.daily, tz), model.daily.length, () => model.daily));
  if (has('exceptions')) steps.push(tableStep(o, 'Every exception, with columns for the reviewer', exceptionTable(tz, model.exceptions.count), model.exceptions.count, () => model.exceptions.open()));
  if (has('failureClusters')) {
    steps.push(tableStep(o, 'Repeated failures by requester, operation and code', failureClusterTable(model.failureClusters, tz), model.failureClusters.length, () => model.failureClusters));
  }
  if (has('events')) steps.push(tableStep(o, 'The whole normalized event population, in time order', eventTable('Events', tz, model.events.count), model.events.count, () => model.events.open()));
  const sampleNames = new Set<string>();
  model.samples.forEach((sample, i) => {
    const name = sampleSheetName(sample.population, i, sampleNames);
    const preamble: PlainRow[] = [
      { cells: ['Population', sample.population], role: 'pair' },
      { cells: ['Population size', { value: sample.populationSize, kind: 'count' }], role: 'pair' },
      { cells: ['Sample size', { value: sample.sampleSize, kind: 'count' }], role: 'pair' },
      { cells: ['Seed', sample.seed], role: 'pair' },
      { cells: ['Method', sample.method], role: 'pair', spanLast: true },
      { cells: [] },
    ];
    const contents = `Sample of ${sample.population}: ${sample.sampleSize.toLocaleString('en-US')} of ${sample.populationSize.toLocaleString('en-US')}, seed ${sample.seed}`;
    steps.push(tableStep(o, contents, eventTable(name, tz, sample.rows.length, preamble), sample.rows.length, () => sample.rows));
  });
  steps.push(tableStep(o, 'Every source × window pulled, and source ledgers', coverageTable(model.coverage, tz), model.coverage.windows.length, () => model.coverage.windows));
  return steps;
}

/**
 * "Sample - Failed operations": the auditor finds a population by its tab. Excel caps sheet names
 * at 31 characters and refuses []:*?/\ in them; a clash after cutting gets the sample's number.
 */
export function sampleSheetName(population: string, index: number, taken: Set<string>): string {
  const clean = population.replace(/[[\]:*?/\\]/g, ' ').replace(/\s+/g, ' ').trim();
  let name = clean ? `Sample - ${clean}`.slice(0, 31).trimEnd() : `Sample ${index + 1}`;
  if (taken.has(name.toLowerCase())) name = `Sample ${index + 1} - ${clean}`.slice(0, 31).trimEnd();
  taken.add(name.toLowerCase());
  return name;
}

function writeFreeSheet(ctx: RenderContext, name: string, rows: PlainRow[], widths: number[]): void {
  // Portrait unless the columns (one per source on the Summary) need a landscape page.
  const ws = addSheet(ctx, name, { landscape: widths.reduce((a, b) => a + b, 0) > 140, widths });
  ctx.rows[name] = writePlainRows(ws, rows, ctx, widths);
  ws.commit();
}

/**
 * Renders the workbook with exceljs's streaming writer: rows go to disk as they are written, so
 * a population of millions of events never sits in memory. Same model → same bytes: workbook
 * dates come from model.meta.generatedAt and zip entry times are pinned to it.
 */
export async function renderXlsx(model: ReportModel, outPath: string, options: RenderXlsxOptions = {}): Promise<RenderXlsxResult> {
  const rowLimit = options.rowLimit ?? EXCEL_MAX_ROWS;
  if (!Number.isInteger(rowLimit) || rowLimit < 10 || rowLimit > EXCEL_MAX_ROWS) {
    throw new AuditpackError('INTERNAL', `XLSX row limit ${rowLimit} is out of range`, { hint: `use 10..${EXCEL_MAX_ROWS}` });
  }
  const generatedAt = new Date(model.meta.generatedAt);
  if (Number.isNaN(generatedAt.getTime())) {
    throw new AuditpackError('INTERNAL', `report generated-at "${model.meta.generatedAt}" is not an ISO 8601 time`);
  }
  const creator = `auditpack ${model.meta.toolVersion}`;
  const out = createWriteStream(outPath);
  // Inline strings, not shared ones: a shared-string table would hold every distinct event id
  // and resource in memory until the end.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const failed = new Promise<never>((_, reject) => {
    const fail = (e: unknown) => reject(new AuditpackError('INTERNAL', `cannot write ${outPath}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
      hint: 'check that the folder exists, is writable and has free space',
    }));
    out.on('error', fail);
    // exceljs keeps its archiver instance as `zip` (not in its typings).
    const zip = (workbook as unknown as { zip?: { on?: (event: 'error', listener: (e: unknown) => void) => unknown } }).zip;
    zip?.on?.('error', fail);
  });
  failed.catch(() => undefined);
  workbook.creator = creator;
  workbook.lastModifiedBy = creator;
  workbook.created = generatedAt;
  workbook.modified = generatedAt;
  workbook.title = `${model.meta.title} — ${model.period.label}`;
  workbook.subject = `${model.meta.organization}: ${model.period.startLocal} to ${model.period.endLocal} (${model.period.timeZone})`;
  workbook.keywords = ['auditpack', model.meta.template, model.period.label, model.complete ? 'COMPLETE' : 'INCOMPLETE', `pack ${model.meta.packId}`].join(', ');

  const ctx: RenderContext = {
    workbook,
    palette: createStylePalette(),
    wallClock: createWallClock(model.period.timeZone),
    timeZone: model.period.timeZone,
    rowLimit,
    sheets: [],
    rows: {},
    filters: [],
    failed,
  };
  try {
    const steps = planSheets(model, rowLimit);
    const bySource = Math.max(1, model.bySource.length);
    writeFreeSheet(ctx, 'Summary', summaryRows(model, steps.map((s) => s.plan), rowLimit), [38, ...Array.from({ length: bySource + 1 }, () => 26), 16]);
    for (const step of steps) await step.write(ctx);
    writeFreeSheet(ctx, 'Manifest', manifestRows(model), [24, 70, 40]);
    declareFilterRanges(workbook, ctx.filters);
    await Promise.race([workbook.commit(), failed]);
    const fh = await open(outPath, 'r+');
    try {
      await pinZipEntryTimes(fh, outPath, generatedAt);
    } finally {
      await fh.close();
    }
  } catch (e) {
    out.destroy();
    await rm(outPath, { force: true });
    throw e;
  }
  return { sheets: ctx.sheets, rows: ctx.rows };
}
