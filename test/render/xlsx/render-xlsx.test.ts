import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/model/audit-event.js';
import type { ReportModel } from '../../../src/model/report-model.js';
import { syntheticModel } from '../../../src/model/synthetic-model.js';
import { renderXlsx, type RenderXlsxResult } from '../../../src/render/xlsx/render-xlsx.js';
import { sampleSheetNames, workbookGuide } from '../../../src/render/workbook-guide.js';
import { readRawWorkbook, serialToMs, type RawWorkbook } from './xml-parts.js';

const ROW_LIMIT = 50;
const EVENTS = 120;
const EXCEPTIONS = 40;
const NY = 'America/New_York';

let dir: string;
let path: string;
let model: ReportModel;
let result: RenderXlsxResult;
let book: ExcelJS.Workbook;
let raw: RawWorkbook;
let firstEvents: AuditEvent[];

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

const headerOf = (ws: ExcelJS.Worksheet, row = 1): string[] => (ws.getRow(row).values as unknown[]).slice(1).map(String);
const column = (ws: ExcelJS.Worksheet, header: string, row = 1): number => headerOf(ws, row).indexOf(header) + 1;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auditpack-xlsx-'));
  path = join(dir, 'report.xlsx');
  model = syntheticModel({ events: EVENTS, exceptions: EXCEPTIONS, complete: false });
  result = await renderXlsx(model, path, { rowLimit: ROW_LIMIT });
  book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  raw = readRawWorkbook(path);
  firstEvents = await collect(model.events.open());
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('renderXlsx: sheets', () => {
  it('writes every sheet in order, the event population split past the row limit', () => {
    // The synthetic model has 60 operations: past a 50-row limit they continue too.
    const expected = ['Summary', 'Operations', 'Operations (2)', 'Response Codes', 'Requesters', 'Clients', 'Daily', 'Exceptions', 'Failure clusters', 'Events', 'Events (2)', 'Events (3)', 'Coverage', 'Manifest'];
    expect(result.sheets).toEqual(expected);
    expect(book.worksheets.map((w) => w.name)).toEqual(expected);
    expect(raw.sheets.map((s) => s.name)).toEqual(expected);
  });

  it('puts every event on exactly one Events sheet, rows continuing in time order', () => {
    expect(result.rows['Events']).toBe(ROW_LIMIT - 1);
    expect(result.rows['Events (2)']).toBe(ROW_LIMIT - 1);
    expect(result.rows['Events (3)']).toBe(EVENTS - 2 * (ROW_LIMIT - 1));
    const ids: string[] = [];
    for (const name of ['Events', 'Events (2)', 'Events (3)']) {
      const ws = book.getWorksheet(name)!;
      expect(headerOf(ws)[0]).toBe(`Time (${NY})`);
      const idCol = column(ws, 'Event id');
      for (let r = 2; r <= ws.rowCount; r++) ids.push(String(ws.getRow(r).getCell(idCol).value));
    }
    expect(ids).toEqual(firstEvents.map((e) => e.id));
  });

  it('has the Events columns, and a sample of cells as the model has them', () => {
    const ws = book.getWorksheet('Events')!;
    expect(headerOf(ws)).toEqual([
      `Time (${NY})`, 'Time (UTC)', 'Source', 'Service', 'Operation', 'Outcome', 'Response code', 'Requester id', 'Requester name',
      'Requester e-mail', 'Client', 'Resources', 'Details', 'Region', 'Account', 'Source IP', 'User agent', 'Error message', 'Event id',
    ]);
    for (const i of [0, 1, 7, 30]) {
      const e = firstEvents[i];
      const row = ws.getRow(i + 2);
      expect(row.getCell(column(ws, 'Operation')).value).toBe(e.operation);
      expect(row.getCell(column(ws, 'Response code')).value).toBe(e.responseCode);
      expect(row.getCell(column(ws, 'Requester id')).value).toBe(e.requester.id);
      expect(row.getCell(column(ws, 'Requester name')).value ?? undefined).toBe(e.requester.name);
      expect(row.getCell(column(ws, 'Resources')).value).toBe(e.resources.map((r) => r.id).join('; '));
      expect(row.getCell(column(ws, 'User agent')).value).toBe(e.userAgent);
    }
  });

  it('writes times as real dates: local wall clock in the zone column, UTC beside it', () => {
    const ws = book.getWorksheet('Events')!;
    for (const i of [0, 5, 40]) {
      const e = firstEvents[i];
      const local = ws.getRow(i + 2).getCell(1).value;
      const utc = ws.getRow(i + 2).getCell(2).value;
      expect(local).toBeInstanceOf(Date);
      expect(utc).toBeInstanceOf(Date);
      expect((utc as Date).getTime()).toBe(e.time);
      // October 2026 in New York is EDT, UTC−4.
      expect((local as Date).getTime()).toBe(e.time - 4 * 3_600_000);
    }
    const cell = raw.sheets.find((s) => s.name === 'Events')!.cells.get('A2')!;
    expect(cell.type).toBeUndefined();
    expect(raw.formatOfStyle[cell.style]).toBe('yyyy-mm-dd hh:mm:ss.000');
    expect(serialToMs(Number(cell.value))).toBe(firstEvents[0].time - 4 * 3_600_000);
  });

  it('writes counts and rates with number formats', () => {
    const sheet = raw.sheets.find((s) => s.name === 'Operations')!;
    const events = sheet.cells.get('C2')!;
    const rate = sheet.cells.get('E2')!;
    expect(Number(events.value)).toBe(model.operations[0].events);
    expect(raw.formatOfStyle[events.style]).toBe('#,##0');
    expect(Number(rate.value)).toBeCloseTo(model.operations[0].failureRate, 12);
    expect(raw.formatOfStyle[rate.style]).toBe('0.0%');
  });
});

describe('renderXlsx: text stays text', () => {
  it('has no formula anywhere in the sheet XML', () => {
    for (const s of raw.sheets) {
      expect(s.xml, s.name).not.toMatch(/<f[\s>/]/);
      for (const c of s.cells.values()) expect(c.formula, `${s.name}!${c.ref}`).toBe(false);
    }
  });

  it('keeps =, +, -, @ text as string cells, in both readers', () => {
    const events = book.getWorksheet('Events')!;
    const clientCol = column(events, 'Client');
    const uaCol = column(events, 'User agent');
    const hyperlinkRow = firstEvents.findIndex((e) => e.client?.name?.startsWith('=')) + 2;
    const cmdRow = firstEvents.findIndex((e) => e.userAgent?.startsWith('+')) + 2;
    expect(events.getRow(hyperlinkRow).getCell(clientCol).value).toBe('=HYPERLINK("http://x","y")');
    expect(events.getRow(hyperlinkRow).getCell(clientCol).type).toBe(ExcelJS.ValueType.String);
    expect(events.getRow(cmdRow).getCell(uaCol).value).toBe('+cmd|calc');

    const rawEvents = raw.sheets.find((s) => s.name === 'Events')!;
    const hyperlinkCell = [...rawEvents.cells.values()].find((c) => c.value === '=HYPERLINK("http://x","y")')!;
    expect(['s', 'str'], 'a text cell, shared or in its cell').toContain(hyperlinkCell.type);
    expect(hyperlinkCell.formula).toBe(false);

    const ex = book.getWorksheet('Exceptions')!;
    expect(ex.getRow(2).getCell(column(ex, 'Resource')).value).toBe('-amzn1.ask.skill.x');
    expect(ex.getRow(2).getCell(column(ex, 'Client')).value).toBe('@client');
    const clients = book.getWorksheet('Clients')!;
    expect(headerOf(clients).slice(0, 2)).toEqual(['Client', 'Client id']);
    expect(clients.getColumn(2).values).toContain('=cmd');
  });
});

describe('renderXlsx: hostile text', () => {
  it('writes every formula-looking or control-led value as a text cell, never a formula', async () => {
    const hostile = ['=1+1', '+SUM(A1:A2)', '-2+3', '@cmd', '\t=HYPERLINK("http://x","y")', '\r=1+1', '=cmd|\' /C calc\'!A0', 'a\u0000b'];
    const m = syntheticModel({ events: hostile.length, exceptions: 0 });
    const base = await collect(m.events.open());
    const events = base.map((e, i) => ({ ...e, operation: hostile[i], requester: { ...e.requester, name: hostile[i] }, userAgent: hostile[i], errorMessage: hostile[i] }));
    m.events = { count: events.length, open: async function* () { yield* events; } };
    const p = join(dir, 'hostile.xlsx');
    await renderXlsx(m, p);

    const sheet = readRawWorkbook(p).sheets.find((x) => x.name === 'Events')!;
    expect(sheet.xml).not.toMatch(/<f[\s>/]/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(p);
    const ws = wb.getWorksheet('Events')!;
    hostile.forEach((text, i) => {
      // XML reads a literal CR as LF (XML 1.0 §2.11); U+0000 cannot be in XML and shows as U+FFFD.
      const expected = text.replace(/\r/g, '\n').replace(/\u0000/g, '\uFFFD');
      for (const header of ['Operation', 'Requester name', 'User agent', 'Error message']) {
        const cell = ws.getRow(i + 2).getCell(column(ws, header));
        expect(cell.type, `${header} ${JSON.stringify(text)}`).toBe(ExcelJS.ValueType.String);
        expect(cell.value).toBe(expected);
        const raw = sheet.cells.get(cell.address)!;
        expect(['s', 'str'], 'a text cell, shared or in its cell').toContain(raw.type);
        expect(raw.formula).toBe(false);
      }
    });
  });
});

describe('renderXlsx: table sheets', () => {
  const tableSheets = ['Operations', 'Operations (2)', 'Response Codes', 'Requesters', 'Clients', 'Daily', 'Exceptions', 'Failure clusters', 'Events', 'Events (2)', 'Events (3)', 'Coverage'];

  it('freezes the header row and sets an autofilter over the table on every table sheet', () => {
    for (const name of tableSheets) {
      const s = raw.sheets.find((x) => x.name === name)!;
      expect(s.xml, name).toMatch(/<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"\/>/);
      const filter = /<autoFilter ref="A1:([A-Z]+)(\d+)"\/>/.exec(s.xml);
      expect(filter, name).not.toBeNull();
      expect(Number(filter![2]), name).toBe((result.rows[name] ?? 0) + 1);
      const ws = book.getWorksheet(name)!;
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      // The sheet-local filter range Excel writes and LibreOffice needs to show the filter.
      const index = raw.sheets.findIndex((x) => x.name === name);
      const quoted = `&apos;${name}&apos;!$A$1:$${filter![1]}$${filter![2]}`;
      expect(raw.parts['xl/workbook.xml'], name).toContain(`<definedName name="_xlnm._FilterDatabase" localSheetId="${index}">${quoted}</definedName>`);
    }
  });

  it('sizes columns: a wide name column is wider than a short code column', () => {
    const ws = book.getWorksheet('Events')!;
    const width = (h: string) => ws.getColumn(column(ws, h)).width ?? 0;
    expect(width('Requester id')).toBeGreaterThan(width('Outcome'));
    expect(width(`Time (${NY})`)).toBeGreaterThanOrEqual(23);
    for (let c = 1; c <= headerOf(ws).length; c++) expect(ws.getColumn(c).width, headerOf(ws)[c - 1]).toBeGreaterThanOrEqual(10);
  });

  it('colours failure rows, and only those', () => {
    const ws = book.getWorksheet('Events')!;
    for (let i = 0; i < ROW_LIMIT - 1; i++) {
      const fill = ws.getRow(i + 2).getCell(column(ws, 'Operation')).fill;
      const filled = fill?.type === 'pattern' && fill.pattern === 'solid';
      expect(filled, firstEvents[i].id).toBe(firstEvents[i].outcome === 'failure');
    }
  });

  it('lists every exception with empty reviewer columns and severity colours', () => {
    const ws = book.getWorksheet('Exceptions')!;
    expect(ws.rowCount).toBe(EXCEPTIONS + 1);
    const h = headerOf(ws);
    expect(h.slice(-6)).toEqual(['Trend', 'Status', 'Disposition', 'Ticket', 'Reviewer', 'Review date']);
    for (const name of ['Status', 'Disposition', 'Ticket', 'Reviewer', 'Review date']) expect(ws.getRow(2).getCell(column(ws, name)).value).toBeNull();
    const sev = ws.getRow(2).getCell(1);
    expect(sev.value).toBe('critical');
    expect(sev.fill).toMatchObject({ type: 'pattern', fgColor: { argb: 'FFC00000' } });
  });

  it('is a working paper: sheets protected without a password, only the reviewer columns open, with validation lists and date cells', () => {
    const sheet = raw.sheets.find((x) => x.name === 'Exceptions')!;
    const ws = book.getWorksheet('Exceptions')!;
    // Protected, but filtering, sorting and resizing stay allowed; no password hash.
    expect(sheet.xml).toContain('<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0" sort="0" autoFilter="0"/>');
    for (const s of raw.sheets) expect(s.xml, s.name).toMatch(/<sheetProtection sheet="1"[^>]*\/>/);
    expect(sheet.xml).not.toMatch(/password|hashValue/);
    const letter = (name: string) => /^[A-Z]+/.exec(ws.getRow(1).getCell(column(ws, name)).address)![0];
    const last = EXCEPTIONS + 1;
    expect(sheet.xml).toContain(`<dataValidation type="list" allowBlank="1" showErrorMessage="1" showInputMessage="1" prompt="Open, Explained, Accepted, Remediated" sqref="${letter('Status')}2:${letter('Status')}${last}"><formula1>"Open,Explained,Accepted,Remediated"</formula1></dataValidation>`);
    expect(sheet.xml).toMatch(new RegExp(`<dataValidation type="date" [^>]*sqref="${letter('Review date')}2:${letter('Review date')}${last}">`));
    const xfs = [...(/<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(raw.parts['xl/styles.xml'])![1]).matchAll(/<xf\b[^>]*?(?:\/>|>[\s\S]*?<\/xf>)/g)].map((m) => m[0]);
    const isOpen = (ref: string) => /<protection locked="0"\/>/.test(xfs[sheet.cells.get(ref)?.style ?? 0]);
    for (const name of ['Status', 'Disposition', 'Ticket', 'Reviewer', 'Review date']) {
      expect(isOpen(`${letter(name)}2`), name).toBe(true);
      expect(isOpen(`${letter(name)}${last}`), name).toBe(true);
    }
    expect(raw.formatOfStyle[sheet.cells.get(`${letter('Review date')}2`)!.style]).toBe('yyyy-mm-dd');
    // Everything else stays locked: the evidence itself cannot be edited by accident.
    for (const name of ['Severity', 'Rule', 'Reason', 'Event id']) expect(isOpen(`${letter(name)}2`), name).toBe(false);
    expect(isOpen('A1')).toBe(false);
  });

  it('lists requesters with name, e-mail, id, type, directory flag, events and failures', () => {
    const ws = book.getWorksheet('Requesters')!;
    expect(headerOf(ws).slice(0, 7)).toEqual(['Name', 'E-mail', 'Requester id', 'Type', 'In directory', 'Events', 'Failures']);
    const r = model.requesters[0];
    expect(ws.getRow(2).values).toEqual(expect.arrayContaining([r.name, r.email, r.key, 'yes', r.events, r.failures]));
    expect(ws.getRow(ws.rowCount).getCell(5).value).toBe('no');
  });

  it('shows each coverage window with its range in both clocks, failed windows marked', () => {
    const ws = book.getWorksheet('Coverage')!;
    expect(ws.rowCount).toBe(model.coverage.windows.length + 1);
    const status = column(ws, 'Status');
    const failed = model.coverage.windows.findIndex((w) => w.status === 'failed') + 2;
    expect(ws.getRow(failed).getCell(status).value).toBe('FAILED');
    expect(ws.getRow(failed).getCell(status).fill).toMatchObject({ type: 'pattern', fgColor: { argb: 'FFFFC7CE' } });
    const start = ws.getRow(2).getCell(column(ws, `Window start (${NY})`)).value as Date;
    expect(start.toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(String(ws.getRow(failed).getCell(column(ws, 'Error')).value)).toContain('HTTP 503');
  });
});

describe('renderXlsx: Summary and Manifest', () => {
  const texts = (ws: ExcelJS.Worksheet): string[] => {
    const out: string[] = [];
    ws.eachRow((row) => row.eachCell((c) => out.push(String(c.value))));
    return out;
  };

  it('states INCOMPLETE with its reasons, unmistakably', () => {
    const ws = book.getWorksheet('Summary')!;
    const all = texts(ws);
    expect(all).toContain('INCOMPLETE');
    expect(all).not.toContain('COMPLETE');
    expect(all).toContain(model.incompleteReasons[0]);
    let statusCell: ExcelJS.Cell | undefined;
    ws.eachRow((row) => row.eachCell((c) => { if (c.value === 'INCOMPLETE') statusCell = c; }));
    expect(statusCell!.fill).toMatchObject({ type: 'pattern', fgColor: { argb: 'FFC00000' } });
    expect(statusCell!.font).toMatchObject({ bold: true });
  });

  it('says where the event population continues', () => {
    const all = texts(book.getWorksheet('Summary')!).join('\n');
    expect(all).toContain('Events … Events (3)');
    expect(all).toMatch(/Events: 120 rows exceed the 50-row sheet limit; the table continues in order across 3 sheets: Events, Events \(2\), Events \(3\)/);
  });

  it('gives the period in the report zone and UTC, parameters and key figures per source', () => {
    const all = texts(book.getWorksheet('Summary')!);
    expect(all).toEqual(expect.arrayContaining([model.period.startLocal, model.period.startUtc, model.period.endUtc, model.meta.generatedAt, 'soc2-monthly', 'Events', 'All sources', 'smapi', `First event (${NY})`]));
  });

  it('shows COMPLETE when the model is complete', async () => {
    const p = join(dir, 'complete.xlsx');
    await renderXlsx(syntheticModel({ events: 5, exceptions: 0, complete: true }), p);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(p);
    const all = texts(wb.getWorksheet('Summary')!);
    expect(all).toContain('COMPLETE');
    expect(all).not.toContain('INCOMPLETE');
  });

  it('renders the manifest parameters in words, with the command and version', () => {
    for (const sheet of ['Manifest', 'Summary']) {
      const all = texts(book.getWorksheet(sheet)!);
      expect(all).toEqual(expect.arrayContaining([model.meta.command, model.meta.toolVersion, model.meta.generatedAt, 'Period', '2026-10', 'Time zone', NY]));
      // No internal key name is printed as a label.
      for (const key of Object.keys(model.meta.parameters).filter((k) => /[a-z][A-Z]/.test(k))) expect(all).not.toContain(key);
    }
  });

  it('sets workbook properties from the model', () => {
    expect(book.creator).toBe('auditpack 0.1.0');
    expect(book.lastModifiedBy).toBe('auditpack 0.1.0');
    expect(book.title).toContain(model.meta.title);
    expect(book.created?.toISOString()).toBe(model.meta.generatedAt);
    expect(book.modified?.toISOString()).toBe(model.meta.generatedAt);
  });
});

describe('renderXlsx: sections, samples, errors', () => {
  it('leaves out sheets whose sections are not asked for, keeping Summary, Coverage and Manifest', async () => {
    const p = join(dir, 'few.xlsx');
    const r = await renderXlsx(syntheticModel({ events: 10, exceptions: 3, sections: ['cover', 'exceptions'] }), p);
    expect(r.sheets).toEqual(['Summary', 'Exceptions', 'Coverage', 'Manifest']);
  });

  it('names sample sheets after their populations, within Excel’s 31 characters and its forbidden characters', () => {
    expect(sampleSheetNames(['Failed operations', 'Privileged changes: IAM/S3 [prod]', 'Privileged changes: IAM/S3 [dev]', ''])).toEqual([
      'Sample - Failed operations',
      'Sample - Privileged changes IAM',
      'Sample 3 - Privileged changes I',
      'Sample 4',
    ]);
  });

  it('the sheet guide (PDF method section, README.txt) names exactly the sheets the workbook has, samples and Events continuations included', async () => {
    const m = syntheticModel({ events: 150, exceptions: 70, sections: ['summary', 'exceptions', 'events', 'sample'] });
    const rows = (await collect(m.events.open())).slice(0, 2);
    const sample = { populationSize: 30, sampleSize: 2, seed: 's', seedSource: 'default', methodVersion: 'v2', method: 'm', rows, selection: rows.map((_, i) => ({ rank: i + 1, position: i + 1 })) } as const;
    m.samples = [{ ...sample, population: 'Failed operations' }, { ...sample, population: 'Privileged changes: IAM' }];
    const r = await renderXlsx(m, join(dir, 'guide.xlsx'), { rowLimit: 61 });
    expect(r.sheets.filter((s) => s.startsWith('Events'))).toEqual(['Events', 'Events (2)', 'Events (3)']);
    expect(r.sheets.filter((s) => s.startsWith('Exceptions'))).toEqual(['Exceptions', 'Exceptions (2)']);
    expect(r.sheets.some((s) => s.startsWith('Sample - '))).toBe(true);
    expect(workbookGuide(m, 61).map((g) => g.sheet)).toEqual(r.sheets);
  });

  it('writes a Sample sheet: how it was drawn above a frozen, filtered table with rank, position and the tester\'s columns', async () => {
    const m = syntheticModel({ events: 30, exceptions: 0, sections: ['summary', 'sample'] });
    const rows = (await collect(m.events.open())).slice(0, 4);
    m.samples = [{
      population: 'failed operations', populationSize: 30, sampleSize: 4, seed: 'seed-42', seedSource: 'default', methodVersion: 'v2',
      method: 'simple random sample without replacement', rows, selection: rows.map((_, i) => ({ rank: 4 - i, position: 3 * i + 1 })),
    }];
    const p = join(dir, 'sample.xlsx');
    const r = await renderXlsx(m, p);
    expect(r.sheets).toEqual(['Summary', 'Sample - failed operations', 'Coverage', 'Manifest']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(p);
    const ws = wb.getWorksheet('Sample - failed operations')!;
    expect(ws.getRow(1).values).toEqual([undefined, 'Population', 'failed operations']);
    expect(ws.getRow(2).getCell(2).value).toBe(30);
    expect(ws.getRow(3).getCell(2).value).toBe(4);
    expect(ws.getRow(4).getCell(2).value).toBe('seed-42');
    // The default seed is known in advance: the sheet says the auditor should choose one.
    expect(ws.getRow(5).getCell(1).value).toBe('Seed chosen by');
    expect(String(ws.getRow(5).getCell(2).value)).toMatch(/^the default .*The auditor should choose the seed/);
    expect(String(ws.getRow(6).getCell(2).value)).toBe('v2. simple random sample without replacement');
    const header = headerOf(ws, 9);
    expect(header.slice(0, 3)).toEqual(['Selection rank', 'Population position', `Time (${NY})`]);
    expect(header.slice(-5)).toEqual(['Attribute tested', 'Evidence reference', 'Result', 'Tested by', 'Test date']);
    expect(ws.getRow(13).getCell(column(ws, 'Event id', 9)).value).toBe(rows[3].id);
    expect([10, 11, 12, 13].map((n) => ws.getRow(n).getCell(1).value)).toEqual([4, 3, 2, 1]);
    expect([10, 11, 12, 13].map((n) => ws.getRow(n).getCell(2).value)).toEqual([1, 4, 7, 10]);
    const xml = readRawWorkbook(p).sheets.find((s) => s.name === 'Sample - failed operations')!.xml;
    expect(xml).toMatch(/<pane ySplit="9" topLeftCell="A10"/);
    expect(xml).toMatch(/<autoFilter ref="A9:Z13"\/>/);
    expect(xml).toContain('sqref="X10:X13"><formula1>"Pass,Exception,Not applicable"</formula1>');
    expect(xml).toMatch(/<dataValidation type="date" [^>]*sqref="Z10:Z13">/);
    // The method, often a paragraph, spans the table's width and wraps.
    expect(xml).toMatch(/<mergeCell ref="B6:[C-Z]6"\/>/);

    const given = syntheticModel({ events: 30, exceptions: 0, sections: ['summary', 'sample'] });
    given.samples = [{ ...m.samples[0], seedSource: 'given' }];
    const q = join(dir, 'sample-given.xlsx');
    await renderXlsx(given, q);
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.readFile(q);
    expect(wb2.getWorksheet('Sample - failed operations')!.getRow(5).getCell(2).value).toBe('given with --sample-seed');
  });

  it('writes header-only tables for an empty population', async () => {
    const p = join(dir, 'empty.xlsx');
    const r = await renderXlsx(syntheticModel({ events: 0, exceptions: 0 }), p);
    expect(r.rows['Events']).toBe(0);
    expect(r.rows['Exceptions']).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(p);
    expect(wb.getWorksheet('Events')!.rowCount).toBe(1);
  });

  it('fails with a clear error, not a crash or a hang, when the file cannot be written', async () => {
    const p = join(dir, 'no-such-folder', 'report.xlsx');
    await expect(renderXlsx(syntheticModel({ events: 2000, exceptions: 10 }), p)).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining(`cannot write ${p}`),
    });
  });

  it('refuses a row stream that disagrees with its announced count, and leaves no file', async () => {
    const m = syntheticModel({ events: 10, exceptions: 0 });
    const events = m.events;
    m.events = { count: 12, open: () => events.open() };
    const p = join(dir, 'bad.xlsx');
    await expect(renderXlsx(m, p)).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('announced 12 rows but supplied 10') });
    expect(existsSync(p)).toBe(false);
  });
});

describe('renderXlsx: same model, same bytes', () => {
  it('pins zip entry times to generated-at', () => {
    const bytes = readFileSync(path);
    // Central directory headers (APPNOTE 4.3.12): DOS time at +12, date at +14.
    let seen = 0;
    for (let i = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); i >= 0; i = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), i + 4)) {
      const time = bytes.readUInt16LE(i + 12);
      const date = bytes.readUInt16LE(i + 14);
      expect({ y: (date >> 9) + 1980, m: (date >> 5) & 15, d: date & 31, h: time >> 11, min: (time >> 5) & 63 }).toEqual({ y: 2026, m: 11, d: 2, h: 9, min: 0 });
      seen++;
    }
    expect(seen).toBe(Object.keys(raw.parts).length);
  });

  it('renders the same model to identical bytes', async () => {
    const again = join(dir, 'again.xlsx');
    await renderXlsx(syntheticModel({ events: EVENTS, exceptions: EXCEPTIONS, complete: false }), again, { rowLimit: ROW_LIMIT });
    const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
    expect(sha(again)).toBe(sha(path));
  });
});
