import { describe, expect, it } from 'vitest';
import { recordLines } from '../../src/util/json-record-spans.js';
import { fingerprintBytes, recordFingerprint } from '../../src/util/content-fingerprint.js';

const recs = [
  { xAmznRequestId: 'r-1', timestamp: '2026-10-01T00:00:00.000Z', operation: { name: 'a,b]c}', version: '1' }, userAgent: 'cli "quoted" \\ back é-ü' },
  { xAmznRequestId: 'r-2', timestamp: '2026-10-01T00:00:01.000Z', resources: [{ id: '', type: 'Catalog' }], n: -1.5e-7 },
  null,
];

const text = (lines: NonNullable<ReturnType<typeof recordLines>>) => Buffer.from(lines.bytes).toString('utf8');

describe('recordLines: an API page\'s records as received, one per line', () => {
  it('copies each record\'s bytes of the named array, one per line, whatever comes around them', () => {
    const body = Buffer.from(`{"x":{"auditLogs":[1]},"paginationContext":{"nextToken":"t]"},"auditLogs":${JSON.stringify(recs)},"_links":{}}`);
    const lines = recordLines(body, 'auditLogs', recs.length)!;
    expect(text(lines)).toBe(recs.map((r) => JSON.stringify(r) + '\n').join(''));
    expect(Array.from(lines.start).map((s, i) => Buffer.from(lines.bytes).toString('utf8', s, lines.end[i]))).toEqual(recs.map((r) => JSON.stringify(r)));
  });

  it('the same lines whether the records are comma-separated (one copy) or spaced apart (a copy per record)', () => {
    const compact = recordLines(Buffer.from(JSON.stringify({ auditLogs: recs })), 'auditLogs', recs.length)!;
    const spaced = recordLines(Buffer.from(`{"auditLogs": [ ${recs.map((r) => JSON.stringify(r)).join(',\n  ')}]}`), 'auditLogs', recs.length)!;
    expect(text(spaced)).toBe(recs.map((r) => JSON.stringify(r) + '\n').join(''));
    expect(Buffer.from(spaced.bytes).equals(Buffer.from(compact.bytes))).toBe(true);
    expect([Array.from(spaced.start), Array.from(spaced.end)]).toEqual([Array.from(compact.start), Array.from(compact.end)]);
  });

  it('fingerprints from the lines equal those of the parsed records (what a resumed run computes from the archive)', () => {
    const lines = recordLines(Buffer.from(JSON.stringify({ auditLogs: recs })), 'auditLogs', recs.length)!;
    const fromBytes = recs.map((_, i) => fingerprintBytes(lines.bytes, lines.start[i], lines.end[i]));
    expect(fromBytes).toEqual(recs.map((r) => recordFingerprint('id', r)));
  });

  it('gives up (null: the caller serializes the parsed records) on a pretty-printed page, a count that disagrees, or another array', () => {
    expect(recordLines(Buffer.from(JSON.stringify({ auditLogs: recs }, null, 2)), 'auditLogs', recs.length)).toBeNull();
    expect(recordLines(Buffer.from(JSON.stringify({ auditLogs: recs })), 'auditLogs', recs.length + 1)).toBeNull();
    expect(recordLines(Buffer.from(JSON.stringify({ events: recs })), 'auditLogs', recs.length)).toBeNull();
    expect(recordLines(Buffer.from(JSON.stringify(recs)), 'auditLogs', recs.length)).toBeNull();
  });

  it('refuses nothing it can parse: a page nested deeper than the scan follows gives null, not an error', () => {
    const deep = '['.repeat(600) + ']'.repeat(600);
    expect(recordLines(Buffer.from(`{"auditLogs":[{"p":${deep}}]}`), 'auditLogs', 1)).toBeNull();
  });
});
