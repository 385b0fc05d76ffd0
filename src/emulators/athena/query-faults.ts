/**
 * Scripted behaviours of queries (not of HTTP requests: those are the kit's faults). A rule
 * applies to the next `times` queries whose SQL contains `match` (any query without it).
 */
export type QueryFault =
  /**
   * The query ends FAILED with this AthenaError; `retryable` true is what Athena says of a
   * transient failure ("True if the query might succeed if resubmitted",
   * https://docs.aws.amazon.com/athena/latest/APIReference/API_AthenaError.html).
   */
  | { kind: 'fail'; retryable: boolean; category?: 1 | 2 | 3; errorType?: number; message?: string }
  /** The query never leaves RUNNING until it is stopped. */
  | { kind: 'hang' }
  /** The query goes RUNNING → QUEUED once on its way, as Athena does after some transient errors. */
  | { kind: 'requeue' };

export interface QueryFaultRule {
  fault: QueryFault;
  match?: string;
  /** Default 1. */
  times?: number;
}

export interface QueryFaults {
  add(rule: QueryFaultRule): void;
  clear(): void;
  /** The fault for a newly submitted query, consuming one use of its rule. */
  take(sql: string): QueryFault | null;
}

export function createQueryFaults(): QueryFaults {
  const rules: (QueryFaultRule & { left: number })[] = [];
  return {
    add: (rule) => {
      rules.push({ ...rule, left: rule.times ?? 1 });
    },
    clear: () => {
      rules.length = 0;
    },
    take(sql) {
      const r = rules.find((x) => x.left > 0 && (x.match === undefined || sql.includes(x.match)));
      if (!r) return null;
      r.left--;
      return r.fault;
    },
  };
}

/** Validates a rule sent to the control endpoint `POST /__emulator/query-faults`. */
export function parseQueryFaultRule(body: unknown): QueryFaultRule {
  const b = (body ?? {}) as { fault?: unknown; match?: unknown; times?: unknown };
  const f = (b.fault ?? {}) as { kind?: unknown; retryable?: unknown; category?: unknown; errorType?: unknown; message?: unknown };
  let fault: QueryFault;
  if (f.kind === 'fail') {
    fault = {
      kind: 'fail',
      retryable: f.retryable === true,
      ...(f.category === 1 || f.category === 2 || f.category === 3 ? { category: f.category } : {}),
      ...(typeof f.errorType === 'number' ? { errorType: f.errorType } : {}),
      ...(typeof f.message === 'string' ? { message: f.message } : {}),
    };
  } else if (f.kind === 'hang' || f.kind === 'requeue') fault = { kind: f.kind };
  else throw new Error('fault.kind must be "fail", "hang" or "requeue"');
  return {
    fault,
    ...(typeof b.match === 'string' ? { match: b.match } : {}),
    ...(typeof b.times === 'number' ? { times: b.times } : {}),
  };
}
