import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudTrailEmulator, type CloudTrailEmulator } from '../../../src/emulators/cloudtrail/index.js';
import { awsOnPath, runAws, type AwsCliResult } from './aws-cli-runner.js';

/** The CLI retries throttling itself, as a user's would. */
const RETRIES = { AWS_RETRY_MODE: 'standard', AWS_MAX_ATTEMPTS: '10' };
const aws = (args: string[], env: Record<string, string>) => runAws(args, { ...RETRIES, ...env });

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/**
 * The AWS CLI is a client no one here wrote: if it reads the emulator (signing, AWS JSON 1.1,
 * epoch-second timestamps, pagination, errors), the emulator speaks the real protocol.
 * Runs only where `aws` is on PATH (Debian: apt-get install awscli).
 */
describe.skipIf(!awsOnPath)('the AWS CLI reads the CloudTrail emulator', () => {
  let emu: CloudTrailEmulator;
  let paged: AwsCliResult;
  let firstItems: AwsCliResult;
  let resumed: AwsCliResult;
  let unknownKey: AwsCliResult;
  let twoAttributes: AwsCliResult;
  const a4b = ['--lookup-attributes', 'AttributeKey=EventSource,AttributeValue=a4b.amazonaws.com'];

  beforeAll(async () => {
    // The real limit (2 requests/s per account and region). Each CLI run costs seconds of Python
    // start-up, so the runs go in parallel, each in its own region (its own rate-limit bucket).
    emu = await startCloudTrailEmulator({ days: 2, eventsPerDay: { 'us-east-1': 40, 'us-west-2': 10, 'eu-west-1': 5 } });
    const env = { AWS_ACCESS_KEY_ID: emu.credentials[0].accessKeyId, AWS_SECRET_ACCESS_KEY: emu.credentials[0].secretAccessKey };
    const base = (region: string) => ['cloudtrail', 'lookup-events', '--endpoint-url', emu.url, '--region', region, '--output', 'json'];
    const period = ['--start-time', iso(emu.truth.start), '--end-time', iso(emu.truth.end)];
    [paged, [firstItems, resumed], unknownKey, twoAttributes] = await Promise.all([
      aws([...base('us-east-1'), ...period, ...a4b, '--page-size', '5'], env),
      (async () => {
        const first = await aws([...base('us-west-2'), ...period, '--max-items', '4', '--page-size', '3'], env);
        const token = (JSON.parse(first.stdout || '{}') as { NextToken?: string }).NextToken ?? 'missing';
        const next = await aws([...base('us-west-2'), ...period, '--max-items', '4', '--page-size', '3', '--starting-token', token], env);
        return [first, next] as const;
      })(),
      aws(base('us-east-1'), { AWS_ACCESS_KEY_ID: 'AKIANOTKNOWN00000000', AWS_SECRET_ACCESS_KEY: 'x' }),
      aws([...base('eu-west-1'), '--lookup-attributes', 'AttributeKey=EventSource,AttributeValue=a', 'AttributeKey=EventName,AttributeValue=b'], env),
    ]);
  }, 90_000);
  afterAll(async () => emu.close());

  it('lists every a4b event of the period, following NextToken page by page', () => {
    expect(paged.stderr).toBe('');
    expect(paged.code).toBe(0);
    const out = JSON.parse(paged.stdout) as { Events: { EventId: string; EventSource: string; EventTime: string | number; CloudTrailEvent: string }[] };
    // The CLI's times are inclusive at both ends, like the API's.
    const want = emu.truth.select({ regions: ['us-east-1'], start: emu.truth.start, end: emu.truth.end + 1, lookup: { key: 'EventSource', value: 'a4b.amazonaws.com' } });
    expect(want.length).toBeGreaterThan(10);
    expect(out.Events.map((e) => e.EventId)).toEqual(want.map((e) => e.id));
    expect(out.Events.every((e) => e.EventSource === 'a4b.amazonaws.com')).toBe(true);
    // EventTime went over the wire as epoch seconds: CLI v2 prints a date, v1 the number as received.
    const t = out.Events[0].EventTime;
    expect(typeof t === 'number' ? t * 1000 : Date.parse(t)).toBe(want[0].time);
    expect((JSON.parse(out.Events[0].CloudTrailEvent) as { eventID: string }).eventID).toBe(out.Events[0].EventId);
  });

  it('resumes with --starting-token where --max-items stopped', () => {
    expect(firstItems.code).toBe(0);
    expect(resumed.code).toBe(0);
    const p1 = JSON.parse(firstItems.stdout) as { Events: { EventId: string }[]; NextToken?: string };
    const p2 = JSON.parse(resumed.stdout) as { Events: { EventId: string }[] };
    expect(p1.Events).toHaveLength(4);
    const newest = emu.truth.select({ regions: ['us-west-2'], start: emu.truth.start, end: emu.truth.end + 1 }).slice(0, 8);
    expect([...p1.Events, ...p2.Events].map((e) => e.EventId)).toEqual(newest.map((e) => e.id));
  });

  it('shows the API errors (unknown access key, two lookup attributes)', () => {
    expect(unknownKey.code).not.toBe(0);
    expect(unknownKey.stderr).toMatch(/UnrecognizedClientException/);
    expect(twoAttributes.code).not.toBe(0);
    expect(twoAttributes.stderr).toMatch(/InvalidLookupAttributesException/);
  });
});
