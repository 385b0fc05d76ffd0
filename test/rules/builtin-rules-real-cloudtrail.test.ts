import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import { normalizeCloudTrailRecord } from '../../src/sources/cloudtrail-common/normalize-record.js';
import { realLines } from '../sources/cloudtrail-files/real-records.js';
import { builtinRules } from './fixtures.js';

/**
 * The built-in rules over the shared real CloudTrail records (AWS user guide, Panther, Elastic
 * samples): what the issue lists must be flagged on records AWS really wrote, not only on
 * hand-made events shaped like our own normalizer's output.
 */
function realEvents(): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const { line } of realLines()) {
    try {
      const e = normalizeCloudTrailRecord(JSON.parse(line), 'ct', 'cloudtrail-files');
      if (e) out.push(e);
    } catch {
      // Records without a usable eventTime are refused by the normalizer (its own test counts them).
    }
  }
  return out;
}

describe('built-in rules on real CloudTrail records', async () => {
  const engine = createRuleEngine(await builtinRules(), { timeZone: 'UTC', directory: null, businessHours: null });
  const matched = realEvents().map((e) => ({ e, ids: engine.evaluate(e).matchedRuleIds }));
  const flagged = (id: string) => matched.filter((m) => m.ids.includes(id)).map((m) => m.e);

  it.each([
    ['cloudtrail-logging-stopped', ['StopLogging', 'DeleteTrail']],
    ['cloudtrail-logging-changed', ['UpdateTrail', 'PutEventSelectors']],
    ['iam-access-key-created', ['CreateAccessKey']],
    ['iam-user-created', ['CreateUser']],
    ['iam-user-policy-changed', ['AttachUserPolicy', 'PutUserPolicy']],
    ['s3-bucket-policy-changed', ['PutBucketPolicy']],
    ['s3-bucket-deleted', ['DeleteBucket']],
  ])('%s flags every successful %j in the real records', (id, operations) => {
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
