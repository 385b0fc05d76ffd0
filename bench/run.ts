import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * `npm run bench`: each benchmark in its own process, so each peak RSS is its own. Speed and
 * memory targets live here, never in the tests. `npm run bench -- smapi` runs the ones named.
 */
const BENCHES: Record<string, string> = {
  smapi: 'smapi-pull.js',
  'cloudtrail-files': 'cloudtrail-files-run.js',
  'pull-stages': 'pull-stages.js',
  pdf: 'render-pdf.js',
  xlsx: 'render-xlsx.js',
  athena: 'athena-run.js',
};

const wanted = process.argv.slice(2).filter((a) => a in BENCHES);
let failed = 0;
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, BENCHES[name])], { stdio: 'inherit', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${name} failed (exit ${r.status})`);
  }
}
process.exitCode = failed ? 1 : 0;
