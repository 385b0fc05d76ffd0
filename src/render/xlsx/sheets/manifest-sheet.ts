import type { ReportModel } from '../../../model/report-model.js';
import { blankRow, type PlainRow } from '../plain-rows.js';
import { pair, parameterRows } from './summary-sheet.js';

const FILE_HASHES =
  'The SHA-256 of every file in the evidence pack, this workbook included, is recorded in manifest.json beside this file, ' +
  "with a digest of this workbook's unzipped content that does not depend on zip details. Run \"auditpack verify <pack>\" to check them.";

/** How the pack was made. File hashes live in the pack's manifest: a file cannot hold its own. */
export function manifestRows(model: ReportModel): PlainRow[] {
  const { meta, period } = model;
  return [
    { cells: ['Manifest'], role: 'title' },
    pair('Title', meta.title),
    pair('Organization', meta.organization),
    pair('Pack id', meta.packId),
    pair('Generated at (UTC)', meta.generatedAt),
    pair('auditpack version', meta.toolVersion),
    pair('Command', meta.command),
    pair('Template', meta.template),
    pair('Period', `${period.label} (${period.timeZone}): ${period.startLocal} to ${period.endLocal}, end exclusive`),
    blankRow,
    { cells: ['Parameters'], role: 'section' },
    { cells: ['Parameter', 'Value'], role: 'header' },
    ...parameterRows(meta.parameters),
    blankRow,
    { cells: ['Sources'], role: 'section' },
    { cells: ['Name', 'Type', 'Description'], role: 'header' },
    ...meta.sources.map((s): PlainRow => ({ cells: [s.name, s.type, s.description], role: 'pair', spanLast: true })),
    blankRow,
    pair('File hashes', FILE_HASHES),
  ];
}
