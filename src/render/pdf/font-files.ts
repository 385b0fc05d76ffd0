import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AuditpackError } from '../../errors.js';

/**
 * Full Noto Sans (Latin, Greek, Cyrillic) and Noto Sans JP (Han, Kana) fonts from npm packages,
 * never from the system, so every machine embeds the same glyphs and the PDF is reproducible.
 * Both are SIL OFL 1.1. pdfkit subsets them on embedding.
 */
export interface FontFiles {
  latinRegular: string;
  latinBold: string;
  cjkRegular: string;
  cjkBold: string;
}

/** The package's root folder; its exports map lists only ".", so we resolve that and walk up from dist/. */
function packageRoot(pkg: string): string {
  const require = createRequire(import.meta.url);
  return dirname(dirname(require.resolve(pkg)));
}

export async function locateFontFiles(): Promise<FontFiles> {
  let files: FontFiles;
  try {
    const latin = join(packageRoot('@embedpdf/fonts-latin'), 'fonts');
    const cjk = join(packageRoot('@embedpdf/fonts-jp'), 'fonts');
    files = {
      latinRegular: join(latin, 'NotoSans-Regular.ttf'),
      latinBold: join(latin, 'NotoSans-Bold.ttf'),
      cjkRegular: join(cjk, 'NotoSansJP-Regular.otf'),
      cjkBold: join(cjk, 'NotoSansJP-Bold.otf'),
    };
    await Promise.all(Object.values(files).map((f: string) => access(f)));
  } catch (cause) {
    throw new AuditpackError('INTERNAL', 'the PDF fonts (npm packages @embedpdf/fonts-latin and @embedpdf/fonts-jp) are missing', {
      cause,
      hint: 'reinstall auditpack with its dependencies (npm ci)',
    });
  }
  return files;
}
