import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoStack, type DemoStack } from '../../src/demo/demo-stack.js';
import { parsePeriod } from '../../src/period/parse-period.js';
import type { PeriodInfo } from '../../src/model/report-model.js';
import type { RunJobResult } from '../../src/job/run-job.js';
import { loadTemplate } from '../../src/templates/load-template.js';
import { templatesDir } from '../../src/package-info.js';
import { readPdf, pageText } from '../render/pdf/read-pdf.js';
import { cli, JSON_FILES, readJson, runPack, tempDir } from './harness.js';

/**
 * Issue #6's end-to-end check: each built-in template on the demo data produces the sections it
 * promises, read back from the PDF text (pdf.js) and the workbook (exceljs reading what the
 * streaming writer wrote); the same seed gives the same sample; `--previous` marks trends.
 */
let stack: DemoStack;
let period: PeriodInfo;
const packs: Record<string, { out: string; result: RunJobResult }> = {};

async function pack(name: string, template: string, extra: { previous?: string; files?: readonly string[] } = {}) {
  const out = join(tempDir(), name);
  const result = await runPack({ configFile: stack.configFile, env: stack.env, period: period.label, tz: period.timeZone, out, template, ...extra });
  packs[name] = { out, result };
  return packs[name];
}

/**
 * Each pack's workbook and PDF text are read once and shared by the tests that look at them (no
 * test changes either): exceljs reading a month's Events sheet and pdf.js reading a report take
 * seconds each, and the same five packs were read back a dozen times.
 */
function once<T>(read: (out: string) => Promise<T>): (out: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (out) => {
    if (!cache.has(out)) cache.set(out, read(out));
    return cache.get(out)!;
  };
}

const workbook = once(async (out: string): Promise<ExcelJS.Workbook> => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(join(out, 'report.xlsx'));
  return wb;
});

const pdfText = once(async (out: string): Promise<{ pages: string[]; all: string }> => {
  const pages = (await readPdf(join(out, 'report.pdf'))).pages.map(pageText);
  return { pages, all: pages.join('\n') };
});

/** A table sheet's rows as records keyed by its header: the first row of three or more distinct cells (above it, a sample's pairs; a merged cell repeats one value). */
function table(ws: ExcelJS.Worksheet): Record<string, unknown>[] {
  let headerRow = 0;
  for (let n = 1; n <= ws.rowCount && !headerRow; n++) if (new Set((ws.getRow(n).values as unknown[]).filter((v) => v !== undefined && v !== null).map(String)).size >= 3) headerRow = n;
  const headers = (ws.getRow(headerRow).values as unknown[]).slice(1).map(String);
  const out: Record<string, unknown>[] = [];
  for (let n = headerRow + 1; n <= ws.rowCount; n++) {
    const values = (ws.getRow(n).values as unknown[]).slice(1);
    if (values.every((v) => v === undefined || v === null)) continue;
    out.push(Object.fromEntries(headers.map((h, i) => [h, values[i]])));
  }
  return out;
}

beforeAll(async () => {
  period = parsePeriod({ period: 'last-month', timeZone: 'Europe/Berlin', now: Date.now() });
  stack = await startDemoStack({ dir: tempDir('ap-tpl-'), period, now: Date.now(), timeZone: period.timeZone });
  await pack('soc2', 'soc2-monthly');
  await pack('handoff', 'auditor-handoff');
  await pack('failed', 'failed-operations');
  // Last month's pack, for the trend: the failure review's exceptions are a subset of the handoff's.
  // The trend packs are read from their workbook and manifest only: no PDF (the most of a pack's time).
  await pack('handoff-again', 'auditor-handoff', { previous: packs.failed.out, files: [...JSON_FILES, 'report.xlsx'] });
  // A made-up last month: the SOC 2 pack's exceptions plus two that did not come back, one for a
  // rule failed-operations runs and one for a rule it does not have.
  const previous = join(tempDir(), 'previous');
  mkdirSync(previous);
  const summary = JSON.parse(readFileSync(join(packs.soc2.out, 'summary.json'), 'utf8')) as { exceptionSubjects: Record<string, unknown>[] };
  summary.exceptionSubjects.push(
    { ruleId: 'access-denied', subject: 'arn:aws:iam::123456789012:user/gone | GetBots', title: 'AWS call refused for lack of permission', severity: 'high', control: 'CC6.1', count: 3 },
    { ruleId: 'smapi-deletion', subject: 'amzn1.account.GONE | deleteSkill', title: 'SMAPI deletion', severity: 'medium', control: 'CC8.1', count: 1 },
  );
  writeFileSync(join(previous, 'summary.json'), JSON.stringify(summary));
  await pack('failed-vs-soc2', 'failed-operations', { previous, files: [...JSON_FILES, 'report.xlsx'] });
}, 300_000);
afterAll(async () => {
  await stack?.close();
});

describe('soc2-monthly on the demo data', () => {
  it('has every section in the PDF: cover, summary, tables, exceptions by criterion, coverage ledger, sign-off', async () => {
    const { result, out } = packs.soc2;
    expect(result.model.complete).toBe(true);
    const { pages, all } = await pdfText(out);
    expect(pages[0]).toContain('SOC 2 monthly evidence pack');
    expect(pages[0]).toContain('COMPLETE');
    for (const heading of ['Summary', 'Operations', 'Response codes', 'Requesters', 'Clients', 'Failure clusters', 'Exceptions', 'Samples', 'Coverage appendix', 'Sign-off']) {
      expect(all, heading).toContain(heading);
    }
    expect(all).toContain('Grouped by Trust Services Criterion');
    const template = await loadTemplate('soc2-monthly', templatesDir());
    const byControl = result.model.exceptionCounts.byControl;
    // Every criterion the template's rules map to has its heading, with a count or "no exceptions".
    for (const control of new Set(template.rules.map((r) => r.control))) {
      expect(byControl[control], control).toBeTypeOf('number');
      expect(all).toMatch(new RegExp(`${control.replace('.', '\\.')} [a-z ,-]+ — (no exceptions in the period|[\\d,]+ in the period)`));
    }
    expect(pages.at(-1)).toContain('Sign-off');
  });

  it('has the workbook sheets, exceptions with the reviewer’s workflow columns and their criterion', async () => {
    const { result, out } = packs.soc2;
    const wb = await workbook(out);
    const names = wb.worksheets.map((w) => w.name);
    expect(names).toEqual(expect.arrayContaining(['Summary', 'Operations', 'Requesters', 'Exceptions', 'Failure clusters', 'Events', 'Coverage', 'Manifest']));
    const exceptions = table(wb.getWorksheet('Exceptions')!);
    expect(exceptions).toHaveLength(result.model.exceptions.count);
    for (const column of ['Control', 'Severity', 'Disposition', 'Ticket', 'Reviewer', 'Review date']) expect(Object.keys(exceptions[0])).toContain(column);
    const perControl: Record<string, number> = {};
    for (const row of exceptions) perControl[String(row.Control)] = (perControl[String(row.Control)] ?? 0) + 1;
    const nonZero = Object.fromEntries(Object.entries(result.model.exceptionCounts.byControl).filter(([, n]) => n > 0));
    expect(perControl).toEqual(nonZero);
    expect(table(wb.getWorksheet('Events')!)).toHaveLength(result.model.totals.events);
  });
});

describe('auditor-handoff on the demo data', () => {
  it('puts the full population and the exceptions in the workbook, and keeps the PDF to a cover, summary, method and sign-off', async () => {
    const { result, out } = packs.handoff;
    const wb = await workbook(out);
    expect(table(wb.getWorksheet('Events')!)).toHaveLength(result.model.totals.events);
    expect(table(wb.getWorksheet('Exceptions')!)).toHaveLength(result.model.exceptions.count);
    const { pages, all } = await pdfText(out);
    expect(pages.length).toBeLessThanOrEqual(4);
    expect(all).toContain('Audit evidence handoff');
    expect(all).toContain('In the workbook (report.xlsx)');
    expect(all).not.toContain('Coverage appendix');
    // Named once, in the list of what the workbook holds: the PDF has no Failure clusters section.
    expect(all.split('Failure clusters').length - 1).toBe(1);
  });

  it('has one Sample sheet per population, sized by the common table, with its seed and method on the sheet and in the manifest', async () => {
    const { result, out } = packs.handoff;
    const wb = await workbook(out);
    const manifest = await readJson<{ parameters: Record<string, unknown>; sampling?: unknown }>(join(out, 'manifest.json'));
    expect(manifest.parameters.sampleSeed).toBe(`${period.label}:auditor-handoff`);
    expect(String(manifest.parameters.sampleMethod)).toMatch(/^v2: .*SHA-256/);
    expect(manifest.sampling).toEqual({ method: 'v2', seed: `${period.label}:auditor-handoff`, seedSource: 'default' });
    expect(result.model.samples.map((s) => s.population)).toEqual(['Failed operations', 'Privileged changes']);
    for (const sample of result.model.samples) {
      const ws = wb.getWorksheet(`Sample - ${sample.population}`)!;
      expect(ws, sample.population).toBeDefined();
      const pairs = Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [String(ws.getRow(n).getCell(1).value), ws.getRow(n).getCell(2).value]));
      expect(pairs.Population).toBe(sample.population);
      expect(pairs.Seed).toBe(manifest.parameters.sampleSeed);
      expect(String(pairs.Method)).toContain('auditpack-sample-v2');
      // The default seed is known to whoever runs the tool: the sheet says the auditor should choose it.
      expect(String(pairs['Seed chosen by'])).toMatch(/^the default .*The auditor should choose the seed/);
      const n = sample.populationSize;
      const expected = n <= 5 ? n : n <= 50 ? 5 : n <= 250 ? Math.ceil(n / 10) : 25;
      expect(pairs['Sample size']).toBe(expected);
      expect(table(ws)).toHaveLength(expected);
    }
    // The failures population is every failed event of the period.
    expect(result.model.samples[0].populationSize).toBe(result.model.totals.failures);
  });

  it('draws the same sample from the same seed on another run', async () => {
    const ids = async (out: string) => {
      const wb = await workbook(out);
      return wb.worksheets.filter((w) => w.name.startsWith('Sample')).map((w) => table(w).map((r) => r['Event id']));
    };
    const first = await ids(packs.handoff.out);
    expect(first.flat().length).toBeGreaterThan(25);
    expect(await ids(packs['handoff-again'].out)).toEqual(first);
    // …and a different seed draws a different one (so the comparison above can fail).
    expect(packs.soc2.result.model.samples[0].rows.map((e) => e.id)).not.toEqual(packs.handoff.result.model.samples[0].rows.map((e) => e.id));
  });

  it('marks each exception new or recurring against the previous pack, matched on rule and subject', async () => {
    const failedRules = new Set(packs.failed.result.model.exceptionSubjects.map((s) => `${s.ruleId}\u0000${s.subject}`));
    const wb = await workbook(packs['handoff-again'].out);
    const rows = table(wb.getWorksheet('Exceptions')!);
    const trends = new Map<string, number>();
    for (const row of rows) trends.set(String(row.Trend), (trends.get(String(row.Trend)) ?? 0) + 1);
    expect(trends.get('new')).toBeGreaterThan(0);
    expect(trends.get('recurring')).toBeGreaterThan(0);
    for (const row of rows) {
      const key = `${String(row.Rule)}\u0000${String(row.Subject)}`;
      expect(row.Trend, key).toBe(failedRules.has(key) ? 'recurring' : 'new');
    }
    const manifest = await readJson<{ parameters: Record<string, unknown> }>(join(packs['handoff-again'].out, 'manifest.json'));
    expect(manifest.parameters.previousPack).toBe(packs.failed.result.model.meta.packId);
  });
});

describe('month over month across templates', () => {
  it('calls resolved only what a rule of this template looked for and did not find', async () => {
    const { result, out } = packs['failed-vs-soc2'];
    const template = await loadTemplate('failed-operations', templatesDir());
    const rows = table((await workbook(out)).getWorksheet('Exceptions')!);
    const resolved = rows.filter((r) => r.Trend === 'resolved').map((r) => `${String(r.Rule)} ${String(r.Subject)}`);
    // Last month's SOC 2 pack had hundreds of sensitive-operation exceptions this template has no rule for: none is "resolved".
    expect(packs.soc2.result.model.exceptionSubjects.some((s) => !template.rules.some((r) => r.id === s.ruleId))).toBe(true);
    expect(resolved).toEqual(['access-denied arn:aws:iam::123456789012:user/gone | GetBots']);
    // The same data: every other exception of the failure review was in last month's pack too.
    expect(rows.filter((r) => r.Trend === 'new')).toEqual([]);
    expect(rows.filter((r) => r.Trend === 'recurring')).toHaveLength(result.model.exceptions.count - 1);
  });
});

describe('templates from the command line (the built CLI)', () => {
  it('`auditpack templates` lists every built-in with its description', async () => {
    const r = await cli(['templates']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const [i, name] of ['auditor-handoff', 'failed-operations', 'soc2-monthly'].entries()) {
      const t = await loadTemplate(name, templatesDir());
      expect(lines[i]).toMatch(new RegExp(`^${name} +`));
      expect(lines[i].replace(/^\S+ +/, '')).toBe(t.description);
    }
  });

  const broken: [string, (t: Record<string, unknown> & { rules: Record<string, unknown>[] }) => void, string][] = [
    ['unknown catalogue rule id', (t) => ((t.rules as unknown[])[2] = 'acess-denied'), 'rules[2]: expected the id of a catalogue rule ("acess-denied" is not one; did you mean "access-denied"?), or a rule of your own with a "type"'],
    ['unknown key', (t) => (t.colour = 'blue'), 'colour: unknown key "colour": remove it or check its spelling'],
    ['unknown rule type', (t) => (t.rules[1].type = 'regex-match'), 'rules[1].type: expected one of "match", "requester-not-in-directory", "outside-business-hours", "burst", "coverage", "quiet-period", got "regex-match"'],
    ['missing field', (t) => delete t.rules[0].control, 'rules[0].control: missing: expected a string'],
    ['wrong type', (t) => (t.pdfExceptionLimit = 'lots'), 'pdfExceptionLimit: expected a number, got "lots"'],
    [
      'bad regular expression',
      (t) => (t.rules[0].match = { responseCode: { regex: 'Access(Denied' } }),
      'rules[0].match.responseCode.regex: expected a valid regular expression (Invalid regular expression: /Access(Denied/: Unterminated group), got "Access(Denied"',
    ],
  ];
  it.each(broken)('a bad template (%s): exit 2, one line naming the file, the path inside it and what was expected; nothing written', async (_what, edit, expected) => {
    const dir = tempDir('ap-tpl-bad-');
    // failed-operations with its catalogue rules copied in as the user's own (under ids of their own), then broken.
    const t = JSON.parse(readFileSync(join(templatesDir(), 'failed-operations.json'), 'utf8')) as Parameters<typeof edit>[0];
    t.rules = (await loadTemplate('failed-operations', templatesDir())).rules.map((r) => ({ ...r, id: `my-${r.id}` }));
    edit(t);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(t, null, 2));
    const out = join(dir, 'pack');
    // The template is read with the config, before any source is built: no pack folder appears.
    const r = await cli(['run', '--template', './bad.json', '-c', stack.configFile, '--period', period.label, '--tz', period.timeZone, '-o', out], { cwd: dir, env: stack.env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`auditpack: ./bad.json: ${expected} — see docs/rules.md for the template format`]);
    expect(existsSync(out)).toBe(false);
  });

  it('`--template ./mine.json` runs a user’s own template end to end', async () => {
    const dir = tempDir('ap-tpl-own-');
    const own = {
      name: 'deletions',
      description: 'Every successful deletion',
      title: 'Deletions review',
      primaryOutput: 'xlsx',
      sections: ['cover', 'summary', 'exceptions', 'coverage'],
      pdfExceptionLimit: 50,
      groupExceptionsBy: 'rule',
      rules: [{ id: 'any-deletion', type: 'match', title: 'Deletion', severity: 'medium', control: 'CC8.1', reason: 'Deletions need a change ticket.', match: { operationName: { prefix: 'delete', ignoreCase: true }, outcome: 'success' } }],
    };
    writeFileSync(join(dir, 'mine.json'), JSON.stringify(own));
    const out = join(dir, 'pack');
    // The period's first week: what is checked is that the CLI runs a user's template, not a month of data.
    const week = ['--from', `${period.label}-01`, '--to', `${period.label}-07`];
    const r = await cli(['run', '--template', './mine.json', '-c', stack.configFile, ...week, '--tz', period.timeZone, '-o', out, '--json', '-q'], { cwd: dir, env: stack.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = await readJson<{ meta: { template: string }; exceptionSubjects: { ruleId: string }[]; exceptionsTotal: number }>(join(out, 'summary.json'));
    expect(summary.meta.template).toBe('deletions');
    expect(summary.exceptionsTotal).toBeGreaterThan(0);
    expect(new Set(summary.exceptionSubjects.map((s) => s.ruleId))).toEqual(new Set(['any-deletion']));
    expect((await workbook(out)).worksheets.map((w) => w.name)).toEqual(expect.arrayContaining(['Summary', 'Exceptions', 'Coverage']));
  });
});

describe('failed-operations on the demo data', () => {
  it('keeps failures only, ranks offenders by failures, and shows clusters, the daily trend and bursts', async () => {
    const { result, out } = packs.failed;
    expect(result.model.failuresOnly).toBe(true);
    // Every event is counted; only failures are listed.
    expect(result.model.totals.events).toBe(packs.soc2.result.model.totals.events);
    const wb = await workbook(out);
    expect(wb.worksheets.map((w) => w.name)).not.toContain('Events');
    expect(wb.worksheets.map((w) => w.name)).toEqual(expect.arrayContaining(['Failure clusters', 'Daily', 'Exceptions', 'Requesters']));
    const exceptions = table(wb.getWorksheet('Exceptions')!);
    const ruleIds = new Set(exceptions.map((r) => String(r.Rule)));
    expect(ruleIds.has('failure-burst')).toBe(true);
    for (const id of ruleIds) expect(['access-denied', 'unauthorized-request', 'console-sign-in-failure', 'server-error', 'client-error', 'operation-error', 'failure-burst', 'logging-gap', 'collection-problem', 'log-integrity-failure']).toContain(id);
    const clusters = table(wb.getWorksheet('Failure clusters')!);
    expect(clusters.reduce((n, r) => n + Number(r.Failures), 0)).toBe(result.model.totals.failures);

    const { all } = await pdfText(out);
    expect(all).toContain('Failed operations review');
    expect(all).toContain('Failure clusters');
    expect(all).toMatch(/Daily counts/);
    expect(all).toMatch(/requesters, [\d,]+ with failures, most failures first/);
    // The first requester row is the one with the most failures.
    const top = [...result.model.requesters].sort((a, b) => b.failures - a.failures)[0];
    // Full ids wrap over lines in the PDF: compared without the line breaks and spaces.
    const squash = (s: string) => s.replace(/\s+/g, '');
    const requesters = squash(all.slice(all.indexOf('most failures first')));
    expect(requesters.indexOf(squash(top.key))).toBeGreaterThan(0);
    for (const other of result.model.requesters.filter((r) => r.failures < top.failures && r.failures > 0).slice(0, 5)) {
      expect(requesters.indexOf(squash(top.key))).toBeLessThan(requesters.indexOf(squash(other.key)));
    }
  });
});

describe('legibility of the three demo packs', () => {
  // The one "…" a pack may print: the sampling method's "j = 0, 1, 2, …", a mathematical series.
  const SERIES = /0, 1, 2, …/g;

  it('cuts nothing in any PDF: no "…" but the sampling formula, and ids, ARNs and user agents appear whole', async () => {
    for (const name of ['soc2', 'handoff', 'failed']) {
      const { all } = await pdfText(packs[name].out);
      expect(all.replace(SERIES, '').includes('…'), name).toBe(false);
      // A symbol the Latin font lacks is drawn from the other font, not as an empty box.
      if (name !== 'failed') expect(all.replace(/\s+/g, ' '), name).toContain('skipping x ≥ N');
    }
    // A full ARN and a full public-key requester id are found, whole, in the SOC 2 PDF once the wraps are joined.
    const squash = (s: string) => s.replace(/\s+/g, '');
    const text = squash((await pdfText(packs.soc2.out)).all);
    const longIds = packs.soc2.result.model.requesters.map((r) => r.key).filter((k) => k.length > 60).slice(0, 3);
    expect(longIds.length).toBeGreaterThan(0);
    for (const id of longIds) expect(text).toContain(squash(id));
  });

  it('names each operation once: the same service and operation in Operations, Exceptions, Events and the PDF', async () => {
    const wb = await workbook(packs.soc2.out);
    const key = (r: Record<string, unknown>) => `${String(r.Service)} | ${String(r.Operation)}`;
    const operations = new Set(table(wb.getWorksheet('Operations')!).map(key));
    const events = table(wb.getWorksheet('Events')!);
    const exceptions = table(wb.getWorksheet('Exceptions')!).filter((r) => r.Operation !== undefined && r.Operation !== null);
    expect(new Set(events.map(key))).toEqual(operations);
    // An exception about one event names its operation as Operations does; a finding over many
    // events (a burst) names their service(s) too.
    for (const r of exceptions) {
      if (r['Event id']) expect(operations.has(key(r)), key(r)).toBe(true);
      else expect(r.Service, key(r)).toBeTruthy();
    }
    // No operation carries its service as a prefix ("smapi getSkillManifest.v1").
    for (const k of operations) {
      const [service, operation] = k.split(' | ');
      expect(operation.startsWith(`${service} `), k).toBe(false);
    }
    const pdf = (await pdfText(packs.soc2.out)).all;
    for (const k of [...operations].slice(0, 20)) expect(pdf).toContain(k.split(' | ')[1]);
  });

  it('lists in each PDF and README.txt the workbook’s real sheet names, and labels instead of key names', async () => {
    for (const name of ['soc2', 'handoff', 'failed']) {
      const { out } = packs[name];
      const sheets = (await workbook(out)).worksheets.map((w) => w.name);
      const readme = readFileSync(join(out, 'README.txt'), 'utf8');
      const { all } = await pdfText(out);
      for (const sheet of sheets) {
        expect(readme, `${name} README.txt`).toContain(`  ${sheet}: `);
        if (name === 'handoff') expect(all, `${name} PDF`).toContain(sheet);
      }
      expect(readme).not.toContain('<population>');
      expect(all).not.toContain('<population>');
      for (const key of ['periodStartUtc', 'sampleSeedSource', 'configSha256', 'timeZone']) expect(all, `${name} PDF`).not.toContain(key);
    }
  });
});
