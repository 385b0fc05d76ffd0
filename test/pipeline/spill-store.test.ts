import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSpillStore } from '../../src/pipeline/spill-store.js';

describe('spill store', () => {
  it('returns rows in bucket order, sorted within buckets, whatever the arrival order, and can be read twice', async () => {
    const store = createSpillStore<{ t: number }>({ dir: mkdtempSync(join(tmpdir(), 'ap-spill-')), name: 'x', bucketOf: (r) => Math.floor(r.t / 10), compare: (a, b) => a.t - b.t, flushBytes: 16 });
    const times = [35, 3, 21, 7, 30, 12, 0, 39, 25];
    for (const t of times) store.add({ t });
    const sealed = store.seal();
    const read = async () => {
      const out: number[] = [];
      for await (const r of sealed.open()) out.push(r.t);
      return out;
    };
    const sorted = [...times].sort((a, b) => a - b);
    expect(await read()).toEqual(sorted);
    expect(await read()).toEqual(sorted);
    expect(sealed.count).toBe(times.length);
  });
});

describe('spill store bytes', () => {
  it('writes each bucket file as the rows\' JSON lines in arrival order, whatever the buffer size, multi-byte text and over-long lines included', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => ({ t: i % 7, s: i % 50 === 0 ? 'x'.repeat(3000) : i % 3 === 0 ? `Zoë 東京 ${i} 🙂` : `plain ${i}` }));
    const expected = new Map<number, string>();
    for (const r of rows) expected.set(r.t, (expected.get(r.t) ?? '') + JSON.stringify(r) + '\n');
    for (const flushBytes of [16, 200, 4096, 1 << 20]) {
      const dir = mkdtempSync(join(tmpdir(), 'ap-spill-'));
      const store = createSpillStore<{ t: number; s: string }>({ dir, name: 'y', bucketOf: (r) => r.t, compare: () => 0, flushBytes });
      for (const r of rows) store.add(r);
      const sealed = store.seal();
      expect(readdirSync(dir).sort()).toEqual([...expected.keys()].sort().map((t) => `y-${t}.ndjson`));
      for (const [t, text] of expected) expect(readFileSync(join(dir, `y-${t}.ndjson`), 'utf8')).toBe(text);
      const back: { t: number; s: string }[] = [];
      for await (const r of sealed.open()) back.push(r);
      expect(back).toEqual([...rows].sort((a, b) => a.t - b.t));
    }
  });
});

describe('spill store sort', () => {
  it('merged from runs, a bucket reads in the order a stable sort of the whole bucket gives, ties in arrival order, on every read', async () => {
    // Many ties (k repeats) so that stability across run boundaries is what decides the order.
    const rows = Array.from({ length: 1000 }, (_, i) => ({ b: i % 3, k: (i * 7919) % 37, seq: i }));
    const expected = [...rows].sort((x, y) => x.b - y.b || x.k - y.k);
    for (const runRows of [1, 2, 3, 64, 5000]) {
      const dir = mkdtempSync(join(tmpdir(), 'ap-spill-'));
      const store = createSpillStore<{ b: number; k: number; seq: number }>({
        dir, name: 'z', bucketOf: (r) => r.b, compare: (x, y) => x.k - y.k, flushBytes: 512, runRows,
      });
      for (const r of rows) store.add(r);
      const sealed = store.seal();
      // A first read left half-way (its sort unfinished) spoils nothing, nor do two reads at once.
      let seen = 0;
      for await (const r of sealed.open()) if (++seen > 400 && r.seq >= 0) break;
      const a = sealed.open()[Symbol.asyncIterator]();
      const b = sealed.open()[Symbol.asyncIterator]();
      const fromA: { seq: number }[] = [];
      const fromB: { seq: number }[] = [];
      for (;;) {
        const [x, y] = [await a.next(), await b.next()];
        if (x.done || y.done) break;
        fromA.push(x.value);
        fromB.push(y.value);
      }
      expect(fromA).toEqual(expected);
      expect(fromB).toEqual(expected);
      for (let read = 0; read < 2; read++) {
        const out: { b: number; k: number; seq: number }[] = [];
        for await (const r of sealed.open()) out.push(r);
        expect(out).toEqual(expected);
      }
      // Leaving early closes the file, and the next read is whole again.
      for await (const r of sealed.open()) if (r.seq >= 0) break;
      let n = 0;
      for await (const _ of sealed.open()) n++;
      expect(n).toBe(rows.length);
      // No run or half-sorted file is left behind.
      expect(readdirSync(dir).sort()).toEqual(['z-0.ndjson', 'z-1.ndjson', 'z-2.ndjson']);
    }
  });

  it('reads lines longer than its read chunk, multi-byte characters cut anywhere', async () => {
    const long = 'é東🙂'.repeat(400_000);
    const store = createSpillStore<{ t: number; s: string }>({ dir: mkdtempSync(join(tmpdir(), 'ap-spill-')), name: 'w', bucketOf: () => 0, compare: (a, b) => a.t - b.t });
    store.add({ t: 2, s: long });
    store.add({ t: 1, s: 'short' });
    const out: { t: number; s: string }[] = [];
    for await (const r of store.seal().open()) out.push(r);
    expect(out).toEqual([{ t: 1, s: 'short' }, { t: 2, s: long }]);
  });
});

describe('event codec', () => {
  it('round-trips every field of an event', async () => {
    const { encodeEvent, decodeEvent } = await import('../../src/pipeline/event-codec.js');
    const full = {
      id: 'e1', time: 5, source: 'ct', sourceType: 'cloudtrail' as const, service: 's3.amazonaws.com', operation: 'GetObject', outcome: 'failure' as const,
      responseCode: 'AccessDenied', requester: { id: 'arn', type: 'IAMUser', name: 'Zoë', email: 'z@x' }, client: { id: 'c', name: 'aws-cli' },
      resources: [{ id: 'r1', type: 'AWS::S3::Bucket' }, { id: 'r2' }], region: 'us-east-1', account: '1', sourceIp: '203.0.113.9', userAgent: '=cmd',
      errorMessage: 'denied', attributes: { mfa: 'false' },
    };
    const back = decodeEvent(JSON.parse(JSON.stringify(encodeEvent(full))));
    expect(JSON.parse(JSON.stringify(back))).toEqual(full);
    const bare = { id: 'e2', time: 6, source: 's', sourceType: 'smapi' as const, service: 'smapi', operation: 'op', outcome: 'success' as const, responseCode: '200', requester: { id: 'u' }, resources: [] };
    expect(JSON.parse(JSON.stringify(decodeEvent(encodeEvent(bare))))).toEqual(bare);
  });
});
