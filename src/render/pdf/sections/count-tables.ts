import { responseClassLabel } from '../../labels.js';
import { responseKind } from '../../../model/audit-event.js';
import type { CountRow, DailyRow, RequesterRow } from '../../../model/report-model.js';
import { codeColor } from '../charts.js';
import { fmtInt, fmtLocal, fmtPct, fmtUtc } from '../format.js';
import { paragraph, sectionTitle, subheading } from '../page-flow.js';
import type { PdfContext } from '../pdf-context.js';
import { drawTable, type Column } from '../table.js';
import { COLOR, SIZE } from '../theme.js';
import { compareCodePoints } from '../../../util/compare.js';

/** Operations, response codes, requesters, clients and days: the count tables of the report. */

const red = (n: number) => (n > 0 ? COLOR.failure : undefined);

function countColumns<T extends CountRow>(ctx: PdfContext): Column<T>[] {
  return [
    { header: 'Events', weight: 0.8, align: 'right', value: (r) => fmtInt(r.events) },
    { header: 'Failures', weight: 0.8, align: 'right', value: (r) => fmtInt(r.failures), color: (r) => red(r.failures) },
    { header: 'Failure rate', weight: 0.8, align: 'right', value: (r) => fmtPct(r.failureRate), color: (r) => red(r.failures) },
    {
      header: `First seen (${ctx.zone})`,
      weight: 1.3,
      value: (r) => (r.firstTime === null ? '—' : fmtLocal(r.firstTime, ctx.zone)),
      sub: (r) => (r.firstTime === null ? null : fmtUtc(r.firstTime)),
    },
    {
      header: `Last seen (${ctx.zone})`,
      weight: 1.3,
      value: (r) => (r.lastTime === null ? '—' : fmtLocal(r.lastTime, ctx.zone)),
      sub: (r) => (r.lastTime === null ? null : fmtUtc(r.lastTime)),
    },
  ];
}

const note = (ctx: PdfContext, text: string) => paragraph(ctx, text, { size: SIZE.body, color: COLOR.muted });

/**
 * A failures-only report (the failed-operations template) is a list of offenders: rows without a
 * failure are left out and the most failures come first. The workbook keeps every row.
 */
function ranked<T extends CountRow>(ctx: PdfContext, rows: readonly T[]): { rows: readonly T[]; order: string } {
  if (!ctx.model.failuresOnly) return { rows, order: 'most frequent first' };
  const failing = rows.filter((r) => r.failures > 0).sort((a, b) => b.failures - a.failures || b.failureRate - a.failureRate || compareCodePoints(a.key, b.key));
  return { rows: failing, order: `${fmtInt(failing.length)} with failures, most failures first (the workbook lists all)` };
}

export async function drawOperations(ctx: PdfContext): Promise<void> {
  sectionTitle(ctx, 'Operations');
  const { rows, order } = ranked(ctx, ctx.model.operations);
  note(ctx, `${fmtInt(ctx.model.operations.length)} distinct operations, ${order}.`);
  await drawTable<CountRow>(
    ctx,
    [
      { header: 'Service', weight: 1.2, value: (r) => r.service ?? '—' },
      { header: 'Operation', weight: 2.4, value: (r) => r.operation ?? r.label ?? r.key },
      ...countColumns<CountRow>(ctx),
    ],
    rows,
    { title: 'Operations', emptyText: ctx.model.failuresOnly ? 'No operation failed in the period.' : 'No operations in the period.' },
  );
}

export async function drawResponseCodes(ctx: PdfContext): Promise<void> {
  sectionTitle(ctx, 'Response codes');
  const total = ctx.model.responseCodes.reduce((s, r) => s + r.events, 0);
  await drawTable<CountRow>(
    ctx,
    [
      { header: 'Response code', weight: 1.6, bold: () => true, value: (r) => r.key, color: (r) => codeColor(r) },
      { header: 'Meaning', weight: 1, value: (r) => responseKind(r.key, r.failures > 0), color: (r) => codeColor(r) },
      { header: 'Share of events', weight: 0.9, align: 'right', value: (r) => (total ? fmtPct(r.events / total) : '—') },
      ...countColumns<CountRow>(ctx),
    ],
    ctx.model.responseCodes,
    { title: 'Response codes', emptyText: 'No events in the period.' },
  );
  if (ctx.model.responseClasses.length) {
    subheading(ctx, 'By response class', { keepWith: 60 });
    await drawTable<CountRow>(
      ctx,
      [
        { header: 'Response class', weight: 1.6, bold: () => true, value: (r) => responseClassLabel(r.key) },
        { header: 'Share of events', weight: 0.9, align: 'right', value: (r) => (total ? fmtPct(r.events / total) : '—') },
        ...countColumns<CountRow>(ctx),
      ],
      ctx.model.responseClasses,
      { title: 'Response classes' },
    );
  }
}

export async function drawRequesters(ctx: PdfContext): Promise<void> {
  const all = ctx.model.requesters;
  const unknown = all.filter((r) => !r.inDirectory).length;
  const { rows, order } = ranked(ctx, all);
  sectionTitle(ctx, 'Requesters');
  note(
    ctx,
    `${fmtInt(all.length)} requesters, ${ctx.model.failuresOnly ? order : 'most active first'}. Names and e-mail addresses come from the requester directory` +
      (unknown ? `; ${fmtInt(unknown)} requester ${unknown === 1 ? 'id is' : 'ids are'} not in it (shaded).` : '.'),
  );
  await drawTable<RequesterRow>(
    ctx,
    [
      { header: 'Name', weight: 1.6, value: (r) => r.name ?? (r.inDirectory ? '—' : 'not in directory'), sub: (r) => r.type },
      { header: 'E-mail', weight: 1.7, value: (r) => r.email ?? '—' },
      { header: 'Requester id', weight: 2.4, value: (r) => r.key },
      { header: 'Events', weight: 0.8, align: 'right', value: (r) => fmtInt(r.events) },
      { header: 'Failures', weight: 0.8, align: 'right', value: (r) => fmtInt(r.failures), color: (r) => red(r.failures) },
      { header: 'Failure rate', weight: 0.8, align: 'right', value: (r) => fmtPct(r.failureRate), color: (r) => red(r.failures) },
    ],
    rows,
    { title: 'Requesters', rowFill: (r) => (r.inDirectory ? undefined : COLOR.warningFill), emptyText: ctx.model.failuresOnly ? 'No requester had a failure in the period.' : 'No requesters in the period.' },
  );
}

export async function drawClients(ctx: PdfContext): Promise<void> {
  sectionTitle(ctx, 'Clients');
  await drawTable<CountRow>(
    ctx,
    // A client row's key is its name (or id, or user agent) and its label the client id, as in the
    // workbook's Client and Client id columns: the name leads, the id goes under it.
    [{ header: 'Client', weight: 3, value: (r) => r.key, sub: (r) => (r.label && r.label !== r.key ? r.label : null) }, ...countColumns<CountRow>(ctx)],
    ctx.model.clients,
    { title: 'Clients', emptyText: 'No client was recorded.' },
  );
}

export async function drawDaily(ctx: PdfContext): Promise<void> {
  sectionTitle(ctx, `Daily counts (days in ${ctx.zone})`);
  await drawTable<DailyRow>(
    ctx,
    [
      { header: `Day (${ctx.zone})`, weight: 1.2, value: (r) => r.day },
      { header: 'Events', weight: 1, align: 'right', value: (r) => fmtInt(r.events) },
      { header: 'Successes', weight: 1, align: 'right', value: (r) => fmtInt(Math.max(0, r.events - r.failures)) },
      { header: 'Failures', weight: 1, align: 'right', value: (r) => fmtInt(r.failures), color: (r) => red(r.failures) },
      { header: 'Failure rate', weight: 1, align: 'right', value: (r) => (r.events ? fmtPct(r.failures / r.events) : '—'), color: (r) => red(r.failures) },
    ],
    ctx.model.daily,
    { title: 'Daily counts', emptyText: 'No events in the period.' },
  );
}
