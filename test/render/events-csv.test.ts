import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import { syntheticModel } from '../../src/model/synthetic-model.js';
import { eventsCsvRenderer } from '../../src/render/events-csv.js';
import { renderXlsx } from '../../src/render/xlsx/render-xlsx.js';

let dir: string;
const awkward = ['plain', 'a,b', 'say "hi"', 'two\r\nlines', 'Zoë 東京 🙂', '=HYPERLINK("http://x","y")', ''];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auditpack-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('events.csv.gz', () => {
  it('has the Events sheet\'s columns and every event, RFC 4180 quoted, UTF-8, CRLF', async () => {
    const m = syntheticModel({ events: 60, exceptions: 0 });
    const base: AuditEvent[] = [];
    for await (const e of m.events.open()) base.push(e);
    const events = base.map((e, i) => (i < awkward.length ? { ...e, userAgent: awkward[i], errorMessage: awkward[(i + 1) % awkward.length] } : e));
    m.events = { count: events.length, open: async function* () { yield* events; } };
    const csvPath = join(dir, 'events.csv.gz');
    const xlsxPath = join(dir, 'report.xlsx');
    await eventsCsvRenderer.render(m, csvPath);
    await renderXlsx(m, xlsxPath);

    const text = gunzipSync(readFileSync(csvPath)).toString('utf8');
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text.endsWith('\r\n')).toBe(true);
    const records = parse(text, { relaxQuotes: false }) as string[][];
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsxPath);
    const sheetHeader = (wb.getWorksheet('Events')!.getRow(1).values as unknown[]).slice(1).map(String);
    expect(records[0]).toEqual(sheetHeader);
    expect(records).toHaveLength(events.length + 1);
    const col = (h: string) => records[0].indexOf(h);
    events.forEach((e, i) => {
      const r = records[i + 1];
      expect(r[col('Event id')]).toBe(e.id);
      expect(r[col('User agent')]).toBe(e.userAgent ?? '');
      expect(r[col('Error message')]).toBe(e.errorMessage ?? '');
      expect(r[col('Time (UTC)')]).toBe(new Date(e.time).toISOString());
    });
    // October 2026 in New York is UTC−4: the local column is the wall clock there.
    expect(records[1][0]).toBe(new Date(events[0].time - 4 * 3_600_000).toISOString().slice(0, 23).replace('T', ' '));
    expect(text).toContain('"say ""hi"""');
  });

  it('is not written for a template without the events population', async () => {
    const m = syntheticModel({ events: 5, exceptions: 0, sections: ['summary'] });
    const p = join(dir, 'none.csv.gz');
    await eventsCsvRenderer.render(m, p);
    expect(() => readFileSync(p)).toThrow();
  });
});
