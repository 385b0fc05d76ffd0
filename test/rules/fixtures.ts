import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditEvent } from '../../src/model/audit-event.js';
import { emptyStats, type CoverageLedger, type WindowCoverage } from '../../src/model/coverage.js';
import { windowKey } from '../../src/model/window.js';
import { loadTemplate } from '../../src/templates/load-template.js';
import type { RuleSpec } from '../../src/rules/rule-spec.js';

export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');

/** A normalized event with sensible defaults; override what the test is about. */
export function ev(over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: randomUUID(),
    time: Date.UTC(2026, 9, 14, 15, 0),
    source: 'smapi',
    sourceType: 'smapi',
    service: 'smapi',
    operation: 'getSkillManifest.v1',
    outcome: 'success',
    responseCode: '200',
    requester: { id: 'amzn1.account.ALICE', name: 'Alice Example', email: 'alice@example.com' },
    client: { id: 'amzn1.application-oa2-client.cli', name: 'ASK CLI' },
    resources: [{ id: 'amzn1.ask.skill.1', type: 'Skill' }],
    ...over,
  };
}

/** A CloudTrail event as the cloudtrail source normalizes it (service = eventSource, operation = eventName). */
export function ct(over: Partial<AuditEvent> = {}): AuditEvent {
  return ev({
    source: 'cloudtrail',
    sourceType: 'cloudtrail',
    service: 'iam.amazonaws.com',
    operation: 'ListUsers',
    responseCode: 'Success',
    requester: { id: 'arn:aws:iam::123456789012:user/Alice', type: 'IAMUser' },
    client: { name: 'aws-cli/2.15' },
    resources: [],
    ...over,
  });
}

export async function builtinRules(template = 'soc2-monthly'): Promise<RuleSpec[]> {
  return (await loadTemplate(template, TEMPLATES_DIR)).rules;
}

export function windowRow(over: Partial<WindowCoverage> & { start: number; end: number; index?: number }): WindowCoverage {
  const { start, end, index = 0, ...rest } = over;
  const stats = emptyStats();
  return {
    ...stats,
    source: 'smapi',
    sourceType: 'smapi',
    window: { index, key: windowKey({ index, start, end }), start: new Date(start).toISOString(), end: new Date(end).toISOString() },
    request: {},
    eventsKept: 0,
    outsidePeriod: 0,
    duplicates: 0,
    rereads: 0,
    refused: 0,
    idCollisions: 0,
    firstEventTime: null,
    lastEventTime: null,
    status: 'complete',
    resumed: false,
    ...rest,
  };
}

export const EMPTY_LEDGER: CoverageLedger = { complete: true, windows: [], sources: [], idCollisions: [] };
