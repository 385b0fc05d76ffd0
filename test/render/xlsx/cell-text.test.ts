import { describe, expect, it } from 'vitest';
import { cellText, displayWidth, EXCEL_MAX_CELL_CHARS } from '../../../src/render/xlsx/cell-text.js';

describe('cellText', () => {
  it('leaves ordinary and formula-looking text exactly as it is', () => {
    for (const s of ['=HYPERLINK("http://x","y")', '+cmd|calc', '-2+3', '@SUM(A1)', '\t=1+1', '\r=1+1', 'Zoë Łukasiewicz', '山田太郎', '😀 ok']) {
      expect(cellText(s)).toBe(s);
    }
  });

  it('makes characters XML cannot hold visible instead of dropping them', () => {
    expect(cellText('a\u0000b\u0007c\u001Fd')).toBe('a\uFFFDb\uFFFDc\uFFFDd');
    expect(cellText('lone \uD800 high, lone \uDC00 low')).toBe('lone \uFFFD high, lone \uFFFD low');
  });

  it("cuts at Excel's cell limit with a marker that says so", () => {
    const long = 'x'.repeat(40_000);
    const out = cellText(long);
    expect(out.length).toBeLessThanOrEqual(EXCEL_MAX_CELL_CHARS);
    expect(out).toMatch(/cut: the value has 40000 characters, Excel's cell limit is 32767\]$/);
    expect(cellText('y'.repeat(EXCEL_MAX_CELL_CHARS))).toHaveLength(EXCEL_MAX_CELL_CHARS);
  });

  it('never splits a surrogate pair at the cut', () => {
    const out = cellText('😀'.repeat(20_000));
    expect(out.length).toBeLessThanOrEqual(EXCEL_MAX_CELL_CHARS);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('displayWidth', () => {
  it('counts wide characters twice', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('山田太郎')).toBe(8);
    expect(displayWidth('Søren')).toBe(5);
  });
});
