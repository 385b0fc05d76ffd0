import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { parse, sep } from 'node:path';
import { AuditpackError } from '../errors.js';
import { MANIFEST_FILE } from './manifest.js';

export type OutFolderState = 'absent' | 'empty' | 'pack';

/**
 * What is at --out, and whether a run may write there. A new or empty folder is fine. An earlier
 * auditpack pack is replaced only with --force. Anything else is refused even with --force: a
 * folder that is not a pack, a file, a symbolic link, the current folder or one above it, the
 * home folder, the root: `--force` must never delete what auditpack did not write.
 */
export async function checkOutFolder(packDir: string, force: boolean): Promise<OutFolderState> {
  const info = await lstat(packDir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (!info) return 'absent';
  const refuse = (what: string) =>
    new AuditpackError('USAGE', `--out ${packDir} ${what}`, { hint: 'give a new or empty folder, or the folder of an earlier auditpack pack (with --force)' });
  if (info.isSymbolicLink()) throw refuse('is a symbolic link: auditpack will not replace it');
  if (!info.isDirectory()) throw refuse('is a file, not a pack folder: auditpack will not replace it');
  const real = await realpath(packDir);
  const cwd = await realpath(process.cwd());
  if (real === parse(real).root) throw refuse('is the root of the file system');
  if (real === (await realpath(homedir()).catch(() => homedir()))) throw refuse('is your home folder');
  if (cwd === real || cwd.startsWith(real.endsWith(sep) ? real : real + sep)) throw refuse('is the current folder or one above it');
  if ((await readdir(packDir)).length === 0) return 'empty';
  if (!(await isAuditpackPack(packDir))) {
    throw refuse(`exists and is not an auditpack pack (no auditpack ${MANIFEST_FILE}): auditpack will not replace it${force ? ', even with --force' : ''}`);
  }
  if (!force) throw new AuditpackError('USAGE', `${packDir} already exists`, { hint: 'pass --force to replace it, or --out to write elsewhere' });
  return 'pack';
}

/** A folder whose manifest.json is a regular file saying it was written by auditpack. */
async function isAuditpackPack(dir: string): Promise<boolean> {
  const path = `${dir}${sep}${MANIFEST_FILE}`;
  const info = await lstat(path).catch(() => null);
  if (!info?.isFile()) return false;
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as { manifestVersion?: unknown; tool?: { name?: unknown } };
    return m.manifestVersion === 1 && m.tool?.name === 'auditpack';
  } catch {
    return false;
  }
}
