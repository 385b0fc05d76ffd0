import { readFileSync, rmSync } from 'node:fs';
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
import { createSpillStore } from '../../src/pipeline/spill-store.js';
import { eventCodec } from '../../src/pipeline/event-codec.js';
import { compareEvents } from '../../src/model/event-order.js';
import type { ReportModel } from '../../src/model/report-model.js';

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

  /** The synthetic model's events, shuffled, spilled to disk over several day buckets in runs of 7 rows. */
  async function spilledModel(name: string): Promise<{ model: ReportModel; sorted: AuditEvent[] }> {
    const m = syntheticModel({ events: 400, exceptions: 0 });
    const events: AuditEvent[] = [];
    for await (const e of m.events.open()) events.push(e);
    // Ties on time: the order then comes from the other keys, as in the pack.
    const rows = events.map((e, i) => (i % 5 === 0 ? { ...e, time: events[0].time } : e));
    const shuffled = rows.map((e, i) => ({ e, k: (i * 7919) % 401 })).sort((a, b) => a.k - b.k).map((x) => x.e);
    const store = createSpillStore<AuditEvent>({ dir: join(dir, name), name: 'events', codec: eventCodec, bucketOf: (e) => Math.floor(e.time / 86_400_000), compare: compareEvents, runRows: 7 });
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, name), { recursive: true }));
    for (const e of shuffled) store.add(e);
    m.events = store.seal();
    return { model: m, sorted: [...rows].sort(compareEvents) };
  }

  it('from spilled events, written by a worker thread, is byte-for-byte the file written in this thread, and the Events sheet read beside it gets the same order', async () => {
    const { model, sorted } = await spilledModel('spilled');
    expect(model.events.files!.buckets().length).toBeGreaterThan(1);
    const inThread = join(dir, 'in-thread.csv.gz');
    const { writeEventsCsv } = await import('../../src/render/events-csv.js');
    await writeEventsCsv(sorted, model.period.timeZone, inThread);

    const viaWorker = join(dir, 'worker.csv.gz');
    const rendering = eventsCsvRenderer.render(model, viaWorker);
    // Read while the worker sorts: each bucket waits for the worker's sort instead of sorting it too.
    const readBeside: string[] = [];
    for await (const e of model.events.open()) readBeside.push(e.id);
    expect(await rendering).toEqual({ rows: sorted.length });
    expect(gunzipSync(readFileSync(viaWorker)).equals(gunzipSync(readFileSync(inThread)))).toBe(true);
    expect(readBeside).toEqual(sorted.map((e) => e.id));
    // The buckets are in row order on disk now: a later read streams them as they are.
    expect(model.events.files!.buckets().every((b) => b.sorted)).toBe(true);
  });

  it('fails with IO_FAILED when its worker cannot read a bucket, and a read waiting on that bucket fails too instead of waiting forever', async () => {
    const { model } = await spilledModel('broken');
    const buckets = model.events.files!.buckets();
    rmSync(buckets[1].file);
    const rendering = eventsCsvRenderer.render(model, join(dir, 'broken.csv.gz'));
    const reading = (async () => {
      for await (const _ of model.events.open()) void _;
    })();
    await expect(rendering).rejects.toMatchObject({ code: 'IO_FAILED', message: expect.stringContaining('events.csv.gz could not be written') });
    await expect(reading).rejects.toMatchObject({ code: 'IO_FAILED' });
  });

  it('stops its worker at Ctrl-C with ABORTED, as every other stage of the pack does', async () => {
    const { model } = await spilledModel('aborted');
    const controller = new AbortController();
    const rendering = eventsCsvRenderer.render(model, join(dir, 'aborted.csv.gz'), { signal: controller.signal });
    controller.abort(new Error('some other reason'));
    await expect(rendering).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
