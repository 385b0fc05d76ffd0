import { describe, expect, it } from 'vitest';
import { normalizeCloudTrailRecord } from '../../../src/sources/cloudtrail-common/normalize-record.js';
import { parseCloudTrailTime } from '../../../src/sources/cloudtrail-common/event-time.js';
import { isAuditpackError } from '../../../src/errors.js';
import type { AuditEvent } from '../../../src/model/audit-event.js';
import { real2Files, REAL_2_DIR, REAL_DIR, realLines } from './real-records.js';

const norm = (r: unknown) => normalizeCloudTrailRecord(r, 'ct', 'cloudtrail-files');

describe.skipIf(!REAL_DIR)('normalizeCloudTrailRecord over the real records (../shared/fixtures/cloudtrail-real)', () => {
  const lines = REAL_DIR ? realLines() : [];

  it('reads all 559 records: 1 digest, events normalized, only time-less records refused', () => {
    expect(lines).toHaveLength(559);
    let digests = 0;
    const events: AuditEvent[] = [];
    const refused: string[] = [];
    for (const { line } of lines) {
      const raw = JSON.parse(line) as Record<string, unknown>;
      try {
        const e = norm(raw);
        if (e === null) digests++;
        else events.push(e);
      } catch (err) {
        expect(isAuditpackError(err) && err.code === 'DATA_INVALID').toBe(true);
        refused.push(String(raw.eventTime));
      }
    }
    expect(digests).toBe(1);
    // Refused: exactly the records whose eventTime is absent or not a timestamp (and no p_event_time).
    const timeless = lines.filter(({ line }) => {
      const r = JSON.parse(line) as Record<string, unknown>;
      if ('digestStartTime' in r) return false;
      const t = [r.eventTime, r.p_event_time].find((v) => typeof v === 'string' && !Number.isNaN(Date.parse(v.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1'))));
      return t === undefined;
    });
    expect(refused.length).toBe(timeless.length);
    expect(events.length + refused.length).toBe(558);
    for (const e of events) {
      expect(Number.isFinite(e.time)).toBe(true);
      expect(e.id.length).toBeGreaterThan(0);
      expect(e.service).not.toBe('');
      expect(e.operation).not.toBe('');
      expect(['success', 'failure']).toContain(e.outcome);
      expect(e.requester.id.length).toBeGreaterThan(0);
      for (const v of Object.values(e.attributes ?? {})) expect(typeof v).toBe('string');
      if (e.outcome === 'failure') expect(e.responseCode).not.toBe('Success');
    }
  });

  it('gives records without eventID a stable content hash that ignores vendor p_* fields', () => {
    const noId = lines.map(({ line }) => JSON.parse(line) as Record<string, unknown>).find((r) => r.eventID === undefined && typeof r.eventTime === 'string' && r.eventTime.includes('T'));
    expect(noId).toBeDefined();
    const a = norm(noId)!;
    const b = norm({ ...noId, p_parse_time: '2030-01-01 00:00:00', p_row_id: 'x' })!;
    const reordered = Object.fromEntries(Object.entries(noId!).reverse());
    expect(a.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.id).toBe(a.id);
    expect(norm(reordered)!.id).toBe(a.id);
    expect(norm({ ...noId, eventName: 'Other' })!.id).not.toBe(a.id);
  });
});

describe.skipIf(!REAL_2_DIR)('normalizeCloudTrailRecord over the second real set (../shared/fixtures/cloudtrail-real-2)', () => {
  const files = REAL_2_DIR ? real2Files() : [];

  it('normalizes all 3,220 records, none refused, each with the file\'s account and region', () => {
    const records = files.flatMap((f) => f.records.map((r) => ({ key: f.key, r })));
    expect(records).toHaveLength(3220);
    const ids = new Set<string>();
    for (const { key, r } of records) {
      const e = norm(r)!;
      // The delivery layout: AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/, grouped by the record's own fields and UTC day.
      const [, account, , region, y, m, d] = key.split('/');
      expect([e.account, e.region], key).toEqual([account, region]);
      expect(new Date(e.time).toISOString().slice(0, 10), key).toBe(`${y}-${m}-${d}`);
      expect(e.id).toBe(r.eventID);
      expect(e.operation).toBe(r.eventName);
      expect(e.outcome).toBe(typeof r.errorCode === 'string' && r.errorCode !== '' ? 'failure' : 'success');
      ids.add(e.id);
    }
    expect(ids.size).toBe(3218);
  });

  it('names a requester for identities without a type (AWS service events) and for a federated user', () => {
    const all = files.flatMap((f) => f.records);
    const typeless = all.filter((r) => !(r.userIdentity as { type?: string } | undefined)?.type);
    expect(typeless.length).toBe(43);
    for (const r of typeless) {
      const e = norm(r)!;
      expect(e.requester.id).not.toBe('unknown');
      expect(e.requester.type).toBeUndefined();
    }
    const federated = all.filter((r) => (r.userIdentity as { type?: string } | undefined)?.type === 'FederatedUser');
    expect(federated).toHaveLength(1);
    expect(norm(federated[0])!.requester.type).toBe('FederatedUser');
  });
});

describe('normalizeCloudTrailRecord rules', () => {
  const base = {
    eventVersion: '1.08',
    eventTime: '2026-10-04T10:00:02Z',
    eventSource: 'a4b.amazonaws.com',
    eventName: 'CreateRoom',
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.1',
    userAgent: 'aws-cli/2.17.60 Python/3.11',
    eventID: 'e-1',
    recipientAccountId: '123456789012',
  };

  it('names an assumed role by its issuer and session', () => {
    const e = norm({
      ...base,
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAX:alice@example.com',
        arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com',
        sessionContext: {
          sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::123456789012:role/sso/Admin', userName: 'Admin' },
          attributes: { mfaAuthenticated: 'true' },
        },
      },
    })!;
    expect(e.requester).toEqual({ id: 'arn:aws:iam::123456789012:role/sso/Admin (session alice@example.com)', type: 'AssumedRole' });
    expect(e.attributes).toMatchObject({ identityType: 'AssumedRole', mfa: 'true', sessionName: 'alice@example.com', roleArn: 'arn:aws:iam::123456789012:role/sso/Admin' });
    // Without the issuer, the role is derived from the STS ARN: same requester for the same session.
    const derived = norm({ ...base, userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/Dev/bob' } })!;
    expect(derived.requester.id).toBe('arn:aws:iam::123456789012:role/Dev (session bob)');
  });

  it('keeps the identity type and picks a sensible id for every kind', () => {
    expect(norm({ ...base, userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' } })!.requester).toEqual({ id: 'ec2.amazonaws.com', type: 'AWSService' });
    expect(norm({ ...base, userIdentity: { type: 'Root', arn: 'arn:aws:iam::1:root' } })!.requester).toEqual({ id: 'arn:aws:iam::1:root', type: 'Root' });
    expect(norm({ ...base, userIdentity: { type: 'SAMLUser', userName: 'u@corp' } })!.requester).toEqual({ id: 'u@corp', type: 'SAMLUser' });
    expect(norm({ ...base, userIdentity: { type: 'AWSAccount', accountId: '2', principalId: 'AROA:s' } })!.requester).toEqual({ id: 'AROA:s', type: 'AWSAccount' });
    expect(norm({ ...base, userIdentity: { accountId: '3', invokedBy: 'AWS Internal' } })!.requester).toEqual({ id: '3' });
    expect(norm({ ...base })!.requester).toEqual({ id: 'unknown' });
    expect(norm({ ...base, userIdentity: null })!.requester).toEqual({ id: 'unknown' });
  });

  it('decides the outcome from errorCode and sign-in results', () => {
    const denied = norm({ ...base, errorCode: 'AccessDenied', errorMessage: 'no' })!;
    expect([denied.outcome, denied.responseCode, denied.errorMessage]).toEqual(['failure', 'AccessDenied', 'no']);
    const login = norm({ ...base, eventName: 'ConsoleLogin', responseElements: { ConsoleLogin: 'Failure' }, errorMessage: 'Failed authentication', additionalEventData: { MFAUsed: 'No' } })!;
    expect([login.outcome, login.responseCode, login.attributes?.consoleLogin, login.attributes?.mfa]).toEqual(['failure', 'Failure', 'Failure', 'false']);
    const ok = norm({ ...base, eventName: 'ConsoleLogin', responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'YES' } })!;
    expect([ok.outcome, ok.responseCode, ok.attributes?.mfa]).toEqual(['success', 'Success', 'true']);
    const status200 = norm({ ...base, errorCode: '200' })!;
    expect([status200.outcome, status200.responseCode, status200.attributes?.statedErrorCode]).toEqual(['success', 'Success', '200']);
    expect(norm({ ...base, errorCode: '' })!.outcome).toBe('success');
    expect(norm({ ...base, errorCode: '403' })!.outcome).toBe('failure');
  });

  it('reads string booleans, resources, regions and the client', () => {
    const e = norm({
      ...base,
      readOnly: 'True',
      managementEvent: true,
      sourceIPAddress: '81.2.69.142, 192.168.10.10',
      resources: [{ ARN: 'arn:aws:a4b:us-east-1:1:room/r', type: 'AWS::A4B::Room', accountId: '1' }, { accountId: '1' }],
    })!;
    expect(e.attributes).toMatchObject({ readOnly: 'true', managementEvent: 'true', eventVersion: '1.08' });
    expect(e.resources).toEqual([{ id: 'arn:aws:a4b:us-east-1:1:room/r', type: 'AWS::A4B::Room' }]);
    expect([e.region, e.account, e.sourceIp, e.client?.name]).toEqual(['us-east-1', '123456789012', '81.2.69.142', 'aws-cli']);
    expect(norm({ ...base, eventSource: 's3.amazonaws.com', requestParameters: { bucketName: 'b' } })!.resources).toEqual([{ id: 'b', type: 'AWS::S3::Bucket' }]);
    expect(norm({ ...base, eventSource: 'lex.amazonaws.com', eventName: 'PutBot', requestParameters: { name: 'OrderBot' } })!.resources).toEqual([{ id: 'OrderBot', type: 'AWS::Lex::Bot' }]);
    expect(norm({ ...base, requestParameters: { roomArn: 'arn:aws:a4b:us-east-1:1:room/x' } })!.resources).toEqual([{ id: 'arn:aws:a4b:us-east-1:1:room/x', type: 'AWS::A4B::Room' }]);
  });

  it('returns null for a digest record and refuses non-records', () => {
    expect(norm({ digestStartTime: '2020-09-11T18:36:49Z', digestSignatureAlgorithm: 'SHA256withRSA', logFiles: [] })).toBeNull();
    expect(() => norm('x')).toThrow(/not a JSON object/);
    expect(() => norm([base])).toThrow(/not a JSON object/);
    expect(() => norm({ ...base, eventTime: 'redacted' })).toThrow(/no usable eventTime/);
    expect(norm({ ...base, eventTime: undefined, p_event_time: '2026-10-04 10:00:02.5' })!.time).toBe(Date.UTC(2026, 9, 4, 10, 0, 2, 500));
  });

  it('parses the time forms real data has', () => {
    expect(parseCloudTrailTime('2026-10-04T10:00:02Z')).toBe(Date.UTC(2026, 9, 4, 10, 0, 2));
    expect(parseCloudTrailTime('2026-10-04 10:00:02.123456789')).toBe(Date.UTC(2026, 9, 4, 10, 0, 2, 123));
    expect(parseCloudTrailTime('2026-10-04T12:00:02+02:00')).toBe(Date.UTC(2026, 9, 4, 10, 0, 2));
    expect(parseCloudTrailTime('2026-13-04T10:00:02Z')).toBeNull();
    expect(parseCloudTrailTime('2024-02-29T23:59:59Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(parseCloudTrailTime('2026-02-29T00:00:00Z')).toBeNull();
    expect(parseCloudTrailTime('2026-01-01T24:00:00Z')).toBeNull();
    expect(parseCloudTrailTime('2026-01-01T10:00:02.5Z')).toBe(Date.UTC(2026, 0, 1, 10, 0, 2, 500));
    expect(parseCloudTrailTime('...')).toBeNull();
    expect(parseCloudTrailTime(1700000000)).toBeNull();
  });
});
