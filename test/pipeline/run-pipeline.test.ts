import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import type { Source } from '../../src/sources/source.js';
import type { TimeWindow } from '../../src/model/window.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import { parsePeriod } from '../../src/period/parse-period.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import type { HttpClient } from '../../src/http/types.js';

const DAY = 86_400_000;
const period = parsePeriod({ period: '2026-10-01', timeZone: 'UTC', now: Date.parse('2026-11-01T00:00:00Z') });
const T = period.start;

/**
 * Pages per window scripted in memory, the way a file source delivers them: window 1 reads a file
 * that holds an event of window 0 (delivered after window 0's margin) and one of window 0 that
 * window 0 also read.
 */
function deliverySource(pages: Record<number, { id: string; t: number }[]>): Source {
  return {
    name: 'files', type: 'cloudtrail-files', description: 'scripted deliveries',
    policy: { maxWindowMs: DAY / 2, retentionMs: null, endInclusive: false, pageSize: 10, concurrency: 2 },
    describeRequest: () => ({}),
    async *pull(w) {
      yield { kind: 'page', records: pages[w.index] ?? [] };
    },
    normalize(raw) {
      const r = raw as { id: string; t: number };
      return { id: r.id, time: r.t, source: 'files', sourceType: 'cloudtrail-files', service: 's3', operation: 'GetObject', outcome: 'success', responseCode: 'Success', requester: { id: 'u' }, resources: [] } satisfies AuditEvent;
    },
  };
}

async function run(source: Source, extra: Partial<Parameters<typeof runPipeline>[0]> = {}) {
  const plan: TimeWindow[] = [{ index: 0, start: T, end: T + DAY / 2 }, { index: 1, start: T + DAY / 2, end: T + DAY }];
  const dir = mkdtempSync(join(tmpdir(), 'ap-run-'));
  return runPipeline({
    sources: [source], period, plans: new Map([['files', plan]]), packDir: dir, stateDir: join(dir, '.state'),
    httpFor: () => ({}) as HttpClient, directory: null, rules: createRuleEngine([], { timeZone: 'UTC', directory: null, businessHours: null }), sampler: null,
    log: silentLogger, clock: systemClock, signal: new AbortController().signal, progress: { windowStarted() {}, windowDone() {}, update() {} },
    ...extra,
  });
}

describe('runPipeline', () => {
  it('keeps an event that only a neighbouring window received, exactly once, and the ledger adds up', async () => {
    const r = await run(deliverySource({
      0: [{ id: 'a', t: T + 1000 }],
      1: [{ id: 'a', t: T + 1000 }, { id: 'late', t: T + 2000 }, { id: 'b', t: T + DAY / 2 + 5 }, { id: 'next-day', t: T + DAY + 5 }],
    }));
    expect(r.aggregate.totals.events).toBe(3);
    const [w0, w1] = r.coverage.windows;
    expect(w0).toMatchObject({ eventsKept: 1, rereads: 0 });
    // `a` was kept by its own window (read again here); `late` never was, so window 1 keeps it; `next-day` is after the period.
    expect(w1).toMatchObject({ eventsKept: 2, rereads: 1, outsidePeriod: 1, extra: { keptForOtherWindow: 1 } });
    for (const w of r.coverage.windows) expect(w.recordsReceived).toBe(w.eventsKept + w.duplicates + w.rereads + w.outsidePeriod + w.refused);
    const ids: string[] = [];
    for await (const e of r.events.open()) ids.push(e.id);
    expect(ids).toEqual(['a', 'late', 'b']);
  });

  it("keeps each rule's first exceptions in the stream's order when asked, and none when not", async () => {
    const header = { title: 'T', control: 'CC6.1', reason: 'Because.' } as const;
    const rules = createRuleEngine(
      [{ ...header, id: 'every', severity: 'low', type: 'match', match: {} }, { ...header, id: 'some', severity: 'critical', type: 'match', match: { operation: 'GetObject' } }],
      { timeZone: 'UTC', directory: null, businessHours: null },
    );
    const pages = { 0: [{ id: 'c', t: T + 3000 }, { id: 'a', t: T + 1000 }], 1: [{ id: 'd', t: T + DAY / 2 + 9 }, { id: 'b', t: T + DAY / 2 + 1 }] };
    const asked = await run(deliverySource(pages), { rules, exceptionHeadRows: 3 });
    const stream: string[] = [];
    for await (const x of asked.exceptions.open()) stream.push(`${x.ruleId}:${x.eventId}`);
    const firstThree = (rule: string) => stream.filter((k) => k.startsWith(`${rule}:`)).slice(0, 3);
    expect(asked.exceptionHeads?.perRule).toBe(3);
    expect(asked.exceptionHeads?.rows.map((x) => `${x.ruleId}:${x.eventId}`)).toEqual(stream.filter((k) => [...firstThree('some'), ...firstThree('every')].includes(k)));
    expect(asked.exceptionHeads?.rows).toHaveLength(6);
    const notAsked = await run(deliverySource(pages), { rules });
    expect(notAsked.exceptionHeads).toBeUndefined();
  });
});
