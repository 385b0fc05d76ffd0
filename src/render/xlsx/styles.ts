/** How a cell's value is shown. */
export type CellKind = 'text' | 'count' | 'rate' | 'number' | 'seconds' | 'time' | 'day';

/** A cell's look, as SpreadsheetML's styles part has it (ECMA-376 Part 1, §18.8): only what the workbook uses. */
export interface Style {
  numFmt: string;
  font: { bold?: boolean; italic?: boolean; size?: number; color?: { argb: string } };
  fill: { type: 'pattern'; pattern: 'solid'; fgColor: { argb: string } };
  border: { bottom?: { style: 'thin'; color?: { argb: string } } };
  alignment: { vertical?: 'top'; wrapText?: boolean };
  /** Cells are locked by default; a protected sheet lets the user edit only unlocked ones. */
  protection: { locked: boolean };
}

/** Why a cell is marked: failure rows, severities, good/bad statements. */
export type Mark = 'none' | 'failure' | 'failureText' | 'critical' | 'high' | 'medium' | 'warning' | 'good' | 'bad';

const NUMBER_FORMATS: Record<CellKind, string | undefined> = {
  text: undefined,
  count: '#,##0',
  rate: '0.0%',
  number: 'General',
  seconds: '#,##0.0',
  // Milliseconds shown: a time a hair before midnight must not display as the next day.
  time: 'yyyy-mm-dd hh:mm:ss.000',
  day: 'yyyy-mm-dd',
};

const solid = (argb: string): Style['fill'] => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });

const MARKS: Record<Exclude<Mark, 'none'>, Partial<Style>> = {
  // Excel's own "Light Red Fill with Dark Red Text", so failure rows read as Excel users expect.
  failure: { fill: solid('FFFFC7CE'), font: { color: { argb: 'FF9C0006' } } },
  // For tables where most rows have some failures: a fill on each would drown the signal.
  failureText: { font: { bold: true, color: { argb: 'FF9C0006' } } },
  critical: { fill: solid('FFC00000'), font: { bold: true, color: { argb: 'FFFFFFFF' } } },
  high: { fill: solid('FFF4B084'), font: { bold: true, color: { argb: 'FF833C0B' } } },
  medium: { fill: solid('FFFFEB9C'), font: { color: { argb: 'FF9C5700' } } },
  warning: { fill: solid('FFFFEB9C'), font: { color: { argb: 'FF9C5700' } } },
  good: { fill: solid('FF00B050'), font: { bold: true, size: 14, color: { argb: 'FFFFFFFF' } } },
  bad: { fill: solid('FFC00000'), font: { bold: true, size: 14, color: { argb: 'FFFFFFFF' } } },
};

/**
 * The workbook's styles as shared objects. exceljs registers a style once per object identity
 * (a WeakMap in its style manager), so handing every cell one of these few objects keeps writing
 * fast; a fresh object per cell costs a style lookup by content per cell.
 */
export interface StylePalette {
  cell(kind: CellKind, mark: Mark): Partial<Style>;
  /** A cell the reviewer fills in on a protected sheet: unlocked, with the kind's format. */
  input(kind: CellKind): Partial<Style>;
  header: Partial<Style>;
  title: Partial<Style>;
  section: Partial<Style>;
  label: Partial<Style>;
  note: Partial<Style>;
  wrap: Partial<Style>;
  /** The same style with wrapped text, top-aligned. */
  wrapped(style: Partial<Style>): Partial<Style>;
}

export function createStylePalette(): StylePalette {
  const cells = new Map<string, Partial<Style>>();
  const inputs = new Map<CellKind, Partial<Style>>();
  const wrappedOf = new WeakMap<Partial<Style>, Partial<Style>>();
  return {
    wrapped(style) {
      let w = wrappedOf.get(style);
      if (!w) {
        w = { ...style, alignment: { ...style.alignment, wrapText: true, vertical: 'top' } };
        wrappedOf.set(style, w);
      }
      return w;
    },
    cell(kind, mark) {
      const key = `${kind}:${mark}`;
      let style = cells.get(key);
      if (!style) {
        const numFmt = NUMBER_FORMATS[kind];
        style = { ...(numFmt ? { numFmt } : {}), ...(mark === 'none' ? {} : MARKS[mark]) };
        if (kind === 'text' && mark === 'none') style = {};
        cells.set(key, style);
      }
      return style;
    },
    input(kind) {
      let style = inputs.get(kind);
      if (!style) {
        const numFmt = NUMBER_FORMATS[kind];
        style = { ...(numFmt ? { numFmt } : {}), protection: { locked: false }, fill: solid('FFFFF2CC') };
        inputs.set(kind, style);
      }
      return style;
    },
    header: {
      font: { bold: true, color: { argb: 'FF1F3864' } },
      fill: solid('FFD9E1F2'),
      border: { bottom: { style: 'thin', color: { argb: 'FF8EA9DB' } } },
      alignment: { vertical: 'top', wrapText: true },
    },
    title: { font: { bold: true, size: 16, color: { argb: 'FF1F3864' } } },
    section: { font: { bold: true, size: 12, color: { argb: 'FF1F3864' } }, border: { bottom: { style: 'thin', color: { argb: 'FF8EA9DB' } } } },
    label: { font: { bold: true }, alignment: { vertical: 'top' } },
    note: { font: { italic: true, color: { argb: 'FF595959' } } },
    wrap: { alignment: { wrapText: true, vertical: 'top' } },
  };
}
