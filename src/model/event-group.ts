import type { AuditEvent } from './audit-event.js';

/** The fields every event of a group shares: the ones the aggregator counts by. */
type GroupKey = Pick<AuditEvent, 'source' | 'sourceType' | 'service' | 'operation' | 'outcome' | 'responseCode' | 'requester' | 'client'>;

/**
 * Events counted together where the data lives (an aggregating source): every event of a group
 * shares these fields, so the aggregator counts the group as it would count each of its events.
 */
export interface EventGroup extends GroupKey {
  /** Local calendar day (YYYY-MM-DD) in the report's zone. */
  day: string;
  events: number;
  /** Epoch ms of the group's first and last event. */
  firstTime: number;
  lastTime: number;
}
