const MB = 1024 * 1024;
const TB = 1024 * 1024 * MB;
/** "$5.00 per TB of data scanned … rounded up to the nearest megabyte, with a 10 megabyte minimum per query" (https://aws.amazon.com/athena/pricing/). */
export const USD_PER_TB = 5;
export const MIN_BILLED_BYTES = 10 * MB;

/**
 * What Athena bills a query that scanned `bytes`: none for a failed query or DDL ("You are not
 * charged for failed queries"; DDL statements are free, same page), otherwise the bytes rounded up
 * to a whole MB, at least 10 MB. Cancelled queries are billed for what they scanned.
 */
export function estimatedCostUsd(bytes: number, outcome: { state: string; statementType?: string }): number {
  if (outcome.state === 'FAILED' || outcome.statementType === 'DDL') return 0;
  const billed = Math.max(MIN_BILLED_BYTES, Math.ceil(bytes / MB) * MB);
  return (billed / TB) * USD_PER_TB;
}
