import type { ExceptionRow, Severity } from '../../../model/exception.js';
import { SEVERITY_ORDER } from '../../../model/exception.js';
import { fmtInt, fmtLocal, fmtUtc } from '../format.js';
import { ensureSpace, gap, paragraph, sectionTitle, subheading } from '../page-flow.js';
import type { PdfContext } from '../pdf-context.js';
import { drawTable, type Column } from '../table.js';
import { COLOR, CONTENT_WIDTH, PAGE, SIZE } from '../theme.js';
import { criterionLabel } from '../../../model/soc2-criteria.js';

const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '#8e0000',
  high: COLOR.failure,
  medium: COLOR.warning,
  low: COLOR.muted,
};

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "Showing N of M — all M in report.xlsx, sheet Exceptions": the PDF never truncates silently. */
export function truncationBanner(shown: number, total: number): string {
  return `Showing ${fmtInt(shown)} of ${fmtInt(total)} — all ${fmtInt(total)} in report.xlsx, sheet Exceptions`;
}

function banner(ctx: PdfContext, shown: number, total: number): void {
  const { doc, ts } = ctx;
  const text = truncationBanner(shown, total);
  const detail = `The PDF lists at most ${fmtInt(ctx.model.pdfExceptionLimit)} exceptions (the template's limit): the first ones in severity-then-time order, the most severe first.`;
  const h = 44;
  ensureSpace(ctx, h + 8);
  doc.rect(PAGE.marginX, ctx.y, CONTENT_WIDTH, h).fill(COLOR.warningFill);
  doc.rect(PAGE.marginX, ctx.y, 5, h).fill(COLOR.warning);
  ts.line(text, PAGE.marginX + 14, ctx.y + 8, { size: SIZE.h3 + 1, bold: true, color: COLOR.warning, width: CONTENT_WIDTH - 24 });
  ts.line(detail, PAGE.marginX + 14, ctx.y + 27, { size: SIZE.small + 0.5, color: COLOR.text, width: CONTENT_WIDTH - 24 });
  ctx.y += h + 10;
}

function countsLine(label: string, counts: Record<string, number>, order?: readonly string[]): string {
  const keys = order ?? Object.keys(counts).sort();
  return `${label}: ${keys.map((k) => `${k} ${fmtInt(counts[k] ?? 0)}`).join(' · ')}`;
}

function columns(ctx: PdfContext): Column<ExceptionRow>[] {
  return [
    { header: `Time (${ctx.zone})`, weight: 1.35, value: (r) => fmtLocal(r.time, ctx.zone), sub: (r) => fmtUtc(r.time) },
    { header: 'Rule', weight: 1.3, value: (r) => r.title, sub: (r) => r.ruleId },
    {
      header: 'Requester',
      weight: 2.1,
      value: (r) => r.requesterName ?? r.requesterId,
      sub: (r) => [r.requesterEmail, r.requesterName ? r.requesterId : null].filter(Boolean).join(' · ') || null,
    },
    { header: 'Operation', weight: 1.3, value: (r) => r.operation, sub: (r) => r.source },
    { header: 'Code', weight: 0.75, value: (r) => r.responseCode },
    { header: 'Resource', weight: 1.3, value: (r) => r.resource ?? '—', sub: (r) => (r.client ? `client: ${r.client}` : null) },
    { header: 'Reason', weight: 1.65, value: (r) => r.reason, sub: (r) => (r.trend ? `trend: ${r.trend}` : null) },
  ];
}

/**
 * Exceptions, at most `pdfExceptionLimit` rows read from the stream (already sorted by severity,
 * then time), grouped under severity headings and, within a severity, as the template says: by
 * SOC 2 control (auditors test by control), by rule (failure reviews), or not at all. Within a
 * group, rows keep time order.
 */
const GROUPING_TEXT: Record<PdfContext['model']['exceptionGrouping'], string> = {
  control: 'Grouped by Trust Services Criterion; within one, by severity, then time.',
  rule: 'Sorted by severity, then time; grouped by severity and by rule.',
  severity: 'Sorted by severity, then time.',
};

export async function drawExceptions(ctx: PdfContext): Promise<void> {
  const { model } = ctx;
  const total = model.exceptions.count;
  const limit = Math.max(0, model.pdfExceptionLimit);
  sectionTitle(ctx, 'Exceptions', { newPage: true });
  paragraph(
    ctx,
    `${fmtInt(total)} exceptions matched the template's rules in the period. Rules annotate events; they never drop them. ` +
      GROUPING_TEXT[model.exceptionGrouping],
  );
  if (total > 0) {
    paragraph(ctx, countsLine('By severity', model.exceptionCounts.bySeverity, SEVERITY_ORDER), { size: SIZE.body, color: COLOR.muted });
    paragraph(ctx, countsLine('By control', model.exceptionCounts.byControl), { size: SIZE.body, color: COLOR.muted });
    paragraph(ctx, countsLine('By rule', model.exceptionCounts.byRule), { size: SIZE.body, color: COLOR.muted });
  }
  gap(ctx, 6);
  if (total === 0) {
    paragraph(ctx, 'No exceptions matched in the period.', { size: SIZE.body + 1, bold: true, color: COLOR.success });
    return;
  }

  const rows: ExceptionRow[] = [];
  if (limit > 0) {
    for await (const row of model.exceptions.open()) {
      rows.push(row);
      if (rows.length >= limit) break;
    }
  }
  const truncated = rows.length < total;
  if (truncated) banner(ctx, rows.length, total);

  if (model.exceptionGrouping === 'control') await drawByControl(ctx, rows);
  else await drawBySeverity(ctx, rows);
  if (truncated) banner(ctx, rows.length, total);
}

/**
 * SOC 2 auditors test control by control: one heading per criterion (every criterion the template's
 * rules map to, so "no exceptions" is stated, not implied), severity then time within it.
 */
async function drawByControl(ctx: PdfContext, rows: ExceptionRow[]): Promise<void> {
  const counts = ctx.model.exceptionCounts.byControl;
  const controls = [...new Set([...Object.keys(counts), ...rows.map((r) => r.control)])].sort(compareControls);
  const rank = (s: Severity) => SEVERITY_ORDER.indexOf(s);
  for (const control of controls) {
    const inPeriod = counts[control] ?? 0;
    // Stable sort: rows of one severity keep the stream's time order.
    const group = rows.filter((r) => r.control === control).sort((a, b) => rank(a.severity) - rank(b.severity));
    const shownNote = group.length === 0 ? ', none shown here (all in report.xlsx)' : group.length < inPeriod ? ` (${fmtInt(group.length)} shown)` : '';
    const title = `${criterionLabel(control || '(no criterion)')} — ${inPeriod === 0 ? 'no exceptions in the period' : `${fmtInt(inPeriod)} in the period${shownNote}`}`;
    subheading(ctx, title, { color: inPeriod === 0 ? COLOR.success : COLOR.text, keepWith: group.length ? 70 : 10 });
    if (group.length === 0) continue;
    const sev = SEVERITY_ORDER.map((s) => [s, group.filter((r) => r.severity === s).length] as const).filter(([, n]) => n > 0);
    paragraph(ctx, `Shown by severity: ${sev.map(([s, n]) => `${fmtInt(n)} ${s}`).join(', ')}.`, { size: SIZE.body, color: COLOR.muted });
    await drawTable(ctx, [severityColumn(), ...columns(ctx)], group, { title: criterionLabel(control) });
  }
}

/** "CC6.1" before "CC6.10" before "CC7.2": by family, then number. */
function compareControls(a: string, b: string): number {
  const pa = /^([A-Z]+)(\d+)\.(\d+)$/.exec(a);
  const pb = /^([A-Z]+)(\d+)\.(\d+)$/.exec(b);
  if (!pa || !pb) return a.localeCompare(b);
  return pa[1].localeCompare(pb[1]) || Number(pa[2]) - Number(pb[2]) || Number(pa[3]) - Number(pb[3]);
}

function severityColumn(): Column<ExceptionRow> {
  return { header: 'Severity', weight: 0.55, bold: () => true, value: (r) => capital(r.severity), color: (r) => SEVERITY_COLOR[r.severity] };
}

async function drawBySeverity(ctx: PdfContext, rows: ExceptionRow[]): Promise<void> {
  const { model } = ctx;
  const rank = (s: Severity) => SEVERITY_ORDER.indexOf(s);
  const grouping = model.exceptionGrouping;
  const groupOf = (r: ExceptionRow) => (grouping === 'control' ? `control ${r.control || '(none)'}` : grouping === 'rule' ? r.title : '');
  // Array.prototype.sort is stable: rows of one severity and group keep the stream's time order.
  rows.sort((a, b) => rank(a.severity) - rank(b.severity) || groupOf(a).localeCompare(groupOf(b)));
  for (const severity of SEVERITY_ORDER) {
    const ofSeverity = rows.filter((r) => r.severity === severity);
    const inPeriod = model.exceptionCounts.bySeverity[severity] ?? 0;
    if (ofSeverity.length === 0) continue;
    const shownNote = ofSeverity.length < inPeriod ? ` (${fmtInt(ofSeverity.length)} shown)` : '';
    subheading(ctx, `${capital(severity)} — ${fmtInt(inPeriod)} in the period${shownNote}`, { color: SEVERITY_COLOR[severity], keepWith: 70 });
    if (grouping === 'severity') {
      await drawTable(ctx, columns(ctx), ofSeverity, { title: capital(severity) });
      continue;
    }
    for (const name of [...new Set(ofSeverity.map(groupOf))]) {
      const group = ofSeverity.filter((r) => groupOf(r) === name);
      ensureSpace(ctx, SIZE.h3 * 1.6 + 50);
      ctx.ts.line(`${capital(severity)} · ${name} · ${fmtInt(group.length)} shown`, PAGE.marginX, ctx.y, { size: SIZE.h3, bold: true });
      ctx.y += SIZE.h3 * 1.6;
      await drawTable(ctx, columns(ctx), group, { title: `${capital(severity)} · ${name}` });
    }
  }
}
