import type { AuditEvent } from '../../../model/audit-event.js';
import { fmtInt, fmtLocal, fmtUtc } from '../format.js';
import { keyValues, sectionTitle, subheading } from '../page-flow.js';
import type { PdfContext } from '../pdf-context.js';
import { drawTable } from '../table.js';
import { COLOR } from '../theme.js';
import { DEFAULT_SEED_WARNING } from '../../../model/report-model.js';

/** Audit samples: how each was drawn (so it can be re-drawn) and the sampled events. */
export async function drawSamples(ctx: PdfContext): Promise<void> {
  const { zone } = ctx;
  // Listed by the template but none drawn (no sample rule matched this pack): the section is left out.
  if (ctx.model.samples.length === 0) return;
  sectionTitle(ctx, 'Samples');
  for (const s of ctx.model.samples) {
    subheading(ctx, `Sample of ${s.population}: ${fmtInt(s.sampleSize)} of ${fmtInt(s.populationSize)}`, { keepWith: 90 });
    keyValues(ctx, [
      ['Population', s.population],
      ['Population size', fmtInt(s.populationSize)],
      ['Sample size', fmtInt(s.sampleSize)],
      ['Method', s.method],
      ['Seed', s.seed],
      // The default seed is known to whoever runs the tool: say so, and who should choose it.
      ['Seed chosen by', s.seedSource === 'given' ? 'given with --sample-seed' : `the default (<period>:<template>). ${DEFAULT_SEED_WARNING}`],
    ]);
    await drawTable<AuditEvent>(
      ctx,
      [
        { header: `Time (${zone})`, weight: 1.3, value: (e) => fmtLocal(e.time, zone), sub: (e) => fmtUtc(e.time) },
        { header: 'Source', weight: 0.9, value: (e) => e.source, sub: (e) => e.service },
        { header: 'Operation', weight: 1.5, value: (e) => e.operation },
        {
          header: 'Outcome',
          weight: 0.9,
          value: (e) => `${e.outcome} (${e.responseCode})`,
          color: (e) => (e.outcome === 'failure' ? COLOR.failure : undefined),
        },
        { header: 'Requester', weight: 1.8, value: (e) => e.requester.name ?? e.requester.id, sub: (e) => [e.requester.email, e.requester.name ? e.requester.id : null].filter(Boolean).join(' · ') || null },
        { header: 'Client', weight: 1.1, value: (e) => e.client?.name ?? e.client?.id ?? '—' },
        { header: 'Resources', weight: 1.8, value: (e) => (e.resources.length ? e.resources.map((r) => r.id).join(', ') : '—') },
        { header: 'Event id', weight: 1.3, value: (e) => e.id },
      ],
      s.rows,
      { title: `Sample of ${s.population}`, emptyText: 'The population was empty.' },
    );
  }
}
