import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fileWithoutRecords, parseLogFileBytes, type ParseResult } from '../../../src/sources/cloudtrail-files/parse-log-file.js';
import { recordSpans } from '../../../src/util/json-record-spans.js';

const parse = (text: string | Buffer): ParseResult => parseLogFileBytes({ key: 'k.json.gz', sourceName: 'ct', compressed: gzipSync(text), hash: false, maxBytes: 1 << 24 });

const record = (i: number, extra = '') =>
  `{"eventVersion":"1.08","eventID":"id-${i}","eventTime":"2026-07-01T0${i % 10}:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1",` +
  `"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u${i}"},"requestParameters":{"bucketName":"b","key":"é ${i}"}${extra}}`;

/**
 * The same records behind an empty first "Records" array: JSON.parse keeps the last, and the file
 * takes the whole-file parse, so this is what the record-by-record reading must equal.
 */
const wholeFile = (text: string) => text.replace(/^\s*\{/, '{"Records":[],');

const same = (a: ParseResult, b: ParseResult) => {
  if (!a.ok || !b.ok) throw new Error(`not parsed: ${JSON.stringify(a.ok ? b : a)}`);
  expect(Buffer.from(a.events).equals(Buffer.from(b.events))).toBe(true);
  expect([...a.contents]).toEqual([...b.contents]);
  expect({ records: a.records, notEvents: a.notEvents, invalid: a.invalid }).toEqual({ records: b.records, notEvents: b.notEvents, invalid: b.invalid });
};

describe('a log file read record by record', () => {
  it('gives the events, fingerprints and counts of the whole-file parse, compact, pretty-printed, with other keys and odd records', () => {
    const records = [record(1), record(2, ',"errorCode":"AccessDenied"'), '{"eventID":"no-time"}', '{"eventVersion":"1.08","eventType":"AwsCloudTrailInsight"}', record(3)];
    const texts = [
      `{"Records":[${records.join(',')}]}`,
      `{\n  "Records": [\n    ${records.join(' ,\n    ')}\n  ]\n}\n`,
      `{"Other":{"Records":[1]},"Records":[${records.join(',')}],"z":[]}`,
      `{"Records":[]}`,
    ];
    for (const text of texts) {
      // Read record by record (the file without its records is whole JSON), and equal to the whole-file read.
      const content = Buffer.from(text);
      expect(fileWithoutRecords('k', content, recordSpans(content)!)).not.toBeNull();
      expect(fileWithoutRecords('k', Buffer.from(wholeFile(text)), recordSpans(Buffer.from(wholeFile(text)))!)).toBeNull();
      same(parse(text), parse(wholeFile(text)));
    }
    expect(parse(texts[0])).toMatchObject({ ok: true, records: 5 });
  });

  it('refuses what JSON.parse refuses, with the same message, however the records look one by one', () => {
    const a = record(1);
    const b = record(2);
    const bad = [
      `{"Records":[${a} ${b}]}`,
      `{"Records":[${a},,${b}]}`,
      `{"Records":[,${a}]}`,
      `{"Records":[${a},]}`,
      `{"Records":[${a}]}x`,
      `{"Records":[${a}],}`,
      `{"Records":[${a}] "x":1}`,
      `\ufeff{"Records":[${a}]}`,
      `{"Records":[{"eventID":tru}]}`,
      `{"Records":[${a}, : ${b}]}`,
    ];
    for (const text of bad) {
      let expected: string;
      try {
        JSON.parse(text);
        throw new Error(`valid JSON: ${text}`);
      } catch (e) {
        expected = (e as Error).message;
      }
      const r = parse(text);
      expect(r).toMatchObject({ ok: false, code: 'DATA_INVALID' });
      // Bad separators are seen by the scan itself, before any record is parsed.
      if (/,,|\[,|,\]/.test(text)) expect(recordSpans(Buffer.from(text))?.separated).toBe(false);
      expect(r.ok ? '' : r.message).toContain(expected);
    }
  });
});
