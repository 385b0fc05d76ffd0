import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import { createRuleEngine, type RuleContext } from '../../src/rules/engine.js';
import { compileMatch, operationName } from '../../src/rules/match.js';
import type { MatchSpec, RuleSpec } from '../../src/rules/rule-spec.js';
import { builtinRules, EMPTY_LEDGER, ct, ev } from './fixtures.js';

const UTC: RuleContext = { timeZone: 'UTC', directory: null, businessHours: null };
const header = { title: 'T', severity: 'medium', control: 'CC6.1', reason: 'Because.' } as const;

describe('generic matcher', () => {
  const m = (spec: MatchSpec, e: AuditEvent) => compileMatch(spec)(e);

  it('matches exact strings, lists, prefixes and regular expressions, optionally ignoring case', () => {
    const e = ct({ operation: 'DeleteRoom', service: 'a4b.amazonaws.com' });
    expect(m({ operation: 'DeleteRoom' }, e)).toBe(true);
    expect(m({ operation: 'deleteroom' }, e)).toBe(false);
    expect(m({ operation: { equals: 'deleteroom', ignoreCase: true } }, e)).toBe(true);
    expect(m({ operation: ['CreateRoom', 'DeleteRoom'] }, e)).toBe(true);
    expect(m({ operation: { in: ['deleteroom'], ignoreCase: true } }, e)).toBe(true);
    expect(m({ operation: { prefix: 'Delete' } }, e)).toBe(true);
    expect(m({ operation: { prefix: 'delete' } }, e)).toBe(false);
    expect(m({ operation: { regex: '^Delete(Room|Profile)$' } }, e)).toBe(true);
    expect(m({ operation: { regex: 'room$', ignoreCase: true } }, e)).toBe(true);
  });

  it('ANDs fields, ORs anyOf, negates not', () => {
    const e = ct({ operation: 'StopLogging', service: 'cloudtrail.amazonaws.com' });
    expect(m({ operation: 'StopLogging', service: 'cloudtrail.amazonaws.com' }, e)).toBe(true);
    expect(m({ operation: 'StopLogging', service: 's3.amazonaws.com' }, e)).toBe(false);
    expect(m({ anyOf: [{ operation: 'X' }, { service: 'cloudtrail.amazonaws.com' }] }, e)).toBe(true);
    expect(m({ anyOf: [{ operation: 'X' }, { service: 'Y' }] }, e)).toBe(false);
    expect(m({ not: { operation: 'StopLogging' } }, e)).toBe(false);
    expect(m({}, e)).toBe(true);
  });

  it('reads the normalized fields: class, requester, client, resources, attributes', () => {
    const e = ev({
      responseCode: '404',
      outcome: 'failure',
      requester: { id: 'u1', type: 'IAMUser' },
      client: { id: 'c1', name: 'ASK CLI' },
      resources: [{ id: 'r1', type: 'Skill' }, { id: 'r2', type: 'InSkillProduct' }],
      attributes: { scope: 'management' },
      region: 'us-east-1',
    });
    expect(m({ responseClass: '4xx', outcome: 'failure' }, e)).toBe(true);
    expect(m({ requester: 'u1', requesterType: 'IAMUser' }, e)).toBe(true);
    expect(m({ client: 'ASK CLI' }, e)).toBe(true);
    expect(m({ client: 'c1' }, e)).toBe(true);
    expect(m({ resource: 'r2', resourceType: 'InSkillProduct' }, e)).toBe(true);
    expect(m({ resource: 'r3' }, e)).toBe(false);
    expect(m({ attributes: { scope: 'management' } }, e)).toBe(true);
    expect(m({ attributes: { mfa: 'false' } }, e)).toBe(false);
    expect(m({ region: 'us-east-1' }, e)).toBe(true);
    expect(m({ account: { prefix: '' } }, e)).toBe(false); // absent field never matches
  });

  it('strips the SMAPI version from operation names and nothing else', () => {
    expect(operationName(ev({ operation: 'getSkillCredentials.v1' }))).toBe('getSkillCredentials');
    expect(operationName(ev({ operation: 'simulateSkill.v2' }))).toBe('simulateSkill');
    expect(operationName(ct({ operation: 'Thing.v1' }))).toBe('Thing.v1');
    expect(compileMatch({ operationName: 'publishSkill' })(ev({ operation: 'publishSkill.v1' }))).toBe(true);
    expect(compileMatch({ operation: 'publishSkill' })(ev({ operation: 'publishSkill.v1' }))).toBe(false);
  });
});

describe('requester directory rule', () => {
  const directory = { has: (id: string) => id === 'amzn1.account.ALICE' };

  it('flags requesters missing from the directory, one row per requester with a count', async () => {
    const rules = (await builtinRules()).filter((r) => r.id === 'requester-not-in-directory');
    const engine = createRuleEngine(rules, { ...UTC, directory });
    const t = Date.UTC(2026, 9, 14, 10);
    const events = [
      ev({ time: t + 2000, requester: { id: 'mallory' } }),
      ev({ time: t }),
      ev({ time: t + 1000, requester: { id: 'mallory' } }),
      ev({ time: t + 3000, requester: { id: 'trent' } }),
      ev({ time: t + 4000, requester: { id: 'ec2.amazonaws.com', type: 'AWSService' } }),
    ];
    for (const e of events) expect(engine.onEvent(e)).toEqual([]);
    const rows = engine.finish(EMPTY_LEDGER);
    expect(rows.map((r) => [r.subject, r.time, r.eventId])).toEqual([
      ['mallory', t + 1000, events[2].id],
      ['trent', t + 3000, events[3].id],
    ]);
    expect(rows[0].reason).toContain('2 events from 2026-10-14 10:00 Wed to 2026-10-14 10:00 Wed');
    expect(rows[1].reason).toContain('1 event at');
    expect(rows[0].severity).toBe('medium');
    expect(rows[0].control).toBe('CC6.2');
  });

  it('does not run without a directory and says so', async () => {
    const engine = createRuleEngine(await builtinRules(), UTC);
    engine.onEvent(ev({ requester: { id: 'mallory' } }));
    expect(engine.finish(EMPTY_LEDGER).filter((r) => r.ruleId === 'requester-not-in-directory')).toEqual([]);
    expect(engine.inactive.map((i) => i.ruleId)).toContain('requester-not-in-directory');
  });

  it('per-event when onePerSubject is off, and the subject fields are configurable', () => {
    const rule: RuleSpec = { ...header, id: 'dir', type: 'requester-not-in-directory', subject: ['requester', 'client'] };
    const engine = createRuleEngine([rule], { ...UTC, directory });
    const rows = [ev({ requester: { id: 'x' } }), ev({ requester: { id: 'x' } })].flatMap((e) => engine.onEvent(e));
    expect(rows.map((r) => r.subject)).toEqual(['x | ASK CLI', 'x | ASK CLI']);
  });
});

describe('engine contract', () => {
  it('reports matched event-rule ids for sampling, including one-per-subject rules', () => {
    const rules: RuleSpec[] = [
      { ...header, id: 'a', type: 'match', match: { outcome: 'failure' } },
      { ...header, id: 'b', type: 'match', match: { outcome: 'failure' }, onePerSubject: true },
      { ...header, id: 'c', type: 'burst', threshold: 2, windowMinutes: 1 },
    ];
    const engine = createRuleEngine(rules, UTC);
    const r = engine.evaluate(ev({ outcome: 'failure', responseCode: '500' }));
    expect(r.matchedRuleIds).toEqual(['a', 'b']);
    expect(r.rows.map((x) => x.ruleId)).toEqual(['a']);
  });

  it('never drops or changes the event it annotates', () => {
    const e = ev({ outcome: 'failure', responseCode: '403' });
    const copy = structuredClone(e);
    createRuleEngine([{ ...header, id: 'a', type: 'match', match: {} }], UTC).onEvent(e);
    expect(e).toEqual(copy);
  });

  it('finish() emits the deferred rows once', () => {
    const engine = createRuleEngine([{ ...header, id: 'b', type: 'match', match: {}, onePerSubject: true }], UTC);
    engine.onEvent(ev());
    expect(engine.finish(EMPTY_LEDGER)).toHaveLength(1);
    expect(engine.finish(EMPTY_LEDGER)).toHaveLength(0);
  });
});
