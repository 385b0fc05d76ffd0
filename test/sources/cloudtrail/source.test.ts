import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudTrailEmulator, type CloudTrailEmulator } from '../../../src/emulators/cloudtrail/index.js';
import { cloudtrailConfigSchema } from '../../../src/sources/cloudtrail/config.js';
import { CLOUDTRAIL_RETENTION_MS, requestBounds } from '../../../src/sources/cloudtrail/index.js';
import { checkRetention } from '../../../src/period/plan-windows.js';
import { planWindows } from '../../../src/period/plan-windows.js';
import { AuditpackError } from '../../../src/errors.js';
import { emptyStats } from '../../../src/model/coverage.js';
import { createIdSet } from '../../../src/pipeline/id-set.js';
import { pullWindow } from '../../../src/pipeline/pull-window.js';
import type { AuditEvent } from '../../../src/model/audit-event.js';
import { createHttpClient } from '../../../src/http/client.js';
import { systemClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { createRedactor } from '../../../src/util/redactor.js';
import { awsEnv, ids, makeContext, makeSource, pullAll } from './helpers.js';
import { createRateLimiterRegistry } from '../../../src/http/rate-limiter.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ALL = ['us-east-1', 'us-west-2', 'eu-west-1'];
const A4B = { key: 'EventSource', value: 'a4b.amazonaws.com' } as const;
const LEX = { key: 'EventSource', value: 'lex.amazonaws.com' } as const;

describe('cloudtrail source against the emulator', () => {
  let emu: CloudTrailEmulator;
  beforeAll(async () => {
    // A high limit here; the real 2 TPS has its own test below.
    emu = await startCloudTrailEmulator({ days: 3, eventsPerDay: { 'us-east-1': 40, 'us-west-2': 15, 'eu-west-1': 10 }, rateLimit: { requestsPerSecond: 500, burst: 100 } });
  });
  afterAll(async () => emu.close());

  it('pulls exactly the events of each window across three regions, pages included', async () => {
    const source = makeSource(emu, { regions: ALL, maxResults: 9 });
    const s = emu.truth.start;
    const windows = [
      { start: s, end: s + DAY },
      { start: s + DAY, end: s + DAY + 6 * HOUR },
      // Bounds off the second: the request must widen to whole seconds and lose nothing.
      { start: s + 2 * DAY + 1500, end: s + 2 * DAY + 9 * HOUR + 250 },
    ];
    for (const w of windows) {
      const r = await pullAll(source, w);
      const want = emu.truth.select({ regions: ALL, start: w.start, end: w.end });
      expect(want.length).toBeGreaterThan(9);
      expect(ids(r.events)).toEqual(ids(want));
      expect(r.duplicates).toBe(0);
      expect(r.stats.pages).toBeGreaterThanOrEqual(Math.ceil(want.length / 9));
    }
    // A window ending at 00:00 UTC also receives that second's event (the end bound is inclusive) and drops it.
    const first = await pullAll(source, windows[0]);
    const atEnd = emu.truth.events.filter((e) => e.time === s + DAY).length;
    expect(atEnd).toBeGreaterThanOrEqual(3);
    expect(first.outside).toBe(atEnd);
    await source.close?.();
  });

  it('runs one query sequence per lookup value and region (a4b and lex)', async () => {
    const regions = ['us-east-1', 'eu-west-1'];
    const source = makeSource(emu, { regions, lookup: { EventSource: ['a4b.amazonaws.com', 'lex.amazonaws.com'] }, maxResults: 5 });
    const w = { start: emu.truth.start + 12 * HOUR, end: emu.truth.end - 12 * HOUR };
    const r = await pullAll(source, w);
    const want = [
      ...emu.truth.select({ regions, start: w.start, end: w.end, lookup: A4B }),
      ...emu.truth.select({ regions, start: w.start, end: w.end, lookup: LEX }),
    ];
    expect(ids(r.events)).toEqual(ids(want));
    const services = new Set(r.events.map((e) => `${e.service}@${e.region}`));
    expect(services).toEqual(new Set(['a4b.amazonaws.com@us-east-1', 'lex.amazonaws.com@us-east-1', 'lex.amazonaws.com@eu-west-1']));
    expect(source.estimateRequests?.({ index: 0, ...w })).toBe(4);
    expect(source.describeRequest({ index: 0, ...w })).toMatchObject({
      regions,
      LookupAttributes: { AttributeKey: 'EventSource', AttributeValues: ['a4b.amazonaws.com', 'lex.amazonaws.com'] },
    });
    await source.close?.();
  });

  it('normalizes from the full record in CloudTrailEvent', async () => {
    const source = makeSource(emu, { regions: ['us-east-1'] });
    const r = await pullAll(source, { start: emu.truth.start, end: emu.truth.end });
    const byId = new Map(r.events.map((e) => [e.id, e]));
    const failedLogin = emu.truth.events.find((e) => e.region === 'us-east-1' && e.eventName === 'ConsoleLogin' && e.failed);
    expect(failedLogin).toBeDefined();
    expect(byId.get(failedLogin?.id ?? '')).toMatchObject({ outcome: 'failure', responseCode: 'Failure', service: 'signin.amazonaws.com', sourceType: 'cloudtrail', source: 'cloudtrail' });
    const denied = emu.truth.events.find((e) => e.region === 'us-east-1' && e.record.errorCode === 'AccessDeniedException');
    expect(byId.get(denied?.id ?? '')).toMatchObject({ outcome: 'failure', responseCode: 'AccessDeniedException' });
    const role = emu.truth.events.find((e) => e.region === 'us-east-1' && e.username === 'gh-actions-run' && !e.failed);
    const ev = byId.get(role?.id ?? '');
    expect(ev?.requester.type).toBe('AssumedRole');
    expect(ev?.requester.id).toContain('ci-deploy');
    expect(ev?.outcome).toBe('success');
    expect(ev?.responseCode).toBe('Success');
    expect(ev?.time).toBe(role?.time);
    // The raw record yielded is the Events[] item as on the wire: EventTime in epoch seconds.
    const page = r.items.find((i) => i.kind === 'page');
    const item = page?.kind === 'page' ? (page.records[0] as Record<string, unknown>) : {};
    expect(typeof item.EventTime).toBe('number');
    expect(typeof item.CloudTrailEvent).toBe('string');
    expect(() => source.normalize({ EventId: 'x' })).toThrow(/no CloudTrailEvent/);
    await source.close?.();
  });

  it('restarts a query sequence when its NextToken is rejected, and still keeps every event once', async () => {
    const source = makeSource(emu, { regions: ['us-east-1', 'us-west-2'], maxResults: 10 });
    const w = { start: emu.truth.start, end: emu.truth.start + DAY };
    const r = await pullAll(source, w, (item, n) => {
      if (n === 2 && item.kind === 'page') emu.expireTokens();
    });
    expect(r.items.filter((i) => i.kind === 'restart')).toHaveLength(1);
    expect(r.stats.restarts).toBe(1);
    expect(ids(r.events)).toEqual(ids(emu.truth.select({ regions: ['us-east-1', 'us-west-2'], start: w.start, end: w.end })));
    expect(r.duplicates).toBe(0);
    await source.close?.();
  });

  it('goes through the pipeline window runner: restart re-reads are not duplicates, the coverage row is exact', async () => {
    const regions = ['us-east-1', 'us-west-2'];
    const source = makeSource(emu, { regions, maxResults: 10 });
    const w = { index: 0, start: emu.truth.start + DAY, end: emu.truth.start + 2 * DAY };
    const kept: AuditEvent[] = [];
    let archived = 0;
    let pagesSeen = 0;
    const cov = await pullWindow(source, w, {
      http: createHttpClient({}, { clock: systemClock, log: silentLogger }),
      signal: new AbortController().signal,
      log: silentLogger,
      clock: systemClock,
      strays: new Map(),
      period: { start: w.start, end: w.end },
      archive: {
        writePage: async (records) => {
          archived += records.length;
          // Expire the tokens once, after the second page: the sequence in flight restarts.
          if (++pagesSeen === 2) emu.expireTokens();
        },
        get records() {
          return archived;
        },
      },
      seen: createIdSet(),
      sink: { accept: (e) => kept.push(e) },
      progress: () => undefined,
    });
    const want = emu.truth.select({ regions, start: w.start, end: w.end });
    expect(cov.status).toBe('complete');
    expect(cov.eventsKept).toBe(want.length);
    expect(ids(kept)).toEqual(ids(want));
    expect(cov.restarts).toBe(1);
    expect(cov.rereads).toBeGreaterThan(0);
    expect(cov.duplicates).toBe(0);
    // The end second's events come back (inclusive bound) and are dropped; us-east-1's sequence was
    // restarted after its second page, so its first page (holding the newest events) came twice.
    const atEnd = (region: string) => emu.truth.events.filter((e) => e.region === region && e.time === w.end).length;
    expect(cov.outsidePeriod).toBe(2 * atEnd('us-east-1') + atEnd('us-west-2'));
    expect(cov.recordsReceived).toBe(archived);
    expect(cov.request).toMatchObject({ operation: 'LookupEvents', regions, StartTime: new Date(w.start).toISOString(), EndTime: new Date(w.end).toISOString() });
    await source.close?.();
  });

  it('fails the window with PAGE_TOKEN_INVALID when tokens keep being rejected', async () => {
    const source = makeSource(emu, { regions: ['us-east-1'], maxResults: 5 });
    const w = { start: emu.truth.start, end: emu.truth.start + DAY };
    const err = await pullAll(source, w, (item) => {
      if (item.kind === 'page') emu.expireTokens();
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditpackError);
    expect((err as AuditpackError).code).toBe('PAGE_TOKEN_INVALID');
    await source.close?.();
  });

  it('survives kit faults (500, 503, reset, truncated body) with exact results and counted retries', async () => {
    const source = makeSource(emu, { regions: ['us-east-1', 'eu-west-1'], maxResults: 8 });
    const w = { start: emu.truth.start + DAY, end: emu.truth.start + 2 * DAY };
    emu.faults.enqueue({ kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'reset' }, { kind: 'truncate' });
    emu.faults.every(4, { kind: 'truncate' }, { times: 2 });
    emu.faults.every(5, { kind: 'reset' }, { times: 2 });
    try {
      const r = await pullAll(source, w);
      expect(ids(r.events)).toEqual(ids(emu.truth.select({ regions: ['us-east-1', 'eu-west-1'], start: w.start, end: w.end })));
      expect(r.stats.retries).toBe(emu.faults.injected());
      expect(r.stats.retries).toBeGreaterThanOrEqual(4);
      expect(r.stats.attempts).toBe(r.stats.pages + r.stats.retries);
    } finally {
      emu.faults.clear();
      await source.close?.();
    }
  });

  it('gives up after maxAttempts with a window-level error, not a fatal one', async () => {
    const source = makeSource(emu, { regions: ['us-east-1'], retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    emu.faults.enqueue({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    try {
      const err = await pullAll(source, { start: emu.truth.start, end: emu.truth.start + HOUR }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuditpackError);
      expect((err as AuditpackError).code).toBe('HTTP_STATUS');
      expect((err as AuditpackError).fatal).toBe(false);
      expect((err as AuditpackError).message).toMatch(/us-east-1 page 1: HTTP 500.*after 2 attempts/);
    } finally {
      emu.faults.clear();
      await source.close?.();
    }
  });

  it('retries through the same strategy as the HTTP client: a retry budget shared by the source, spent and then refused', async () => {
    // Eight attempts allowed per call, but a budget of 3 retries for the whole source.
    const source = makeSource(emu, { regions: ['us-east-1'], retry: { maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 2, budget: 3 } });
    emu.faults.every(1, { kind: 'status', status: 503 });
    const stats = emptyStats();
    try {
      const err = await pullAll(source, { start: emu.truth.start, end: emu.truth.start + HOUR }, undefined, makeContext(stats)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuditpackError);
      expect((err as AuditpackError).code).toBe('RETRY_BUDGET_EXHAUSTED');
      expect((err as AuditpackError).message).toMatch(/us-east-1 page 1: too many failures, retry budget of this source used up \(last: .*HTTP 503/);
      expect(stats).toMatchObject({ attempts: 4, retries: 3 });
    } finally {
      emu.faults.clear();
      await source.close?.();
    }
  });

  it('ends a LookupEvents answer that drips a byte at a time at the request deadline, and retries it', async () => {
    const source = makeSource(emu, { regions: ['us-east-1'], requestTimeoutMs: 150, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    emu.faults.every(1, { kind: 'drip', intervalMs: 40 });
    const stats = emptyStats();
    try {
      const err = await pullAll(source, { start: emu.truth.start, end: emu.truth.start + HOUR }, undefined, makeContext(stats)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuditpackError);
      expect((err as AuditpackError).code).toBe('HTTP_TIMEOUT');
      expect((err as AuditpackError).message).toMatch(/page 1: no complete response within 150 ms \(the request deadline.*after 2 attempts/);
      expect(stats).toMatchObject({ attempts: 2, retries: 1 });
    } finally {
      emu.faults.clear();
      await source.close?.();
    }
  });

  it('refuses credentials the service does not know with AUTH_REFUSED, without leaking the secret', async () => {
    const secret = 'wrong-secret-value-1234567890';
    const redactor = createRedactor();
    const source = makeSource(emu, { regions: ['us-east-1'] }, { env: awsEnv({ accessKeyId: 'AKIANOTKNOWN00000000', secretAccessKey: secret }), redactor });
    const err = await pullAll(source, { start: emu.truth.start, end: emu.truth.start + HOUR }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditpackError);
    const ae = err as AuditpackError;
    expect(ae.code).toBe('AUTH_REFUSED');
    expect(ae.fatal).toBe(true);
    expect(ae.message).toMatch(/UnrecognizedClientException/);
    expect(ae.oneLine).not.toContain(secret);
    expect(redactor.leaks(secret)).toBe(true);
    await source.close?.();
  });

  it('takes credentials from a named profile: "profile" in the config, or AWS_PROFILE', async () => {
    // The SDK reads the shared files named by the process environment (not the one the source gets).
    const dir = mkdtempSync(join(tmpdir(), 'auditpack-aws-profile-'));
    const saved = { creds: process.env.AWS_SHARED_CREDENTIALS_FILE, config: process.env.AWS_CONFIG_FILE };
    const cred = emu.credentials[0];
    writeFileSync(join(dir, 'credentials'), `[audit]\naws_access_key_id = ${cred.accessKeyId}\naws_secret_access_key = ${cred.secretAccessKey}\n[stranger]\naws_access_key_id = AKIANOTKNOWN00000000\naws_secret_access_key = x\n`);
    writeFileSync(join(dir, 'config'), '');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    const noKeys = { AWS_EC2_METADATA_DISABLED: 'true' };
    const w = { start: emu.truth.start, end: emu.truth.start + 6 * HOUR };
    const want = ids(emu.truth.select({ regions: ['us-east-1'], start: w.start, end: w.end }));
    try {
      for (const [config, env] of [
        [{ profile: 'audit' }, noKeys],
        [{}, { ...noKeys, AWS_PROFILE: 'audit' }],
      ] as const) {
        const source = makeSource(emu, { regions: ['us-east-1'], ...config }, { env });
        expect(ids((await pullAll(source, w)).events)).toEqual(want);
        await source.close?.();
      }
      // The profile's key is the one sent: the emulator does not know the stranger's.
      const stranger = makeSource(emu, { regions: ['us-east-1'], profile: 'stranger' }, { env: noKeys });
      await expect(pullAll(stranger, w)).rejects.toMatchObject({ code: 'AUTH_REFUSED' });
      await stranger.close?.();
    } finally {
      for (const [k, v] of [['AWS_SHARED_CREDENTIALS_FILE', saved.creds], ['AWS_CONFIG_FILE', saved.config]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a window older than 90 days, pointing to the log-file source', async () => {
    const source = makeSource(emu, { regions: ['us-east-1'] });
    const now = Date.now();
    const old = { start: now - 91 * DAY, end: now - 90 * DAY + HOUR };
    const before = emu.requestCount();
    const err = await pullAll(source, old).catch((e: unknown) => e);
    expect((err as AuditpackError).code).toBe('RETENTION_EXCEEDED');
    expect((err as AuditpackError).hint).toMatch(/cloudtrail-files/);
    expect(emu.requestCount()).toBe(before);
    expect(source.policy.retentionMs).toBe(CLOUDTRAIL_RETENTION_MS);
    let planned: unknown;
    try {
      checkRetention(source.name, { start: old.start, timeZone: 'UTC' }, source.policy, now);
    } catch (e) {
      planned = e;
    }
    expect((planned as AuditpackError).code).toBe('RETENTION_EXCEEDED');
    expect((planned as AuditpackError).hint).toMatch(/cloudtrail-files/);
    await source.close?.();
  });
});

describe('cloudtrail source: rate limits', () => {
  it('survives throttling enforced by the emulator and counts every throttle', async () => {
    const emu = await startCloudTrailEmulator({ days: 1, eventsPerDay: { 'us-east-1': 30, 'us-west-2': 20 }, rateLimit: { requestsPerSecond: 20, burst: 1 } });
    // The source asks faster than the emulator allows: throttles must happen and be retried.
    const source = makeSource(emu, { regions: ['us-east-1', 'us-west-2'], maxResults: 3, requestsPerSecond: 100, retry: { maxAttempts: 20, baseDelayMs: 20, maxDelayMs: 100 } });
    try {
      const w = { start: emu.truth.start, end: emu.truth.end };
      const r = await pullAll(source, w);
      expect(ids(r.events)).toEqual(ids(emu.truth.select({ regions: ['us-east-1', 'us-west-2'], start: w.start, end: w.end })));
      const c = emu.counters();
      expect(c.throttled).toBeGreaterThan(0);
      expect(r.stats.throttles).toBe(c.throttled);
      expect(r.stats.retries).toBe(c.throttled);
      expect(r.stats.attempts).toBe(c.lookupRequests);
    } finally {
      await source.close?.();
      await emu.close();
    }
  });

  it('keeps to the real 2 requests/s per region across concurrent windows (one token bucket per region and key)', async () => {
    const emu = await startCloudTrailEmulator({ days: 1, eventsPerDay: { 'us-east-1': 30, 'us-west-2': 10 } });
    expect(emu.rateLimit).toEqual({ requestsPerSecond: 2, burst: 2 });
    const source = makeSource(emu, { regions: ['us-east-1'], requestsPerSecond: 2, lookup: { EventSource: ['a4b.amazonaws.com', 'lex.amazonaws.com'] } });
    try {
      const parsed = cloudtrailConfigSchema.parse({ type: 'cloudtrail', regions: ['us-east-1'] });
      expect(parsed.requestsPerSecond).toBe(2);
      const mid = emu.truth.start + 12 * HOUR;
      const windows = [
        { index: 0, start: emu.truth.start, end: mid },
        { index: 1, start: mid, end: emu.truth.end },
      ];
      const ctxs = windows.map(() => makeContext());
      const results = await Promise.all(windows.map((w, i) => pullAll(source, w, undefined, ctxs[i])));
      for (const [i, w] of windows.entries()) {
        const want = [A4B, LEX].flatMap((lookup) => emu.truth.select({ regions: ['us-east-1'], start: w.start, end: w.end, lookup }));
        expect(ids(results[i].events)).toEqual(ids(want));
      }
      const throttles = results.reduce((n, r) => n + r.stats.throttles, 0);
      expect(throttles).toBe(emu.counters().throttled);
      // One bucket for both windows: two would send 4 requests/s and the emulator would throttle.
      expect(emu.counters().throttled).toBe(0);
      expect(emu.counters().lookupRequests).toBeGreaterThanOrEqual(4);
      expect(results.reduce((n, r) => n + r.stats.attempts, 0)).toBe(emu.counters().lookupRequests);
    } finally {
      await source.close?.();
      await emu.close();
    }
  });
  it('is throttled when two token buckets share one account and region (the control for the test above)', async () => {
    const emu = await startCloudTrailEmulator({ days: 1, eventsPerDay: { 'us-east-1': 30 } });
    const config = { regions: ['us-east-1'], requestsPerSecond: 2, lookup: { EventSource: ['a4b.amazonaws.com', 'lex.amazonaws.com'] } };
    // Two sources: two buckets, each letting its first request go at once.
    const sources = [makeSource(emu, config), makeSource(emu, config)];
    try {
      const w = { start: emu.truth.start, end: emu.truth.end };
      const results = await Promise.all(sources.map((s) => pullAll(s, w)));
      for (const r of results) expect(r.events.length).toBeGreaterThan(0);
      expect(emu.counters().throttled).toBeGreaterThan(0);
      expect(results.reduce((n, r) => n + r.stats.throttles, 0)).toBe(emu.counters().throttled);
    } finally {
      await Promise.all(sources.map((s) => s.close?.()));
      await emu.close();
    }
  });

  it('shares one bucket between two sources of a run that reach the same key and region', async () => {
    const emu = await startCloudTrailEmulator({ days: 1, eventsPerDay: { 'us-east-1': 30 } });
    const config = { regions: ['us-east-1'], requestsPerSecond: 2, lookup: { EventSource: ['a4b.amazonaws.com', 'lex.amazonaws.com'] } };
    // What prepare-run passes every source of a run (the control above has none).
    const rateLimiters = createRateLimiterRegistry();
    const sources = [makeSource(emu, config, { rateLimiters }), makeSource(emu, config, { rateLimiters })];
    try {
      const w = { start: emu.truth.start, end: emu.truth.end };
      const results = await Promise.all(sources.map((s) => pullAll(s, w)));
      for (const r of results) expect(r.events.length).toBeGreaterThan(0);
      expect(emu.counters().lookupRequests).toBeGreaterThanOrEqual(4);
      expect(emu.counters().throttled).toBe(0);
    } finally {
      await Promise.all(sources.map((s) => s.close?.()));
      await emu.close();
    }
  });
});

describe('cloudtrail source: config and windows', () => {
  it('asks for whole seconds covering the half-open window', () => {
    expect(requestBounds({ start: 1_000, end: 2_000 })).toEqual({ startSec: 1, endSec: 2 });
    expect(requestBounds({ start: 1_500, end: 2_001 })).toEqual({ startSec: 1, endSec: 3 });
  });

  it('accepts one lookup attribute with one or several values, and nothing else', () => {
    const ok = cloudtrailConfigSchema.parse({ type: 'cloudtrail', regions: ['us-east-1'], lookup: { EventSource: 'lex.amazonaws.com' } });
    expect(ok.maxResults).toBe(50);
    expect(ok.windowHours).toBe(24);
    const bad = (c: Record<string, unknown>) => cloudtrailConfigSchema.safeParse({ type: 'cloudtrail', regions: ['us-east-1'], ...c }).success;
    expect(bad({ lookup: { EventSource: 'a', EventName: 'b' } })).toBe(false);
    expect(bad({ lookup: {} })).toBe(false);
    expect(bad({ lookup: { Region: 'x' } })).toBe(false);
    expect(bad({ maxResults: 51 })).toBe(false);
    expect(bad({ regions: [] })).toBe(false);
    expect(bad({ regions: ['us-east-1', 'us-east-1'] })).toBe(false);
    expect(bad({ accessKey: 'x' })).toBe(false);
  });

  it('plans day windows by default and hour windows when windowHours is not whole days', async () => {
    const emu = await startCloudTrailEmulator({ days: 1, eventsPerDay: 1, rateLimit: false });
    try {
      const period = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 9, 3), timeZone: 'UTC' };
      const daily = makeSource(emu, { regions: ['us-east-1'] });
      expect(planWindows(period, daily.policy)).toHaveLength(2);
      const six = makeSource(emu, { regions: ['us-east-1'], windowHours: 6 });
      expect(planWindows(period, six.policy)).toHaveLength(8);
      expect(daily.policy.endInclusive).toBe(true);
    } finally {
      await emu.close();
    }
  });
});
