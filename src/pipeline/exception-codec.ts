import { compareExceptionRows, type ExceptionRow, type ExceptionTrend } from '../model/exception.js';
import type { Covers, RecordCodec, SortKey } from './record-codec.js';

const TRENDS: readonly (ExceptionTrend | undefined)[] = [undefined, 'new', 'recurring', 'resolved'];

/**
 * An exception as a spill record whose first field indexes the rule's fixed texts (id, title,
 * severity, control), held once in memory. Rules fire on about every other event of a real trail,
 * so the repeated titles were most of the exceptions' spill bytes. A field added to ExceptionRow fails
 * to compile here (`covered`) until it is written and read.
 */
const covered: Covers<ExceptionRow, 'ruleId' | 'title' | 'severity' | 'control' | 'reason' | 'time' | 'source' | 'eventId' | 'service' | 'operation' | 'responseCode' | 'requesterId' | 'requesterName' | 'requesterEmail' | 'resource' | 'client' | 'details' | 'subject' | 'trend'> = true;
void covered;

export function createExceptionCodec(): RecordCodec<ExceptionRow> {
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
    encode(x, w) {
      w.uint(ruleIndex(x));
      w.str(x.reason);
      w.f64(x.time);
      w.str(x.source);
      w.optStr(x.eventId);
      w.str(x.service);
      w.str(x.operation);
      w.str(x.responseCode);
      w.str(x.requesterId);
      w.optStr(x.requesterName);
      w.optStr(x.requesterEmail);
      w.optStr(x.resource);
      w.optStr(x.client);
      w.optStr(x.details);
      w.str(x.subject);
      w.uint(TRENDS.indexOf(x.trend));
    },
    decode(r) {
      // Field by field, in the order written (a spread of the rule's texts was the hottest line of a render).
      const rule = rules[r.uint()];
      const row: ExceptionRow = {
        ruleId: rule.ruleId, title: rule.title, severity: rule.severity, control: rule.control,
        reason: r.str(), time: r.f64(), source: r.str(), eventId: r.optStr(), service: r.str(), operation: r.str(), responseCode: r.str(),
        requesterId: r.str(), requesterName: r.optStr(), requesterEmail: r.optStr(), resource: r.optStr(), client: r.optStr(), details: r.optStr(), subject: r.str(),
      };
      const trend = TRENDS[r.uint()];
      if (trend) row.trend = trend;
      return row;
    },
  };
}

/**
 * How the spill sorts exceptions: in exception order, by the time alone (the record's third field)
 * where it differs, so only rows whose times tie are decoded to be compared (and not again to be
 * read out); the others are decoded once, as they are read out, and die young.
 */
export const exceptionSortKey: SortKey<ExceptionRow> = {
  compare: compareExceptionRows,
  primary(r) {
    r.uint();
    r.skipStr();
    return r.f64();
  },
};
