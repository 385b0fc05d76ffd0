import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditpackError } from '../../../src/errors.js';
import type { ExceptionRow } from '../../../src/model/exception.js';
import type { ReportModel, RowStream } from '../../../src/model/report-model.js';
import { syntheticModel, type SyntheticOptions } from '../../../src/model/synthetic-model.js';
import { renderPdf } from '../../../src/render/pdf/render-pdf.js';
import { pageText, readPdf, type PdfText } from './read-pdf.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auditpack-pdf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Counts the exception rows the renderer pulls, and fails the render if it touches the events stream. */
function instrument(model: ReportModel): { model: ReportModel; exceptionRowsRead: () => number } {
  let read = 0;
  const inner = model.exceptions;
  const exceptions: RowStream<ExceptionRow> = {
    count: inner.count,
    async *open() {
      for await (const row of inner.open()) {
        read++;
        yield row;
      }
    },
  };
  const events: ReportModel['events'] = {
    count: model.events.count,
    async *open() {
      throw new Error('the PDF renderer must never read the events stream');
    },
  };
  return { model: { ...model, exceptions, events }, exceptionRowsRead: () => read };
}

async function render(name: string, options: SyntheticOptions, edit?: (m: ReportModel) => ReportModel) {
  const base = syntheticModel(options);
  const { model, exceptionRowsRead } = instrument(edit ? edit(base) : base);
  const path = join(dir, `${name}.pdf`);
  const { pages } = await renderPdf(model, path);
  return { path, pages, model, text: await readPdf(path), exceptionRowsRead };
}

const all = (t: PdfText) => t.pages.map(pageText).join('\n');
/** Exception rows in the PDF: every synthetic exception's resource cell, drawn once per row. */
const exceptionRowsDrawn = (t: PdfText) => t.pages.flat().filter((s) => s === '-amzn1.ask.skill.x').length;

describe('renderPdf on a complete model', () => {
  let r: Awaited<ReturnType<typeof render>>;
  beforeAll(async () => {
    r = await render('complete', { events: 1000, exceptions: 40, pdfExceptionLimit: 500 }, (m) => ({
      ...m,
      signOff: { preparedBy: 'Søren Ågård', reviewedBy: null, date: '2026-11-03', conclusion: null },
      samples: [
        {
          population: 'privileged-operations',
          populationSize: 1234,
          sampleSize: 1,
          seed: 'seed-42',
          seedSource: 'given',
          methodVersion: 'v2',
          method: 'simple random sample without replacement',
          selection: [{ rank: 1, position: 17 }],
          rows: [
            {
              id: 'evt-sample-1',
              time: Date.UTC(2026, 9, 7, 15, 30),
              source: 'smapi',
              sourceType: 'smapi',
              service: 'smapi',
              operation: 'deleteSkill.v1',
              outcome: 'failure',
              responseCode: '403',
              requester: { id: 'amzn1.account.0002SYNTH', name: '山田太郎', email: 'taro.yamada@example.jp' },
              resources: [{ id: 'amzn1.ask.skill.sampled', type: 'Skill' }],
            },
          ],
        },
      ],
      coverage: {
        ...m.coverage,
        sources: [
          {
            source: 'trail',
            sourceType: 'cloudtrail-files',
            title: 'Digest validation',
            status: 'complete',
            facts: { digestFilesChecked: 744, 'chain.unbroken': true },
            problems: [],
          },
        ],
      },
    }));
  });

  it('states COMPLETE on the cover, never INCOMPLETE anywhere', () => {
    const cover = pageText(r.text.pages[0]);
    expect(cover).toContain('COMPLETE');
    expect(cover).toContain('SOC 2 monthly evidence pack');
    expect(all(r.text)).not.toContain('INCOMPLETE');
  });

  it('shows the period in the report time zone and in UTC on the cover', () => {
    const cover = pageText(r.text.pages[0]);
    expect(cover).toContain('2026-10-01 00:00:00 UTC−04:00 to 2026-11-01 00:00:00 UTC−04:00 (end exclusive)');
    expect(cover).toContain('2026-10-01 04:00:00 UTC to 2026-11-01 04:00:00 UTC (end exclusive)');
    expect(cover).toContain('2026-11-02 09:00:00 UTC (2026-11-02 04:00:00 UTC−05:00 America/New_York)');
  });

  it('prints the totals on the summary page', () => {
    const summary = r.text.pages.find((p) => p.includes('Summary'));
    expect(summary).toBeDefined();
    const items = summary ?? [];
    expect(items[items.indexOf('Total events') + 1]).toBe('1,000');
    expect(items[items.indexOf('Failures') + 1]).toBe('50');
    expect(items[items.indexOf('Success rate') + 1]).toBe('95.00%');
  });

  it('numbers every page "Page X of Y" with Y the real page count, under a header naming the period', () => {
    expect(r.text.pages.length).toBe(r.pages);
    expect(r.pages).toBeGreaterThan(5);
    r.text.pages.forEach((items, i) => {
      expect(items).toContain(`Page ${i + 1} of ${r.pages}`);
      expect(items).toContain('Period 2026-10: 2026-10-01 00:00 – 2026-11-01 00:00 America/New_York');
      expect(pageText(items)).toContain('Pack abc123def456');
    });
  });

  it('extracts the Unicode names exactly as written', () => {
    const text = all(r.text);
    for (const name of ['Zoë Łukasiewicz', 'Søren Ågård', '山田太郎', 'Chloé Dubois', 'Bob O’Brien']) expect(text).toContain(name);
    expect(r.text.info.Author).toBe('Example Corp — Łódź & 東京');
  });

  it('repeats the table header on every page a long table continues on', () => {
    const continued = r.text.pages.filter((p) => p.includes('Operations (continued)'));
    expect(continued.length).toBeGreaterThanOrEqual(2);
    for (const items of continued) {
      const at = items.indexOf('Operations (continued)');
      expect(items.slice(at + 1, at + 4)).toEqual(['Service', 'Operation', 'Events']);
    }
    // 60 operations, each on exactly one page.
    const rows = r.text.pages.flat().filter((s) => /^operation\d+$/.test(s));
    expect(new Set(rows).size).toBe(60);
    expect(rows.length).toBe(60);
  });

  it('lists every exception when there are fewer than the limit, with no truncation banner', () => {
    expect(all(r.text)).not.toContain('Showing');
    expect(exceptionRowsDrawn(r.text)).toBe(40);
    expect(r.exceptionRowsRead()).toBe(40);
  });

  it('groups exceptions by Trust Services Criterion, each with its count, severity within', () => {
    const text = all(r.text);
    expect(text).toContain('Grouped by Trust Services Criterion');
    const counts = r.model.exceptionCounts.byControl;
    for (const [control, name] of [['CC6.1', 'logical access security'], ['CC7.2', 'monitoring for anomalies'], ['CC8.1', 'change management']]) {
      expect(text).toContain(`${control} ${name} — ${counts[control]} in the period`);
    }
    // Criteria in the order of the framework, not of the rows.
    expect(text.indexOf('CC6.1 logical')).toBeLessThan(text.indexOf('CC7.2 monitoring'));
    expect(text.indexOf('CC7.2 monitoring')).toBeLessThan(text.indexOf('CC8.1 change'));
  });

  it('states a criterion the template covers but nothing matched, rather than leaving it out', async () => {
    const quiet = await render('quiet-control', { events: 50, exceptions: 6, sections: ['exceptions'] }, (m) => ({
      ...m,
      exceptionCounts: { ...m.exceptionCounts, byControl: { ...m.exceptionCounts.byControl, 'CC7.3': 0 } },
    }));
    expect(all(quiet.text)).toContain('CC7.3 evaluating security events — no exceptions in the period');
  });

  it("states a rule's reason once above its rows, each row keeping only its own detail", async () => {
    const detailed = await render('reason-once', { events: 50, exceptions: 12, sections: ['exceptions'] }, (m) => ({
      ...m,
      exceptions: {
        count: m.exceptions.count,
        async *open() {
          let i = 0;
          for await (const row of m.exceptions.open()) yield { ...row, severity: 'high' as const, reason: `${row.reason} (attempt ${i++})` };
        },
      },
    }));
    const items = detailed.text.pages.flat();
    // One rule in three criteria: three statements of its reason, not twelve.
    expect(items.filter((s) => s === 'Why: The call was refused or failed.').length).toBe(3);
    expect(items).toContain('Detail');
    for (let i = 0; i < 12; i++) expect(items).toContain(`attempt ${i}`);
    expect(items.some((s) => s.includes('The call was refused or failed. (attempt'))).toBe(false);
  });

  it('leads a client row with its name and puts its client id under it, as the workbook does', async () => {
    const id = 'amzn1.application-oa2-client.5e1f0c2d9b8a47e6';
    const clients = await render('clients', { events: 20, exceptions: 0, sections: ['clients'] }, (m) => ({
      ...m,
      clients: [{ key: 'Acme Skill CI', label: id, events: 3, failures: 1, failureRate: 1 / 3, firstTime: null, lastTime: null }],
    }));
    const items = clients.text.pages.flat();
    expect(items.indexOf('Acme Skill CI')).toBeGreaterThan(-1);
    expect(items.indexOf('Acme Skill CI')).toBeLessThan(items.indexOf(id));
  });

  it('groups by severity, then rule, for a template that asks for rules', async () => {
    const byRule = await render('by-rule', { events: 50, exceptions: 8, sections: ['exceptions'] }, (m) => ({ ...m, exceptionGrouping: 'rule' }));
    const text = all(byRule.text);
    expect(text).toMatch(/Critical — \d+ in the period/);
    expect(text).not.toContain('Grouped by Trust Services Criterion');
  });

  it('has the coverage appendix with ledgers and run parameters, and the sign-off block', () => {
    const text = all(r.text);
    expect(text).toContain('31 windows: 31 complete, 0 failed, 0 skipped.');
    expect(text).toContain('w030');
    expect(text).toContain('Digest validation — trail (COMPLETE)');
    // Ledger facts under human labels, not their key names.
    expect(text).toContain('Digest files checked');
    expect(text).not.toContain('digestFilesChecked');
    expect(text).toContain('auditpack run --period 2026-10 --tz America/New_York');
    const signOff = r.text.pages.at(-1) ?? [];
    expect(signOff).toContain('Sign-off');
    expect(signOff).toContain('Søren Ågård');
    expect(signOff).toContain('2026-11-03');
    expect(signOff).toContain('Reviewed by');
  });

  it('lists the samples with how they were drawn', () => {
    const text = all(r.text);
    expect(text).toContain('Sample of privileged-operations: 1 of 1,234');
    expect(text).toContain('seed-42');
    expect(text).toContain('evt-sample-1');
    expect(text).toContain('2026-10-07 11:30:00');
  });

  it('writes the PDF metadata from the model', () => {
    expect(r.text.info.Title).toBe('SOC 2 monthly evidence pack — Example Corp — Łódź & 東京 — 2026-10');
    expect(String(r.text.info.Keywords)).toContain('pack abc123def456');
    expect(r.text.info.CreationDate).toBe('D:20261102090000Z');
    expect(r.text.info.ModDate).toBe('D:20261102090000Z');
  });
});

describe('renderPdf on an incomplete model', () => {
  it('says INCOMPLETE on the cover with the failed window, and on every page header', async () => {
    const r = await render('incomplete', { events: 200, exceptions: 4, complete: false, sections: ['cover', 'summary', 'coverage'] });
    const cover = pageText(r.text.pages[0]);
    expect(cover).toContain('INCOMPLETE — THIS REPORT DOES NOT COVER THE WHOLE PERIOD');
    expect(cover).toContain('1 of 31 query windows did not complete.');
    expect(cover).toContain('smapi window w004-20261005T0400Z failed: HTTP 503 after 5 attempts');
    for (const items of r.text.pages) expect(items).toContain('INCOMPLETE');
    // The failed window's row in the coverage appendix, its error wrapped in the status cell.
    expect(r.text.pages.flat()).toContain('FAILED');
    expect(r.text.pages.flat().join(' ')).toContain('HTTP_STATUS: HTTP 503 after 5 attempts');
  });
});

describe('renderPdf exception limit', () => {
  it('shows N of M with the banner and reads no more than N rows', async () => {
    const r = await render('truncated', { events: 100, exceptions: 120, pdfExceptionLimit: 25, sections: ['cover', 'exceptions'] });
    const text = all(r.text);
    expect(text).toContain('Showing 25 of 120 — all 120 in report.xlsx, sheet Exceptions');
    expect(exceptionRowsDrawn(r.text)).toBe(25);
    expect(r.exceptionRowsRead()).toBe(25);
    // 120 rows over three criteria, 25 read: every criterion says how many of its rows are shown.
    expect(text).toMatch(/CC6\.1 logical access security — 40 in the period \(\d+ shown\)/);
  });

  it('with a limit of 0 lists no row and still says where the M rows are', async () => {
    const r = await render('limit-zero', { events: 10, exceptions: 7, pdfExceptionLimit: 0, sections: ['exceptions'] });
    expect(all(r.text)).toContain('Showing 0 of 7 — all 7 in report.xlsx, sheet Exceptions');
    expect(r.exceptionRowsRead()).toBe(0);
  });
});

describe('renderPdf sections and reproducibility', () => {
  it('renders only the sections the model lists', async () => {
    const r = await render('sections', { events: 100, exceptions: 3, sections: ['cover', 'requesters'] });
    const text = all(r.text);
    expect(text).toContain('Requesters');
    expect(text).toContain('山田太郎');
    for (const absent of ['Summary', 'Exceptions', 'Coverage appendix', 'Operations', 'Daily volume']) {
      expect(r.text.pages.flat()).not.toContain(absent);
    }
    // Whatever the sections, the report states period, method, completeness and coverage, and ends with the sign-off.
    expect(r.text.pages.flat()).toContain('Period, method, completeness and coverage');
    expect(r.text.pages.at(-1)).toContain('Sign-off');
  });

  it('gives byte-identical files for the same model, and different ones for another generated-at', async () => {
    const options = { events: 500, exceptions: 30 };
    const a = join(dir, 'same-a.pdf');
    const b = join(dir, 'same-b.pdf');
    const c = join(dir, 'other.pdf');
    await renderPdf(syntheticModel(options), a);
    await renderPdf(syntheticModel(options), b);
    const other = syntheticModel(options);
    await renderPdf({ ...other, meta: { ...other.meta, generatedAt: '2026-11-03T09:00:00.000Z' } }, c);
    const [ba, bb, bc] = await Promise.all([readFile(a), readFile(b), readFile(c)]);
    expect(ba.equals(bb)).toBe(true);
    expect(ba.equals(bc)).toBe(false);
  });

  it('renders a period without events, exceptions or windows', async () => {
    const r = await render('empty', { events: 0, exceptions: 0 }, (m) => ({
      ...m,
      bySource: [],
      operations: [],
      responseCodes: [],
      responseClasses: [],
      requesters: [],
      clients: [],
      daily: [],
      failureClusters: [],
      coverage: { complete: true, windows: [], sources: [], idCollisions: [] },
      meta: { ...m.meta, sources: [] },
    }));
    const text = all(r.text);
    expect(text).toContain('No exceptions matched in the period.');
    expect(text).toContain('No events in the period.');
    expect(text).toContain('No window was queried.');
    expect(r.text.pages.length).toBe(r.pages);
  });

  it('refuses a model without a valid generated-at and leaves no partial file', async () => {
    const sub = await mkdtemp(join(dir, 'bad-'));
    const m = syntheticModel({ events: 1, exceptions: 0 });
    const err = await renderPdf({ ...m, meta: { ...m.meta, generatedAt: 'yesterday' } }, join(sub, 'report.pdf')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditpackError);
    expect(await readdir(sub)).toEqual([]);
  });
});
