import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareExceptionRows, type ExceptionRow, type Severity } from '../../src/model/exception.js';
import type { ReportModel } from '../../src/model/report-model.js';
import { createExceptionCodec } from '../../src/pipeline/exception-codec.js';
import { createExceptionHeads, exceptionBucket } from '../../src/pipeline/exception-heads.js';
import { createSpillStore } from '../../src/pipeline/spill-store.js';
import { pickExceptionRows } from '../../src/render/pdf/sections/exceptions.js';

const START = Date.parse('2026-10-01T00:00:00Z');
const RULES: { id: string; severity: Severity; control: string }[] = [
  { id: 'root', severity: 'critical', control: 'CC6.1' },
  { id: 'denied', severity: 'high', control: 'CC6.1' },
  { id: 'policy', severity: 'high', control: 'CC8.1' },
  { id: 'user', severity: 'medium', control: 'CC6.2' },
  { id: 'burst', severity: 'medium', control: 'CC7.2' },
  { id: 'rare', severity: 'low', control: 'CC7.2' },
];

/**
 * Rows in arrival order: rules of every severity interleaved, times over three days with many
 * equal (so rows tie on time and differ by event, or tie on every compared field and differ only
 * in details: the stream keeps those in arrival order), a rule with few rows, and resolved rows
 * (month over month) at the period's start, for a rule with rows and for one without.
 */
function arrivals(n: number): ExceptionRow[] {
  const rows: ExceptionRow[] = [];
  let x = 7;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  for (let i = 0; i < n; i++) {
    const rule = RULES[next() % (i % 50 === 0 ? RULES.length : RULES.length - 1)];
    const time = START + (next() % 3) * 86_400_000 + (next() % 4) * 1000;
    rows.push({
      ruleId: rule.id, title: rule.id, severity: rule.severity, control: rule.control, reason: 'r', time,
      source: 'trail', eventId: `e${next() % 40}`, service: 's', operation: 'Op', responseCode: '', requesterId: 'u',
      requesterName: null, requesterEmail: null, resource: null, client: null, details: `arrival ${i}`, subject: 'u',
    });
  }
  const resolved = (rule: (typeof RULES)[number], subject: string): ExceptionRow => ({
    ruleId: rule.id, title: rule.id, severity: rule.severity, control: rule.control, reason: 'Resolved', time: START,
    source: '', eventId: null, service: '', operation: '', responseCode: '', requesterId: '', requesterName: null,
    requesterEmail: null, resource: null, client: null, details: null, subject, trend: 'resolved',
  });
  rows.push(resolved(RULES[1], 'gone-1'), resolved(RULES[1], 'gone-2'), { ...resolved(RULES[0], 'old'), ruleId: 'retired', title: 'retired' });
  return rows;
}

/** The stream as the pipeline's spill gives it: bucketed by severity and day, sorted, ties in arrival order. */
async function spilled(rows: ExceptionRow[]): Promise<ExceptionRow[]> {
  const store = createSpillStore<ExceptionRow>({ dir: mkdtempSync(join(tmpdir(), 'ap-heads-')), name: 'exceptions', codec: createExceptionCodec(), bucketOf: exceptionBucket, compare: compareExceptionRows });
  for (const r of rows) store.add(r);
  const out: ExceptionRow[] = [];
  for await (const r of store.seal().open()) out.push(r);
  return out;
}

function modelOf(stream: ExceptionRow[], grouping: ReportModel['exceptionGrouping'], heads?: ReportModel['exceptionHeads']): ReportModel {
  const byRule: Record<string, number> = {};
  for (const r of stream) if (r.trend !== 'resolved') byRule[r.ruleId] = (byRule[r.ruleId] ?? 0) + 1;
  const partial: Pick<ReportModel, 'exceptions' | 'exceptionHeads' | 'exceptionCounts' | 'exceptionSubjects' | 'exceptionGrouping'> = {
    exceptions: {
      count: stream.length,
      async *open() {
        yield* stream;
      },
    },
    ...(heads ? { exceptionHeads: heads } : {}),
    exceptionCounts: { bySeverity: { critical: 0, high: 0, medium: 0, low: 0 }, byControl: {}, byRule },
    exceptionSubjects: RULES.map((r) => ({ ruleId: r.id, subject: 'u', title: r.id, severity: r.severity, control: r.control, count: byRule[r.id] ?? 0 })),
    exceptionGrouping: grouping,
  };
  return partial as ReportModel;
}

describe('exception heads', () => {
  it("hold each rule's first rows of the sorted stream, in its order, whatever order the rows arrived in", async () => {
    const rows = arrivals(3000);
    const stream = await spilled(rows);
    for (const perRule of [1, 4, 37, 600]) {
      const heads = createExceptionHeads(perRule);
      for (const r of rows) heads.add(r);
      const taken = new Map<string, number>();
      const expected = stream.filter((r) => {
        const n = taken.get(r.ruleId) ?? 0;
        taken.set(r.ruleId, n + 1);
        return n < perRule;
      });
      expect(heads.rows(), `perRule ${perRule}`).toEqual(expected);
    }
  });

  it("give the PDF the rows it would pick from the whole stream, for every limit and grouping", async () => {
    const rows = arrivals(3000);
    const stream = await spilled(rows);
    for (const grouping of ['control', 'severity'] as const) {
      for (const limit of [0, 1, 5, 13, 100, 500, 5000]) {
        const heads = createExceptionHeads(limit);
        for (const r of rows) heads.add(r);
        const fromStream = await pickExceptionRows(modelOf(stream, grouping), limit);
        const fromHeads = await pickExceptionRows(modelOf(stream, grouping, { perRule: limit, rows: heads.rows() }), limit);
        expect(fromHeads, `${grouping}, limit ${limit}`).toEqual(fromStream);
        if (limit === 13) expect(fromStream.some((r) => r.trend === 'resolved')).toBe(true);
      }
    }
  });

  it('are not used for a larger limit than they were kept for', async () => {
    const rows = arrivals(500);
    const stream = await spilled(rows);
    const heads = createExceptionHeads(2);
    for (const r of rows) heads.add(r);
    const model = modelOf(stream, 'severity', { perRule: 2, rows: heads.rows() });
    expect(await pickExceptionRows(model, 50)).toEqual(await pickExceptionRows(modelOf(stream, 'severity'), 50));
  });
});
