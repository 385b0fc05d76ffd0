import { fmtInt, fmtLocalWithOffset, fmtUtc, parseIso } from '../format.js';
import { gap, keyValues } from '../page-flow.js';
import type { PdfContext } from '../pdf-context.js';
import { COLOR, CONTENT_WIDTH, PAGE, SIZE } from '../theme.js';

/** The completeness statement: the first thing an auditor must read, impossible to miss either way. */
function completenessBox(ctx: PdfContext): void {
  const { doc, ts, model } = ctx;
  const pad = 14;
  const inner = CONTENT_WIDTH - 2 * pad;
  const failedWindows = model.coverage.windows.filter((w) => w.status !== 'complete').length;
  if (model.complete) {
    const text = 'Every window of every source was retrieved in full: the figures in this report cover the whole period.';
    const height = 2 * pad + 24 + ts.wrap(text, inner, { size: SIZE.body + 1 }).length * ts.lineHeight({ size: SIZE.body + 1 });
    doc.rect(PAGE.marginX, ctx.y, CONTENT_WIDTH, height).fill(COLOR.successFill);
    doc.rect(PAGE.marginX, ctx.y, 6, height).fill(COLOR.success);
    ts.line('COMPLETE', PAGE.marginX + pad, ctx.y + pad - 2, { size: 18, bold: true, color: COLOR.success });
    ts.paragraph(text, PAGE.marginX + pad, ctx.y + pad + 24, inner, { size: SIZE.body + 1, color: COLOR.text });
    ctx.y += height;
    return;
  }
  const heading = 'INCOMPLETE — THIS REPORT DOES NOT COVER THE WHOLE PERIOD';
  const lead =
    `${fmtInt(failedWindows)} of ${fmtInt(model.coverage.windows.length)} query windows did not complete. ` +
    'Every count in this report is a lower bound, and events from the windows below are missing:';
  const reasons = model.incompleteReasons.length ? model.incompleteReasons : ['(no reason was recorded)'];
  const style = { size: SIZE.body + 1, color: '#ffffff' };
  const lh = ts.lineHeight(style);
  const leadLines = ts.wrap(lead, inner, style);
  const reasonLines = reasons.map((r) => ts.wrap(r, inner - 12, { ...style, bold: true }));
  const listed = reasonLines.slice(0, 12);
  const more = reasons.length - listed.length;
  const height = 2 * pad + 26 + (leadLines.length + listed.flat().length + (more > 0 ? 1 : 0)) * lh + 4;
  doc.rect(PAGE.marginX, ctx.y, CONTENT_WIDTH, height).fill(COLOR.failure);
  let y = ctx.y + pad - 2;
  ts.line(heading, PAGE.marginX + pad, y, { size: 17, bold: true, color: '#ffffff', width: inner });
  y += 26;
  for (const l of leadLines) {
    ts.line(l, PAGE.marginX + pad, y, style);
    y += lh;
  }
  y += 4;
  for (const lines of listed) {
    lines.forEach((l, i) => {
      if (i === 0) ts.line('•', PAGE.marginX + pad, y, { ...style, bold: true });
      ts.line(l, PAGE.marginX + pad + 12, y, { ...style, bold: true });
      y += lh;
    });
  }
  if (more > 0) ts.line(`… and ${fmtInt(more)} more: see the coverage appendix.`, PAGE.marginX + pad + 12, y, style);
  ctx.y += height;
}

export function drawCover(ctx: PdfContext): void {
  const { ts, model, zone } = ctx;
  const p = model.period;
  ctx.y = PAGE.contentTop + 8;
  ctx.doc.outline.addItem('Cover');
  ts.line(`AUDIT EVIDENCE PACK · TEMPLATE ${model.meta.template.toUpperCase()}`, PAGE.marginX, ctx.y, { size: SIZE.body, bold: true, color: COLOR.muted });
  gap(ctx, 16);
  ctx.y += ts.paragraph(model.meta.title, PAGE.marginX, ctx.y, CONTENT_WIDTH, { size: 24, bold: true, color: COLOR.accent }, 2);
  ctx.y += ts.paragraph(model.meta.organization, PAGE.marginX, ctx.y, CONTENT_WIDTH, { size: 15, color: COLOR.text }, 2);
  if (model.meta.templateDescription) {
    ctx.y += ts.paragraph(model.meta.templateDescription, PAGE.marginX, ctx.y, CONTENT_WIDTH, { size: SIZE.body, color: COLOR.muted }, 2);
  }
  gap(ctx, 12);
  completenessBox(ctx);
  gap(ctx, 16);

  const generated = parseIso(model.meta.generatedAt);
  keyValues(
    ctx,
    [
      ['Period', `${p.label} in ${zone}`],
      [`Period (${zone})`, `${fmtLocalWithOffset(p.start, zone)} to ${fmtLocalWithOffset(p.end, zone)} (end exclusive)`],
      ['Period (UTC)', `${fmtUtc(p.start)} to ${fmtUtc(p.end)} (end exclusive)`],
      ['Generated at', generated === null ? model.meta.generatedAt : `${fmtUtc(generated)} (${fmtLocalWithOffset(generated, zone)} ${zone})`],
      ['auditpack version', model.meta.toolVersion],
      ['Pack id', model.meta.packId],
      ['Manifest signature', model.meta.signer ? `${model.meta.signer.algorithm}, key fingerprint ${model.meta.signer.keyFingerprint} (manifest.sig; see README.txt)` : 'not signed (auditpack run --sign-key signs manifest.json)'],
    ],
    { labelWidth: 140 },
  );
  gap(ctx, 10);
  ts.line('Sources covered', PAGE.marginX, ctx.y, { size: SIZE.h3, bold: true });
  gap(ctx, SIZE.h3 * 1.6);
  const sources = model.meta.sources.length ? model.meta.sources : [{ name: '(none)', type: '', description: 'No source was configured.' }];
  keyValues(
    ctx,
    sources.map((s) => {
      const windows = model.coverage.windows.filter((w) => w.source === s.name);
      const failed = windows.filter((w) => w.status !== 'complete').length;
      const state = windows.length === 0 ? '' : failed ? ` — ${fmtInt(failed)} of ${fmtInt(windows.length)} windows NOT complete` : ` — all ${fmtInt(windows.length)} windows complete`;
      return [s.name === s.type ? s.name : `${s.name} (${s.type})`, `${s.description}${state}`];
    }),
    { labelWidth: 140 },
  );
}
