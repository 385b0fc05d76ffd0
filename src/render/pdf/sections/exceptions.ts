import type { ExceptionRow, Severity } from '../../../model/exception.js';
import { SEVERITY_ORDER } from '../../../model/exception.js';
import { fmtInt, fmtLocal, fmtUtc } from '../format.js';
import { ensureSpace, gap, paragraph, sectionTitle, subheading } from '../page-flow.js';
import type { PdfContext } from '../pdf-context.js';
import { drawTable, type Column } from '../table.js';
import { COLOR, CONTENT_WIDTH, PAGE, SIZE } from '../theme.js';
import { criterionLabel } from '../../../model/soc2-criteria.js';
import { compareCodePoints } from '../../../util/compare.js';
import { ruleQuotas } from '../exception-quota.js';

const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '#8e0000',
  high: COLOR.failure,
  medium: COLOR.warning,
  low: COLOR.muted,
};

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "Showing N of M — all M in report.xlsx, sheet Exceptions": the PDF never truncates silently. */
function truncationBanner(shown: number, total: number): string {
  return `Showing ${fmtInt(shown)} of ${fmtInt(total)} — all ${fmtInt(total)} in report.xlsx, sheet Exceptions`;
}

function banner(ctx: PdfContext, shown: number, total: number): void {
  const { doc, ts } = ctx;
  const text = truncationBanner(shown, total);
  const shared = ctx.model.exceptionGrouping === 'control' ? 'shared evenly among criteria, then among each criterion\'s rules' : 'shared evenly among rules';
  const detail = `The PDF lists at most ${fmtInt(ctx.model.pdfExceptionLimit)} exceptions (the template's limit), ${shared}: each rule shows its first rows in time order, and says how many more the workbook holds.`;
  const detailStyle = { size: SIZE.small + 0.5, color: COLOR.text };
  const detailLines = ts.wrap(detail, CONTENT_WIDTH - 24, detailStyle);
  const h = 35 + detailLines.length * ts.lineHeight(detailStyle);
  ensureSpace(ctx, h + 8);
  doc.rect(PAGE.marginX, ctx.y, CONTENT_WIDTH, h).fill(COLOR.warningFill);
  doc.rect(PAGE.marginX, ctx.y, 5, h).fill(COLOR.warning);
  ts.line(text, PAGE.marginX + 14, ctx.y + 8, { size: SIZE.h3 + 1, bold: true, color: COLOR.warning, width: CONTENT_WIDTH - 24 });
  detailLines.forEach((l, i) => ts.line(l, PAGE.marginX + 14, ctx.y + 27 + i * ts.lineHeight(detailStyle), detailStyle));
  ctx.y += h + 10;
}

function countsLine(label: string, counts: Record<string, number>, order?: readonly string[]): string {
  const keys = order ?? Object.keys(counts).sort();
  return `${label}: ${keys.map((k) => `${k} ${fmtInt(counts[k] ?? 0)}`).join(' · ')}`;
}

/** The full-width line under every exception row: its event id, service and what it changed. */
export function exceptionNote(r: ExceptionRow): string {
  const parts = [r.eventId ? `Event id ${r.eventId}` : 'Event id — (a finding about the period or a window, not one event)'];
  if (r.service) parts.push(`service ${r.service}`);
  if (r.details) parts.push(`changed: ${r.details}`);
  return parts.join(' · ');
}

/** "12 more: workbook sheet Exceptions (filter Rule = failed-operation)": what the PDF left out of a rule, and where it is. */
export function moreLine(more: number, ruleId: string): string {
  return `${fmtInt(more)} more: workbook sheet Exceptions (filter Rule = ${ruleId})`;
}

/** Columns of a table that mixes rules (grouping by severity only): each row names its rule and reason. */
function mixedColumns(ctx: PdfContext): Column<ExceptionRow>[] {
  return [
    timeColumn(ctx, 1.35),
    { header: 'Rule', weight: 1.3, value: (r) => r.title, sub: (r) => r.ruleId },
    requesterColumn(2.1),
    operationColumn(1.4),
    codeColumn(0.9),
    resourceColumn(1.3),
    { header: 'Reason', weight: 1.65, value: (r) => r.reason, sub: (r) => (r.trend ? `trend: ${r.trend}` : null) },
  ];
}

const timeColumn = (ctx: PdfContext, weight: number): Column<ExceptionRow> => ({
  header: `Time (${ctx.zone})`,
  weight,
  value: (r) => fmtLocal(r.time, ctx.zone),
  sub: (r) => fmtUtc(r.time),
});
const requesterColumn = (weight: number): Column<ExceptionRow> => ({
  header: 'Requester',
  weight,
  value: (r) => r.requesterName ?? r.requesterId,
  sub: (r) => [r.requesterEmail, r.requesterName ? r.requesterId : null].filter(Boolean).join(' · ') || null,
});
const operationColumn = (weight: number): Column<ExceptionRow> => ({ header: 'Operation', weight, value: (r) => r.operation, sub: (r) => r.source });
const codeColumn = (weight: number): Column<ExceptionRow> => ({ header: 'Code', weight, value: (r) => r.responseCode });
const resourceColumn = (weight: number): Column<ExceptionRow> => ({
  header: 'Resource',
  weight,
  value: (r) => r.resource ?? '—',
  sub: (r) => (r.client ? `client: ${r.client}` : null),
});

/**
 * A rule's rows share its reason; most rows only add a detail in brackets ("(3 events from … to …)").
 * The shared text is stated once above the table and the rows keep only their detail, so the
 * columns get the width instead of repeating one sentence cut with "…" on every row. `base` is
 * null when the reasons share no such prefix: then each row shows its whole reason.
 */
export function splitReasons(reasons: readonly string[]): { base: string | null; details: (string | null)[] } {
  const first = reasons[0] ?? '';
  if (reasons.every((r) => r === first)) return { base: first, details: reasons.map(() => null) };
  let common = first.length;
  for (const r of reasons) {
    let i = 0;
    while (i < common && i < r.length && r[i] === first[i]) i++;
    common = i;
  }
  // The longest shared prefix after which every reason either ends or goes on with " (detail)".
  for (let k = common; k > 0; k--) {
    if (reasons.every((r) => r.length === k || (r.startsWith(' (', k) && r.endsWith(')')))) {
      return { base: first.slice(0, k), details: reasons.map((r) => (r.length === k ? null : r.slice(k + 2, -1))) };
    }
  }
  return { base: null, details: reasons.map((r) => r) };
}

interface RuleGroup {
  ruleId: string;
  title: string;
  severity: Severity;
  rows: ExceptionRow[];
}

/** Rows by rule, in the order each rule first appears (the rows come sorted by severity, then time). */
function byRule(rows: readonly ExceptionRow[]): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const r of rows) {
    // Keyed by severity too: one rule's rows are one severity, but the heading must not claim so if not.
    const key = `${r.severity}\u0000${r.ruleId}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ruleId: r.ruleId, title: r.title, severity: r.severity, rows: [] }));
    g.rows.push(r);
  }
  return [...groups.values()];
}

/**
 * One rule's rows: a heading with its severity and how many of its rows are shown, its reason
 * once, then a table whose rows carry only what differs between them.
 */
async function drawRuleGroup(ctx: PdfContext, group: RuleGroup): Promise<void> {
  const { ts, doc } = ctx;
  const inPeriod = ctx.model.exceptionCounts.byRule[group.ruleId] ?? group.rows.length;
  const shown = group.rows.length < inPeriod ? `${fmtInt(group.rows.length)} of ${fmtInt(inPeriod)} shown` : `${fmtInt(inPeriod)} in the period`;
  const { base, details } = splitReasons(group.rows.map((r) => r.reason));
  const detailOf = new Map(group.rows.map((r, i) => [r, details[i]] as const));
  const reasonStyle = { size: SIZE.body, color: COLOR.muted };
  const reasonLines = base === null ? [] : ts.wrap(`Why: ${base}`, CONTENT_WIDTH - 10, reasonStyle);
  const headingHeight = SIZE.h3 * 1.5 + reasonLines.length * ts.lineHeight(reasonStyle) + 4;
  ensureSpace(ctx, headingHeight + 60);
  doc.rect(PAGE.marginX, ctx.y, 4, SIZE.h3 * 1.25).fill(SEVERITY_COLOR[group.severity]);
  const label = capital(group.severity);
  ts.line(label, PAGE.marginX + 10, ctx.y, { size: SIZE.h3, bold: true, color: SEVERITY_COLOR[group.severity] });
  const labelWidth = ts.width(`${label}  `, { size: SIZE.h3, bold: true });
  ts.line(`${group.title} (${group.ruleId}) · ${shown}`, PAGE.marginX + 10 + labelWidth, ctx.y, {
    size: SIZE.h3,
    bold: true,
    width: CONTENT_WIDTH - 10 - labelWidth,
  });
  ctx.y += SIZE.h3 * 1.5;
  for (const l of reasonLines) {
    ts.line(l, PAGE.marginX + 10, ctx.y, reasonStyle);
    ctx.y += ts.lineHeight(reasonStyle);
  }
  ctx.y += 4;
  const hasDetail = group.rows.some((r) => detailOf.get(r) !== null || r.trend);
  const columns: Column<ExceptionRow>[] = [
    timeColumn(ctx, 1.3),
    requesterColumn(2.2),
    operationColumn(hasDetail ? 1.6 : 1.9),
    codeColumn(1.0),
    resourceColumn(hasDetail ? 2.0 : 2.6),
  ];
  if (hasDetail) {
    columns.push({
      header: base === null ? 'Reason' : 'Detail',
      weight: 1.9,
      value: (r) => detailOf.get(r) ?? '—',
      sub: (r) => (r.trend ? `trend: ${r.trend}` : null),
    });
  }
  await drawTable(ctx, columns, group.rows, { title: `${capital(group.severity)} · ${group.title}`, note: exceptionNote });
  const more = inPeriod - group.rows.length;
  if (more > 0) {
    paragraph(ctx, moreLine(more, group.ruleId), { size: SIZE.body, bold: true, color: COLOR.warning });
    gap(ctx, 4);
  }
}

/**
 * Exceptions, at most `pdfExceptionLimit` rows read from the stream (already sorted by severity,
 * then time), grouped as the template says: by SOC 2 control (auditors test by control), then
 * severity and rule; by severity and rule (failure reviews); or by severity alone, one table
 * mixing rules. Within a group, rows keep time order.
 */
const GROUPING_TEXT: Record<PdfContext['model']['exceptionGrouping'], string> = {
  control: "Grouped by Trust Services Criterion; within one, by severity, then by rule (in order of each rule's first row), each rule's rows in time order.",
  rule: "Grouped by severity, then by rule (in order of each rule's first row), each rule's rows in time order.",
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

  const rows = await pickExceptionRows(model, limit);
  const truncated = rows.length < total;
  if (truncated) banner(ctx, rows.length, total);

  if (model.exceptionGrouping === 'control') await drawByControl(ctx, rows);
  else await drawBySeverity(ctx, rows);
  if (truncated) banner(ctx, rows.length, total);
}

/**
 * The rows the PDF shows: each rule's first rows (the stream is in severity, then time order) up
 * to its fair share of the limit (exception-quota.ts), so one noisy rule or criterion cannot take
 * the whole limit. Rows marked resolved (month over month) are shown while the limit allows.
 */
export async function pickExceptionRows(model: PdfContext['model'], limit: number): Promise<ExceptionRow[]> {
  const rows: ExceptionRow[] = [];
  if (limit <= 0) return rows;
  const controlOf = model.exceptionGrouping === 'control' ? new Map(model.exceptionSubjects.map((s) => [s.ruleId, s.control] as const)) : null;
  const quotas = ruleQuotas(model.exceptionCounts.byRule, controlOf, limit);
  const wanted = [...quotas.values()].reduce((a, b) => a + b, 0);
  const taken = new Map<string, number>();
  let fromQuotas = 0;
  // Each rule's first rows, kept by the pull, hold every row this can take; the stream is read
  // only for a model without them (or kept for a smaller limit).
  const heads = model.exceptionHeads;
  const stream = heads && heads.perRule >= limit ? heads.rows : model.exceptions.open();
  for await (const row of stream) {
    const n = taken.get(row.ruleId) ?? 0;
    const quota = quotas.get(row.ruleId);
    if (quota === undefined) {
      if (row.trend === 'resolved' && rows.length < limit) rows.push(row);
    } else if (n < quota) {
      rows.push(row);
      taken.set(row.ruleId, n + 1);
      fromQuotas++;
    }
    if (fromQuotas >= wanted && rows.length >= limit) break;
  }
  return rows;
}

/**
 * SOC 2 auditors test control by control: one heading per criterion (every criterion the template's
 * rules map to, so "no exceptions" is stated, not implied), then one table per severity and rule.
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
    gap(ctx, 4);
    for (const ruleGroup of byRule(group)) await drawRuleGroup(ctx, ruleGroup);
  }
}

/** "CC6.1" before "CC6.10" before "CC7.2": by family, then number. */
function compareControls(a: string, b: string): number {
  const pa = /^([A-Z]+)(\d+)\.(\d+)$/.exec(a);
  const pb = /^([A-Z]+)(\d+)\.(\d+)$/.exec(b);
  if (!pa || !pb) return compareCodePoints(a, b);
  return compareCodePoints(pa[1], pb[1]) || Number(pa[2]) - Number(pb[2]) || Number(pa[3]) - Number(pb[3]);
}

async function drawBySeverity(ctx: PdfContext, rows: ExceptionRow[]): Promise<void> {
  const { model } = ctx;
  const rank = (s: Severity) => SEVERITY_ORDER.indexOf(s);
  // Array.prototype.sort is stable: rows of one severity keep the stream's time order.
  rows.sort((a, b) => rank(a.severity) - rank(b.severity));
  for (const severity of SEVERITY_ORDER) {
    const ofSeverity = rows.filter((r) => r.severity === severity);
    const inPeriod = model.exceptionCounts.bySeverity[severity] ?? 0;
    if (ofSeverity.length === 0) continue;
    const shownNote = ofSeverity.length < inPeriod ? ` (${fmtInt(ofSeverity.length)} shown)` : '';
    subheading(ctx, `${capital(severity)} — ${fmtInt(inPeriod)} in the period${shownNote}`, { color: SEVERITY_COLOR[severity], keepWith: 70 });
    if (model.exceptionGrouping === 'severity') {
      await drawTable(ctx, mixedColumns(ctx), ofSeverity, { title: capital(severity), note: exceptionNote });
      for (const g of byRule(ofSeverity)) {
        const more = (model.exceptionCounts.byRule[g.ruleId] ?? g.rows.length) - g.rows.length;
        if (more > 0) paragraph(ctx, moreLine(more, g.ruleId), { size: SIZE.body, bold: true, color: COLOR.warning });
      }
      continue;
    }
    for (const ruleGroup of byRule(ofSeverity)) await drawRuleGroup(ctx, ruleGroup);
  }
}
