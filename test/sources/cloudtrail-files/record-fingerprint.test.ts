import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseLogFileBytes, type ParseResult } from '../../../src/sources/cloudtrail-files/parse-log-file.js';
import { MAX_DEPTH, recordSpans } from '../../../src/util/json-record-spans.js';
import { recordFingerprint } from '../../../src/util/content-fingerprint.js';

const record = (id: string, extra: Record<string, unknown> = {}) => ({
  eventVersion: '1.08', eventID: id, eventTime: '2026-07-01T01:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser',
  awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.7', userAgent: 'aws-cli/2 "quoted" \\ back', recipientAccountId: '111122223333',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/é-ü', accountId: '111122223333' },
  requestParameters: { userName: 'a,b]c}', tags: [{ key: 'k', value: '[{' }] }, ...extra,
});

function parse(text: string): Extract<ParseResult, { ok: true }> {
  const r = parseLogFileBytes({ key: 'k.json.gz', sourceName: 'ct', compressed: gzipSync(text), hash: false, maxBytes: 1 << 24 });
  if (!r.ok) throw new Error(r.message);
  return r;
}

describe('content fingerprints of log-file records, from their bytes as received', () => {
  const a = record('11111111-1111-1111-1111-111111111111');
  const changed = record('11111111-1111-1111-1111-111111111111', { errorCode: 'AccessDenied' });
  const b = record('22222222-2222-2222-2222-222222222222');

  it('the same record twice has one fingerprint; the same id with other content another', () => {
    const r = parse(JSON.stringify({ Records: [a, b, a, changed] }));
    const c = Array.from(r.contents);
    expect(c[0]).toBe(c[2]);
    expect(c[0]).not.toBe(c[3]);
    expect(c[0]).not.toBe(c[1]);
  });

  it('is the fingerprint of the parsed record (what a resumed run computes from the archive) for CloudTrail-style compact JSON', () => {
    const r = parse(JSON.stringify({ Records: [a, changed, b] }));
    expect(Array.from(r.contents)).toEqual([a, changed, b].map((x) => recordFingerprint(x.eventID, x)));
  });

  it('ignores whitespace outside strings: a pretty-printed file gives the compact file\'s fingerprints', () => {
    const compact = parse(JSON.stringify({ Records: [a, b] }));
    const pretty = parse(JSON.stringify({ Records: [a, b] }, null, 2));
    expect(Array.from(pretty.contents)).toEqual(Array.from(compact.contents));
  });

  it('finds the records of the last "Records" key (as JSON.parse keeps it), whatever comes around them', () => {
    const text = `{"x":{"Records":[1]},"Records":[${JSON.stringify(b)}], "Records" : [ ${JSON.stringify(a)} , null , "s]" ],"y":[[{}]]}`;
    const bytes = Buffer.from(text);
    const spans = recordSpans(bytes);
    expect(spans?.start.map((s, i) => bytes.toString('utf8', s, spans.end[i]))).toEqual([JSON.stringify(a), 'null', '"s]"']);
  });

  it('refuses a file nested deeper than MAX_DEPTH, naming it', () => {
    const deep = '['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1);
    const r = parseLogFileBytes({ key: 'deep.json.gz', sourceName: 'ct', compressed: gzipSync(`{"Records":[{"eventID":"x","p":${deep}}]}`), hash: false, maxBytes: 1 << 24 });
    expect(r).toMatchObject({ ok: false, code: 'DATA_INVALID', message: expect.stringContaining('deep.json.gz') });
  });
});
