import { EXIT, toAuditpackError } from '../errors.js';
import type { Redactor } from '../util/redactor.js';

export interface BoundaryIo {
  stderr: (line: string) => void;
  verbose: boolean;
  redactor: Redactor;
}

/**
 * The one place where errors become exit codes. The user sees one line ("auditpack: what is wrong
 * — how to fix it"); the stack and causes only with --verbose; secrets never.
 */
export async function withErrorBoundary(io: BoundaryIo, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    const err = toAuditpackError(e);
    io.stderr(io.redactor.redact(`auditpack: ${err.oneLine}`));
    if (io.verbose) {
      let cur: unknown = err;
      while (cur) {
        io.stderr(io.redactor.redact(cur instanceof Error ? (cur.stack ?? cur.message) : String(cur)));
        cur = cur instanceof Error ? cur.cause : undefined;
        if (cur) io.stderr('caused by:');
      }
    } else if (err.code === 'INTERNAL') {
      io.stderr('(run again with --verbose for the details)');
    }
    return err.code === 'INTERNAL' ? EXIT.internal : err.exitCode;
  }
}
