import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { contentSizeHint, parseLogFileBytes, type ParseResult } from '../../../src/sources/cloudtrail-files/parse-log-file.js';

const record = (i: number, pad = 0) =>
  `{"eventVersion":"1.08","eventID":"id-${i}","eventTime":"2026-07-01T00:00:0${i % 10}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject",` +
  `"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u${i}"},"userAgent":"aws-cli/2 ${'k'.repeat(pad)}"}`;
const file = (n: number, pad = 0) => `{"Records":[${Array.from({ length: n }, (_, i) => record(i, pad)).join(',')}]}`;
const parse = (compressed: Uint8Array, maxBytes = 1 << 26): ParseResult => parseLogFileBytes({ key: 'k.json.gz', sourceName: 'ct', compressed, hash: false, maxBytes });
const ids = (r: ParseResult) => {
  if (!r.ok) throw new Error(r.message);
  return r.records;
};

describe('a log file inflated into one buffer sized by its gzip trailer', () => {
  it('sizes the buffer from the trailer, and falls back to chunks where the trailer cannot be used', () => {
    const text = file(50);
    const gz = gzipSync(text);
    expect(contentSizeHint(gz, 1 << 26)).toBe(Math.max(64 * 1024, Buffer.byteLength(text) + 64));
    // A stated size past the cap: chunks (the cap itself is enforced by the inflate).
    expect(contentSizeHint(gz, 1000)).toBe(1024 * 1024);
    expect(contentSizeHint(gz.subarray(0, 10), 1 << 26)).toBe(1024 * 1024);
  });

  it('reads every record whatever the trailer says: two gzip members, a trailer that lies, a file past the stated size', () => {
    const text = file(400, 300);
    const half = text.length / 2;
    // Two members: the trailer states only the second's size, far less than the content.
    const twoMembers = Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]);
    expect(ids(parse(twoMembers))).toBe(400);
    // A trailer that states a tiny size: the inflate grows past it, nothing is cut.
    const lying = Buffer.from(gzipSync(text));
    lying.writeUInt32LE(10, lying.length - 4);
    const r = parse(lying);
    // zlib checks the stated length: a trailer that disagrees is a corrupt file, named as such.
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/not a valid gzip file/);
    expect(ids(parse(gzipSync(text)))).toBe(400);
  });

  it('gives the same events for a file read after a larger one (the thread keeps one events buffer)', () => {
    const big = parse(gzipSync(file(3000, 600)));
    const small1 = parse(gzipSync(file(3)));
    const again = parse(gzipSync(file(3000, 600)));
    const small2 = parse(gzipSync(file(3)));
    if (!big.ok || !small1.ok || !again.ok || !small2.ok) throw new Error('not parsed');
    expect(Buffer.from(again.events).equals(Buffer.from(big.events))).toBe(true);
    expect(Buffer.from(small2.events).equals(Buffer.from(small1.events))).toBe(true);
    expect(big.events.byteLength).toBeGreaterThan(1 << 20);
  });
});
