import { ensureSpace, sectionTitle } from '../page-flow.js';
import type { PdfContext } from '../pdf-context.js';
import { COLOR, CONTENT_WIDTH, PAGE, SIZE } from '../theme.js';

/** Prepared by, reviewed by, date and conclusion: filled in from the config, or ruled lines to sign by hand. */
export function drawSignOff(ctx: PdfContext): void {
  const { doc, ts, model } = ctx;
  const s = model.signOff;
  const needed = 250;
  sectionTitle(ctx, 'Sign-off', { keepWith: needed });
  ensureSpace(ctx, needed);
  const labelW = 110;
  const valueW = CONTENT_WIDTH / 2 - labelW - 30;
  const rowH = 30;
  const field = (label: string, value: string | null, x: number, y: number, width = valueW) => {
    ts.line(label, x, y + 10, { size: SIZE.body, color: COLOR.muted });
    if (value) ts.line(value, x + labelW, y + 10, { size: SIZE.body + 1, bold: true, width });
    doc.moveTo(x + labelW, y + 24).lineTo(x + labelW + width, y + 24).lineWidth(0.6).strokeColor(COLOR.faint).stroke();
  };
  const left = PAGE.marginX;
  const right = PAGE.marginX + CONTENT_WIDTH / 2 + 10;
  const y0 = ctx.y;
  // Each signer dates their own signature: preparation and review happen on different days.
  field('Prepared by', s.preparedBy, left, y0);
  field('Signature', null, left, y0 + rowH);
  field('Date', s.date, left, y0 + 2 * rowH);
  field('Reviewed by', s.reviewedBy, right, y0);
  field('Signature', null, right, y0 + rowH);
  field('Date', null, right, y0 + 2 * rowH);
  ctx.y = y0 + 3 * rowH + 10;
  ts.line('Conclusion', left, ctx.y, { size: SIZE.body, color: COLOR.muted });
  ctx.y += 16;
  const width = CONTENT_WIDTH - labelW;
  if (s.conclusion) {
    ctx.y += ts.paragraph(s.conclusion, left + labelW, ctx.y, width, { size: SIZE.body + 1 });
  } else {
    for (let i = 0; i < 5; i++) {
      ctx.y += 22;
      doc.moveTo(left + labelW, ctx.y).lineTo(left + labelW + width, ctx.y).lineWidth(0.6).strokeColor(COLOR.faint).stroke();
    }
  }
  ctx.y += 12;
  ts.line(`Pack ${model.meta.packId}: the signatures above cover the files listed in manifest.json (check with auditpack verify, or README.txt).`, left, ctx.y, {
    size: SIZE.small,
    color: COLOR.muted,
    width: CONTENT_WIDTH,
  });
  ctx.y += 14;
}
