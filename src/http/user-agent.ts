import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `auditpack/<version>`, the version read from the package.json above this file (src/http in the
 * checkout, dist/src/http once built), so it never drifts from the published version.
 */
export function defaultUserAgent(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'auditpack' && typeof pkg.version === 'string') return `auditpack/${pkg.version}`;
    } catch {
      // No package.json at this level: keep walking up.
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return 'auditpack';
}
