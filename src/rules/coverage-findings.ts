import type { AuditEvent } from '../model/audit-event.js';
import type { CoverageLedger, WindowCoverage } from '../model/coverage.js';
import type { ExceptionRow } from '../model/exception.js';
import { findingRow } from './exception-row.js';
import type { RuleSpec } from './rule-spec.js';

type CoverageRule = Extract<RuleSpec, { type: 'coverage' }>;
type QuietRule = Extract<RuleSpec, { type: 'quiet-period' }>;

const HOUR = 3_600_000;

function periodStart(coverage: CoverageLedger, source?: string): number {
  let min = Infinity;
  for (const w of coverage.windows) if (source === undefined || w.source === source) min = Math.min(min, Date.parse(w.window.start));
  return Number.isFinite(min) ? min : 0;
}

function windowSpan(w: WindowCoverage): string {
  return `${w.window.start} to ${w.window.end}`;
}

/** Findings about the evidence itself: windows not collected, problems inside them, broken integrity. */
export function coverageFindings(rule: CoverageRule, coverage: CoverageLedger): ExceptionRow[] {
  const rows: ExceptionRow[] = [];
  switch (rule.check) {
    case 'failed-window':
      for (const w of coverage.windows) {
        if (w.status === 'complete') continue;
        const why = w.error ? `: ${w.error.message}` : '';
        rows.push(
          findingRow(rule, {
            time: Date.parse(w.window.start),
            source: w.source,
            subject: w.source,
            detail: `${w.source} window ${w.window.key}, ${windowSpan(w)}, ${w.status}${why}`,
            responseCode: w.error?.code ?? w.status,
            resource: w.window.key,
          }),
        );
      }
      break;
    case 'window-problem':
      for (const w of coverage.windows) {
        for (const p of w.problems) {
          rows.push(
            findingRow(rule, {
              time: Date.parse(w.window.start),
              source: w.source,
              subject: `${w.source} | ${p.code}`,
              detail: `${w.source} window ${w.window.key}, ${p.item}: ${p.message}`,
              responseCode: p.code,
              resource: p.item,
            }),
          );
        }
      }
      break;
    case 'integrity':
      for (const l of coverage.sources) {
        if (l.status === 'complete' && l.problems.length === 0) continue;
        const time = periodStart(coverage, l.source);
        if (l.problems.length === 0) {
          rows.push(findingRow(rule, { time, source: l.source, subject: l.source, detail: `${l.title}: ${l.status}`, responseCode: l.status }));
        }
        for (const p of l.problems) {
          rows.push(
            findingRow(rule, {
              time,
              source: l.source,
              subject: l.source,
              detail: `${l.title}, ${p.item}: ${p.message}`,
              responseCode: p.code,
              resource: p.item,
            }),
          );
        }
      }
      break;
  }
  return rows;
}

export interface QuietPeriodTracker {
  add(e: AuditEvent): void;
  /** An hour (epoch ms / 3,600,000) with events of a source that counted them itself. */
  addHour(source: string, sourceType: string, hour: number): void;
  finish(coverage: CoverageLedger): ExceptionRow[];
}

/**
 * Spans with no events at all from a source that normally never sleeps (a CloudTrail account) point
 * to logging that was off. Keeps one set of UTC hour numbers per source: memory grows with the
 * period's length, not with events. Only hours wholly inside completed windows are judged; failed
 * windows are reported by the failed-window check.
 */
export function createQuietPeriodTracker(rule: QuietRule, stamp: (t: number) => string, timeZone: string): QuietPeriodTracker {
  const wanted = rule.sourceTypes ? new Set<string>(rule.sourceTypes) : null;
  const hoursWithEvents = new Map<string, Set<number>>();
  const addHour = (source: string, sourceType: string, hour: number) => {
    if (wanted && !wanted.has(sourceType)) return;
    let set = hoursWithEvents.get(source);
    if (!set) hoursWithEvents.set(source, (set = new Set()));
    set.add(hour);
  };
  return {
    add(e) {
      addHour(e.source, e.sourceType, Math.floor(e.time / HOUR));
    },
    addHour,
    finish(coverage) {
      const covered = new Map<string, Set<number>>();
      for (const w of coverage.windows) {
        if (w.status !== 'complete' || (wanted && !wanted.has(w.sourceType))) continue;
        let set = covered.get(w.source);
        if (!set) covered.set(w.source, (set = new Set()));
        const start = Date.parse(w.window.start);
        const end = Date.parse(w.window.end);
        for (let h = Math.ceil(start / HOUR); (h + 1) * HOUR <= end; h++) set.add(h);
      }
      const rows: ExceptionRow[] = [];
      for (const source of [...covered.keys()].sort()) {
        const hours = [...covered.get(source)!].sort((a, b) => a - b);
        const busy = hoursWithEvents.get(source) ?? new Set<number>();
        let runStart = -1;
        let runLength = 0;
        const flush = () => {
          if (runLength >= rule.minHours) {
            const from = runStart * HOUR;
            const to = (runStart + runLength) * HOUR;
            rows.push(
              findingRow(rule, {
                time: from,
                source,
                subject: source,
                detail: `no events for ${runLength} hours, ${stamp(from)} to ${stamp(to)} ${timeZone}`,
              }),
            );
          }
          runLength = 0;
        };
        for (let i = 0; i < hours.length; i++) {
          const h = hours[i];
          const contiguous = runLength > 0 && h === runStart + runLength;
          if (busy.has(h)) {
            flush();
            continue;
          }
          if (!contiguous) {
            flush();
            runStart = h;
          }
          runLength++;
        }
        flush();
      }
      return rows;
    },
  };
}
