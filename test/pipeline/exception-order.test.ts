import { describe, expect, it } from 'vitest';
import { compareExceptionRows, type ExceptionRow } from '../../src/model/exception.js';

const row = (over: Partial<ExceptionRow>): ExceptionRow => ({
  ruleId: 'server-error', title: 't', severity: 'low', control: 'CC7.2', reason: 'r', time: 1000, source: 'aa', eventId: 'e1',
  service: 'smapi', operation: 'getSkill', responseCode: '500', requesterId: 'u1', requesterName: null, requesterEmail: null,
  resource: null, client: null, details: null, subject: 'u1 | getSkill', ...over,
});

describe('exception row order', () => {
  it('does not depend on arrival: rows of two sources with the same event sort by source', () => {
    const a = row({ source: 'aa' });
    const b = row({ source: 'b' });
    expect([b, a].sort(compareExceptionRows)).toEqual([a, b]);
    expect([a, b].sort(compareExceptionRows)).toEqual([a, b]);
  });

  it('orders by time, then rule, then event id before anything else', () => {
    const rows = [row({ time: 2, ruleId: 'a' }), row({ time: 1, ruleId: 'b' }), row({ time: 1, ruleId: 'a', eventId: 'e2' }), row({ time: 1, ruleId: 'a', eventId: 'e1', source: 'zz' })];
    expect(rows.sort(compareExceptionRows).map((r) => `${r.time} ${r.ruleId} ${r.eventId}`)).toEqual(['1 a e1', '1 a e2', '1 b e1', '2 a e1']);
  });
});

describe('one row per subject', () => {
  it('stands for the subject with the same event whichever source’s copy arrives first', async () => {
    const { createRuleEngine } = await import('../../src/rules/engine.js');
    const rule = { id: 'requester-not-in-directory', type: 'requester-not-in-directory', title: 't', severity: 'medium', control: 'CC6.2', reason: 'r', onePerSubject: true } as const;
    const event = (source: string) => ({
      id: 'e1', source, sourceType: 'smapi', time: 1000, service: 'smapi', operation: 'getSkill', outcome: 'success', responseCode: '200',
      requester: { id: 'u1', type: 'user', name: undefined, email: undefined }, resources: [], details: null, raw: {},
    });
    const rows = (order: string[]) => {
      const engine = createRuleEngine([rule as never], { timeZone: 'UTC', directory: { has: () => false } } as never);
      for (const s of order) engine.onEvent(event(s) as never);
      return engine.finish({ complete: true, windows: [], sources: [], idCollisions: [] }).map((r) => r.source);
    };
    expect(rows(['b', 'aa'])).toEqual(['aa']);
    expect(rows(['aa', 'b'])).toEqual(['aa']);
  });
});
