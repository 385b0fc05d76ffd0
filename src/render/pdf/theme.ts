/** Page geometry, colours and type sizes of the PDF report: one place to change the look. */

/** A4 landscape, in points: wide tables (exceptions, coverage) need the width more than the height. */
export const PAGE = {
  width: 841.89,
  height: 595.28,
  marginX: 36,
  /** Content starts below the running header and stops above the running footer. */
  contentTop: 62,
  contentBottom: 595.28 - 44,
} as const;

export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.marginX;

export const COLOR = {
  text: '#1a1a1a',
  muted: '#5f6368',
  faint: '#9aa0a6',
  rule: '#c8ccd0',
  headerFill: '#e8edf3',
  zebra: '#f6f8fa',
  accent: '#1f4e79',
  success: '#2e7d32',
  successFill: '#e8f5e9',
  failure: '#c62828',
  failureFill: '#fdecea',
  warning: '#b26a00',
  warningFill: '#fff4e0',
  chartSuccess: '#4a78a8',
  chartFailure: '#d0312d',
  code2xx: '#4a8f4e',
  code3xx: '#6a8caf',
  code4xx: '#d98c1f',
  code5xx: '#c62828',
  codeOther: '#8a8f98',
} as const;

export const SIZE = {
  body: 9,
  small: 7.5,
  tableBody: 8,
  tableHeader: 8,
  h1: 16,
  h2: 12.5,
  h3: 10.5,
  chrome: 7.5,
} as const;

/** Line height as a multiple of the font size. */
export const LEADING = 1.3;
