/**
 * Where a source gives no id, normalizers make one of the record's content (`sha256:<hex>`, some
 * of canonical JSON): the id already says the content, so records sharing it are the same record
 * (whatever their key order), never an id collision.
 */
export function idIsContent(eventId: string): boolean {
  return eventId.startsWith('sha256:');
}

/**
 * A 53-bit fingerprint of a record's content: what tells a record delivered twice (same id, same
 * content: a duplicate) from an id reused by another record (same id, other content: an id
 * collision, both kept). Two 32-bit multiplicative lanes (cyrb53-like, four bytes per step): not
 * cryptographic, but two different records of one id share a fingerprint with a chance of about
 * 2^-53, and it costs a fraction of a SHA per record.
 *
 * Of the record's JSON bytes (UTF-8, whitespace outside strings left out): sources whose pages
 * are located record by record (json-record-spans.ts) hash each record's bytes as received
 * instead of serializing the parsed record again, which cost as much as parsing it; the others,
 * and a resumed run replaying archived records, hash the record's JSON.stringify text
 * (recordFingerprint). Both give the same value wherever the record was written as
 * JSON.stringify writes it (compact, as CloudTrail's files and the JSON APIs send it).
 */
export function fingerprintBytes(buf: Uint8Array, start: number, end: number): number {
  let h1 = 0xdeadbeef ^ (end - start);
  let h2 = 0x41c6ce57;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const x = buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
    h1 = Math.imul(h1 ^ x, 2654435761);
    h2 = Math.imul(h2 ^ x, 1597334677);
  }
  for (; i < end; i++) {
    const x = buf[i];
    h1 = Math.imul(h1 ^ x, 2654435761);
    h2 = Math.imul(h2 ^ x, 1597334677);
  }
  return finish(h1, h2);
}

function finish(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** fingerprintBytes of a record given parsed (its JSON.stringify text, which has no whitespace outside strings). */
export function recordFingerprint(eventId: string, record: unknown): number {
  if (idIsContent(eventId)) return 0;
  return fingerprintUtf8(JSON.stringify(record) ?? 'undefined');
}

/**
 * fingerprintBytes of a string's UTF-8 bytes; an ASCII string (most records) is hashed from its
 * character codes, without a copy to bytes.
 */
export function fingerprintUtf8(text: string): number {
  const end = text.length;
  let h1 = 0xdeadbeef ^ end;
  let h2 = 0x41c6ce57;
  let i = 0;
  for (; i + 4 <= end; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    if ((a | b | c | d) > 0x7f) return fingerprintNonAscii(text);
    const x = a | (b << 8) | (c << 16) | (d << 24);
    h1 = Math.imul(h1 ^ x, 2654435761);
    h2 = Math.imul(h2 ^ x, 1597334677);
  }
  for (; i < end; i++) {
    const x = text.charCodeAt(i);
    if (x > 0x7f) return fingerprintNonAscii(text);
    h1 = Math.imul(h1 ^ x, 2654435761);
    h2 = Math.imul(h2 ^ x, 1597334677);
  }
  return finish(h1, h2);
}

function fingerprintNonAscii(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return fingerprintBytes(bytes, 0, bytes.length);
}

/**
 * fingerprintBytes of the bytes with whitespace outside strings left out (a pretty-printed
 * record: rare, so copied first).
 */
export function fingerprintSpacedBytes(buf: Uint8Array, start: number, end: number): number {
  const out = new Uint8Array(end - start);
  let n = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (inString) {
      out[n++] = c;
      if (c === 0x5c && i + 1 < end) out[n++] = buf[++i];
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (c === 0x22) inString = true;
    out[n++] = c;
  }
  return fingerprintBytes(out, 0, n);
}
