import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSpillStore, readRecords } from '../../src/pipeline/spill-store.js';
import { createRecordBuilder, createRecordReader, type RecordCodec } from '../../src/pipeline/record-codec.js';
import { decodeEventKey, eventCodec, eventSortKey } from '../../src/pipeline/event-codec.js';
import { compareEvents } from '../../src/model/event-order.js';
import { createExceptionCodec, exceptionSortKey } from '../../src/pipeline/exception-codec.js';
import { compareExceptionRows } from '../../src/model/exception.js';
import type { AuditEvent } from '../../src/model/audit-event.js';
import type { ExceptionRow } from '../../src/model/exception.js';

/** Rows of numbers and an optional text, field by field, as the real codecs write them. */
const numbers = <R extends Record<string, number | string>>(keys: (keyof R & string)[], text?: keyof R & string): RecordCodec<R> => ({
  encode(row, w) {
    for (const k of keys) w.f64(row[k] as number);
    if (text) w.str(row[text] as string);
  },
  decode(r) {
    const row: Record<string, number | string> = {};
    for (const k of keys) row[k] = r.f64();
    if (text) row[text] = r.str();
    return row as R;
  },
});
const tCodec = numbers<{ t: number }>(['t']);
const tsCodec = numbers<{ t: number; s: string }>(['t'], 's');

const openFiles = () => (process.platform === 'linux' ? readdirSync('/proc/self/fd').length : null);

describe('spill store', () => {
  it('picks the rows at given positions of the sorted stream, sorting only buckets that hold one and decoding only those rows', async () => {
    for (const runRows of [1000, 7]) {
      let decoded = 0;
      const codec: RecordCodec<{ t: number }> = { encode: tCodec.encode, decode: (r) => (decoded++, tCodec.decode(r)) };
      const dir = mkdtempSync(join(tmpdir(), 'ap-spill-'));
      const store = createSpillStore<{ t: number }>({ dir, name: 'x', codec, bucketOf: (r) => Math.floor(r.t / 100), compare: (a, b) => a.t - b.t, flushBytes: 64, runRows, sortKey: { decode: (r) => r.f64(), compare: (a, b) => (a as number) - (b as number) } });
      // Buckets 0-4, 100 rows each, arriving shuffled.
      const times = Array.from({ length: 500 }, (_, i) => (i * 7919) % 500);
      for (const t of times) store.add({ t });
      const sealed = store.seal();
      // Nothing asked of bucket 2 (positions 201-300): its file may as well be gone.
      rmSync(join(dir, 'x-2.rec'));
      const picks: { position: number; t: number }[] = [];
      for await (const { position, row } of sealed.pick([450, 1, 100, 101, 450, 0, 501, 37, 500])) picks.push({ position, t: row.t });
      expect(picks).toEqual([1, 37, 100, 101, 450, 500].map((position) => ({ position, t: position - 1 })));
      expect(decoded).toBe(6);
      // A pick that ends inside a bucket stops there; the stream is whole for the next reader.
      const first: number[] = [];
      for await (const { row } of sealed.pick([3])) first.push(row.t);
      expect(first).toEqual([2]);
    }
  });

  it('keeps every row when more buckets take rows in turn than it holds files open, and closes them at the seal or on close()', async () => {
    const before = openFiles();
    const make = () => createSpillStore<{ t: number }>({ dir: mkdtempSync(join(tmpdir(), 'ap-spill-')), name: 'x', codec: tCodec, bucketOf: (r) => r.t % 40, compare: (a, b) => a.t - b.t, flushBytes: 16 });
    const store = make();
    // 40 buckets in turn, a flush every row or two: each append may find its file closed by another's.
    const times = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 2000);
    for (const t of times) store.add({ t });
    if (before !== null) expect(openFiles()).toBeGreaterThan(before);
    const sealed = store.seal();
    if (before !== null) expect(openFiles()).toBe(before);
    const out: number[] = [];
    for await (const r of sealed.open()) out.push(r.t);
    expect(out).toEqual([...times].sort((a, b) => (a % 40) - (b % 40) || a - b));
    // A store given up before its seal (a failed pull) closes its files too.
    const dropped = make();
    for (const t of times) dropped.add({ t });
    dropped.close();
    if (before !== null) expect(openFiles()).toBe(before);
  });

  it('returns rows in bucket order, sorted within buckets, whatever the arrival order, and can be read twice', async () => {
    const store = createSpillStore<{ t: number }>({ dir: mkdtempSync(join(tmpdir(), 'ap-spill-')), name: 'x', codec: tCodec, bucketOf: (r) => Math.floor(r.t / 10), compare: (a, b) => a.t - b.t, flushBytes: 16 });
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

  it('hands the same rows over in batches, none empty, none past a bucket, none larger than 256 rows', async () => {
    const store = createSpillStore<{ t: number }>({ dir: mkdtempSync(join(tmpdir(), 'ap-spill-')), name: 'x', codec: tCodec, bucketOf: (r) => Math.floor(r.t / 1000), compare: (a, b) => a.t - b.t, flushBytes: 64 });
    const times = Array.from({ length: 2600 }, (_, i) => (i * 7919) % 2600);
    for (const t of times) store.add({ t });
    const sealed = store.seal();
    const batches: number[][] = [];
    for await (const batch of sealed.openBatches()) batches.push(batch.map((r) => r.t));
    expect(batches.flat()).toEqual([...times].sort((a, b) => a - b));
    expect(batches.map((b) => b.length)).toEqual([256, 256, 256, 232, 256, 256, 256, 232, 256, 256, 88]);
    for (const b of batches) expect(new Set(b.map((t) => Math.floor(t / 1000))).size).toBe(1);
  });
});

describe('spill store bytes', () => {
  it('writes each bucket file as length-prefixed records in arrival order, whatever the buffer size, multi-byte text and over-long records included', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => ({ t: i % 7, s: i % 50 === 0 ? 'x'.repeat(3000) : i % 3 === 0 ? `Zoë 東京 ${i} 🙂` : `plain ${i}` }));
    const expected = new Map<number, Buffer>();
    const b = createRecordBuilder();
    for (const r of rows) {
      b.reset();
      tsCodec.encode(r, b);
      const header = Buffer.alloc(4);
      header.writeUInt32LE(b.size);
      expected.set(r.t, Buffer.concat([expected.get(r.t) ?? Buffer.alloc(0), header, b.bytes()]));
    }
    for (const flushBytes of [16, 200, 4096, 1 << 20]) {
      const dir = mkdtempSync(join(tmpdir(), 'ap-spill-'));
      const store = createSpillStore<{ t: number; s: string }>({ dir, name: 'y', codec: tsCodec, bucketOf: (r) => r.t, compare: () => 0, flushBytes });
      for (const r of rows) store.add(r);
      const sealed = store.seal();
      expect(readdirSync(dir).sort()).toEqual([...expected.keys()].sort().map((t) => `y-${t}.rec`));
      for (const [t, bytes] of expected) expect(readFileSync(join(dir, `y-${t}.rec`)).equals(bytes)).toBe(true);
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
        dir, name: 'z', codec: numbers<{ b: number; k: number; seq: number }>(['b', 'k', 'seq']), bucketOf: (r) => r.b, compare: (x, y) => x.k - y.k, flushBytes: 512, runRows,
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
      expect(readdirSync(dir).sort()).toEqual(['z-0.rec', 'z-1.rec', 'z-2.rec']);
    }
  });

  it('reads records longer than its read chunk, multi-byte characters cut anywhere', async () => {
    const long = 'é東🙂'.repeat(400_000);
    const store = createSpillStore<{ t: number; s: string }>({ dir: mkdtempSync(join(tmpdir(), 'ap-spill-')), name: 'w', codec: tsCodec, bucketOf: () => 0, compare: (a, b) => a.t - b.t });
    store.add({ t: 2, s: long });
    store.add({ t: 1, s: 'short' });
    const out: { t: number; s: string }[] = [];
    for await (const r of store.seal().open()) out.push(r);
    expect(out).toEqual([{ t: 1, s: 'short' }, { t: 2, s: long }]);
  });
});

const roundTrip = <T>(codec: RecordCodec<T>, row: T): T => {
  const b = createRecordBuilder(8);
  codec.encode(row, b);
  const r = createRecordReader();
  r.load(Buffer.from(b.bytes()), 0);
  return codec.decode(r);
};

describe('event codec', () => {
  it('round-trips every field of an event', () => {
    const full: AuditEvent = {
      id: 'e1', time: 1_790_000_000_123, source: 'ct', sourceType: 'cloudtrail-files', service: 's3.amazonaws.com', operation: 'GetObject', outcome: 'failure',
      responseCode: 'AccessDenied', requester: { id: 'arn:aws:iam::1:user/' + 'z'.repeat(300), type: 'IAMUser', name: 'Zoë 東京 🙂', email: 'z@x' }, client: { id: 'c', name: 'aws-cli' },
      resources: [{ id: 'r1', type: 'AWS::S3::Bucket' }, { id: 'r2' }], region: 'us-east-1', account: '1', sourceIp: '203.0.113.9', userAgent: '=cmd',
      errorMessage: '', attributes: { mfa: 'false', '': 'empty key' },
      details: [{ name: 'role', before: 'member', value: 'admin' }, { name: 'policyArn', value: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    };
    expect(JSON.parse(JSON.stringify(roundTrip(eventCodec, full)))).toEqual(full);
    const bare: AuditEvent = { id: 'e2', time: 6, source: 's', sourceType: 'smapi', service: 'smapi', operation: 'op', outcome: 'success', responseCode: '200', requester: { id: 'u' }, resources: [] };
    expect(JSON.parse(JSON.stringify(roundTrip(eventCodec, bare)))).toEqual(bare);
    for (const client of [{ name: 'only name' }, { id: 'only id' }, {}]) {
      expect(JSON.parse(JSON.stringify(roundTrip(eventCodec, { ...bare, client })))).toEqual({ ...bare, client });
    }
    // The sort key is the canonical order's fields of the same record.
    expect(eventSortKey.decode).toBe(decodeEventKey);
    const key = roundTrip({ encode: eventCodec.encode, decode: decodeEventKey }, full);
    expect(key).toEqual({ id: full.id, time: full.time, source: full.source, service: full.service, operation: full.operation, responseCode: full.responseCode, requester: { id: full.requester.id } });
  });

  it('sorted by key (holding only the order\'s fields), events come out as a sort of whole events puts them, in one run and merged from runs', async () => {
    const events: AuditEvent[] = [];
    for (let i = 0; i < 500; i++) {
      // Few distinct times and ids: most order is decided by the later keys, ties included.
      events.push({
        id: `e${i % 37}`, time: 1_790_000_000_000 + (i % 11) * 1000, source: i % 3 ? 'a' : 'b', sourceType: 'cloudtrail-files', service: `s${i % 2}`, operation: `op${i % 5}`,
        outcome: 'success', responseCode: String(200 + (i % 4)), requester: { id: `u${i % 7}`, name: `n${i}` }, resources: [], attributes: { i: String(i) },
      });
    }
    const expected = [...events].sort(compareEvents).map((e) => e.attributes!.i);
    for (const runRows of [1000, 16]) {
      const store = createSpillStore<AuditEvent>({ dir: mkdtempSync(join(tmpdir(), 'ap-spill-key-')), name: 'e', codec: eventCodec, bucketOf: () => 0, compare: compareEvents, sortKey: eventSortKey, runRows });
      for (const e of events) store.add(e);
      const sealed = store.seal();
      for (let read = 0; read < 2; read++) {
        const got: string[] = [];
        for await (const e of sealed.open()) got.push(e.attributes!.i);
        expect(got).toEqual(expected);
      }
    }
  });
});

describe('record reader maps', () => {
  it('reads each map as written, the same bytes as the same (read-only) object and other bytes never as it, in more maps than its table has slots', () => {
    const maps: (Record<string, string> | null)[] = [null, {}, { mfa: 'false' }, { mfa: 'true' }, { a: 'b', c: 'd' }, { ab: '', c: 'd' }, { long: 'x'.repeat(600) }, { 'Zoë': '東京' }];
    for (let i = 0; i < 600; i++) maps.push({ identityType: i % 2 ? 'Root' : 'IAMUser', n: String(i) });
    const b = createRecordBuilder(8);
    const starts: number[] = [];
    const chunks: Buffer[] = [];
    let at = 0;
    // Each map twice, the second time after all the others: a slot taken since holds another map.
    for (const m of [...maps, ...maps]) {
      b.reset();
      b.strMap(m);
      starts.push(at);
      chunks.push(Buffer.from(b.bytes()));
      at += b.size;
    }
    const all = Buffer.concat(chunks);
    const r = createRecordReader();
    const read = starts.map((start) => {
      r.load(all, start);
      return r.strMap();
    });
    expect(read).toEqual([...maps, ...maps]);
    // Read again right away, a small map is the object the reader made for those bytes.
    r.load(all, starts[2]);
    const mfa = r.strMap();
    r.load(all, starts[maps.length + 2]);
    expect(r.strMap()).toBe(mfa);
    r.load(all, starts[3]);
    expect(r.strMap()).toEqual({ mfa: 'true' });
  });
});

describe('exception codec', () => {
  it('sorted by time first and whole rows only where times tie (exceptionSortKey), rows come out as a sort of whole rows puts them, in one run and merged', async () => {
    const rows: ExceptionRow[] = Array.from({ length: 600 }, (_, i) => ({
      ruleId: `r${(i * 7) % 5}`, title: 'T', severity: 'high', control: 'CC6.1', reason: `why ${(i * 13) % 3}`, time: ((i * 7919) % 40) * 1000, source: 'ct', eventId: i % 9 === 0 ? null : `e${(i * 31) % 50}`,
      service: 's', operation: `op${i % 4}`, responseCode: '200', requesterId: `u${(i * 3) % 7}`, requesterName: null, requesterEmail: null, resource: null, client: null, details: null, subject: `x${(i * 11) % 6}`,
    }));
    const expected = [...rows].sort(compareExceptionRows);
    for (const runRows of [10_000, 64]) {
      const inner = createExceptionCodec();
      let decodes = 0;
      const codec: RecordCodec<ExceptionRow> = { encode: inner.encode, decode: (r) => (decodes++, inner.decode(r)) };
      const store = createSpillStore<ExceptionRow>({ dir: mkdtempSync(join(tmpdir(), 'ap-spill-')), name: 'x', codec, sortKey: exceptionSortKey, bucketOf: () => 0, compare: compareExceptionRows, runRows });
      for (const r of rows) store.add(r);
      const out: ExceptionRow[] = [];
      for await (const r of store.seal().open()) out.push(r);
      expect(out).toEqual(expected);
      // Every time here is shared by several rows, so every row is decoded to be compared, and once
      // only: the row read out is the one decoded as the key.
      if (runRows === 10_000) expect(decodes).toBe(rows.length);
    }
  });

  it('round-trips every field, and the rule texts of several rules', () => {
    const codec = createExceptionCodec();
    const row: ExceptionRow = {
      ruleId: 'r1', title: 'Root used', severity: 'critical', control: 'CC6.1', reason: 'why', time: 7, source: 'ct', eventId: null, service: 'iam.amazonaws.com', operation: 'op', responseCode: '200',
      requesterId: 'root', requesterName: null, requesterEmail: 'e', resource: null, client: 'c', details: 'userName: dave', subject: 'root', trend: 'recurring',
    };
    const other: ExceptionRow = { ...row, ruleId: 'r2', title: 'Other', severity: 'low', eventId: 'e9', trend: undefined };
    delete other.trend;
    const b = createRecordBuilder();
    const encoded = [row, other, row].map((x) => {
      b.reset();
      codec.encode(x, b);
      return Buffer.from(b.bytes());
    });
    const r = createRecordReader();
    const back = encoded.map((bytes) => {
      r.load(bytes, 0);
      return codec.decode(r);
    });
    expect(back).toEqual([row, other, row]);
    expect('trend' in back[1]).toBe(false);
  });
});

describe('readRecords', () => {
  it('gives the same records whether it fills one buffer again or a new one per read, with records cut by reads and records longer than a read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-spill-'));
    const file = join(dir, 'records');
    const payloads = Array.from({ length: 300 }, (_, i) => Buffer.alloc(i % 37 === 0 ? 700 : (i * 13) % 90, String.fromCharCode(65 + (i % 26))));
    writeFileSync(file, Buffer.concat(payloads.flatMap((p) => {
      const head = Buffer.alloc(4);
      head.writeUInt32LE(p.length);
      return [head, p];
    })));
    const read = (reuse: boolean) => Array.from(readRecords(file, 256, reuse), (r) => r.buf.subarray(r.start + 4, r.end).toString('latin1'));
    expect(read(true)).toEqual(payloads.map((p) => p.toString('latin1')));
    expect(read(false)).toEqual(payloads.map((p) => p.toString('latin1')));
    // Reused, a span is good only until the next record is asked for; held, the spans of new buffers stay valid.
    const held = [...readRecords(file, 256, false)].map((r) => r.buf.subarray(r.start + 4, r.end).toString('latin1'));
    expect(held).toEqual(payloads.map((p) => p.toString('latin1')));
  });
});
