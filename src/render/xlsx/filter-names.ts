import type { stream } from 'exceljs';

/** An autofilter a table sheet set: the sheet's position (0-based) and its A1 range. */
export interface SheetFilter {
  sheetIndex: number;
  sheetName: string;
  ref: string;
}

const absolute = (ref: string) => ref.replace(/([A-Z]+)(\d+)/g, '$$$1$$$2');

/**
 * Declares each sheet's autofilter range as the sheet-local name `_xlnm._FilterDatabase`, as
 * Excel itself does (ECMA-376 Part 1, §18.2.6 definedName, built-in names). Excel shows the
 * filter without it; LibreOffice Calc does not (seen here: the filter buttons vanish). exceljs
 * writes no such name and its defined-name API has no sheet-local scope, but it renders whatever
 * `definedNames.model` holds, localSheetId included, so the model is extended on this workbook
 * only, when exceljs reads it at commit.
 */
export function declareFilterRanges(workbook: stream.xlsx.WorkbookWriter, filters: readonly SheetFilter[]): void {
  const names = workbook.definedNames as unknown as { model: { name: string; ranges: string[]; localSheetId?: number }[] };
  const own = Object.getPrototypeOf(names) as object;
  const base = Object.getOwnPropertyDescriptor(own, 'model')?.get;
  Object.defineProperty(names, 'model', {
    configurable: true,
    get: () => [
      ...((base?.call(names) as { name: string; ranges: string[] }[] | undefined) ?? []),
      ...filters.map((f) => ({
        name: '_xlnm._FilterDatabase',
        localSheetId: f.sheetIndex,
        ranges: [`'${f.sheetName.replace(/'/g, "''")}'!${absolute(f.ref)}`],
      })),
    ],
  });
}
