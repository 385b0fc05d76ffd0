/**
 * Where each record of a JSON document's top-level array (a log file's `Records`, an API page's
 * `auditLogs`) lies in the document's bytes, found by one pass over them (strings skipped,
 * brackets counted), so each record's content can be fingerprinted, and archived, from its bytes
 * as received. JSON.parse keeps the last of repeated keys: so does this. Returns null for a shape
 * it does not follow (the caller then works from the parsed records).
 */
export interface RecordSpans {
  start: number[];
  end: number[];
  /** Whether the record's bytes hold whitespace outside its strings (a pretty-printed file). */
  spaced: boolean[];
  /** Where the records' array opens (`[`) and closes (`]`), and how many arrays under the key the document has (JSON.parse keeps the last). */
  open: number;
  close: number;
  arrays: number;
  /**
   * Whether the bytes between the array's elements are exactly JSON's separators (whitespace, one
   * comma between two elements, none before the first or after the last). Two values with no
   * comma between them fall in one span, which does not parse.
   */
  separated: boolean;
}

/**
 * Deeper than this, a document is refused: CloudTrail records nest a dozen levels; a record nested
 * thousands deep could be parsed but not serialized again (the archive of a file that is not
 * archived as is, a resume), nor shown.
 */
export const MAX_DEPTH = 512;

export class TooDeepError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Inside a string, from byte `i`: past the aligned 4-byte words that hold neither a quote nor a
 * backslash (a zero-byte test on the word XOR each, four bytes per step: most of a log file's
 * bytes are in strings, and byte by byte the scan took a parse worker's time for a tenth of its
 * files). Where the next such word starts, or `i` itself when it is not aligned; the caller goes on
 * byte by byte.
 */
function skipPlainWords(words: Uint32Array, i: number, len: number): number {
  while ((i & 3) === 0 && i + 4 <= len) {
    const w = words[i >> 2];
    const q = w ^ 0x22222222;
    const b = w ^ 0x5c5c5c5c;
    if ((((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b)) & 0x80808080) return i;
    i += 4;
  }
  return i;
}

/** `arrayKey`: the top-level key whose array holds the records. */
export function recordSpans(buf: Uint8Array, arrayKey = 'Records'): RecordSpans | null {
  const key = Buffer.from(JSON.stringify(arrayKey), 'utf8');
  const len = buf.length;
  let depth = 0;
  /** At depth 1: the next string is a key. */
  let expectKey = false;
  /** The last key at depth 1 was `arrayKey`. */
  let recordsKey = false;
  /** Inside the records' array (its elements are at depth 2). */
  let inRecords = false;
  let elementStart = -1;
  let spaced = false;
  /** In the records' array, a comma was the last thing seen: an element must follow. */
  let afterComma = false;
  let spans: RecordSpans = { start: [], end: [], spaced: [], open: -1, close: -1, arrays: 0, separated: true };
  const close = (at: number) => {
    let end = at;
    while (end > elementStart && isSpace(buf[end - 1])) end--;
    spans.start.push(elementStart);
    spans.end.push(end);
    spans.spaced.push(spaced);
    elementStart = -1;
  };
  const begin = (at: number) => {
    elementStart = at;
    afterComma = false;
    spaced = false;
  };
  const words = buf.byteOffset % 4 === 0 ? new Uint32Array(buf.buffer, buf.byteOffset, len >> 2) : null;
  let i = 0;
  while (i < len) {
    const c = buf[i];
    if (c === QUOTE) {
      const s = i++;
      for (;;) {
        if (words !== null) i = skipPlainWords(words, i, len);
        if (i >= len) return null;
        const x = buf[i++];
        if (x === QUOTE) break;
        if (x === BACKSLASH) i++;
      }
      if (depth === 1 && expectKey) {
        recordsKey = i - s === key.length && key.every((b, k) => buf[s + k] === b);
        expectKey = false;
      } else if (inRecords && depth === 2 && elementStart < 0) {
        begin(s);
      }
      continue;
    }
    if (isSpace(c)) {
      if (elementStart >= 0) spaced = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (inRecords && depth === 2 && elementStart < 0) begin(i);
      if (++depth > MAX_DEPTH) throw new TooDeepError(`nested more than ${MAX_DEPTH} levels deep`);
      if (depth === 1) {
        if (c !== OPEN_OBJECT) return null;
        expectKey = true;
      } else if (depth === 2 && c === OPEN_ARRAY && recordsKey) {
        inRecords = true;
        spans = { start: [], end: [], spaced: [], open: i, close: -1, arrays: spans.arrays + 1, separated: true };
        afterComma = false;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 2 && inRecords) {
        if (elementStart >= 0) close(i);
        else if (afterComma) spans.separated = false;
        inRecords = false;
        spans.close = i;
      }
      depth--;
    } else if (c === COMMA) {
      if (depth === 1) expectKey = true;
      else if (depth === 2 && inRecords) {
        if (elementStart >= 0) close(i);
        else spans.separated = false;
        afterComma = true;
      }
    } else if (inRecords && depth === 2 && elementStart < 0) {
      // A colon is no element; anything else starts a number, true, false or null.
      if (c === COLON) spans.separated = false;
      else begin(i);
    }
    i++;
  }
  return depth === 0 ? spans : null;
}

/**
 * Records as received, one JSON document per line: what an API page's records are archived as,
 * and fingerprinted from (src/util/content-fingerprint.ts), without serializing each parsed record
 * again. Record i is `bytes[start[i], end[i])`, followed by a newline.
 */
export interface RecordLines {
  bytes: Uint8Array;
  start: Uint32Array;
  end: Uint32Array;
}

/**
 * The `count` records of `body`'s top-level `arrayKey` array as lines, copied from the body's
 * bytes. Null where the scan does not find exactly `count` records, or a record holds whitespace
 * outside its strings (a pretty-printed answer: its records span lines), or nests too deep: the
 * caller then serializes the parsed records, as before.
 */
export function recordLines(body: Uint8Array, arrayKey: string, count: number): RecordLines | null {
  let spans: RecordSpans | null;
  try {
    spans = recordSpans(body, arrayKey);
  } catch (e) {
    if (e instanceof TooDeepError) return null;
    throw e;
  }
  if (spans === null || spans.start.length !== count || spans.spaced.includes(true)) return null;
  const src = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const start = new Uint32Array(count);
  const end = new Uint32Array(count);
  if (count > 0 && commaSeparated(spans)) {
    // The usual answer (compact, one comma between records): the records as one copy, each comma
    // made the newline that ends a line. A copy per record (a Buffer view for each) cost ~4× the scan.
    const from = spans.start[0];
    const bytes = Buffer.allocUnsafeSlow(spans.end[count - 1] - from + 1);
    src.copy(bytes, 0, from, spans.end[count - 1]);
    for (let i = 0; i < count; i++) {
      start[i] = spans.start[i] - from;
      end[i] = spans.end[i] - from;
      bytes[end[i]] = 0x0a;
    }
    return { bytes, start, end };
  }
  let size = 0;
  for (let i = 0; i < count; i++) size += spans.end[i] - spans.start[i] + 1;
  const bytes = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (let i = 0; i < count; i++) {
    start[i] = at;
    src.copy(bytes, at, spans.start[i], spans.end[i]);
    at += spans.end[i] - spans.start[i];
    end[i] = at;
    bytes[at++] = 0x0a;
  }
  return { bytes, start, end };
}

/** Each record ends right before the comma that precedes the next. */
function commaSeparated(spans: RecordSpans): boolean {
  for (let i = 1; i < spans.start.length; i++) if (spans.start[i] !== spans.end[i - 1] + 1) return false;
  return true;
}
