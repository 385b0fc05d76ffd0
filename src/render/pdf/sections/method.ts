import type { ReportModel } from '../../../model/report-model.js';
import { workbookGuide } from '../../workbook-guide.js';
import { fmtInt, fmtLocalWithOffset, fmtUtc } from '../format.js';
import { gap, keyValues, paragraph, sectionTitle, subheading } from '../page-flow.js';
import type { PdfContext } from '../pdf-context.js';
import { drawTable } from '../table.js';
import { COLOR, SIZE } from '../theme.js';

interface SourceCoverage {
  source: string;
  type: string;
  windows: number;
  failed: number;
  received: number;
  kept: number;
  duplicates: number;
  outside: number;
}

function coverageBySource(model: ReportModel): SourceCoverage[] {
  return model.meta.sources.map((s) => {
    const w = model.coverage.windows.filter((x) => x.source === s.name);
    const sum = (f: (x: (typeof w)[number]) => number) => w.reduce((n, x) => n + f(x), 0);
    return {
      source: s.name,
      type: s.type,
      windows: w.length,
      failed: w.filter((x) => x.status !== 'complete').length,
      received: sum((x) => x.recordsReceived),
      kept: sum((x) => x.eventsKept),
      duplicates: sum((x) => x.duplicates),
      outside: sum((x) => x.outsidePeriod),
    };
  });
}

/** How the figures were obtained, in words an auditor can test against. */
export function methodText(model: ReportModel): string[] {
  const rules = Object.keys(model.exceptionCounts.byRule).length;
  const lines = [
    `Each source's audit-log API (or log files) was queried window by window over the period, each window half-open [start, end), every page read to its end. Records outside the period were dropped and counted; a record received twice was removed by its event id and counted; records are kept as received in raw/.`,
    `Events were aggregated by operation, response code, requester and day${model.failuresOnly ? ' (failures only are listed)' : ''}; the template "${model.meta.template}" rules (${fmtInt(rules)} with exceptions in the period) annotate events as exceptions and never drop them.`,
  ];
  for (const s of model.samples) lines.push(`Sample of ${s.population}: ${fmtInt(s.sampleSize)} of ${fmtInt(s.populationSize)} by ${s.method}, seed "${s.seed}".`);
  lines.push(
    'A pack is stated complete only when every window of every source completed and the pack was generated after the period end plus each source\'s delivery delay; any other pack says so on every page, with the reasons.',
  );
  return lines;
}

/** Period, method, completeness and coverage: what every template's PDF states, whatever its sections. */
export async function drawMethod(ctx: PdfContext): Promise<void> {
  const { model, zone } = ctx;
  const p = model.period;
  sectionTitle(ctx, 'Period, method, completeness and coverage', { newPage: true });
  keyValues(
    ctx,
    [
      ['Period', `${p.label}: ${fmtLocalWithOffset(p.start, zone)} to ${fmtLocalWithOffset(p.end, zone)} ${zone} (end exclusive); ${fmtUtc(p.start)} to ${fmtUtc(p.end)}`],
      ['Completeness', model.complete ? 'COMPLETE: every window of every source was retrieved in full and the data was final when the pack was generated.' : `INCOMPLETE: ${model.incompleteReasons.join('; ') || 'see the coverage ledger'}`],
    ],
    { labelWidth: 110 },
  );
  gap(ctx, 6);
  subheading(ctx, 'Method', { keepWith: 60 });
  for (const line of methodText(model)) {
    paragraph(ctx, line, { size: SIZE.body });
    gap(ctx, 3);
  }
  gap(ctx, 6);
  subheading(ctx, 'Coverage by source', { keepWith: 60 });
  await drawTable<SourceCoverage>(
    ctx,
    [
      { header: 'Source', weight: 1.6, value: (r) => r.source, sub: (r) => (r.type === r.source ? null : r.type) },
      { header: 'Windows', weight: 0.8, align: 'right', value: (r) => fmtInt(r.windows) },
      { header: 'Not complete', weight: 0.9, align: 'right', value: (r) => fmtInt(r.failed), color: (r) => (r.failed ? COLOR.failure : undefined), bold: (r) => r.failed > 0 },
      { header: 'Records received', weight: 1, align: 'right', value: (r) => fmtInt(r.received) },
      { header: 'Events kept', weight: 1, align: 'right', value: (r) => fmtInt(r.kept) },
      { header: 'Duplicates removed', weight: 1, align: 'right', value: (r) => fmtInt(r.duplicates) },
      { header: 'Outside period', weight: 1, align: 'right', value: (r) => fmtInt(r.outside) },
    ],
    coverageBySource(model),
    { title: 'Coverage by source', emptyText: 'No source was configured.' },
  );
  const ledgers = model.coverage.sources.filter((s) => s.status !== 'complete');
  for (const l of ledgers) paragraph(ctx, `${l.source} ${l.title}: ${l.problems.map((x) => x.message).join('; ') || 'failed'}`, { size: SIZE.body, color: COLOR.failure });
  if (!model.pdfSections.includes('coverage')) {
    paragraph(ctx, 'Every window, one row each, is in report.xlsx (sheet Coverage) and coverage.json; attempts, retries and throttles per window in network.json.', { size: SIZE.body, color: COLOR.muted });
  }
  if (model.pdfSections.length < model.sections.length) drawWorkbookContents(ctx);
}

/** The workbook's sheets and what each holds: the PDF of a workbook-first template points to them. */
function drawWorkbookContents(ctx: PdfContext): void {
  gap(ctx, 6);
  subheading(ctx, 'What the workbook (report.xlsx) holds', { keepWith: 80 });
  keyValues(ctx, workbookGuide(ctx.model).map((s) => [s.sheet, s.holds]), { labelWidth: 140 });
}
