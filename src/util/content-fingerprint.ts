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
