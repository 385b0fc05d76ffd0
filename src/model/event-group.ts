import type { ClientRef, Outcome, Requester } from './audit-event.js';

/**
 * Events counted together where the data lives (an aggregating source): every event of a group
 * shares these fields, so the aggregator counts the group as it would count each of its events.
 */
export interface EventGroup {
  source: string;
  sourceType: import('./audit-event.js').SourceType;
  /** Local calendar day (YYYY-MM-DD) in the report's zone. */
  day: string;
  service: string;
  operation: string;
  outcome: Outcome;
  responseCode: string;
  requester: Requester;
  client?: ClientRef;
  events: number;
  /** Epoch ms of the group's first and last event. */
  firstTime: number;
  lastTime: number;
}
