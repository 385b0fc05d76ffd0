import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/model/audit-event.js';
import { syntheticModel } from '../../../src/model/synthetic-model.js';
import { renderXlsx } from '../../../src/render/xlsx/render-xlsx.js';
import { createColumnSharing, createSharedStrings } from '../../../src/render/xlsx/shared-strings.js';
import { readRawWorkbook } from './xml-parts.js';

const limits = { maxEntries: 100, maxChars: 1000, maxLength: 50 };

describe('shared strings', () => {
  it('gives a text one index', () => {
    const s = createSharedStrings(limits);
    expect(s.indexOf('ListUsers')).toBe(0);
    expect(s.indexOf('GetObject')).toBe(1);
    expect(s.indexOf('ListUsers')).toBe(0);
    expect(s.size).toBe(2);
  });

  it('keeps a text out of the table past each cap: entries, characters, length', () => {
    const few = createSharedStrings({ ...limits, maxEntries: 2 });
    few.indexOf('a');
    few.indexOf('b');
    expect(few.indexOf('c')).toBe(-1);
    expect(few.indexOf('a')).toBe(0);
    const short = createSharedStrings({ ...limits, maxChars: 5 });
    expect(short.indexOf('abc')).toBe(0);
    expect(short.indexOf('def')).toBe(-1);
    expect(short.indexOf('de')).toBe(1);
    expect(createSharedStrings(limits).indexOf('x'.repeat(51))).toBe(-1);
  });

  it('writes the table as XML: escaped, edge white space kept, counts of references and texts', () => {
    const s = createSharedStrings(limits);
    for (const t of ['a & b <c>', ' lead', 'trail\n', 'a & b <c>']) s.indexOf(t);
    const xml = [...s.xml()].join('');
    expect(xml).toContain('count="4" uniqueCount="3"');
    expect(xml).toContain('<si><t>a &amp; b &lt;c&gt;</t></si><si><t xml:space="preserve"> lead</t></si><si><t xml:space="preserve">trail\n</t></si></sst>');
    expect([...createSharedStrings(limits).xml()]).toEqual([]);
  });

  it('stops sharing a column whose texts mostly differ, and only that column', () => {
    const strings = createSharedStrings({ maxEntries: 10_000, maxChars: 1e6, maxLength: 100 });
    const share = createColumnSharing(strings);
    const ids: number[] = [];
    const repeated: number[] = [];
    for (let i = 0; i < 2000; i++) {
      ids.push(share(0, `id-${i}`));
      repeated.push(share(1, `op-${i % 20}`));
    }
    // Judged after 512 texts: all of them were new, so the rest stay in their cells.
    expect(ids.slice(0, 512).every((id) => id >= 0)).toBe(true);
    expect(ids.slice(512).every((id) => id === -1)).toBe(true);
    expect(repeated.every((id) => id >= 0)).toBe(true);
    expect(strings.size).toBe(512 + 20);
  });

  it('stops sharing a column whose new texts the full table keeps out, as if they had joined it', () => {
    const strings = createSharedStrings({ maxEntries: 10, maxChars: 1e6, maxLength: 100 });
    const share = createColumnSharing(strings);
    expect(share(0, 'a')).toBe(0);
    for (let i = 0; i < 511; i++) expect(share(0, `kept out ${i}`)).toBe(i < 9 ? i + 1 : -1);
    // Judged: nearly all new, so even a text the table holds now stays in its cell.
    expect(share(0, 'a')).toBe(-1);
    expect(share(1, 'a')).toBe(0);
  });
});

describe('renderXlsx with shared strings', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ap-sst-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Every sheet's cells as exceljs reads them: address → [type, value]. */
  async function cellsOf(path: string): Promise<Map<string, [number, unknown]>> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const cells = new Map<string, [number, unknown]>();
    wb.eachSheet((ws) => ws.eachRow({ includeEmpty: false }, (row) => row.eachCell({ includeEmpty: true }, (cell) => {
      cells.set(`${ws.name}!${cell.address}`, [cell.type, cell.value instanceof Date ? cell.value.getTime() : cell.value]);
    })));
    return cells;
  }

  it('reads back exactly as a workbook with every text in its cell, in exceljs and in the raw XML', async () => {
    const model = syntheticModel({ events: 1500, exceptions: 300, complete: true });
    // Texts a cell cannot hold as they are, shared (a repeated operation) and in their cells (an
    // over-long user agent): both come out made fit for a cell (cellText), as before sharing.
    const base: AuditEvent[] = [];
    for await (const e of model.events.open()) base.push(e);
    const odd = base.map((e, i) => (i % 3 === 0 ? { ...e, operation: 'Get\u0000Object', requester: { ...e.requester, name: ' lead & <tag> ' } } : i === 1 ? { ...e, userAgent: 'u'.repeat(40_000) } : e));
    model.events = { count: odd.length, open: async function* () { yield* odd; } };
    const shared = join(dir, 'shared.xlsx');
    const inCells = join(dir, 'in-cells.xlsx');
    await renderXlsx(model, shared);
    await renderXlsx(model, inCells, { sharedStrings: { maxEntries: 0, maxChars: 0, maxLength: 0 } });

    const raw = readRawWorkbook(shared);
    const rawInCells = readRawWorkbook(inCells);
    expect(raw.parts['xl/sharedStrings.xml']).toBeDefined();
    expect(rawInCells.parts['xl/sharedStrings.xml']).toBeUndefined();
    expect(raw.parts['[Content_Types].xml']).toContain('/xl/sharedStrings.xml');
    expect(raw.parts['xl/_rels/workbook.xml.rels']).toContain('Target="sharedStrings.xml"');
    const events = raw.sheets.find((s) => s.name === 'Events')!;
    const types = [...events.cells.values()].map((c) => c.type);
    // Operations repeat: shared; event ids do not: left in their cells once judged.
    expect(types.filter((t) => t === 's').length).toBeGreaterThan(types.filter((t) => t === 'str').length);
    expect(types).toContain('str');
    expect(Buffer.byteLength(events.xml)).toBeLessThan(Buffer.byteLength(rawInCells.sheets.find((s) => s.name === 'Events')!.xml) * 0.9);
    for (const sheet of rawInCells.sheets) {
      const other = raw.sheets.find((s) => s.name === sheet.name)!;
      for (const [ref, cell] of sheet.cells) {
        const mine = other.cells.get(ref)!;
        expect(mine.value, `${sheet.name}!${ref}`).toBe(cell.value);
        expect(mine.style, `${sheet.name}!${ref}`).toBe(cell.style);
        expect(mine.type === 's' ? 'str' : mine.type, `${sheet.name}!${ref}`).toBe(cell.type);
      }
      expect(other.cells.size, sheet.name).toBe(sheet.cells.size);
    }
    expect(await cellsOf(shared)).toEqual(await cellsOf(inCells));
    const values = [...(await cellsOf(shared)).values()].map(([, v]) => v);
    expect(values).toContain('Get\uFFFDObject');
    expect(values).toContain(' lead & <tag> ');
    expect(values.some((v) => typeof v === 'string' && v.startsWith('uuu') && v.length === 32_767 && v.includes('[cut: the value has 40000 characters'))).toBe(true);
  });
});
