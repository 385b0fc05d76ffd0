/**
 * A 53-bit fingerprint of a record's content (its JSON text as parsed, keys in the order received):
 * what tells a record delivered twice (same id, same content: a duplicate) from an id reused by
 * another record (same id, other content: an id collision, both kept). Two 32-bit multiplicative
 * lanes (cyrb53): not cryptographic, but two different records of one id share a fingerprint with
 * a chance of about 2^-53, and it costs a fraction of a SHA per record.
 */
export function contentFingerprint(eventId: string, record: unknown): number {
  return idIsContent(eventId) ? 0 : fingerprintText(JSON.stringify(record) ?? 'undefined');
}

/**
 * Where a source gives no id, normalizers make one of the record's content (`sha256:<hex>`, some
 * of canonical JSON): the id already says the content, so records sharing it are the same record
 * (whatever their key order), never an id collision.
 */
export function idIsContent(eventId: string): boolean {
  return eventId.startsWith('sha256:');
}

export function fingerprintText(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * The fingerprint of a record's JSON bytes (UTF-8, whitespace outside strings left out): what the
 * files source uses, hashing each record's bytes as received (record-spans.ts) instead of
 * serializing the parsed record again, which cost as much as parsing it. Four bytes per step, two
 * 32-bit lanes (as fingerprintText). A record re-serialized (JSON.stringify: the resume replays
 * archived records so) has the same fingerprint as its original wherever the original was
 * written as JSON.stringify writes it, as CloudTrail's files are.
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
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** fingerprintBytes of a record given parsed (its JSON.stringify text, which has no whitespace outside strings). */
export function recordFingerprint(eventId: string, record: unknown): number {
  if (idIsContent(eventId)) return 0;
  const bytes = Buffer.from(JSON.stringify(record) ?? 'undefined', 'utf8');
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
