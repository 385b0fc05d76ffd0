import { describe, expect, it } from 'vitest';
import type { ExceptionRow } from '../../src/model/exception.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import { compareWithPrevious, createSubjectCounter, exceptionSubjectsSchema, subjectKey } from '../../src/rules/month-over-month.js';
import { builtinRules } from './fixtures.js';

function row(ruleId: string, subject: string, over: Partial<ExceptionRow> = {}): ExceptionRow {
  return {
    ruleId,
    title: ruleId,
    severity: 'high',
    control: 'CC6.1',
    reason: 'r',
    time: 0,
    source: 'smapi',
    eventId: `evt-${Math.random()}`,
    service: 'smapi',
    operation: 'op',
    responseCode: '200',
    requesterId: 'u',
    requesterName: null,
    requesterEmail: null,
    resource: null,
    client: null,
    details: null,
    subject,
    ...over,
  };
}

function counts(rows: ExceptionRow[]) {
  const c = createSubjectCounter();
  rows.forEach((r) => c.add(r));
  return c.list();
}

const RAN = new Set(['smapi-credentials-access', 'aws-root-activity', 'smapi-deletion']);

describe('month over month', () => {
  const october = counts([
    row('smapi-credentials-access', 'alice | getSkillCredentials'),
    row('smapi-credentials-access', 'alice | getSkillCredentials'),
    row('aws-root-activity', 'root | ConsoleLogin', { severity: 'critical' }),
    row('smapi-deletion', 'bob | deleteSkill', { severity: 'medium' }),
  ]);

  it('aggregates rows by rule and subject with counts (bounded by subjects)', () => {
    expect(october.map((c) => [c.ruleId, c.subject, c.count])).toEqual([
      ['aws-root-activity', 'root | ConsoleLogin', 1],
      ['smapi-credentials-access', 'alice | getSkillCredentials', 2],
      ['smapi-deletion', 'bob | deleteSkill', 1],
    ]);
    expect(exceptionSubjectsSchema.parse(JSON.parse(JSON.stringify(october)))).toEqual(october);
  });

  it('marks new, recurring and resolved on rule + subject, not on event id', () => {
    const novemberRows = [
      row('smapi-credentials-access', 'alice | getSkillCredentials'), // different event ids than October
      row('smapi-credentials-access', 'carol | getSkillCredentials'),
      row('smapi-deletion', 'alice | deleteSkill', { severity: 'medium' }), // same rule, other subject
    ];
    const cmp = compareWithPrevious(counts(novemberRows), october, RAN);
    expect(novemberRows.map((r) => cmp.trendOf(r))).toEqual(['recurring', 'new', 'new']);
    expect(cmp.resolved.map((c) => [c.ruleId, c.subject, c.count])).toEqual([
      ['aws-root-activity', 'root | ConsoleLogin', 1],
      ['smapi-deletion', 'bob | deleteSkill', 1],
    ]);
  });

  it('calls nothing resolved for a rule that did not run this period (another template, or a rule without its configuration)', () => {
    const november = counts([row('smapi-credentials-access', 'alice | getSkillCredentials')]);
    // This month's template has no smapi-deletion rule; aws-root-activity ran and came back clean.
    const cmp = compareWithPrevious(november, october, new Set(['smapi-credentials-access', 'aws-root-activity']));
    expect(cmp.resolved.map((c) => c.ruleId)).toEqual(['aws-root-activity']);
    expect(compareWithPrevious(november, october, new Set()).resolved).toEqual([]);
  });

  it('the engine reports which rules run, leaving out those that lack their configuration', async () => {
    const rules = await builtinRules();
    const engine = createRuleEngine(rules, { timeZone: 'UTC', directory: null, businessHours: null });
    expect([...engine.activeRuleIds].sort()).toEqual(
      rules.map((r) => r.id).filter((id) => id !== 'requester-not-in-directory' && id !== 'outside-business-hours').sort(),
    );
  });

  it('without a previous pack everything is new and nothing resolved', () => {
    const cmp = compareWithPrevious(october, [], RAN);
    expect(cmp.trendOf(row('smapi-deletion', 'bob | deleteSkill'))).toBe('new');
    expect(cmp.resolved).toEqual([]);
  });

  it('keys do not collide when a subject contains the separator text', () => {
    expect(subjectKey({ ruleId: 'a', subject: 'b|c' })).not.toBe(subjectKey({ ruleId: 'a|b', subject: 'c' }));
  });

  it('rejects a malformed previous summary', () => {
    expect(exceptionSubjectsSchema.safeParse([{ ruleId: 'x', subject: 'y' }]).success).toBe(false);
  });
});
