import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudTrailClient, LookupEventsCommand, ListPublicKeysCommand } from '@aws-sdk/client-cloudtrail';
import { generateKeyPairSync } from 'node:crypto';
import { startCloudTrailEmulator, demoCloudTrailSetup, type CloudTrailEmulator, type SeededEvent } from '../../../src/emulators/cloudtrail/index.js';
import { manualClock } from '../../../src/util/clock.js';
import { cloudtrailConfigSchema } from '../../../src/sources/cloudtrail/config.js';

const DAY = 86_400_000;
const TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

interface WireAnswer {
  status: number;
  contentType: string | null;
  body: { __type?: string; message?: string; Events?: Record<string, unknown>[]; NextToken?: string };
}

function authHeader(accessKeyId: string, region = 'us-east-1', service = 'cloudtrail'): string {
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20261101/${region}/${service}/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${'ab'.repeat(32)}`;
}

async function call(emu: CloudTrailEmulator, body: unknown, headers: Record<string, string | undefined> = {}): Promise<WireAnswer> {
  const h: Record<string, string> = {};
  const all: Record<string, string | undefined> = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': TARGET,
    'x-amz-date': '20261101T000000Z',
    authorization: authHeader(emu.credentials[0].accessKeyId),
    ...headers,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) h[k] = v;
  const res = await fetch(`${emu.url}/`, { method: 'POST', headers: h, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as WireAnswer['body'] };
}

const typeName = (t: string | undefined) => t?.split('#').pop();

describe('CloudTrail emulator: AWS JSON 1.1 LookupEvents on the wire', () => {
  let emu: CloudTrailEmulator;
  beforeAll(async () => {
    emu = await startCloudTrailEmulator({ days: 3, eventsPerDay: { 'us-east-1': 20, 'us-west-2': 8, 'eu-west-1': 6 }, rateLimit: false });
  });
  afterAll(async () => emu.close());

  it('seeds a4b (us-east-1 only), lex, IAM/STS/S3, failures, assumed roles and root', () => {
    const ev = emu.truth.events;
    const a4b = ev.filter((e) => e.eventSource === 'a4b.amazonaws.com');
    expect(a4b.length).toBeGreaterThan(0);
    expect(new Set(a4b.map((e) => e.region))).toEqual(new Set(['us-east-1']));
    const lexRegions = new Set(ev.filter((e) => e.eventSource === 'lex.amazonaws.com').map((e) => e.region));
    expect(lexRegions.size).toBe(3);
    for (const s of ['iam.amazonaws.com', 'sts.amazonaws.com', 's3.amazonaws.com', 'signin.amazonaws.com']) {
      expect(ev.some((e) => e.eventSource === s)).toBe(true);
    }
    const types = new Set(ev.map((e) => (e.record.userIdentity as { type: string }).type));
    expect([...types].sort()).toEqual(['AWSService', 'AssumedRole', 'IAMUser', 'Root']);
    expect(ev.some((e) => e.record.errorCode === 'AccessDenied' || e.record.errorCode === 'AccessDeniedException')).toBe(true);
    const failedLogin = ev.find((e) => e.eventName === 'ConsoleLogin' && e.failed);
    expect(failedLogin?.record.responseElements).toEqual({ ConsoleLogin: 'Failure' });
    expect(failedLogin?.record.errorCode).toBeUndefined();
    // Newest first, all inside the seeded span.
    for (let i = 1; i < ev.length; i++) expect(ev[i - 1].time).toBeGreaterThanOrEqual(ev[i].time);
    expect(ev.every((e) => e.time >= emu.truth.start && e.time < emu.truth.end)).toBe(true);
  });

  it('answers with epoch-second EventTime, string ReadOnly and the full record in CloudTrailEvent, newest first', async () => {
    const start = emu.truth.start;
    const r = await call(emu, { StartTime: start / 1000, EndTime: (start + DAY) / 1000, MaxResults: 10 });
    expect(r.status).toBe(200);
    expect(r.contentType).toBe('application/x-amz-json-1.1');
    const events = r.body.Events ?? [];
    expect(events.length).toBe(10);
    expect(typeof r.body.NextToken).toBe('string');
    for (const e of events) {
      expect(typeof e.EventTime).toBe('number');
      expect(['true', 'false']).toContain(e.ReadOnly);
      const record = JSON.parse(e.CloudTrailEvent as string) as Record<string, unknown>;
      expect(record.eventID).toBe(e.EventId);
      expect(Date.parse(record.eventTime as string)).toBe((e.EventTime as number) * 1000);
      expect(record.awsRegion).toBe('us-east-1');
    }
    const times = events.map((e) => e.EventTime as number);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('keeps event times on whole seconds when its span ends mid-second (as `auditpack emulate` starts it)', async () => {
    const odd = await startCloudTrailEmulator({ end: Date.UTC(2026, 10, 20, 13, 5, 7, 418), days: 2, eventsPerDay: 15, regions: ['us-east-1'], rateLimit: false });
    try {
      expect(odd.truth.end).toBe(Date.UTC(2026, 10, 20, 13, 5, 7));
      expect(odd.truth.events.every((e) => e.time % 1000 === 0)).toBe(true);
      const r = await call(odd, { MaxResults: 50 });
      expect(r.body.Events?.length).toBe(odd.truth.events.length);
      for (const e of r.body.Events ?? []) {
        expect(Number.isInteger(e.EventTime)).toBe(true);
        expect((e.EventTime as number) * 1000).toBe(Date.parse((JSON.parse(e.CloudTrailEvent as string) as { eventTime: string }).eventTime));
      }
    } finally {
      await odd.close();
    }
  });

  it('treats StartTime and EndTime as inclusive, and accepts fractional seconds', async () => {
    // Every region has an event at exactly 00:00:00 UTC each day.
    const t = emu.truth.start + DAY;
    const atT = emu.truth.events.filter((e) => e.region === 'us-east-1' && e.time === t).map((e) => e.id).sort();
    expect(atT.length).toBeGreaterThan(0);
    const exact = await call(emu, { StartTime: t / 1000, EndTime: t / 1000 });
    expect((exact.body.Events ?? []).map((e) => e.EventId).sort()).toEqual(atT);
    const before = await call(emu, { StartTime: (t - 60_000) / 1000, EndTime: (t - 1) / 1000 });
    expect((before.body.Events ?? []).some((e) => atT.includes(e.EventId as string))).toBe(false);
    const after = await call(emu, { StartTime: (t + 1) / 1000, EndTime: (t + 60_000) / 1000 });
    expect((after.body.Events ?? []).some((e) => atT.includes(e.EventId as string))).toBe(false);
  });

  it('pages with a NextToken bound to its parameters; every event exactly once', async () => {
    const q = { StartTime: emu.truth.start / 1000, EndTime: emu.truth.end / 1000, LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'lex.amazonaws.com' }], MaxResults: 7 };
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await call(emu, { ...q, ...(token ? { NextToken: token } : {}) });
      expect(r.status).toBe(200);
      expect((r.body.Events ?? []).length).toBeLessThanOrEqual(7);
      seen.push(...(r.body.Events ?? []).map((e) => e.EventId as string));
      token = r.body.NextToken;
      if (pages === 0 && token) {
        const other = await call(emu, { ...q, LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'a4b.amazonaws.com' }], NextToken: token });
        expect(other.status).toBe(400);
        expect(typeName(other.body.__type)).toBe('InvalidNextTokenException');
      }
      pages++;
    } while (token);
    const expected = emu.truth.select({ regions: ['us-east-1'], start: emu.truth.start, end: emu.truth.end + 1, lookup: { key: 'EventSource', value: 'lex.amazonaws.com' } });
    expect(pages).toBe(Math.ceil(expected.length / 7));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(expected.map((e) => e.id).sort());
  });

  it('rejects tokens after expireTokens() and garbage tokens', async () => {
    const q = { StartTime: emu.truth.start / 1000, EndTime: emu.truth.end / 1000, MaxResults: 5 };
    const first = await call(emu, q);
    emu.expireTokens();
    const stale = await call(emu, { ...q, NextToken: first.body.NextToken });
    expect([stale.status, typeName(stale.body.__type)]).toEqual([400, 'InvalidNextTokenException']);
    const junk = await call(emu, { ...q, NextToken: 'not-a-token' });
    expect([junk.status, typeName(junk.body.__type)]).toEqual([400, 'InvalidNextTokenException']);
  });

  it('validates like the real API: MaxResults, one lookup attribute, time range', async () => {
    const bad = async (body: unknown) => {
      const r = await call(emu, body);
      expect(r.status).toBe(400);
      expect(typeof r.body.message).toBe('string');
      return typeName(r.body.__type);
    };
    expect(await bad({ MaxResults: 51 })).toBe('InvalidMaxResultsException');
    expect(await bad({ MaxResults: 0 })).toBe('InvalidMaxResultsException');
    expect(
      await bad({
        LookupAttributes: [
          { AttributeKey: 'EventSource', AttributeValue: 'a4b.amazonaws.com' },
          { AttributeKey: 'EventName', AttributeValue: 'CreateRoom' },
        ],
      }),
    ).toBe('InvalidLookupAttributesException');
    expect(await bad({ LookupAttributes: [{ AttributeKey: 'Region', AttributeValue: 'x' }] })).toBe('InvalidLookupAttributesException');
    expect(await bad({ StartTime: 2000, EndTime: 1000 })).toBe('InvalidTimeRangeException');
    expect(await bad({ StartTime: 'yesterday' })).toBe('SerializationException');
    const ok = await call(emu, { MaxResults: 50 });
    expect(ok.status).toBe(200);
  });

  it('filters on every lookup key it documents', async () => {
    const sample = emu.truth.events.find((e) => e.region === 'us-east-1' && e.username === 'alice' && e.accessKeyId && e.resources.length > 0);
    expect(sample).toBeDefined();
    if (!sample) return;
    const cases: [string, string, (e: SeededEvent) => boolean][] = [
      ['EventId', sample.id, (e) => e.id === sample.id],
      ['EventName', sample.eventName, (e) => e.eventName === sample.eventName],
      ['ReadOnly', 'true', (e) => e.readOnly],
      ['Username', 'alice', (e) => e.username === 'alice'],
      ['AccessKeyId', sample.accessKeyId ?? '', (e) => e.accessKeyId === sample.accessKeyId],
      ['ResourceType', sample.resources[0].ResourceType, (e) => e.resources.some((r) => r.ResourceType === sample.resources[0].ResourceType)],
      ['ResourceName', sample.resources[0].ResourceName, (e) => e.resources.some((r) => r.ResourceName === sample.resources[0].ResourceName)],
    ];
    for (const [key, value, pred] of cases) {
      const got: string[] = [];
      let token: string | undefined;
      do {
        const r = await call(emu, { LookupAttributes: [{ AttributeKey: key, AttributeValue: value }], ...(token ? { NextToken: token } : {}) });
        expect(r.status).toBe(200);
        got.push(...(r.body.Events ?? []).map((e) => e.EventId as string));
        token = r.body.NextToken;
      } while (token);
      const want = emu.truth.events.filter((e) => e.region === 'us-east-1' && pred(e)).map((e) => e.id);
      expect(got.sort(), key).toEqual(want.sort());
    }
  });

  it('refuses missing, malformed and unknown credentials with the AWS front-end errors', async () => {
    const missing = await call(emu, {}, { authorization: undefined });
    expect([missing.status, missing.body.__type]).toEqual([400, 'MissingAuthenticationTokenException']);
    const odd = await call(emu, {}, { authorization: 'Bearer abc' });
    expect([odd.status, odd.body.__type]).toEqual([400, 'IncompleteSignatureException']);
    const wrongService = await call(emu, {}, { authorization: authHeader(emu.credentials[0].accessKeyId, 'us-east-1', 's3') });
    expect([wrongService.status, wrongService.body.__type]).toEqual([400, 'InvalidSignatureException']);
    const unknown = await call(emu, {}, { authorization: authHeader('AKIAUNKNOWN000000000') });
    expect([unknown.status, unknown.body.__type]).toEqual([400, 'UnrecognizedClientException']);
    const target = await call(emu, {}, { 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DeleteTrail' });
    expect([target.status, target.body.__type]).toEqual([400, 'UnknownOperationException']);
  });

  it('serves the region named in the credential scope', async () => {
    const r = await call(emu, { MaxResults: 50 }, { authorization: authHeader(emu.credentials[0].accessKeyId, 'eu-west-1') });
    const regions = new Set((r.body.Events ?? []).map((e) => (JSON.parse(e.CloudTrailEvent as string) as { awsRegion: string }).awsRegion));
    expect([...regions]).toEqual(['eu-west-1']);
    const none = await call(emu, {}, { authorization: authHeader(emu.credentials[0].accessKeyId, 'ap-south-1') });
    expect(none.body.Events).toEqual([]);
  });

  it('applies kit faults before answering', async () => {
    emu.faults.enqueue({ kind: 'status', status: 503 });
    const res = await fetch(`${emu.url}/`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(503);
  });

  it('demo setup gives a valid cloudtrail source entry and dummy AWS credentials', () => {
    const demo = demoCloudTrailSetup(emu);
    const cfg = cloudtrailConfigSchema.parse(demo.sourceConfig);
    expect(cfg.endpoint).toBe(emu.url);
    expect(cfg.lookup?.EventSource).toEqual(['a4b.amazonaws.com', 'lex.amazonaws.com']);
    expect(demo.env.AWS_ACCESS_KEY_ID).toBe(emu.credentials[0].accessKeyId);
    expect(demo.env.AWS_SECRET_ACCESS_KEY).toBe(emu.credentials[0].secretAccessKey);
  });
});

describe('CloudTrail emulator: limits, retention and the AWS SDK', () => {
  it('throttles a third back-to-back request per account and region with ThrottlingException (HTTP 400)', async () => {
    const emu = await startCloudTrailEmulator({ days: 1, eventsPerDay: 5, rateLimit: { requestsPerSecond: 0.01, burst: 2 } });
    try {
      const r1 = await call(emu, {});
      const r2 = await call(emu, {});
      const r3 = await call(emu, {});
      // Another region has its own bucket.
      const other = await call(emu, {}, { authorization: authHeader(emu.credentials[0].accessKeyId, 'us-west-2') });
      expect([r1.status, r2.status]).toEqual([200, 200]);
      expect([r3.status, r3.body.__type, r3.body.message]).toEqual([400, 'ThrottlingException', 'Rate exceeded']);
      expect(other.status).toBe(200);
      expect(emu.counters().throttled).toBe(1);
    } finally {
      await emu.close();
    }
  });

  it('returns nothing older than 90 days by its clock', async () => {
    const end = Date.UTC(2026, 0, 10);
    const clock = manualClock(end + DAY);
    const emu = await startCloudTrailEmulator({ days: 2, end, eventsPerDay: 5, clock, rateLimit: false });
    try {
      const q = { StartTime: (end - 2 * DAY) / 1000, EndTime: end / 1000 };
      const now = await call(emu, q);
      expect((now.body.Events ?? []).length).toBeGreaterThan(0);
      clock.set(end + 91 * DAY);
      const later = await call(emu, q);
      expect(later.status).toBe(200);
      expect(later.body.Events).toEqual([]);
    } finally {
      await emu.close();
    }
  });

  it('answers the AWS SDK (LookupEvents and ListPublicKeys)', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const der = publicKey.export({ type: 'pkcs1', format: 'der' });
    const now = Date.now();
    const emu = await startCloudTrailEmulator({
      days: 1,
      eventsPerDay: 5,
      rateLimit: false,
      publicKeys: [{ value: der, validityStart: now - DAY, validityEnd: now + DAY, fingerprint: 'ab12' }],
    });
    const cred = emu.credentials[0];
    const client = new CloudTrailClient({ region: 'us-west-2', endpoint: emu.url, credentials: { accessKeyId: cred.accessKeyId, secretAccessKey: cred.secretAccessKey }, maxAttempts: 1 });
    try {
      const out = await client.send(new LookupEventsCommand({ StartTime: new Date(emu.truth.start), EndTime: new Date(emu.truth.end) }));
      const want = emu.truth.select({ regions: ['us-west-2'], start: emu.truth.start, end: emu.truth.end + 1 });
      expect((out.Events ?? []).map((e) => e.EventId).sort()).toEqual(want.map((e) => e.id).sort());
      expect(out.Events?.[0].EventTime).toBeInstanceOf(Date);
      const keys = await client.send(new ListPublicKeysCommand({}));
      expect(keys.PublicKeyList?.length).toBe(1);
      expect(Buffer.from(keys.PublicKeyList?.[0].Value ?? new Uint8Array()).equals(der)).toBe(true);
      expect(keys.PublicKeyList?.[0].Fingerprint).toBe('ab12');
    } finally {
      client.destroy();
      await emu.close();
    }
  });
});
