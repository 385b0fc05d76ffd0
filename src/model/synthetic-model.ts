import type { AuditEvent } from './audit-event.js';
import type { ExceptionRow, Severity } from './exception.js';
import { SEVERITY_ORDER } from './exception.js';
import type { CountRow, ReportModel, RequesterRow, SectionId } from './report-model.js';
import { seededRandom } from '../emulators/kit/random.js';

/**
 * A report model of any size, generated on the fly (events and exceptions are streamed, never
 * held), for renderer tests and the render benchmark. Deterministic for a given seed.
 */
export interface SyntheticOptions {
  events: number;
  exceptions: number;
  seed?: string;
  timeZone?: string;
  /** Period start (epoch ms) — defaults to 2026-10-01T04:00Z (October 2026 in New York). */
  start?: number;
  end?: number;
  complete?: boolean;
  sections?: SectionId[];
  pdfExceptionLimit?: number;
}

const NAMES: readonly (readonly [string, string])[] = [
  ['Zoë Łukasiewicz', 'zoe@example.com'],
  ['Søren Ågård', 'soren@example.com'],
  ['山田太郎', 'taro.yamada@example.jp'],
  ['Alice Example', 'alice@example.com'],
  ['Bob O’Brien', 'bob@example.com'],
  ['Chloé Dubois', 'chloe@example.fr'],
];
const OPS = ['publishSkill.v1', 'getSkillManifest.v1', 'updateSkill.v1', 'getSkillCredentials.v1', 'deleteSkill.v1', 'listSkills.v1'];
const CODES = ['200', '200', '200', '200', '403', '404', '500'];

export const ALL_SECTIONS: SectionId[] = [
  'cover', 'summary', 'charts', 'operations', 'responseCodes', 'requesters', 'clients', 'daily',
  'exceptions', 'failureClusters', 'events', 'sample', 'coverage', 'signoff',
];

export function syntheticModel(opts: SyntheticOptions): ReportModel {
  const seed = opts.seed ?? 'synthetic';
  const tz = opts.timeZone ?? 'America/New_York';
  const start = opts.start ?? Date.UTC(2026, 9, 1, 4);
  const end = opts.end ?? Date.UTC(2026, 10, 1, 4);
  const span = end - start;
  const requesterId = (i: number) => `amzn1.account.${String(i).padStart(4, '0')}SYNTH`;

  const eventAt = (i: number, rnd: ReturnType<typeof seededRandom>): AuditEvent => {
    const code = rnd.pick(CODES);
    const r = rnd.int(0, NAMES.length + 1);
    return {
      id: `evt-${i}`,
      time: start + Math.floor((span * i) / Math.max(1, opts.events)),
      source: 'smapi',
      sourceType: 'smapi',
      service: 'smapi',
      operation: rnd.pick(OPS),
      outcome: Number(code) >= 400 ? 'failure' : 'success',
      responseCode: code,
      requester: { id: requesterId(r), name: NAMES[r]?.[0], email: NAMES[r]?.[1] },
      client: { id: 'amzn1.application-oa2-client.cli', name: i % 7 === 0 ? '=HYPERLINK("http://x","y")' : 'ASK CLI' },
      resources: [{ id: `amzn1.ask.skill.${rnd.hex(8)}`, type: 'Skill' }],
      userAgent: i % 11 === 0 ? '+cmd|calc' : 'ask-cli/2.30',
    };
  };

  const exceptionAt = (i: number, rnd: ReturnType<typeof seededRandom>): ExceptionRow => {
    const severity: Severity = SEVERITY_ORDER[Math.min(3, Math.floor(i / Math.max(1, opts.exceptions / 4)))];
    const r = rnd.int(0, NAMES.length);
    return {
      ruleId: 'failed-operation',
      title: 'Failed operation',
      severity,
      control: ['CC6.1', 'CC7.2', 'CC8.1'][i % 3],
      reason: 'The call was refused or failed.',
      time: start + Math.floor((span * (i % 1000)) / 1000),
      source: 'smapi',
      eventId: `evt-${i}`,
      service: 'smapi',
      operation: rnd.pick(OPS),
      responseCode: '403',
      requesterId: requesterId(r),
      requesterName: NAMES[r][0],
      requesterEmail: NAMES[r][1],
      resource: '-amzn1.ask.skill.x',
      client: '@client',
      details: i % 5 === 0 ? `role: member → admin; policyArn: arn:aws:iam::aws:policy/AdministratorAccess-${i}` : null,
      subject: requesterId(r),
    };
  };

  const rows = (n: number, prefix: string, label?: (i: number) => string): CountRow[] =>
    Array.from({ length: n }, (_, i) => ({
      key: `${prefix}${i}`,
      label: label?.(i),
      events: 1000 - i,
      failures: (1000 - i) % 17,
      failureRate: ((1000 - i) % 17) / (1000 - i),
      firstTime: start,
      lastTime: end - 1,
    }));

  const requesters: RequesterRow[] = NAMES.map(([name, email], i) => ({
    key: requesterId(i), label: name, name, email, type: null, inDirectory: true,
    events: Math.floor(opts.events / (NAMES.length + 1)), failures: 10 + i, failureRate: 0.01, firstTime: start, lastTime: end - 1,
  }));
  requesters.push({ key: requesterId(NAMES.length), name: null, email: null, type: null, inDirectory: false, events: 5, failures: 1, failureRate: 0.2, firstTime: start, lastTime: end - 1 });

  const days = Math.round(span / 86_400_000);
  const failures = Math.floor(opts.events * 0.05);
  const complete = opts.complete ?? true;
  return {
    meta: {
      title: 'SOC 2 monthly evidence pack',
      organization: 'Example Corp — Łódź & 東京',
      template: 'soc2-monthly',
      templateDescription: 'Monthly SOC 2 evidence: all sections, exceptions by criterion.',
      toolVersion: '0.1.0',
      generatedAt: '2026-11-02T09:00:00.000Z',
      packId: 'abc123def456',
      command: 'auditpack run --period 2026-10 --tz America/New_York',
      parameters: { period: '2026-10', timeZone: tz, template: 'soc2-monthly' },
      sources: [{ name: 'smapi', type: 'smapi', description: 'Alexa SMAPI audit logs, vendor M1EXAMPLE' }],
    },
    period: {
      label: '2026-10', timeZone: tz, start, end,
      startLocal: '2026-10-01T00:00:00-04:00', endLocal: '2026-11-01T00:00:00-04:00',
      startUtc: new Date(start).toISOString(), endUtc: new Date(end).toISOString(),
    },
    sections: opts.sections ?? ALL_SECTIONS,
    pdfSections: opts.sections ?? ALL_SECTIONS,
    exceptionGrouping: 'control',
    failuresOnly: false,
    pdfExceptionLimit: opts.pdfExceptionLimit ?? 500,
    complete,
    incompleteReasons: complete ? [] : ['smapi window w004-20261005T0400Z failed: HTTP 503 after 5 attempts'],
    totals: {
      events: opts.events, failures, successRate: opts.events ? 1 - failures / opts.events : 1,
      requesters: requesters.length, operations: OPS.length, firstEventTime: start, lastEventTime: end - 1,
      duplicatesRemoved: 12, outsidePeriod: 3, readAgain: 0, idCollisions: 0,
    },
    bySource: [{
      source: 'smapi', sourceType: 'smapi', events: opts.events, failures, successRate: 0.95, requesters: requesters.length,
      operations: OPS.length, firstEventTime: start, lastEventTime: end - 1, duplicatesRemoved: 12, outsidePeriod: 3, readAgain: 0, idCollisions: 0,
    }],
    operations: rows(60, 'operation', (i) => OPS[i % OPS.length]).map((r) => ({ ...r, service: 'smapi', operation: r.key })),
    responseCodes: ['200', '403', '404', '500'].map((c, i) => ({ key: c, events: 1000 >> i, failures: c === '200' ? 0 : 1000 >> i, failureRate: c === '200' ? 0 : 1, firstTime: start, lastTime: end - 1 })),
    responseClasses: ['2xx', '4xx', '5xx'].map((c, i) => ({ key: c, events: 1000 >> i, failures: i ? 1000 >> i : 0, failureRate: i ? 1 : 0, firstTime: start, lastTime: end - 1 })),
    requesters,
    clients: rows(4, 'client', (i) => ['ASK CLI', 'Alexa Developer Console', '=cmd', 'CI bot'][i]),
    daily: Array.from({ length: days }, (_, i) => {
      const d = new Date(Date.UTC(2026, 9, 1 + i));
      return { day: d.toISOString().slice(0, 10), events: 3000 + ((i * 37) % 900), failures: 100 + ((i * 13) % 80) };
    }),
    exceptionCounts: {
      bySeverity: { critical: Math.ceil(opts.exceptions / 4), high: Math.ceil(opts.exceptions / 4), medium: Math.ceil(opts.exceptions / 4), low: opts.exceptions - 3 * Math.ceil(opts.exceptions / 4) },
      byControl: { 'CC6.1': Math.ceil(opts.exceptions / 3), 'CC7.2': Math.ceil(opts.exceptions / 3), 'CC8.1': opts.exceptions - 2 * Math.ceil(opts.exceptions / 3) },
      byRule: { 'failed-operation': opts.exceptions },
    },
    exceptionSubjects: [],
    failureClusters: requesters.slice(0, 5).map((r, i) => ({
      requesterId: r.key, requesterName: r.name, service: 'smapi', operation: OPS[i], responseCode: '403', failures: 50 - i, firstTime: start, lastTime: end - 1,
    })),
    samples: [],
    sampling: null,
    coverage: {
      complete,
      windows: Array.from({ length: 31 }, (_, i) => ({
        source: 'smapi', sourceType: 'smapi' as const,
        window: { index: i, key: `w${String(i).padStart(3, '0')}`, start: new Date(start + i * 86_400_000).toISOString(), end: new Date(start + (i + 1) * 86_400_000).toISOString() },
        request: { vendorId: 'M1EXAMPLE' }, pages: 10, recordsReceived: 1000, attempts: 11, retries: 1, throttles: 1, retryWaitMs: 1000,
        restarts: 0, problems: [], eventsKept: 1000, outsidePeriod: 0, duplicates: 0, rereads: 0, refused: 0, idCollisions: 0,
        firstEventTime: new Date(start + i * 86_400_000).toISOString(), lastEventTime: new Date(start + (i + 1) * 86_400_000 - 1).toISOString(),
        status: !complete && i === 4 ? ('failed' as const) : ('complete' as const), resumed: false,
        error: !complete && i === 4 ? { code: 'HTTP_STATUS', message: 'HTTP 503 after 5 attempts' } : undefined, extra: {},
      })),
      sources: [],
      idCollisions: [],
    },
    signOff: { preparedBy: null, reviewedBy: null, date: null, conclusion: null },
    exceptions: {
      count: opts.exceptions,
      async *open() {
        const rnd = seededRandom(`${seed}:exceptions`);
        for (let i = 0; i < opts.exceptions; i++) yield exceptionAt(i, rnd);
      },
    },
    events: {
      count: opts.events,
      async *open() {
        const rnd = seededRandom(`${seed}:events`);
        for (let i = 0; i < opts.events; i++) yield eventAt(i, rnd);
      },
    },
  };
}
