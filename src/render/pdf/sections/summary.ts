import type { SourceSummary } from '../../../model/report-model.js';
import { SEVERITY_ORDER } from '../../../model/exception.js';
import { dailyVolumeChart, responseCodeChart } from '../charts.js';
import { fmtInt, fmtLocal, fmtPct, fmtUtc } from '../format.js';
import { ensureSpace, gap, paragraph, sectionTitle, subheading } from '../page-flow.js';
import type { PdfContext } from '../pdf-context.js';
import { drawTable } from '../table.js';
import { COLOR, CONTENT_WIDTH, PAGE, SIZE } from '../theme.js';

function tiles(ctx: PdfContext, items: { label: string; value: string; color?: string }[]): void {
  const { doc, ts } = ctx;
  const gutter = 8;
  const w = (CONTENT_WIDTH - gutter * (items.length - 1)) / items.length;
  const h = 50;
  ensureSpace(ctx, h + 10);
  items.forEach((t, i) => {
    const x = PAGE.marginX + i * (w + gutter);
    doc.rect(x, ctx.y, w, h).fill(COLOR.zebra);
    doc.rect(x, ctx.y, w, 2).fill(t.color ?? COLOR.accent);
    ts.line(t.label, x + 8, ctx.y + 8, { size: SIZE.small, color: COLOR.muted, width: w - 16 });
    ts.line(t.value, x + 8, ctx.y + 22, { size: 16, bold: true, color: t.color ?? COLOR.text, width: w - 16 });
  });
  ctx.y += h + 12;
}

export async function drawSummary(ctx: PdfContext): Promise<void> {
  const { model, zone } = ctx;
  const t = model.totals;
  sectionTitle(ctx, 'Summary', { newPage: true });
  tiles(ctx, [
    { label: 'Total events', value: fmtInt(t.events) },
    { label: 'Failures', value: fmtInt(t.failures), color: t.failures > 0 ? COLOR.failure : undefined },
    { label: 'Success rate', value: fmtPct(t.successRate) },
    { label: 'Distinct requesters', value: fmtInt(t.requesters) },
    { label: 'Distinct operations', value: fmtInt(t.operations) },
    { label: 'Duplicates removed', value: fmtInt(t.duplicatesRemoved) },
    { label: 'Outside period', value: fmtInt(t.outsidePeriod) },
    ...(t.idCollisions > 0 ? [{ label: 'ID collisions (kept)', value: fmtInt(t.idCollisions) }] : []),
  ]);
  const first = t.firstEventTime === null ? 'none' : `${fmtLocal(t.firstEventTime, zone)} ${zone} (${fmtUtc(t.firstEventTime)})`;
  const last = t.lastEventTime === null ? 'none' : `${fmtLocal(t.lastEventTime, zone)} ${zone} (${fmtUtc(t.lastEventTime)})`;
  paragraph(ctx, `First event: ${first}.   Last event: ${last}.`, { size: SIZE.body, color: COLOR.muted });
  if (model.pdfSections.includes('exceptions')) {
    const sev = model.exceptionCounts.bySeverity;
    const parts = SEVERITY_ORDER.map((s) => `${fmtInt(sev[s] ?? 0)} ${s}`).join(', ');
    paragraph(ctx, `Exceptions: ${fmtInt(model.exceptions.count)} (${parts}).`, { size: SIZE.body, color: COLOR.muted });
  }
  if (!model.complete) {
    paragraph(ctx, 'INCOMPLETE: some windows failed (see the cover and the coverage appendix); every figure here is a lower bound.', {
      size: SIZE.body,
      bold: true,
      color: COLOR.failure,
    });
  }
  gap(ctx, 8);

  subheading(ctx, 'By source', { keepWith: 50 });
  await drawTable<SourceSummary>(
    ctx,
    [
      { header: 'Source', weight: 1.4, value: (r) => r.source, sub: (r) => (r.sourceType === r.source ? null : r.sourceType) },
      { header: 'Events', weight: 1, align: 'right', value: (r) => fmtInt(r.events) },
      { header: 'Failures', weight: 1, align: 'right', value: (r) => fmtInt(r.failures), color: (r) => (r.failures ? COLOR.failure : undefined) },
      { header: 'Success rate', weight: 0.9, align: 'right', value: (r) => fmtPct(r.successRate) },
      { header: 'Requesters', weight: 0.9, align: 'right', value: (r) => fmtInt(r.requesters) },
      { header: 'Operations', weight: 0.9, align: 'right', value: (r) => fmtInt(r.operations) },
      { header: 'Duplicates removed', weight: 0.9, align: 'right', value: (r) => fmtInt(r.duplicatesRemoved) },
      { header: 'Outside period', weight: 0.9, align: 'right', value: (r) => fmtInt(r.outsidePeriod) },
      { header: `First event (${zone})`, weight: 1.6, value: (r) => (r.firstEventTime === null ? '—' : fmtLocal(r.firstEventTime, zone)), sub: (r) => (r.firstEventTime === null ? null : fmtUtc(r.firstEventTime)) },
      { header: `Last event (${zone})`, weight: 1.6, value: (r) => (r.lastEventTime === null ? '—' : fmtLocal(r.lastEventTime, zone)), sub: (r) => (r.lastEventTime === null ? null : fmtUtc(r.lastEventTime)) },
    ],
    model.bySource,
    { title: 'By source', emptyText: 'No source returned events.' },
  );
  drawWorkbookPointer(ctx);
}

/**
 * A short PDF (the auditor handoff's cover and summary) leaves the exceptions, the population and
 * the samples to the workbook: say what is there, with the figures an auditor ticks off against it.
 */
function drawWorkbookPointer(ctx: PdfContext): void {
  const { model } = ctx;
  const elsewhere = (s: (typeof model.sections)[number]) => model.sections.includes(s) && !model.pdfSections.includes(s);
  const rows: [string, string][] = [];
  if (elsewhere('exceptions')) {
    const sev = model.exceptionCounts.bySeverity;
    rows.push(['Exceptions', `${fmtInt(model.exceptions.count)} rows (${SEVERITY_ORDER.map((s) => `${fmtInt(sev[s] ?? 0)} ${s}`).join(', ')}), with reviewer columns`]);
  }
  if (elsewhere('events')) rows.push(['Events', `${fmtInt(model.events.count)} rows: the whole normalized population, in time order`]);
  if (elsewhere('sample')) {
    for (const s of model.samples) {
      rows.push([`Sample: ${s.population}`, `${fmtInt(s.sampleSize)} of ${fmtInt(s.populationSize)}, seed ${s.seed}${s.seedSource === 'given' ? ' (given)' : ' (the default: the auditor should choose the seed, --sample-seed)'}`]);
    }
  }
  if (elsewhere('coverage')) rows.push(['Coverage', `${fmtInt(model.coverage.windows.length)} windows, one row each, with their outcome`]);
  if (rows.length === 0) return;
  gap(ctx, 8);
  subheading(ctx, 'In the workbook (report.xlsx)', { keepWith: 40 + rows.length * 14 });
  for (const [what, text] of rows) paragraph(ctx, `${what}: ${text}.`, { size: SIZE.body });
}

/** The two charts side by side; under the summary when there is room, else on a page of their own. */
export function drawCharts(ctx: PdfContext): void {
  const height = 230;
  if (!ctx.model.pdfSections.includes('summary')) sectionTitle(ctx, 'Charts', { newPage: true, keepWith: height });
  ensureSpace(ctx, height + 10);
  const gutter = 24;
  const leftW = CONTENT_WIDTH * 0.6;
  dailyVolumeChart(ctx, ctx.model.daily, { x: PAGE.marginX, y: ctx.y, width: leftW, height });
  responseCodeChart(ctx, ctx.model.responseCodes, { x: PAGE.marginX + leftW + gutter, y: ctx.y, width: CONTENT_WIDTH - leftW - gutter, height });
  ctx.y += height + 10;
}
