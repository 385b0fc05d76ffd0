import { execFileSync } from 'node:child_process';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';

/** Every *.json.gz log file below dir. */
export function logFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...logFiles(p));
    else if (p.endsWith('.json.gz') && p.includes('/CloudTrail/')) out.push(p);
  }
  return out.sort();
}

/** The reference: one plain pass (gunzip, JSON.parse, three counters), nothing else. */
export async function plainPass(files: string[]): Promise<{ records: number; seconds: number }> {
  const t0 = performance.now();
  let records = 0;
  let failures = 0;
  const bySource = new Map<string, number>();
  for (const f of files) {
    const chunks: Buffer[] = [];
    for await (const c of createReadStream(f).pipe(createGunzip())) chunks.push(c as Buffer);
    const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Records: { eventSource: string; errorCode?: string }[] };
    for (const r of doc.Records) {
      records++;
      if (r.errorCode) failures++;
      bySource.set(r.eventSource, (bySource.get(r.eventSource) ?? 0) + 1);
    }
  }
  if (failures < 0 || bySource.size === 0) throw new Error('unreachable');
  return { records, seconds: (performance.now() - t0) / 1000 };
}

/** The plain pass over a trail folder in a process of its own, so every pass starts as cold as the run it is compared with. */
export function plainPassInProcess(trail: string): { records: number; seconds: number; cpu: number } {
  const out = execFileSync(process.execPath, [import.meta.filename, trail], { stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.toString('utf8').trim().split('\n').pop()!) as { records: number; seconds: number; cpu: number };
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const cpu0 = process.cpuUsage();
  const pass = await plainPass(logFiles(process.argv[2]));
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ ...pass, cpu: (cpu.user + cpu.system) / 1e6 }));
}
