import { readFileSync } from 'node:fs';

/**
 * CPU seconds of this process's main thread so far, from /proc (10 ms resolution); null where
 * there is none. Beside the whole process's CPU it says whether the main thread is what a run waits on.
 */
export function mainThreadCpu(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
