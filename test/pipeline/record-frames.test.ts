import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createRecordBuilder, createRecordReader } from '../../src/pipeline/record-codec.js';
import { parseLogFileBytes } from '../../src/sources/cloudtrail-files/parse-log-file.js';

/** Each frame of `bytes`: a 4-byte little-endian length, then that many bytes. */
function frames(bytes: Uint8Array): Buffer[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Buffer[] = [];
  for (let at = 0; at < buf.length; ) {
    const start = at + 4;
    at = start + buf.readUInt32LE(at);
    out.push(buf.subarray(start, at));
  }
  return out;
}

describe('framed records written in place (a parse worker\'s events)', () => {
  it('frames each record with its length, across growth, and detach hands over exactly the frames', () => {
    const b = createRecordBuilder(16);
    const texts = ['a', 'x'.repeat(100), 'é'.repeat(40), ''];
    for (const t of texts) {
      const at = b.beginFrame();
      b.str(t);
      b.f64(t.length);
      b.endFrame(at);
    }
    const out = b.detach();
    const read = frames(out);
    expect(read).toHaveLength(texts.length);
    const r = createRecordReader();
    read.forEach((f, i) => {
      r.load(f, 0);
      expect(r.str()).toBe(texts[i]);
      expect(r.f64()).toBe(texts[i].length);
    });
    expect(read.reduce((n, f) => n + 4 + f.length, 0)).toBe(out.byteLength);
  });

  it('bytes handed over are never written again: the builder goes on in a buffer of its own', () => {
    const b = createRecordBuilder(16);
    const at = b.beginFrame();
    b.str('first');
    b.endFrame(at);
    const first = b.detach();
    const copy = Buffer.from(first);
    expect(first.byteOffset).toBe(0);
    b.reset();
    const again = b.beginFrame();
    b.str('second, and longer than the first');
    b.endFrame(again);
    expect(Buffer.from(first)).toEqual(copy);
    expect(frames(b.detach())).toHaveLength(1);
  });

  it('each new buffer is sized from the last one filled: a batch like the last grows none, a small one stays small', () => {
    const b = createRecordBuilder(64);
    const fill = (bytes: number) => {
      const at = b.beginFrame();
      b.str('x'.repeat(bytes));
      b.endFrame(at);
      return b.detach();
    };
    const large = fill(9_000);
    // The buffer after a batch holds as much again (an eighth more), whatever goes in it next.
    const next = fill(10);
    expect(next.buffer.byteLength).toBeGreaterThanOrEqual(large.byteLength);
    expect(next.buffer.byteLength).toBeLessThan(1.5 * large.byteLength);
    // After a small batch, the next buffer is back to the floor.
    expect(fill(10).buffer.byteLength).toBe(64);
  });

  it('a log file parsed after another leaves the first one\'s events as they were', () => {
    const file = (names: string[]) =>
      gzipSync(JSON.stringify({ Records: names.map((n, i) => ({ eventVersion: '1.08', eventTime: '2026-10-01T00:00:00Z', eventSource: 'iam.amazonaws.com', eventName: n, eventID: `00000000-0000-4000-8000-00000000000${i}`, awsRegion: 'us-east-1', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/a' } })) }));
    const parse = (gz: Buffer) => {
      const r = parseLogFileBytes({ key: 'k.json.gz', sourceName: 'ct', compressed: new Uint8Array(gz), hash: false, maxBytes: 1 << 24 });
      if (!r.ok) throw new Error(r.message);
      return r;
    };
    const a = parse(file(['ListUsers', 'CreateUser']));
    const before = Buffer.from(a.events);
    const b = parse(file(['DeleteUser', 'GetUser', 'ListRoles']));
    expect(Buffer.from(a.events)).toEqual(before);
    expect(frames(a.events)).toHaveLength(2);
    expect(frames(b.events)).toHaveLength(3);
    // A small file after a small one moves a small buffer (64 KiB), not one sized for a large file.
    expect(b.events.buffer.byteLength).toBe(64 * 1024);
  });
});
