import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import { createCallMemo } from '../../src/model/event-call.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import { compileMatch, splitMatch } from '../../src/rules/match.js';
import type { MatchSpec } from '../../src/rules/rule-spec.js';
import { builtinRules, ev } from './fixtures.js';

/** Events across the fields the built-in rules test: each call with each variation of the rest. */
function universe(): AuditEvent[] {
  const sources = [
    { source: 'smapi', sourceType: 'smapi', service: 'smapi', operations: ['getSkillCredentials.v1', 'deleteSkill.v1', 'deleteAccountLinkingInfo.v1', 'getSkillManifest.v1'] },
    { source: 'trail', sourceType: 'cloudtrail-files', service: 'iam.amazonaws.com', operations: ['ConsoleLogin', 'CreateAccessKey', 'StopLogging', 'DeleteBucket', 'GetObject'] },
    { source: 'lex', sourceType: 'cloudtrail', service: 'lex.amazonaws.com', operations: ['DeleteBot', 'GetBot'] },
    { source: 'vendor', sourceType: 'trail-logs', service: 'management', operations: ['POST /users', 'GET /users'] },
    { source: 'amplitude', sourceType: 'amplitude', service: 'org', operations: ['org/members/invite', 'content/chart/delete', 'role/update'] },
  ] as const;
  const codes = ['200', '401', '403', '404', '500', 'AccessDenied', 'Client.UnauthorizedOperation', 'ThrottlingException', 'success', 'error'];
  const rest: Partial<AuditEvent>[] = [
    {},
    { attributes: { mfa: 'false', consoleLogin: 'Success' } },
    { attributes: { consoleLogin: 'Failure', identityType: 'Root' } },
    { attributes: { scope: 'management' } },
    { requester: { id: 'arn:aws:iam::1:root', type: 'Root' }, resources: [], client: undefined },
    { requester: { id: 'svc', type: 'AWSService' }, region: 'eu-west-1', userAgent: 'aws-cli' },
  ];
  const out: AuditEvent[] = [];
  for (const s of sources) {
    for (const operation of s.operations) {
      for (const responseCode of codes) {
        for (const outcome of ['success', 'failure'] as const) {
          for (const r of rest) out.push(ev({ source: s.source, sourceType: s.sourceType, service: s.service, operation, responseCode, outcome, ...r }));
        }
      }
    }
  }
  return out;
}

/** Specs that mix the call's fields with others inside anyOf and not, beside the built-in ones. */
const MIXED: MatchSpec[] = [
  {},
  { anyOf: [{ outcome: 'failure' }, { attributes: { consoleLogin: 'Failure' } }] },
  { not: { anyOf: [{ operation: 'ConsoleLogin' }, { requesterType: 'Root' }] }, outcome: 'failure' },
  { not: { responseCode: ['401', '403'] }, responseClass: '4xx', region: 'eu-west-1' },
  { operationName: { prefix: 'delete' }, client: 'ASK CLI', resourceType: 'Skill' },
  { anyOf: [{ service: 'lex.amazonaws.com' }, { sourceType: 'smapi' }], not: { operationName: ['deleteAccountLinkingInfo'] } },
];

describe('rules decided once per call', () => {
  it("splits every built-in rule's match, and mixed ones, into a call part that reads only the call's fields and a rest whose conjunction is the whole match", async () => {
    const specs = [...(await builtinRules('soc2-monthly')).flatMap((r) => ('match' in r && r.match ? [r.match] : [])), ...MIXED];
    expect(specs.length).toBeGreaterThan(25);
    const events = universe();
    let matched = 0;
    const wrong: string[] = [];
    for (const spec of specs) {
      const whole = compileMatch(spec);
      const { call, rest } = splitMatch(spec);
      for (const e of events) {
        const verdict = whole(e);
        if (verdict) matched++;
        if ((call(e) && (rest === null || rest(e))) !== verdict) wrong.push(`${JSON.stringify(spec)} on ${JSON.stringify(e)}`);
        // The call part's verdict is the same for an event that differs only outside the call.
        const other: AuditEvent = { ...e, attributes: { identityType: 'Root', mfa: 'false' }, requester: { id: 'x', type: 'Root' }, resources: [], client: { name: 'other' }, region: 'ap-south-1' };
        if (call(other) !== call(e)) wrong.push(`call part of ${JSON.stringify(spec)} reads more than the call of ${JSON.stringify(e)}`);
      }
    }
    expect(wrong.slice(0, 3)).toEqual([]);
    // The universe is not one where every rule says no.
    expect(matched).toBeGreaterThan(1000);
  });

  it("gives the engine's rows and matched rules as testing every rule on every event does, read twice (the second time from the index)", async () => {
    const rules = await builtinRules('soc2-monthly');
    const reference = rules.flatMap((r) => (r.type === 'match' ? [{ id: r.id, test: compileMatch(r.match ?? {}) }] : []));
    const engine = createRuleEngine(rules, { timeZone: 'UTC', directory: null, businessHours: null });
    const events = universe();
    const perEvent = new Set(rules.filter((r) => r.type === 'match' && !r.onePerSubject).map((r) => r.id));
    const got: (readonly string[])[] = [];
    const want: string[][] = [];
    for (let pass = 0; pass < 2; pass++) {
      for (const e of events) {
        const { rows, matchedRuleIds } = engine.evaluate(e);
        const ids = reference.filter((r) => r.test(e)).map((r) => r.id);
        got.push(matchedRuleIds, rows.map((r) => r.ruleId));
        want.push(ids, ids.filter((id) => perEvent.has(id)));
      }
    }
    expect(got).toEqual(want);
    expect(want.flat().length).toBeGreaterThan(1000);
  });

  it('keeps giving the right values once it holds as many calls as it may, computing the others each time', () => {
    let computed = 0;
    const index = createCallMemo((e: AuditEvent) => {
      computed++;
      return [...(e.outcome === 'failure' ? ['failed'] : []), 'all', ...(e.responseCode === '500' ? ['server'] : [])];
    }, 3);
    const events = universe();
    const got: (readonly string[])[] = [];
    const want: string[][] = [];
    for (let pass = 0; pass < 2; pass++) {
      for (const e of events) {
        got.push(index(e));
        want.push([...(e.outcome === 'failure' ? ['failed'] : []), 'all', ...(e.responseCode === '500' ? ['server'] : [])]);
      }
    }
    expect(got).toEqual(want);
    // Three calls remembered: their events after the first are not computed again; every other event is.
    const remembered = new Set(events.slice(0, 3 * 6).map((e) => `${e.responseCode} ${e.outcome}`));
    expect(remembered.size).toBe(3);
    expect(computed).toBe(2 * events.length - (2 * 3 * 6 - 3));
  });

  it('tells apart calls that differ only in source type (a source has one, but nothing here relies on it)', () => {
    const memo = createCallMemo((e: AuditEvent) => e.sourceType);
    const a = ev({ source: 'same', sourceType: 'cloudtrail' });
    const b = ev({ source: 'same', sourceType: 'cloudtrail-files' });
    expect([memo(a), memo(b), memo(a), memo(b)]).toEqual(['cloudtrail', 'cloudtrail-files', 'cloudtrail', 'cloudtrail-files']);
  });
});
