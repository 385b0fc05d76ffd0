import type { WindowCoverage } from '../../../model/coverage.js';
import { fmtInt, fmtLocal, fmtParameter, fmtUtc, fmtValue, parseIso } from '../format.js';
import { gap, keyValues, paragraph, sectionTitle, subheading } from '../page-flow.js';
import type { PdfContext } from '../pdf-context.js';
import { drawTable } from '../table.js';
import { COLOR, SIZE } from '../theme.js';
import { humanLabel } from '../../labels.js';

function range(startIso: string, endIso: string, show: (t: number) => string): string {
  const s = parseIso(startIso);
  const e = parseIso(endIso);
  return `${s === null ? startIso : show(s)} – ${e === null ? endIso : show(e)}`;
}

const STATUS_COLOR: Record<WindowCoverage['status'], string> = {
  complete: COLOR.success,
  failed: COLOR.failure,
  skipped: COLOR.warning,
};

/** Retries and throttles of a window (network.json has them all): how hard the data was to get. */
function networkNote(w: WindowCoverage): string | null {
  if (!w.retries && !w.throttles) return null;
  return `${fmtInt(w.retries)} ${w.retries === 1 ? 'retry' : 'retries'}, ${fmtInt(w.throttles)} throttled`;
}

/** Every source × window, the source ledgers and the run parameters: how each figure can be traced. */
export async function drawCoverageAppendix(ctx: PdfContext): Promise<void> {
  const { model, zone } = ctx;
  const windows = model.coverage.windows;
  const count = (s: WindowCoverage['status']) => windows.filter((w) => w.status === s).length;
  sectionTitle(ctx, 'Coverage appendix', { newPage: true });
  paragraph(
    ctx,
    `Every query window of every source: the half-open range [start, end) asked for, what came back and how it ended. ` +
      `${fmtInt(windows.length)} windows: ${fmtInt(count('complete'))} complete, ${fmtInt(count('failed'))} failed, ${fmtInt(count('skipped'))} skipped. ` +
      `Times in ${zone}, UTC below.`,
  );
  gap(ctx, 4);
  await drawTable<WindowCoverage>(
    ctx,
    [
      { header: 'Source', weight: 55, value: (w) => w.source, sub: (w) => w.sourceType },
      // Weights in points: the range must fit on one line, the numbers are short.
      { header: 'Window', weight: 95, value: (w) => w.window.key },
      {
        header: `Range (${zone})`,
        weight: 178,
        value: (w) => range(w.window.start, w.window.end, (t) => fmtLocal(t, zone, false)),
        sub: (w) => range(w.window.start, w.window.end, (t) => fmtUtc(t, false)),
      },
      { header: 'Pages', weight: 36, align: 'right', value: (w) => fmtInt(w.pages) },
      { header: 'Records received', weight: 50, align: 'right', value: (w) => fmtInt(w.recordsReceived) },
      { header: 'Events kept', weight: 46, align: 'right', value: (w) => fmtInt(w.eventsKept) },
      { header: 'Duplicates', weight: 54, align: 'right', value: (w) => fmtInt(w.duplicates) },
      { header: 'Outside period', weight: 46, align: 'right', value: (w) => fmtInt(w.outsidePeriod) },
      // With these five the row adds up: received = kept + duplicates + read again + outside + not events.
      { header: 'Read again', weight: 40, align: 'right', value: (w) => fmtInt(w.rereads) },
      { header: 'Not events', weight: 48, align: 'right', value: (w) => fmtInt(w.refused) },
      { header: 'Restarts', weight: 44, align: 'right', value: (w) => fmtInt(w.restarts) },
      {
        header: 'Status',
        weight: 82,
        bold: () => true,
        value: (w) => w.status.toUpperCase() + (w.resumed ? ' (resumed)' : ''),
        color: (w) => STATUS_COLOR[w.status],
        sub: (w) => (w.error ? `${w.error.code}: ${w.error.message}` : w.problems.length ? `${fmtInt(w.problems.length)} problems (below)` : networkNote(w)),
      },
    ],
    windows,
    {
      title: 'Coverage by window',
      // The query as sent (secrets already removed by the pipeline), across the row's full width:
      // what an auditor re-runs to check a count, read without a narrow column's line breaks.
      note: (w) => {
        const query = Object.keys(w.request).sort().map((k) => `${k}=${fmtValue(w.request[k])}`).join('  ');
        return query ? `Query: ${query}` : null;
      },
      rowFill: (w) => (w.status === 'failed' ? COLOR.failureFill : w.status === 'skipped' || w.problems.length ? COLOR.warningFill : undefined),
      emptyText: 'No window was queried.',
    },
  );

  const problems = windows.flatMap((w) => w.problems.map((p) => ({ w, p })));
  if (problems.length) {
    subheading(ctx, 'Problems inside windows', { keepWith: 50 });
    await drawTable(
      ctx,
      [
        { header: 'Source', weight: 1, value: (r: (typeof problems)[number]) => r.w.source },
        { header: 'Window', weight: 1.5, value: (r) => r.w.window.key },
        { header: 'Item', weight: 2, value: (r) => r.p.item },
        { header: 'Code', weight: 1.2, value: (r) => r.p.code },
        { header: 'Message', weight: 4, value: (r) => r.p.message },
      ],
      problems,
      { title: 'Problems inside windows' },
    );
  }

  for (const ledger of model.coverage.sources) {
    subheading(ctx, `${humanLabel(ledger.title)} — ${ledger.source} (${ledger.status.toUpperCase()})`, {
      color: ledger.status === 'failed' ? COLOR.failure : COLOR.text,
      keepWith: 50,
    });
    keyValues(ctx, Object.keys(ledger.facts).sort().map((k) => [humanLabel(k), fmtParameter(ledger.facts[k])]), { labelWidth: 220 });
    for (const p of ledger.problems) paragraph(ctx, `${p.item} — ${p.code}: ${p.message}`, { size: SIZE.body, color: COLOR.failure }, 12);
    gap(ctx, 6);
  }

  subheading(ctx, 'Run parameters (as in manifest.json)', { keepWith: 80 });
  const generated = parseIso(model.meta.generatedAt);
  keyValues(
    ctx,
    [
      ['Command', model.meta.command],
      ['auditpack version', model.meta.toolVersion],
      ['Generated at', generated === null ? model.meta.generatedAt : fmtUtc(generated)],
      ['Pack id', model.meta.packId],
      ['Template', model.meta.template],
      ...Object.keys(model.meta.parameters)
        .sort()
        .map((k): [string, string] => [humanLabel(k), fmtParameter(model.meta.parameters[k])]),
    ],
    { labelWidth: 180 },
  );
}
