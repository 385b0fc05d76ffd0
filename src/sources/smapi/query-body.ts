import type { TimeWindow } from '../../model/window.js';
import type { SmapiFilters } from './config.js';

/** The request body of `POST /v1/developmentAuditLogs/query`, exactly as https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html defines it. */
export interface SmapiQueryBody {
  vendorId: string;
  requestFilters: {
    operations?: { name: string; version: string }[];
    resources?: { id?: string; type?: string }[];
    requesters?: { userId: string }[];
    clients?: { id: string }[];
    httpResponseCodes?: string[];
    startTime: string;
    endTime: string;
  };
  sortDirection: 'ASC';
  sortField: 'timestamp';
  paginationContext: { maxResults: number; nextToken?: string };
}

/**
 * Ascending by time so a window pages from its start. The window is half-open [start, end); the
 * API may treat endTime as inclusive (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html), so events exactly at `end` can come back
 * and the pipeline drops them here and keeps them in the next window.
 */
export function buildQueryBody(vendorId: string, filters: SmapiFilters | undefined, window: TimeWindow, maxResults: number, nextToken?: string): SmapiQueryBody {
  const f = filters ?? {};
  const nonEmpty = <T>(list: T[] | undefined): list is T[] => list !== undefined && list.length > 0;
  return {
    vendorId,
    requestFilters: {
      ...(nonEmpty(f.operations) ? { operations: f.operations.map(({ name, version }) => ({ name, version })) } : {}),
      ...(nonEmpty(f.resources) ? { resources: f.resources.map((r) => ({ ...(r.id ? { id: r.id } : {}), ...(r.type ? { type: r.type } : {}) })) } : {}),
      ...(nonEmpty(f.requesters) ? { requesters: f.requesters.map(({ userId }) => ({ userId })) } : {}),
      ...(nonEmpty(f.clients) ? { clients: f.clients.map(({ id }) => ({ id })) } : {}),
      // https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: "List of strings specifying the response codes".
      ...(nonEmpty(f.httpResponseCodes) ? { httpResponseCodes: f.httpResponseCodes.map(String) } : {}),
      startTime: new Date(window.start).toISOString(),
      endTime: new Date(window.end).toISOString(),
    },
    sortDirection: 'ASC',
    sortField: 'timestamp',
    paginationContext: nextToken === undefined ? { maxResults } : { maxResults, nextToken },
  };
}
