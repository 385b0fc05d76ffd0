import type { FailureCluster } from '../../../model/report-model.js';
import { fmtInt, fmtLocal, fmtUtc } from '../format.js';
import { paragraph, sectionTitle } from '../page-flow.js';
import type { PdfContext } from '../pdf-context.js';
import { drawTable } from '../table.js';
import { COLOR, SIZE } from '../theme.js';

const PDF_CLUSTER_LIMIT = 500;

export async function drawFailureClusters(ctx: PdfContext): Promise<void> {
  const { zone } = ctx;
  sectionTitle(ctx, 'Failure clusters');
  // A "cluster" of one is a single failure: it is in the exceptions and the workbook's sheet, and
  // listing hundreds of them here would bury the repeated ones the section exists to show.
  const repeated = ctx.model.failureClusters.filter((c) => c.failures > 1);
  const singles = ctx.model.failureClusters.length - repeated.length;
  const shown = repeated.slice(0, PDF_CLUSTER_LIMIT);
  const left = [
    singles ? `${fmtInt(singles)} single failure${singles === 1 ? '' : 's'}` : '',
    repeated.length > shown.length ? `${fmtInt(repeated.length - shown.length)} smaller clusters past the first ${fmtInt(PDF_CLUSTER_LIMIT)}` : '',
  ].filter(Boolean);
  paragraph(
    ctx,
    'Repeated failures of one requester on one operation with one response code, largest first.' +
      (left.length ? ` Left out here: ${left.join(' and ')}; the workbook's Failure clusters sheet lists every cluster.` : ''),
    { size: SIZE.body, color: COLOR.muted },
  );
  await drawTable<FailureCluster>(
    ctx,
    [
      { header: 'Requester', weight: 2.2, value: (r) => r.requesterName ?? r.requesterId, sub: (r) => (r.requesterName ? r.requesterId : null) },
      { header: 'Operation', weight: 1.8, value: (r) => r.operation, sub: (r) => r.service },
      { header: 'Response code', weight: 0.9, value: (r) => r.responseCode },
      { header: 'Failures', weight: 0.8, align: 'right', value: (r) => fmtInt(r.failures), color: () => COLOR.failure },
      { header: `First (${zone})`, weight: 1.3, value: (r) => fmtLocal(r.firstTime, zone), sub: (r) => fmtUtc(r.firstTime) },
      { header: `Last (${zone})`, weight: 1.3, value: (r) => fmtLocal(r.lastTime, zone), sub: (r) => fmtUtc(r.lastTime) },
    ],
    shown,
    { title: 'Failure clusters', emptyText: 'No repeated failures in the period.' },
  );
}
