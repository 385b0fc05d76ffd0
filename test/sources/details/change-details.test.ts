import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDetails } from '../../../src/model/audit-event.js';
import { eventCodec } from '../../../src/pipeline/event-codec.js';
import { createRecordBuilder, createRecordReader } from '../../../src/pipeline/record-codec.js';
import { normalizeAmplitudeRecord } from '../../../src/sources/amplitude/normalize.js';
import { normalizeCloudTrailRecord } from '../../../src/sources/cloudtrail-common/normalize-record.js';
import { generateAmplitudeData } from '../../../src/emulators/amplitude/data.js';

const ELASTIC = '/work/shared/fixtures/cloudtrail-real/elastic';

describe('Amplitude change details', () => {
  it('states a role change as before → after, a permission as granted, and nothing for a sign-in', () => {
    const base = { id: 'a1', timestamp: '2026-10-05T10:00:00Z', user_email: 'zoe@example.com', org_id: 'o1', target: { type: 'user', id: 'bob@example.com' } };
    const role = normalizeAmplitudeRecord({ ...base, domain: 'permissions', feature: 'role', action: 'changed', event_properties: { old_role: 'member', new_role: 'admin' } }, 'amp');
    expect(role.details).toEqual([{ name: 'role', before: 'member', value: 'admin' }]);
    expect(formatDetails(role.details)).toBe('role: member → admin');
    const grant = normalizeAmplitudeRecord({ ...base, domain: 'permissions', feature: 'permission', action: 'granted', event_properties: { permission: 'export_data' } }, 'amp');
    expect(formatDetails(grant.details)).toBe('permission: export_data');
    const login = normalizeAmplitudeRecord({ ...base, domain: 'auth', feature: 'login', action: 'success', event_properties: { method: 'password' } }, 'amp');
    expect(login.details).toBeUndefined();
  });

  it('every role change the emulator writes reaches the event with its before and after', () => {
    const { records } = generateAmplitudeData({ seed: 's', orgId: 'o', start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 9, 8), recordsPerDay: 40 });
    const roles = records.filter((r) => r.feature === 'role');
    expect(roles.length).toBeGreaterThan(0);
    for (const r of roles) {
      const e = normalizeAmplitudeRecord(r, 'amp');
      expect(e.details).toEqual([{ name: 'role', before: r.event_properties.old_role, value: r.event_properties.new_role }]);
    }
  });
});

describe('CloudTrail change details', () => {
  const record = (over: Record<string, unknown>) => ({
    eventVersion: '1.08', eventTime: '2026-10-05T10:00:00Z', eventSource: 'iam.amazonaws.com', eventID: 'e1',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice' }, ...over,
  });

  it('names the policy and user of a write, the created key in the response, never the secret, and nothing for a read', () => {
    const attach = normalizeCloudTrailRecord(record({ eventName: 'AttachUserPolicy', readOnly: false, requestParameters: { userName: 'dave', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }), 'ct', 'cloudtrail');
    expect(formatDetails(attach?.details)).toBe('policyArn: arn:aws:iam::aws:policy/AdministratorAccess; userName: dave');
    const key = normalizeCloudTrailRecord(
      record({ eventName: 'CreateAccessKey', readOnly: false, requestParameters: { userName: 'dave' }, responseElements: { accessKey: { userName: 'dave', accessKeyId: 'AKIAEXAMPLE', status: 'Active', secretAccessKey: 'never' } } }),
      'ct', 'cloudtrail',
    );
    const text = formatDetails(key?.details) ?? '';
    expect(text).toContain('response accessKey.accessKeyId: AKIAEXAMPLE');
    expect(text).not.toContain('never');
    const read = normalizeCloudTrailRecord(record({ eventName: 'GetUser', requestParameters: { userName: 'dave' } }), 'ct', 'cloudtrail');
    expect(read?.details).toBeUndefined();
  });

  it('survives the spill codec', () => {
    const e = normalizeCloudTrailRecord(record({ eventName: 'PutBucketPolicy', readOnly: false, requestParameters: { bucketName: 'b', policy: '{\n "Version": "2012-10-17"\n}' } }), 'ct', 'cloudtrail');
    expect(e).not.toBeNull();
    const b = createRecordBuilder(8);
    eventCodec.encode(e!, b);
    const r = createRecordReader();
    r.load(Buffer.from(b.bytes()), 0);
    expect(JSON.parse(JSON.stringify(eventCodec.decode(r)))).toEqual(e);
    expect(formatDetails(e?.details)).toBe('policy: {"Version":"2012-10-17"}; bucketName: b');
  });

  it.skipIf(!existsSync(ELASTIC))('reads the policy, user and policy document of real IAM records whole', () => {
    const one = (f: string) => normalizeCloudTrailRecord(JSON.parse(readFileSync(join(ELASTIC, f), 'utf8').split('\n')[0]), 'ct', 'cloudtrail-files');
    expect(formatDetails(one('test-attach-user-policy-json.log')?.details)).toBe(
      'policyArn: arn:aws:iam::aws:policy/AdministratorAccess; userName: pwncloud-backdoor-user',
    );
    const created = formatDetails(one('test-create-policy-json.log')?.details) ?? '';
    expect(created).toContain('policyName: PwncloudSNSPublishPolicy');
    expect(created).toContain('policyDocument: {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:Publish","Resource":"*"}]}');
    expect(created).toContain('response policy.arn: arn:aws:iam::00000000000:policy/PwncloudSNSPublishPolicy');
  });
});
