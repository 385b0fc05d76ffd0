import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that a crash (kill -9, power loss) leaves either the old file or the new one,
 * never a torn one: the bytes go to a temporary file beside it, are flushed to disk (fsync), and
 * the temporary file is renamed over the target; the folder is then flushed so the rename itself
 * survives a power loss (rename(2) is atomic within one file system).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** Flushes a folder's entries (a rename into it) to disk; where the platform cannot (Windows), nothing. */
export async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // EISDIR/EPERM on platforms without directory fsync: the rename is still atomic, only not yet durable.
  } finally {
    await fh?.close();
  }
}
