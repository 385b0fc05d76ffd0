import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportModel } from '../model/report-model.js';
import { workbookGuide } from '../render/workbook-guide.js';
import { listFiles, MANIFEST_FILE, MANIFEST_SEAL_FILE, MANIFEST_SIGNATURE } from './manifest.js';
import { opensslVerifyCommand, type SignatureAlgorithm } from './sign-manifest.js';

/** The pack's index: every file, what it holds, how to check it. It is listed (and hashed) in the manifest. */
export const PACK_INDEX_FILE = 'README.txt';

const KNOWN: readonly (readonly [RegExp, string])[] = [
  [/^report\.pdf$/, 'the report to read and sign: period, method, completeness, coverage, exceptions, sign-off'],
  [/^report\.xlsx$/, 'the workbook an auditor filters, samples and re-performs (sheets below)'],
  [/^summary\.json$/, 'the report\'s figures as JSON: totals, per source, per operation, response code, requester, exceptions by subject'],
  [/^coverage\.json$/, 'the coverage ledger as JSON: every source × window, its requests, pages, records and status'],
  [/^network\.json$/, 'how the network behaved per window (attempts, retries, throttles, waits): it varies between runs of the same inputs'],
  [/^events\.csv\.gz$/, 'every event of the population as CSV (RFC 4180, UTF-8), gzip-compressed: the Events sheet\'s columns'],
  [/^raw\/([^/]+)\/.+\.ndjson\.gz$/, 'the records of one window as received from source $1, one JSON document per line (gzip)'],
  [/^raw\/([^/]+)\/.+/, 'records or source-level evidence of source $1 as received'],
  [/^README\.txt$/, 'this index'],
];

/** What a file holds, from its path; null for a file this version does not know. */
export function describePackFile(path: string): string | null {
  for (const [re, text] of KNOWN) {
    const m = re.exec(path);
    if (m) return text.replace('$1', m[1] ?? '');
  }
  return null;
}

/**
 * Writes README.txt into the staged pack, listing the files already there plus the manifest files
 * written after it: so it must run after every renderer and before the manifest is hashed.
 */
export async function writePackIndex(dir: string, model: ReportModel, signer: { algorithm: SignatureAlgorithm; keyFingerprint: string } | null): Promise<void> {
  const files = [...new Set([...(await listFiles(dir)), PACK_INDEX_FILE])].sort();
  const status = model.complete ? 'COMPLETE' : 'INCOMPLETE';
  const lines: string[] = [
    `${model.meta.title}: evidence pack ${model.meta.packId}`,
    `${model.meta.organization}, period ${model.period.label} (${model.period.startLocal} to ${model.period.endLocal}, ${model.period.timeZone}), ${status}`,
    `Generated ${model.meta.generatedAt} by auditpack ${model.meta.toolVersion} with template ${model.meta.template}.`,
    '',
    'FILES',
    '',
  ];
  const width = Math.min(48, Math.max(...files.map((f) => f.length), MANIFEST_SIGNATURE.length));
  const row = (path: string, text: string) => lines.push(`${path.padEnd(width)}  ${text}`);
  for (const f of files) row(f, describePackFile(f) ?? 'a file of this pack (listed in manifest.json)');
  row(MANIFEST_FILE, 'every file above with its size and SHA-256, the run parameters and the status');
  row(MANIFEST_SEAL_FILE, `the SHA-256 of ${MANIFEST_FILE} (sha256sum format)`);
  if (signer) row(MANIFEST_SIGNATURE, `the ${signer.algorithm} signature of ${MANIFEST_FILE}`);
  const elsewhere = model.populationElsewhere ?? [];
  if (elsewhere.length) {
    lines.push('', 'EVENTS COUNTED WHERE THEY LIVE (not listed in the Events sheet or events.csv.gz)', '');
    for (const p of elsewhere) lines.push(`  ${p.source}: ${p.events.toLocaleString('en-US')} events. ${p.where}`);
  }
  lines.push('', 'WORKBOOK SHEETS (report.xlsx)', '');
  for (const s of workbookGuide(model)) lines.push(`  ${s.sheet}: ${s.holds}`);
  lines.push(
    '',
    'HOW TO VERIFY THIS PACK',
    '',
    'With auditpack (every file against the manifest, the manifest against its seal):',
    '',
    `  auditpack verify .${signer ? ' --key public.pem' : ''}`,
    '',
    'With standard tools, from this folder:',
    '',
    `  sha256sum -c ${MANIFEST_SEAL_FILE}`,
    `  jq -r '.files[] | "\\(.sha256)  \\(.path)"' ${MANIFEST_FILE} | sha256sum -c -`,
    '',
    `The first checks ${MANIFEST_FILE}, the second every file it lists. A file present here but not`,
    `in ${MANIFEST_FILE} (other than ${MANIFEST_FILE}, ${MANIFEST_SEAL_FILE}${signer ? ` and ${MANIFEST_SIGNATURE}` : ''}) was added afterwards.`,
    'report.xlsx also has a contentSha256 over its unzipped parts, stable if the file is re-zipped.',
  );
  if (signer) {
    lines.push(
      '',
      'SIGNATURE',
      '',
      `${MANIFEST_FILE} is signed (${signer.algorithm}) by the key with fingerprint`,
      `  ${signer.keyFingerprint}`,
      '(the SHA-256 of the public key in DER form). Get public.pem from the pack\'s author by another',
      'channel, check its fingerprint, then check the signature:',
      '',
      '  openssl pkey -pubin -in public.pem -outform DER | sha256sum',
      `  ${opensslVerifyCommand(signer.algorithm)}`,
      '',
      'openssl prints "Verified OK" / "Signature Verified Successfully" when manifest.json is exactly',
      'what was signed.',
    );
  } else {
    lines.push('', 'This pack is not signed (auditpack run --sign-key signs manifest.json into manifest.sig).');
  }
  if (!model.complete) lines.push('', 'INCOMPLETE BECAUSE', '', ...model.incompleteReasons.map((r) => `  - ${r}`));
  await writeFile(join(dir, PACK_INDEX_FILE), lines.join('\n') + '\n');
}
