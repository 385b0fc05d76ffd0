import { describe, expect, it } from 'vitest';
import { EXIT, fileSystemError } from '../../src/errors.js';

const errno = (code: string, syscall: string, path?: string) => Object.assign(new Error(`${code}: ${syscall}`), { code, syscall, path });

describe('fileSystemError: what an errno means and what to do, in one line', () => {
  it.each([
    ['ENOSPC', 'no space left on the device', /^free some space \(or write elsewhere with --out\), then run the same command again to resume$/],
    ['EDQUOT', 'the disk quota is exhausted', /^free some space/],
    ['EACCES', 'permission denied', /^choose a folder you may write to with --out, or fix its permissions$/],
    ['EPERM', 'operation not permitted', /^choose a folder you may write to with --out/],
    ['ENOTDIR', 'a part of the path is a file, not a folder', /^choose another --out$/],
    ['EISDIR', 'a folder is in the way of a file', /^choose another --out$/],
    ['ELOOP', 'too many symbolic links in the path', /^choose another --out$/],
    ['EROFS', 'the file system is read-only', /^choose a writable folder with --out$/],
    ['EMFILE', 'too many open files', /ulimit -n/],
    ['EXDEV', 'the staging folder and --out are on different file systems', /one file system/],
  ])('%s → IO_FAILED (exit 73), "%s"', (code, what, hint) => {
    const e = fileSystemError(errno(code, 'open', '/packs/x/report.pdf'));
    expect(e?.code).toBe('IO_FAILED');
    expect(e?.exitCode).toBe(EXIT.cannotWrite);
    expect(e?.message).toBe(`cannot write /packs/x/report.pdf: ${what} (${code})`);
    expect(e?.hint).toMatch(hint);
  });

  it('a write without a path names the folder being written; a read says read; unknown codes and non-file calls are not I/O errors', () => {
    expect(fileSystemError(errno('ENOSPC', 'write'), '/packs/x')?.message).toBe('cannot write in /packs/x: no space left on the device (ENOSPC)');
    expect(fileSystemError(errno('EACCES', 'scandir', '/logs'))?.message).toBe('cannot read /logs: permission denied (EACCES)');
    expect(fileSystemError(errno('ECONNRESET', 'read'))).toBeNull();
    expect(fileSystemError(errno('EACCES', 'connect'))).toBeNull();
    expect(fileSystemError('ENOSPC')).toBeNull();
  });
});
