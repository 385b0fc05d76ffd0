import type { FailureCluster } from '../../../model/report-model.js';
import { fmtInt, fmtLocal, fmtUtc } from '../format.js';
import { paragraph, sectionTitle } from '../page-flow.js';
import type { PdfContext } from '../pdf-context.js';
import { drawTable } from '../table.js';
import { COLOR, SIZE } from '../theme.js';

export async function drawFailureClusters(ctx: PdfContext): Promise<void> {
  const { zone } = ctx;
  sectionTitle(ctx, 'Failure clusters');
  paragraph(ctx, 'Repeated failures of one requester on one operation with one response code, largest first.', { size: SIZE.body, color: COLOR.muted });
  await drawTable<FailureCluster>(
    ctx,
    [
      { header: 'Requester', weight: 2.2, value: (r) => r.requesterName ?? r.requesterId, sub: (r) => (r.requesterName ? r.requesterId : null) },
      { header: 'Operation', weight: 1.8, value: (r) => r.operation },
      { header: 'Response code', weight: 0.9, value: (r) => r.responseCode },
      { header: 'Failures', weight: 0.8, align: 'right', value: (r) => fmtInt(r.failures), color: () => COLOR.failure },
      { header: `First (${zone})`, weight: 1.3, value: (r) => fmtLocal(r.firstTime, zone), sub: (r) => fmtUtc(r.firstTime) },
      { header: `Last (${zone})`, weight: 1.3, value: (r) => fmtLocal(r.lastTime, zone), sub: (r) => fmtUtc(r.lastTime) },
    ],
    ctx.model.failureClusters,
    { title: 'Failure clusters', emptyText: 'No repeated failures in the period.' },
  );
}
