import { AuditpackError } from '../../errors.js';
import type { AttemptRecorder } from '../../http/types.js';
import type { LogStore } from './log-store.js';

/** One account's region folder: `AWSLogs/[o-orgid/]<account>/<kind>/<region>/`. */
export interface RegionFolder {
  account: string;
  organizationId?: string;
  region: string;
  /** `AWSLogs/[o-orgid/]<account>/` */
  accountRoot: string;
  /** `AWSLogs/[o-orgid/]<account>/<kind>/<region>/` */
  folder: string;
}

export interface DiscoverFilter {
  accounts?: readonly string[];
  regions?: readonly string[];
  organizationId?: string;
}

const ACCOUNT = /^\d{12}$/;
const ORG = /^o-[a-z0-9]+$/;

/**
 * Finds the account and region folders to read by listing one level at a time (Delimiter "/"):
 * AWSLogs/, then organization folders, then each account's `<kind>/` folder. Filters apply as it
 * goes; an account or region the config names that exists nowhere is an error (a typo would
 * otherwise give an empty, "complete" report).
 */
export async function discoverRegionFolders(
  store: LogStore,
  kind: 'CloudTrail' | 'CloudTrail-Digest',
  filter: DiscoverFilter,
  rec: AttemptRecorder,
  signal: AbortSignal,
): Promise<RegionFolder[]> {
  const top = await subfolders(store, 'AWSLogs/', rec, signal);
  if (top.length === 0) {
    throw new AuditpackError('SOURCE_NOT_FOUND', `no AWSLogs/ folder with account folders under ${store.describe}`, {
      hint: "point location at the trail's S3 prefix (the folder that holds AWSLogs/)",
    });
  }
  const roots: { account: string; organizationId?: string; accountRoot: string }[] = [];
  for (const name of top) {
    if (ACCOUNT.test(name) && filter.organizationId === undefined) roots.push({ account: name, accountRoot: `AWSLogs/${name}/` });
    if (ORG.test(name) && (filter.organizationId === undefined || filter.organizationId === name)) {
      for (const account of await subfolders(store, `AWSLogs/${name}/`, rec, signal)) {
        if (ACCOUNT.test(account)) roots.push({ account, organizationId: name, accountRoot: `AWSLogs/${name}/${account}/` });
      }
    }
  }
  if (filter.organizationId !== undefined && !top.includes(filter.organizationId)) {
    throw new AuditpackError('SOURCE_NOT_FOUND', `no AWSLogs/${filter.organizationId}/ folder under ${store.describe}`, {
      hint: 'check organizationId, or leave it out to read every folder found',
    });
  }
  const wantedAccounts = filter.accounts ? new Set(filter.accounts) : null;
  const chosen = wantedAccounts ? roots.filter((r) => wantedAccounts.has(r.account)) : roots;
  const missingAccounts = [...(wantedAccounts ?? [])].filter((a) => !roots.some((r) => r.account === a));
  if (missingAccounts.length > 0) {
    throw new AuditpackError('SOURCE_NOT_FOUND', `no CloudTrail folder for account ${missingAccounts.join(', ')} under ${store.describe}`, {
      hint: `accounts found: ${[...new Set(roots.map((r) => r.account))].join(', ') || 'none'}`,
    });
  }

  const wantedRegions = filter.regions ? new Set(filter.regions) : null;
  const out: RegionFolder[] = [];
  const regionsSeen = new Set<string>();
  for (const root of chosen) {
    for (const region of await subfolders(store, `${root.accountRoot}${kind}/`, rec, signal)) {
      regionsSeen.add(region);
      if (wantedRegions && !wantedRegions.has(region)) continue;
      out.push({ ...root, region, folder: `${root.accountRoot}${kind}/${region}/` });
    }
  }
  // Digest folders may legitimately lack a region that has logs (validation turned off there):
  // the validator reports that as missing digests, not as a configuration error.
  const missingRegions = kind === 'CloudTrail' ? [...(wantedRegions ?? [])].filter((r) => !regionsSeen.has(r)) : [];
  if (missingRegions.length > 0) {
    throw new AuditpackError('SOURCE_NOT_FOUND', `no CloudTrail folder for region ${missingRegions.join(', ')} in the chosen accounts under ${store.describe}`, {
      hint: `regions found: ${[...regionsSeen].sort().join(', ') || 'none'}`,
    });
  }
  return out;
}

/** Names of the sub-folders of a folder (without the trailing "/"). */
async function subfolders(store: LogStore, prefix: string, rec: AttemptRecorder, signal: AbortSignal): Promise<string[]> {
  const names: string[] = [];
  for await (const page of store.listFolder(prefix, rec, signal)) {
    for (const f of page.folders) names.push(f.slice(prefix.length).replace(/\/$/, ''));
  }
  return names;
}
