import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import { findBursts } from '../../src/rules/burst.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import type { RuleSpec } from '../../src/rules/rule-spec.js';
import { seededRandom } from '../../src/emulators/kit/random.js';
import { EMPTY_LEDGER, ev } from './fixtures.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 9, 14, 15, 0);

const burstRule: RuleSpec = {
  id: 'burst',
  type: 'burst',
  title: 'Burst',
  severity: 'high',
  control: 'CC7.2',
  reason: 'Many failures.',
  threshold: 3,
  windowMinutes: 5,
};

function run(events: AuditEvent[], rules: RuleSpec[] = [burstRule]) {
  const engine = createRuleEngine(rules, { timeZone: 'UTC', directory: null, businessHours: null });
  const immediate = events.flatMap((e) => engine.onEvent(e));
  return [...immediate, ...engine.finish(EMPTY_LEDGER)];
}

const failAt = (minutes: number, requester = 'amzn1.account.ALICE', operation = 'deleteSkill.v1') =>
  ev({ time: T0 + minutes * MIN, outcome: 'failure', responseCode: '403', operation, requester: { id: requester } });

describe('findBursts', () => {
  it('needs `threshold` events strictly within the window', () => {
    expect(findBursts([0, 1, 2], 3, 5)).toEqual([{ first: 0, last: 2 }]);
    expect(findBursts([0, 1, 5], 3, 5)).toEqual([]); // spans exactly 5: not within a 5-unit window
    expect(findBursts([0, 1], 3, 5)).toEqual([]);
  });

  it('makes one burst of a sustained storm and starts a new one after a pause', () => {
    expect(findBursts([0, 1, 2, 3, 4, 5, 6, 7, 20, 21, 22], 3, 5)).toEqual([
      { first: 0, last: 7 },
      { first: 8, last: 10 },
    ]);
  });

  it('skips sparse lead-in events', () => {
    expect(findBursts([0, 10, 20, 21, 22, 40], 3, 5)).toEqual([{ first: 2, last: 4 }]);
  });
});

describe('burst rule', () => {
  it('gives one row per burst with the requester as subject, nothing before finish()', () => {
    const events = [failAt(0), failAt(1), failAt(2, undefined, 'getSkillCredentials.v1'), failAt(3), failAt(30), failAt(31)];
    const engine = createRuleEngine([burstRule], { timeZone: 'UTC', directory: null, businessHours: null });
    for (const e of events) expect(engine.onEvent(e)).toEqual([]);
    const rows = engine.finish(EMPTY_LEDGER);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      ruleId: 'burst',
      subject: 'amzn1.account.ALICE',
      requesterId: 'amzn1.account.ALICE',
      time: T0,
      eventId: null,
      operation: 'deleteSkill.v1 ×3, getSkillCredentials.v1 ×1',
      responseCode: '403',
    });
    expect(rows[0].reason).toContain('4 events from 2026-10-14 15:00 Wed to 2026-10-14 15:03 Wed');
  });

  it('counts failures per requester, never mixing two requesters into one burst', () => {
    const rows = run([failAt(0, 'a'), failAt(1, 'b'), failAt(2, 'a'), failAt(3, 'b')]);
    expect(rows).toEqual([]);
    const rows2 = run([failAt(0, 'a'), failAt(1, 'b'), failAt(2, 'a'), failAt(3, 'b'), failAt(4, 'a'), failAt(4, 'b')]);
    expect(rows2.map((r) => r.subject)).toEqual(['a', 'b']);
  });

  it('ignores successes by default and honours a custom match', () => {
    const ok = [0, 1, 2, 3].map((m) => ev({ time: T0 + m * MIN }));
    expect(run(ok)).toEqual([]);
    const anyCall: RuleSpec = { ...burstRule, match: {} };
    expect(run(ok, [anyCall])).toHaveLength(1);
  });

  it('gives the same rows whatever order the events arrive in (windows pulled out of order)', () => {
    const rnd = seededRandom('burst-order');
    const events: AuditEvent[] = [];
    for (let i = 0; i < 400; i++) {
      const requester = `user-${rnd.int(0, 5)}`;
      events.push(failAt(rnd.int(0, 24 * 60), requester, rnd.pick(['deleteSkill.v1', 'publishSkill.v1', 'getSkillCredentials.v1'])));
    }
    const sorted = run([...events].sort((a, b) => a.time - b.time));
    expect(sorted.length).toBeGreaterThan(0);
    for (let k = 0; k < 5; k++) {
      const shuffled = [...events];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rnd.int(0, i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      expect(run(shuffled)).toEqual(sorted);
    }
    expect(run([...events].reverse())).toEqual(sorted);
  });
});
