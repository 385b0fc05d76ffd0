/**
 * Typed errors with stable codes. The CLI's error boundary (src/cli/error-boundary.ts) is the one
 * place these become exit codes; everything below only throws.
 */
export const EXIT = {
  ok: 0,
  incomplete: 1,
  badInput: 2,
  accessRefused: 3,
  unreachable: 4,
  verifyFailed: 5,
  internal: 70,
  /** sysexits.h EX_CANTCREAT: the pack (or its staging folder) could not be written. */
  cannotWrite: 73,
  interrupted: 130,
} as const;

export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'SECRET_MISSING'
  | 'PERIOD_INVALID'
  | 'TIMEZONE_INVALID'
  | 'RETENTION_EXCEEDED'
  | 'TEMPLATE_INVALID'
  | 'AUTH_REFUSED'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_UNREACHABLE'
  | 'HTTP_STATUS'
  | 'HTTP_TIMEOUT'
  | 'HTTP_NETWORK'
  | 'HTTP_BAD_BODY'
  | 'RETRY_BUDGET_EXHAUSTED'
  | 'RESPONSE_TOO_LARGE'
  | 'DEADLINE_EXCEEDED'
  | 'PAGE_TOKEN_INVALID'
  | 'QUERY_TIMEOUT'
  | 'QUERY_FAILED'
  | 'DATA_INVALID'
  | 'PACK_INVALID'
  | 'VERIFY_FAILED'
  | 'ABORTED'
  | 'IO_FAILED'
  | 'INTERNAL';

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  USAGE: EXIT.badInput,
  CONFIG_INVALID: EXIT.badInput,
  CONFIG_NOT_FOUND: EXIT.badInput,
  SECRET_MISSING: EXIT.badInput,
  PERIOD_INVALID: EXIT.badInput,
  TIMEZONE_INVALID: EXIT.badInput,
  RETENTION_EXCEEDED: EXIT.badInput,
  TEMPLATE_INVALID: EXIT.badInput,
  PACK_INVALID: EXIT.badInput,
  AUTH_REFUSED: EXIT.accessRefused,
  SOURCE_NOT_FOUND: EXIT.accessRefused,
  SOURCE_UNREACHABLE: EXIT.unreachable,
  HTTP_STATUS: EXIT.incomplete,
  HTTP_TIMEOUT: EXIT.incomplete,
  HTTP_NETWORK: EXIT.incomplete,
  HTTP_BAD_BODY: EXIT.incomplete,
  RETRY_BUDGET_EXHAUSTED: EXIT.incomplete,
  RESPONSE_TOO_LARGE: EXIT.incomplete,
  DEADLINE_EXCEEDED: EXIT.incomplete,
  PAGE_TOKEN_INVALID: EXIT.incomplete,
  QUERY_TIMEOUT: EXIT.incomplete,
  QUERY_FAILED: EXIT.incomplete,
  DATA_INVALID: EXIT.incomplete,
  VERIFY_FAILED: EXIT.verifyFailed,
  ABORTED: EXIT.interrupted,
  IO_FAILED: EXIT.cannotWrite,
  INTERNAL: EXIT.internal,
};

/**
 * Fatal errors stop the whole run before a pack is written (bad input, access refused, a source
 * that cannot be reached at all). Others fail only the window they happened in: the pack is still
 * written, marked INCOMPLETE.
 */
const FATAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'USAGE',
  'CONFIG_INVALID',
  'CONFIG_NOT_FOUND',
  'SECRET_MISSING',
  'PERIOD_INVALID',
  'TIMEZONE_INVALID',
  'RETENTION_EXCEEDED',
  'TEMPLATE_INVALID',
  'AUTH_REFUSED',
  'SOURCE_NOT_FOUND',
  'SOURCE_UNREACHABLE',
  'PACK_INVALID',
  'IO_FAILED',
  'INTERNAL',
]);

export interface AuditpackErrorOptions {
  cause?: unknown;
  /** How to fix it, appended to the one-line message. */
  hint?: string;
  /** HTTP status, when the error came from a response. */
  status?: number;
  /** Extra facts for --verbose and the coverage ledger; never secrets. */
  details?: Record<string, unknown>;
}

export class AuditpackError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly status?: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AuditpackErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuditpackError';
    this.code = code;
    this.hint = options.hint;
    this.status = options.status;
    this.details = options.details;
  }

  get exitCode(): number {
    return EXIT_BY_CODE[this.code];
  }

  get fatal(): boolean {
    return FATAL.has(this.code);
  }

  /** The one line shown to the user. */
  get oneLine(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message;
  }
}

export function isAuditpackError(e: unknown): e is AuditpackError {
  return e instanceof AuditpackError;
}

/**
 * A RangeError from recursion past the stack: data nested deeper than any real record (a JSON
 * answer 100,000 levels deep parses, but nothing can walk or re-serialize it recursively).
 */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/** The window-level failure for data too deeply nested to handle; it never stops the run. */
export function nestedTooDeep(what: string, cause: unknown): AuditpackError {
  return new AuditpackError('DATA_INVALID', `${what} is nested too deeply to process (JSON deeper than any real audit record)`, {
    cause,
    hint: 'the endpoint answered something that is not an audit log page; check the endpoint setting, and report it if it persists',
  });
}

/** Wrap anything thrown into an AuditpackError, keeping the original as `cause`. */
export function toAuditpackError(e: unknown): AuditpackError {
  if (isAuditpackError(e)) return e;
  if (e instanceof Error && e.name === 'AbortError') return new AuditpackError('ABORTED', 'interrupted', { cause: e });
  const io = fileSystemError(e);
  if (io) return io;
  const message = e instanceof Error ? e.message : String(e);
  return new AuditpackError('INTERNAL', `unexpected error: ${message}`, { cause: e });
}

const FREE_SPACE = 'free some space (or write elsewhere with --out), then run the same command again to resume';
const MAY_WRITE = 'choose a folder you may write to with --out, or fix its permissions';
const OTHER_OUT = 'choose another --out';

/** What a file-system failure means to the user, by errno (see open(2), write(2), rename(2)): what happened, then what to do. */
const FS_ERRORS: Readonly<Record<string, { what: string; hint: string }>> = Object.fromEntries(
  (
    [
      ['ENOSPC', 'no space left on the device', FREE_SPACE],
      ['EDQUOT', 'the disk quota is exhausted', FREE_SPACE],
      ['EROFS', 'the file system is read-only', 'choose a writable folder with --out'],
      ['EACCES', 'permission denied', MAY_WRITE],
      ['EPERM', 'operation not permitted', MAY_WRITE],
      ['ENOTDIR', 'a part of the path is a file, not a folder', OTHER_OUT],
      ['EISDIR', 'a folder is in the way of a file', OTHER_OUT],
      ['ENAMETOOLONG', 'the path is too long', 'choose a shorter --out'],
      ['ELOOP', 'too many symbolic links in the path', OTHER_OUT],
      ['EIO', 'an input/output error from the device', 'check the disk, then run the same command again to resume'],
      ['EMFILE', 'too many open files', 'raise the limit (ulimit -n), then run the same command again to resume'],
      ['ENFILE', 'too many open files in the system', 'run the same command again to resume'],
      ['EXDEV', 'the staging folder and --out are on different file systems', 'choose an --out on one file system'],
      // While the pack is written: a folder deleted under the run, or a file system that does not let
      // files be created (/proc answers an open for writing with ENOENT).
      [
        'ENOENT',
        'no such file or folder (deleted while the run wrote there, or a file system where files cannot be created)',
        'choose a folder on an ordinary writable file system with --out, then run the same command again',
      ],
    ] as const
  ).map(([code, what, hint]) => [code, { what, hint }]),
);

/** System calls on files; a network failure comes from connect, getaddrinfo or a socket's read. */
const FS_SYSCALLS: ReadonlySet<string> = new Set([
  'open', 'write', 'writev', 'close', 'fsync', 'fdatasync', 'ftruncate', 'rename', 'mkdir', 'mkdtemp', 'rmdir', 'rm', 'unlink',
  'link', 'symlink', 'copyfile', 'scandir', 'opendir', 'stat', 'lstat', 'fstat', 'access', 'chmod', 'utime', 'readlink', 'realpath',
]);

/**
 * A Node file-system error as IO_FAILED: one line naming the path (a write's error names none:
 * `where`, the folder being written, stands in), the errno and what to do.
 */
export function fileSystemError(e: unknown, where?: string): AuditpackError | null {
  if (!(e instanceof Error)) return null;
  const { code, path, syscall } = e as NodeJS.ErrnoException;
  const known = code ? FS_ERRORS[code] : undefined;
  if (!known || !(typeof path === 'string' || (syscall && FS_SYSCALLS.has(syscall)))) return null;
  const verb = syscall === 'read' || syscall === 'scandir' || syscall === 'opendir' || syscall === 'readlink' ? 'read' : 'write';
  const target = typeof path === 'string' ? `${verb} ${path}` : `${verb} ${where ? `in ${where}` : 'a file'}`;
  return new AuditpackError('IO_FAILED', `cannot ${target}: ${known.what} (${code})`, { cause: e, hint: known.hint });
}
