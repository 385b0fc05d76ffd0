import { responseKind, type ResponseKind } from '../../model/audit-event.js';
import type { CountRow, DailyRow } from '../../model/report-model.js';
import { fmtInt, fmtPct } from './format.js';
import type { PdfContext } from './pdf-context.js';
import { COLOR, SIZE } from './theme.js';
import { compareCodePoints } from '../../util/compare.js';

/** Vector charts (paths and rectangles, no images): they stay sharp when an auditor zooms in. */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A round axis maximum and step: 0, 1000, 2000 … rather than 0, 937, 1874. */
function niceScale(max: number, ticks = 5): { max: number; step: number } {
  if (max <= 0) return { max: 1, step: 1 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  const stepInt = Math.max(1, step);
  return { max: Math.ceil(max / stepInt) * stepInt, step: stepInt };
}

function compact(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${+(n / 1000).toFixed(0)}k`;
  if (n >= 1000) return `${+(n / 1000).toFixed(1)}k`;
  return String(n);
}

function legend(ctx: PdfContext, x: number, y: number, items: [string, string][]): void {
  let cx = x;
  for (const [color, label] of items) {
    ctx.doc.rect(cx, y + 1.5, 7, 7).fill(color);
    ctx.ts.line(label, cx + 10, y, { size: SIZE.small, color: COLOR.muted });
    cx += 10 + ctx.ts.width(label, { size: SIZE.small }) + 12;
  }
}

/** Events per local day, successes and failures stacked. */
export function dailyVolumeChart(ctx: PdfContext, days: DailyRow[], box: Box): void {
  const { doc, ts } = ctx;
  ts.line(`Daily volume (days in ${ctx.zone})`, box.x, box.y, { size: SIZE.h3, bold: true });
  legend(ctx, box.x, box.y + 16, [
    [COLOR.chartSuccess, 'Successful events'],
    [COLOR.chartFailure, 'Failed events'],
  ]);
  const plot = { x: box.x + 38, y: box.y + 34, width: box.width - 44, height: box.height - 34 - 28 };
  doc.rect(plot.x, plot.y, plot.width, plot.height).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
  if (days.length === 0) {
    ts.line('No events in the period.', plot.x, plot.y + plot.height / 2 - 6, { size: SIZE.body, color: COLOR.muted, width: plot.width, align: 'center' });
    return;
  }
  const scale = niceScale(Math.max(...days.map((d) => d.events)));
  const yOf = (v: number) => plot.y + plot.height - (v / scale.max) * plot.height;
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) {
    const y = yOf(v);
    doc.moveTo(plot.x, y).lineTo(plot.x + plot.width, y).lineWidth(0.3).strokeColor(COLOR.rule).stroke();
    ts.line(compact(v), box.x, y - 4, { size: SIZE.small, color: COLOR.muted, width: 34, align: 'right' });
  }
  const slot = plot.width / days.length;
  const barW = Math.max(0.5, slot * 0.72);
  const labelEvery = Math.max(1, Math.ceil(24 / slot));
  days.forEach((d, i) => {
    const x = plot.x + i * slot + (slot - barW) / 2;
    const ok = Math.max(0, d.events - d.failures);
    const yOk = yOf(ok);
    if (ok > 0) doc.rect(x, yOk, barW, plot.y + plot.height - yOk).fill(COLOR.chartSuccess);
    if (d.failures > 0) {
      const yFail = yOf(ok + d.failures);
      doc.rect(x, yFail, barW, yOk - yFail).fill(COLOR.chartFailure);
    }
    if (i % labelEvery === 0) {
      // The day of month under the bar; the month is printed under the first bar and on the 1st.
      const dayOfMonth = d.day.slice(8, 10);
      ts.line(dayOfMonth, plot.x + i * slot - 6, plot.y + plot.height + 3, { size: SIZE.small, color: COLOR.muted, width: slot + 12, align: 'center' });
      if (i === 0 || dayOfMonth === '01') {
        ts.line(d.day.slice(0, 7), plot.x + i * slot - 10, plot.y + plot.height + 13, { size: SIZE.small, color: COLOR.muted });
      }
    }
  });
}

const KIND_COLOR: Record<ResponseKind, string> = { success: COLOR.code2xx, 'client error': COLOR.code4xx, 'server error': COLOR.code5xx };

/** The legend's three colours: success, client error, server error, whatever the source's vocabulary. */
export function codeColor(row: CountRow): string {
  if (row.events === 0) return COLOR.codeOther;
  return KIND_COLOR[responseKind(row.key, row.failures > 0)];
}

/** Horizontal bars, one per response code (the largest first, the rest summed in one bar). */
export function responseCodeChart(ctx: PdfContext, codes: CountRow[], box: Box, maxBars = 10): void {
  const { doc, ts } = ctx;
  ts.line('Response codes', box.x, box.y, { size: SIZE.h3, bold: true });
  legend(ctx, box.x, box.y + 16, [
    [COLOR.code2xx, 'success'],
    [COLOR.code4xx, 'client error (4xx, refused)'],
    [COLOR.code5xx, 'server error (5xx, service fault)'],
  ]);
  const top = box.y + 34;
  const sorted = [...codes].sort((a, b) => b.events - a.events || compareCodePoints(a.key, b.key));
  const total = sorted.reduce((s, r) => s + r.events, 0);
  if (total === 0) {
    ts.line('No events in the period.', box.x, top + 20, { size: SIZE.body, color: COLOR.muted });
    return;
  }
  const shown = sorted.length > maxBars ? sorted.slice(0, maxBars - 1) : sorted;
  const rest = sorted.slice(shown.length);
  const bars: { label: string; events: number; color: string }[] = shown.map((r) => ({ label: r.key, events: r.events, color: codeColor(r) }));
  if (rest.length) bars.push({ label: `${rest.length} other codes`, events: rest.reduce((s, r) => s + r.events, 0), color: COLOR.codeOther });
  const labelW = 78;
  const valueW = 92;
  const barMax = box.width - labelW - valueW - 8;
  const slot = Math.min(18, (box.height - 34) / bars.length);
  const max = Math.max(...bars.map((b) => b.events));
  bars.forEach((b, i) => {
    const y = top + i * slot;
    // A long code (UnauthorizedOperation) is set smaller to fit rather than cut.
    const size = Math.max(4.5, Math.min(SIZE.small + 0.5, ((labelW - 6) / Math.max(1, ts.width(b.label, { size: 1 }))) * 0.98));
    ts.line(b.label, box.x, y + (slot - 10) / 2, { size, width: labelW - 6, align: 'right' });
    const w = Math.max(1, (b.events / max) * barMax);
    doc.rect(box.x + labelW, y + 2, w, slot - 4).fill(b.color);
    ts.line(`${fmtInt(b.events)} (${fmtPct(b.events / total)})`, box.x + labelW + w + 4, y + (slot - 10) / 2, { size: SIZE.small, color: COLOR.muted });
  });
}
