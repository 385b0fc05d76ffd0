import type { Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import { createCliContext, runCommand } from '../context.js';

interface VerifyArgs {
  pack?: string;
  json?: boolean;
  key?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export function registerVerify<T>(yargs: Argv<T>, signal: AbortSignal): Argv<T> {
  return yargs.command<VerifyArgs>(
    'verify <pack>',
    'Re-hash every file of an evidence pack against its manifest, never following links out of it (exit 0 intact and complete, 1 intact but INCOMPLETE, 5 altered)',
    (y) =>
      y
        .positional('pack', { type: 'string', describe: 'The pack folder' })
        .option('key', { type: 'string', describe: 'PEM public key: also check manifest.sig, the signature of manifest.json (fails when absent or not matching)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' }),
    async (argv) => {
      const ctx = createCliContext(argv, signal, process.argv.slice(2));
      await runCommand(ctx, async () => {
        const { verifyPack } = await import('../../pack/verify-pack.js');
        const r = await verifyPack(argv.pack ?? '.', argv.key ? { key: argv.key } : {});
        if (argv.json) {
          const { manifest: _m, ...rest } = r;
          ctx.stdout(JSON.stringify(rest, null, 2) + '\n');
        } else {
          for (const p of r.mismatched) ctx.stdout(`CHANGED  ${p}\n`);
          for (const p of r.missing) ctx.stdout(`MISSING  ${p}\n`);
          for (const p of r.extra) ctx.stdout(`EXTRA    ${p}\n`);
          for (const p of r.refused) ctx.stdout(`REFUSED  ${p.path} (a ${p.kind}: a pack holds only files; not opened)\n`);
          for (const line of r.inconsistent) ctx.stdout(`STATUS   ${line}\n`);
          const s = r.signature;
          if (s.checked) ctx.stdout(s.valid ? `SIGNED   manifest.sig is valid under key ${s.keyFingerprint}\n` : `BAD SIG  ${s.problem}\n`);
          else if (s.present) ctx.stdout(`SIGNED   by key ${s.statedFingerprint ?? '(not stated)'}: not checked (give --key PUBLIC.pem)\n`);
          ctx.stdout(
            r.ok
              ? `OK: ${r.checked} files match the manifest (pack ${r.manifest.packId}, ${r.status}, generated ${r.manifest.generatedAt})\n` +
                  `manifest.json SHA-256 ${r.manifestSha256}: compare it with the hash recorded when the pack was handed over\n`
              : `FAILED: ${r.mismatched.length} changed, ${r.missing.length} missing, ${r.extra.length} not in the manifest, ${r.refused.length} not a file, ${r.inconsistent.length} status contradiction(s)${r.signature.checked && !r.signature.valid ? ', signature not valid' : ''}\n`,
          );
        }
        if (!r.ok) return EXIT.verifyFailed;
        return r.status === 'COMPLETE' ? EXIT.ok : EXIT.incomplete;
      });
    },
  );
}
