import { rm } from 'node:fs/promises';
import { AuditpackError } from '../../errors.js';
import { DEFAULT_SEED_WARNING, type ReportModel, type SampleInfo } from '../../model/report-model.js';
import { combinePartDigests } from '../../pack/xlsx-content-digest.js';
import { writePlainRows, type PlainRow } from './plain-rows.js';
import { addSheet, type RenderContext } from './render-context.js';
import { countTable, operationTable, dailyTable, failureClusterTable, requesterTable, responseCodeTable } from './sheets/count-tables.js';
import { coverageTable } from './sheets/coverage-table.js';
import { withoutNetwork } from '../../model/network-log.js';
import { EXCEL_MAX_ROWS, sampleSheetNames } from '../workbook-guide.js';
import { eventTable, sampleTable } from './sheets/event-table.js';
import { exceptionTable } from './sheets/exception-table.js';
import { manifestRows } from './sheets/manifest-sheet.js';
import { summaryRows, type PlannedTable } from './sheets/summary-sheet.js';
import { createStylePalette } from './styles.js';
import { continuationNames, writeTable, type TableSpec } from './table-sheet.js';
import { createLocalTime } from './wall-clock.js';
import { createWorkbookWriter } from './workbook-writer.js';
import type { SharedStringLimits } from './shared-strings.js';
import { rowBatches, type Rows } from '../../model/row-batches.js';

/** Excel's rows per sheet (Excel specifications and limits: 1,048,576 rows). */

export interface RenderXlsxOptions {
  /** Rows per sheet, header included; tests pass a small one to see the continuation sheets. */
  rowLimit?: number;
  /** The shared string table's caps; tests pass small ones to see texts stay in their cells. */
  sharedStrings?: SharedStringLimits;
}

export interface RenderXlsxResult {
  sheets: string[];
  /** Data rows per table sheet; all written rows for Summary and Manifest. */
  rows: Record<string, number>;
  /** The workbook's content digest (src/pack/xlsx-content-digest.ts), taken while writing. */
  contentSha256: string;
}

interface Step {
  plan: PlannedTable;
  write(ctx: RenderContext): Promise<void>;
}

function tableStep<R>(ctx: { rowLimit: number }, contents: string, spec: TableSpec<R>, rows: number, source: () => Rows<R>): Step {
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
  if (has('operations')) steps.push(tableStep(o, 'Events and failures per operation', operationTable(model.operations, tz), model.operations.length, () => model.operations));
  if (has('responseCodes')) steps.push(tableStep(o, 'Events per response code', responseCodeTable(model.responseCodes, tz), model.responseCodes.length, () => model.responseCodes));
  if (has('requesters')) steps.push(tableStep(o, 'Events and failures per requester', requesterTable(model.requesters, tz), model.requesters.length, () => model.requesters));
  if (has('clients')) steps.push(tableStep(o, 'Events and failures per client', countTable('Clients', 'Client', 'Client id', model.clients, tz), model.clients.length, () => model.clients));
  if (has('daily')) steps.push(tableStep(o, `Events per day (${tz})`, dailyTable(model.daily, tz), model.daily.length, () => model.daily));
  if (has('exceptions')) steps.push(tableStep(o, 'Every exception, with columns for the reviewer', exceptionTable(tz, model.exceptions.count), model.exceptions.count, () => rowBatches(model.exceptions)));
  if (has('failureClusters')) {
    steps.push(tableStep(o, 'Repeated failures by requester, operation and code', failureClusterTable(model.failureClusters, tz), model.failureClusters.length, () => model.failureClusters));
  }
  if (has('events')) {
    const elsewhere = populationElsewhereRows(model);
    const contents = elsewhere ? 'The normalized event population in time order, and where the events counted where they live are' : 'The whole normalized event population, in time order';
    steps.push(tableStep(o, contents, eventTable('Events', tz, model.events.count, elsewhere), model.events.count, () => rowBatches(model.events)));
  }
  const sampleNames = sampleSheetNames(model.samples.map((s) => s.population));
  model.samples.forEach((sample, i) => {
    const name = sampleNames[i] ?? `Sample ${i + 1}`;
    const preamble = samplePreamble(sample);
    const contents = `Sample of ${sample.population}: ${sample.sampleSize.toLocaleString('en-US')} of ${sample.populationSize.toLocaleString('en-US')}, seed ${sample.seed}`;
    const rows = sample.rows.map((event, j) => ({ event, pick: sample.selection[j] ?? { rank: j + 1, position: null } }));
    steps.push(tableStep(o, contents, sampleTable(name, tz, rows.length, preamble), rows.length, () => rows));
  });
  const ledger = withoutNetwork(model.coverage);
  steps.push(tableStep(o, 'Every source × window pulled, and source ledgers', coverageTable(ledger, tz), ledger.windows.length, () => ledger.windows));
  return steps;
}

/**
 * Above the Events table, for a source counted where its data lives (cloudtrail-athena): its events
 * are in the counts but not listed here, and this says where the population is and how to re-run it.
 */
function populationElsewhereRows(model: ReportModel): PlainRow[] | undefined {
  const list = model.populationElsewhere ?? [];
  if (list.length === 0) return undefined;
  return [
    ...list.map((p): PlainRow => ({
      cells: [`Not listed: ${p.source}`, `${p.events.toLocaleString('en-US')} events counted where they live: ${p.where}`],
      role: 'pair',
      spanLast: true,
    })),
    { cells: [] },
  ];
}

/** The rows above a sample's table: how it was drawn, so the auditor can draw it again. */
function samplePreamble(sample: SampleInfo): PlainRow[] {
  const given = sample.seedSource === 'given';
  return [
    { cells: ['Population', sample.population], role: 'pair' },
    { cells: ['Population size', { value: sample.populationSize, kind: 'count' }], role: 'pair' },
    { cells: ['Sample size', { value: sample.sampleSize, kind: 'count' }], role: 'pair' },
    { cells: ['Seed', sample.seed], role: 'pair' },
    { cells: ['Seed chosen by', given ? 'given with --sample-seed' : { value: `the default (<period>:<template>). ${DEFAULT_SEED_WARNING}`, mark: 'warning' }], role: 'pair', spanLast: !given },
    { cells: ['Method', `${sample.methodVersion}. ${sample.method}`], role: 'pair', spanLast: true },
    { cells: ['Testing', 'Fill in the shaded columns for each item: attribute tested, evidence reference, result, tested by, test date. The other cells are protected (no password).'], role: 'note', spanLast: true },
    { cells: [] },
  ];
}

/**
 * "Sample - Failed operations": the auditor finds a population by its tab. Excel caps sheet names
 * at 31 characters and refuses []:*?/\ in them; a clash after cutting gets the sample's number.
 */
async function writeFreeSheet(ctx: RenderContext, name: string, rows: PlainRow[], widths: number[]): Promise<void> {
  // Portrait unless the columns (one per source on the Summary) need a landscape page.
  const ws = addSheet(ctx, name, { landscape: widths.reduce((a, b) => a + b, 0) > 140, widths });
  ctx.rows[name] = await writePlainRows(ws, rows, ctx, widths);
  await ws.end();
}

/**
 * Renders the workbook as SpreadsheetML streamed straight into the zip (workbook-writer.ts): rows
 * go to disk as they are written, so a population of millions of events never sits in memory,
 * and the content digest is taken on the way. Same model → same bytes: workbook dates come from
 * model.meta.generatedAt, and so do zip entry times.
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
  let workbook;
  try {
    workbook = await createWorkbookWriter(outPath, generatedAt, options.sharedStrings);
  } catch (e) {
    throw new AuditpackError('INTERNAL', `cannot write ${outPath}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
      hint: 'check that the folder exists, is writable and has free space',
    });
  }
  const ctx: RenderContext = {
    workbook,
    palette: createStylePalette(),
    wallClock: createLocalTime(model.period.timeZone),
    timeZone: model.period.timeZone,
    rowLimit,
    sheets: [],
    rows: {},
  };
  try {
    const steps = planSheets(model, rowLimit);
    const bySource = Math.max(1, model.bySource.length);
    await writeFreeSheet(ctx, 'Summary', summaryRows(model, steps.map((s) => s.plan), rowLimit), [38, ...Array.from({ length: bySource + 1 }, () => 26), 16]);
    for (const step of steps) await step.write(ctx);
    await writeFreeSheet(ctx, 'Manifest', manifestRows(model), [24, 70, 40]);
    const parts = await workbook.close({
      creator,
      lastModifiedBy: creator,
      created: generatedAt,
      modified: generatedAt,
      title: `${model.meta.title} — ${model.period.label}`,
      subject: `${model.meta.organization}: ${model.period.startLocal} to ${model.period.endLocal} (${model.period.timeZone})`,
      keywords: ['auditpack', model.meta.template, model.period.label, model.complete ? 'COMPLETE' : 'INCOMPLETE', `pack ${model.meta.packId}`].join(', '),
    });
    return { sheets: ctx.sheets, rows: ctx.rows, contentSha256: combinePartDigests(parts) };
  } catch (e) {
    await workbook.abort();
    await rm(outPath, { force: true });
    throw e;
  }
}
