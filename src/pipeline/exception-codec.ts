import type { ExceptionRow, ExceptionTrend } from '../model/exception.js';

/**
 * The spill file's row for an exception: a positional array whose first cell indexes the rule's
 * fixed texts (id, title, severity, control), held once in memory. Rules fire on about every
 * other event of a real trail, so the repeated titles were most of the exceptions' spill bytes.
 */
export type ExceptionCells = [
  number, string, number, string, string | null, string, string, string, string | null, string | null, string | null, string | null, string,
  ExceptionTrend | null,
];

export interface ExceptionCodec {
  encode(row: ExceptionRow): ExceptionCells;
  decode(cells: ExceptionCells): ExceptionRow;
}

export function createExceptionCodec(): ExceptionCodec {
  const rules: Pick<ExceptionRow, 'ruleId' | 'title' | 'severity' | 'control'>[] = [];
  const byId = new Map<string, number[]>();
  const ruleIndex = (r: ExceptionRow): number => {
    let list = byId.get(r.ruleId);
    if (!list) {
      list = [];
      byId.set(r.ruleId, list);
    }
    for (const i of list) {
      const k = rules[i];
      if (k.title === r.title && k.severity === r.severity && k.control === r.control) return i;
    }
    rules.push({ ruleId: r.ruleId, title: r.title, severity: r.severity, control: r.control });
    list.push(rules.length - 1);
    return rules.length - 1;
  };
  return {
    encode: (r) => [
      ruleIndex(r), r.reason, r.time, r.source, r.eventId, r.operation, r.responseCode, r.requesterId, r.requesterName, r.requesterEmail,
      r.resource, r.client, r.subject, r.trend ?? null,
    ],
    decode(c) {
      const row: ExceptionRow = {
        ...rules[c[0]], reason: c[1], time: c[2], source: c[3], eventId: c[4], operation: c[5], responseCode: c[6], requesterId: c[7],
        requesterName: c[8], requesterEmail: c[9], resource: c[10], client: c[11], subject: c[12],
      };
      if (c[13] !== null) row.trend = c[13];
      return row;
    },
  };
}
