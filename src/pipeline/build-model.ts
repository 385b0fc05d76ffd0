import { createHash } from 'node:crypto';
import type { CoverageLedger } from '../model/coverage.js';
import type { PeriodInfo, ReportMeta, ReportModel, SamplingInfo, SectionId, SignOff } from '../model/report-model.js';
import type { PipelineResult } from './run-pipeline.js';

export interface ModelInputs {
  meta: Omit<ReportMeta, 'packId'>;
  period: PeriodInfo;
  sampling: SamplingInfo | null;
  sections: SectionId[];
  pdfSections: SectionId[];
  exceptionGrouping: ReportModel['exceptionGrouping'];
  failuresOnly: boolean;
  pdfExceptionLimit: number;
  signOff: SignOff;
  result: PipelineResult;
}

/** The one model every renderer reads: the pipeline's result plus what the run was. */
export function buildReportModel(inputs: ModelInputs): ReportModel {
  const { result } = inputs;
  return {
    meta: { ...inputs.meta, packId: packIdOf(inputs.meta.parameters) },
    period: inputs.period,
    sections: inputs.sections,
    pdfSections: inputs.pdfSections,
    exceptionGrouping: inputs.exceptionGrouping,
    failuresOnly: inputs.failuresOnly,
    pdfExceptionLimit: inputs.pdfExceptionLimit,
    complete: result.coverage.complete,
    incompleteReasons: incompleteReasons(result.coverage),
    ...result.aggregate,
    exceptionCounts: result.exceptionCounts,
    exceptionSubjects: result.exceptionSubjects,
    samples: result.samples,
    sampling: inputs.sampling,
    rulesNotEvaluated: result.rulesNotEvaluated,
    ...(result.populationElsewhere?.length ? { populationElsewhere: result.populationElsewhere } : {}),
    coverage: result.coverage,
    signOff: inputs.signOff,
    exceptions: result.exceptions,
    ...(result.exceptionHeads ? { exceptionHeads: result.exceptionHeads } : {}),
    events: result.events,
  };
}

/** Short id printed on every page: the same parameters give the same id. */
function packIdOf(parameters: Record<string, unknown>): string {
  return createHash('sha256').update(stableStringify(parameters)).digest('hex').slice(0, 12);
}

export function incompleteReasons(coverage: CoverageLedger): string[] {
  const reasons: string[] = [];
  for (const w of coverage.windows) {
    if (w.status !== 'complete') {
      reasons.push(`${w.source} window ${w.window.start} – ${w.window.end} ${w.status}: ${w.error?.message ?? 'not completed'}${w.error?.hint ? ` — ${w.error.hint}` : ''}`);
    }
  }
  for (const s of coverage.sources) {
    if (s.status !== 'complete') {
      const first = s.problems[0];
      reasons.push(`${s.source} ${s.title} failed${first ? `: ${first.item}: ${first.message}` : ''}${s.problems.length > 1 ? ` (+${s.problems.length - 1} more)` : ''}`);
    }
  }
  return reasons;
}

/** JSON with object keys sorted, so hashes do not depend on insertion order. */
function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
