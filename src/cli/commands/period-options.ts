import type { Argv } from 'yargs';
import { PERIOD_FORMS } from '../../period/parse-period.js';

export interface PeriodArgs {
  period?: string;
  from?: string;
  to?: string;
  tz?: string;
}

export function periodOptions<T>(y: Argv<T>) {
  return y
    .option('period', { alias: 'p', type: 'string', describe: `Period: ${PERIOD_FORMS} (default last-month)` })
    .option('from', { type: 'string', describe: 'Start: YYYY-MM-DD (local midnight) or an ISO date-time' })
    .option('to', { type: 'string', describe: 'End: YYYY-MM-DD (that day included) or an ISO date-time (excluded)' })
    .option('tz', { type: 'string', describe: 'IANA time zone of the period and the report (default: config timezone, else UTC)' });
}
