import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import { normalizeCloudTrailRecord } from '../../src/sources/cloudtrail-common/normalize-record.js';
import { real2Files, REAL_2_DIR, REAL_DIR, realLines } from '../sources/cloudtrail-files/real-records.js';
import { builtinRules } from './fixtures.js';

/**
 * The built-in rules over the shared real CloudTrail records (AWS user guide, Panther, Elastic
 * samples; and the second set, attack simulations and Stratus Red Team detonations): what the
 * issue lists must be flagged on records AWS really wrote, not only on hand-made events shaped
 * like our own normalizer's output. The first set is required (its README lists what it holds);
 * the second joins it where present.
 */
function realEvents(): AuditEvent[] {
  const raw: unknown[] = [
    ...(REAL_DIR ? realLines().map(({ line }) => JSON.parse(line) as unknown) : []),
    ...(REAL_2_DIR ? real2Files().flatMap((f) => f.records) : []),
  ];
  const out: AuditEvent[] = [];
  for (const r of raw) {
    try {
      const e = normalizeCloudTrailRecord(r, 'ct', 'cloudtrail-files');
      if (e) out.push(e);
    } catch {
      // Records without a usable eventTime are refused by the normalizer (its own test counts them).
    }
  }
  return out;
}

const RULE_OPERATIONS: [string, string[]][] = [
  ['cloudtrail-logging-stopped', ['StopLogging', 'DeleteTrail']],
  ['cloudtrail-logging-changed', ['UpdateTrail', 'PutEventSelectors']],
  ['iam-access-key-created', ['CreateAccessKey']],
  ['iam-user-created', ['CreateUser']],
  ['iam-user-policy-changed', ['AttachUserPolicy', 'PutUserPolicy']],
  ['s3-bucket-policy-changed', ['PutBucketPolicy']],
  ['s3-bucket-deleted', ['DeleteBucket']],
];

describe.skipIf(!REAL_DIR)('built-in rules on real CloudTrail records', async () => {
  const engine = createRuleEngine(await builtinRules(), { timeZone: 'UTC', directory: null, businessHours: null });
  const matched = REAL_DIR ? realEvents().map((e) => ({ e, ids: engine.evaluate(e).matchedRuleIds })) : [];
  const flagged = (id: string) => matched.filter((m) => m.ids.includes(id)).map((m) => m.e);

  it.each(RULE_OPERATIONS)('%s flags every successful %j in the real records', (id, operations) => {
    for (const op of operations) {
      const real = matched.filter((m) => m.e.operation === op && m.e.outcome === 'success');
      expect(real.length, `real successful ${op} records`).toBeGreaterThan(0);
      for (const m of real) expect(m.ids, `${op} ${m.e.id}`).toContain(id);
    }
    for (const e of flagged(id)) expect(operations).toContain(e.operation);
  });

  it('flags every refused call (AccessDenied, UnauthorizedOperation) and every failed console sign-in', () => {
    const refused = matched.filter((m) => /^(Client\.)?(AccessDenied|UnauthorizedOperation)$/.test(m.e.responseCode));
    expect(refused.length).toBeGreaterThan(5);
    for (const m of refused) expect(m.ids, `${m.e.operation} ${m.e.responseCode}`).toContain('access-denied');
    const signInFailures = matched.filter((m) => m.e.operation === 'ConsoleLogin' && m.e.attributes?.consoleLogin === 'Failure');
    expect(signInFailures.length).toBeGreaterThan(0);
    for (const m of signInFailures) {
      expect(m.e.outcome).toBe('failure');
      expect(m.ids).toContain('console-sign-in-failure');
      expect(m.ids).not.toContain('console-sign-in-without-mfa');
    }
  });

  it('flags root activity and console sign-in without MFA as the records state them', () => {
    const root = matched.filter((m) => m.e.attributes?.identityType === 'Root');
    expect(root.length).toBeGreaterThan(0);
    for (const m of root) expect(m.ids).toContain('aws-root-activity');
    for (const e of flagged('aws-root-activity')) expect(e.attributes?.identityType ?? e.requester.type).toBe('Root');
    const noMfa = matched.filter((m) => m.e.operation === 'ConsoleLogin' && m.e.outcome === 'success' && m.e.attributes?.mfa === 'false');
    expect(noMfa.length).toBeGreaterThan(0);
    for (const m of noMfa) expect(m.ids).toContain('console-sign-in-without-mfa');
    for (const e of flagged('console-sign-in-without-mfa')) expect([e.operation, e.outcome, e.attributes?.mfa]).toEqual(['ConsoleLogin', 'success', 'false']);
  });
});

describe.skipIf(!REAL_2_DIR)('built-in rules on the second real set alone (cloudtrail-real-2)', async () => {
  const engine = createRuleEngine(await builtinRules(), { timeZone: 'UTC', directory: null, businessHours: null });
  const events = REAL_2_DIR ? real2Files().flatMap((f) => f.records.map((r) => normalizeCloudTrailRecord(r, 'ct', 'cloudtrail-files')!)) : [];
  const matched = events.map((e) => ({ e, ids: engine.evaluate(e).matchedRuleIds }));

  it('flags every successful trail, key, user, policy and bucket change the detonations made, and nothing else under those rules', () => {
    let checked = 0;
    for (const [id, operations] of RULE_OPERATIONS) {
      for (const m of matched) {
        const expected = operations.includes(m.e.operation) && m.e.outcome === 'success';
        if (expected) checked++;
        if (expected) expect(m.ids, `${m.e.operation} ${m.e.id}`).toContain(id);
        else if (m.ids.includes(id)) expect(operations, `${id} on ${m.e.operation} ${m.e.outcome}`).toContain(m.e.operation);
      }
    }
    // StopLogging 1, DeleteTrail 3, PutEventSelectors 3, CreateAccessKey 4, CreateUser 5, AttachUserPolicy 2, PutBucketPolicy 3, DeleteBucket 5.
    expect(checked).toBe(26);
  });

  it('flags the 111 refused calls as access denied and not the 102 throttled ones', () => {
    const refused = matched.filter((m) => /^(Client\.)?(AccessDenied|UnauthorizedOperation)$/.test(m.e.responseCode));
    expect(refused).toHaveLength(111);
    for (const m of refused) expect(m.ids, `${m.e.operation} ${m.e.responseCode}`).toContain('access-denied');
    const throttled = matched.filter((m) => m.e.responseCode === 'ThrottlingException');
    expect(throttled).toHaveLength(102);
    for (const m of throttled) expect(m.ids).not.toContain('access-denied');
  });

  it('reads console sign-ins with and without MFA as the records state them', () => {
    const logins = matched.filter((m) => m.e.operation === 'ConsoleLogin');
    expect(logins).toHaveLength(3);
    for (const m of logins) {
      const withoutMfa = m.e.outcome === 'success' && m.e.attributes?.mfa === 'false';
      expect(m.ids.includes('console-sign-in-without-mfa'), m.e.id).toBe(withoutMfa);
    }
    expect(logins.some((m) => m.ids.includes('console-sign-in-without-mfa'))).toBe(true);
    expect(logins.some((m) => !m.ids.includes('console-sign-in-without-mfa'))).toBe(true);
  });
});
