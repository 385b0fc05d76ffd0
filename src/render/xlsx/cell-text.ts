/** Excel refuses a cell longer than this (Excel specifications and limits: 32,767 characters). */
export const EXCEL_MAX_CELL_CHARS = 32_767;

// XML 1.0 cannot carry these; exceljs would drop them without a trace, so they are shown as U+FFFD.
// The quick test also stops at any surrogate, so the rare string that has one gets the exact check.
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uD800-\uDFFF\uFFFE\uFFFF]/;

/**
 * Text as it goes into a cell: always a string value (exceljs writes strings as text, never as a
 * formula, whatever they start with), with characters XML cannot hold made visible, and a marked
 * cut where Excel's cell limit would otherwise reject the file.
 */
export function cellText(value: string): string {
  let s = value;
  if (SUSPECT.test(s)) {
    s = s
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]/g, '\uFFFD')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  }
  if (s.length > EXCEL_MAX_CELL_CHARS) {
    const marker = ` … [cut: the value has ${s.length} characters, Excel's cell limit is ${EXCEL_MAX_CELL_CHARS}]`;
    let end = EXCEL_MAX_CELL_CHARS - marker.length;
    const last = s.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1;
    s = s.slice(0, end) + marker;
  }
  return s;
}

/** Rough display width in Excel character units: wide (CJK, fullwidth) characters count twice. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    w += c >= 0x1100 && (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || c >= 0x1f300) ? 2 : 1;
  }
  return w;
}
