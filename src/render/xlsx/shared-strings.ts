import { cellText } from './cell-text.js';
import { escapeXml } from './xml-text.js';

/**
 * The workbook's shared string table (ECMA-376 Part 1, §18.4.9 sst; a cell of type "s" holds an
 * index into it, §18.18.11). A text that repeats down a column (a service, an operation, a code, a
 * requester, a rule's reason) is written once, and each of its cells only its index: on the
 * 1M-event bench's Events and Exceptions sheets, a quarter of the sheet XML that was deflated,
 * checksummed and hashed. A column whose texts mostly differ (event ids, addresses) stops sharing
 * (`createColumnSharing`), and the table has a cap, so its memory stays bounded whatever the rows.
 */
export interface SharedStrings {
  /**
   * The text's index in the table, added when there is room; -1 when it is not in it and cannot
   * be. Texts are kept as given and made fit for a cell (cellText) as the table is written, so a
   * text that repeats is checked once.
   */
  indexOf(text: string): number;
  /** Texts in the table. */
  readonly size: number;
  /** sharedStrings.xml, in pieces; nothing when the table is empty. */
  xml(): Generator<string>;
}

export interface SharedStringLimits {
  /** Texts the table holds at most; later new texts stay in their cells. */
  maxEntries: number;
  /** Characters the table holds at most, all texts together. */
  maxChars: number;
  /** A longer text stays in its cell. */
  maxLength: number;
}

export const DEFAULT_SHARED_STRING_LIMITS: SharedStringLimits = { maxEntries: 1 << 16, maxChars: 8 << 20, maxLength: 1024 };

const SST_OPEN = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
/** XML keeps a text's leading and trailing white space only when told to (XML 1.0 §2.10). */
const EDGE_SPACE = /^[\t\n\r ]|[\t\n\r ]$/;

export function createSharedStrings(limits: SharedStringLimits = DEFAULT_SHARED_STRING_LIMITS): SharedStrings {
  const index = new Map<string, number>();
  const texts: string[] = [];
  let chars = 0;
  let references = 0;
  return {
    indexOf(text) {
      const known = index.get(text);
      if (known !== undefined) {
        references++;
        return known;
      }
      if (text.length > limits.maxLength || texts.length >= limits.maxEntries || chars + text.length > limits.maxChars) return -1;
      const id = texts.length;
      texts.push(text);
      index.set(text, id);
      chars += text.length;
      references++;
      return id;
    },
    get size() {
      return texts.length;
    },
    *xml() {
      if (texts.length === 0) return;
      yield `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${SST_OPEN} count="${references}" uniqueCount="${texts.length}">`;
      let piece = '';
      for (const raw of texts) {
        const t = cellText(raw);
        piece += EDGE_SPACE.test(t) ? `<si><t xml:space="preserve">${escapeXml(t)}</t></si>` : `<si><t>${escapeXml(t)}</t></si>`;
        if (piece.length >= 64 * 1024) {
          yield piece;
          piece = '';
        }
      }
      yield piece + '</sst>';
    },
  };
}

/** Texts of a column looked at before it is judged, and again after each as many. */
const JUDGE_EVERY = 512;
/** A column that brought more new texts than this share of its last texts stops sharing. */
const MAX_NEW_SHARE = 1 / 8;

/**
 * Per column of one sheet, whether its texts go to the shared table: a column shares until, over
 * its last JUDGE_EVERY texts, more than one in eight was new to the table (or could not join it).
 * Ids and addresses, which rarely repeat, then stay in their cells instead of filling the table.
 */
export function createColumnSharing(strings: SharedStrings): (column: number, text: string) => number {
  const columns: { seen: number; fresh: number; off: boolean }[] = [];
  return (column, text) => {
    const c = (columns[column] ??= { seen: 0, fresh: 0, off: false });
    if (c.off) return -1;
    const before = strings.size;
    const id = strings.indexOf(text);
    c.seen++;
    // New to the table, or kept out of it: either way the text was not there already.
    if (id < 0 || strings.size > before) c.fresh++;
    if (c.seen === JUDGE_EVERY) {
      c.off = c.fresh > JUDGE_EVERY * MAX_NEW_SHARE;
      c.seen = 0;
      c.fresh = 0;
    }
    return id;
  };
}
