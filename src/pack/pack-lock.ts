import { hostname } from 'node:os';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuditpackError } from '../errors.js';

/**
 * One run at a time per pack: `.<name>.lock` beside the pack's staging folder names the process
 * that holds it. It is created whole (written to a temporary file, then hard-linked to its name,
 * which fails if the name exists), so a second run never sees a half-written lock.
 *
 * A lock whose process is gone (kill -9, a crash, a power loss) is stale: on the same host,
 * when signal 0 to its pid says "no such process", it is removed and the run goes on, saying
 * so. A lock from another host (a shared folder) or of a live pid is never taken over: the user
 * is told which process holds it and how to remove it if that process is not an auditpack run
 * (a pid reused after a reboot).
 */
export interface PackLock {
  path: string;
  /** Set when a stale lock was removed: what the user should read. */
  staleNote: string | null;
  release(): Promise<void>;
}

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export function lockPathFor(packDir: string): string {
  return join(dirname(packDir), `.${basename(packDir)}.lock`);
}

export async function acquirePackLock(packDir: string, now: () => number): Promise<PackLock> {
  const path = lockPathFor(packDir);
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date(now()).toISOString() };
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(me) + '\n');
  let staleNote: string | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      }
      const owner = await readOwner(path);
      if (owner && owner.host === me.host && !isAlive(owner.pid)) {
        staleNote = `removed a stale lock ${path}: its run (pid ${owner.pid}, started ${owner.startedAt}) is no longer running`;
        await rm(path, { force: true });
        continue;
      }
      throw new AuditpackError('USAGE', `${packDir} is being written by another auditpack run (${describeOwner(owner)}; lock ${path})`, {
        hint: `wait for it to finish or write elsewhere with --out; if no auditpack run is writing it, delete ${path}`,
      });
    }
  } finally {
    await rm(tmp, { force: true });
  }
  let released = false;
  return {
    path,
    staleNote,
    async release() {
      if (released) return;
      released = true;
      const owner = await readOwner(path);
      if (owner?.pid === me.pid && owner.host === me.host) await rm(path, { force: true });
    },
  };
}

async function readOwner(path: string): Promise<LockOwner | null> {
  try {
    const o = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? { pid: o.pid, host: o.host, startedAt: String(o.startedAt ?? 'at an unknown time') } : null;
  } catch {
    return null;
  }
}

function describeOwner(owner: LockOwner | null): string {
  return owner ? `pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}` : 'an unreadable lock';
}

/** Signal 0 checks that a process exists without touching it; EPERM: it exists, as another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
