import { seededRandom, type Random } from '../kit/random.js';

/** One record as this emulator writes it (the scheme in docs/sources/amplitude.md). */
export interface AmplitudeRecord {
  id: string;
  /** ISO 8601, UTC. */
  timestamp: string;
  domain: string;
  feature: string;
  action: string;
  target: { type: string; id: string } | null;
  user_email: string;
  org_id: string;
  project_id: string | null;
  ip_address: string;
  user_agent: string;
  event_properties: Record<string, string | number | boolean>;
  error: { code: string; message: string } | null;
}

/** What the tests compare against: written here, not derived through the source's normalizer. */
export interface AmplitudeTruthRecord {
  id: string;
  /** Epoch ms. */
  time: number;
  domain: string;
  /** `domain/feature/action`. */
  operation: string;
  failure: boolean;
  email: string;
  target: string | null;
  ip: string;
  userAgent: string;
}

interface Kind {
  domain: string;
  feature: string;
  action: string;
  weight: number;
  failure?: boolean;
  target: 'user' | 'project' | 'org' | 'none';
  /** Share of these events that carry an error object although the action reads like success. */
  errorRate?: number;
}

const KINDS: readonly Kind[] = [
  { domain: 'auth', feature: 'login', action: 'success', weight: 20, target: 'none' },
  { domain: 'auth', feature: 'login', action: 'failed', weight: 4, failure: true, target: 'none' },
  { domain: 'auth', feature: 'logout', action: 'success', weight: 8, target: 'none' },
  { domain: 'auth', feature: 'sso', action: 'success', weight: 6, target: 'none' },
  { domain: 'auth', feature: 'mfa', action: 'challenge_failed', weight: 1, failure: true, target: 'none' },
  { domain: 'auth', feature: 'password', action: 'reset_requested', weight: 1, target: 'user' },
  { domain: 'permissions', feature: 'role', action: 'changed', weight: 3, target: 'user' },
  { domain: 'permissions', feature: 'permission', action: 'granted', weight: 2, target: 'user' },
  { domain: 'permissions', feature: 'permission', action: 'revoked', weight: 1, target: 'user' },
  { domain: 'permissions', feature: 'access', action: 'denied', weight: 2, failure: true, target: 'project' },
  { domain: 'projects', feature: 'project', action: 'created', weight: 1, target: 'project' },
  { domain: 'projects', feature: 'project', action: 'deleted', weight: 0.5, target: 'project' },
  { domain: 'projects', feature: 'settings', action: 'updated', weight: 3, target: 'project', errorRate: 0.15 },
  { domain: 'projects', feature: 'api_key', action: 'viewed', weight: 2, target: 'project' },
  { domain: 'projects', feature: 'api_key', action: 'rotated', weight: 0.5, target: 'project' },
  { domain: 'org', feature: 'members', action: 'invited', weight: 1, target: 'user' },
  { domain: 'org', feature: 'members', action: 'removed', weight: 0.5, target: 'user' },
  { domain: 'org', feature: 'settings', action: 'updated', weight: 1, target: 'org' },
  { domain: 'org', feature: 'sso', action: 'configured', weight: 0.3, target: 'org' },
];

const USERS = ['zoe@example.com', 'soren@example.com', 'taro.yamada@example.jp', 'alice@example.com', 'bob@example.com', 'chloe@example.fr', 'mallory@unknown.example'];
const ROLES = ['viewer', 'member', 'manager', 'admin'];
const AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0 Safari/537.36',
  'amplitude-python/1.2.0',
];

const DAY = 86_400_000;

export interface AmplitudeDataOptions {
  seed: string;
  orgId: string;
  start: number;
  end: number;
  recordsPerDay: number;
}

export function generateAmplitudeData(opts: AmplitudeDataOptions): { records: AmplitudeRecord[]; truth: AmplitudeTruthRecord[] } {
  const rnd = seededRandom(`amplitude:${opts.seed}`);
  const projects = Array.from({ length: 4 }, () => String(rnd.int(100000, 999999)));
  const times: number[] = [];
  for (let day = Math.floor(opts.start / DAY) * DAY; day < opts.end; day += DAY) {
    // One event exactly at midnight every few days: an inclusive end_date returns it twice.
    if ((day / DAY) % 4 === 0) times.push(day);
    const n = Math.max(1, opts.recordsPerDay + rnd.int(-Math.floor(opts.recordsPerDay / 4), Math.floor(opts.recordsPerDay / 4) + 1));
    for (let i = 0; i < n; i++) times.push(day + rnd.int(0, DAY));
  }
  const weighted = KINDS.map((k) => [k, k.weight] as const);
  const records: AmplitudeRecord[] = [];
  const truth: AmplitudeTruthRecord[] = [];
  for (const time of times.filter((t) => t >= opts.start && t < opts.end).sort((a, b) => a - b)) {
    const kind = rnd.weighted(weighted);
    const user = rnd.pick(USERS);
    const project = rnd.pick(projects);
    const target = targetOf(kind, rnd, project, opts.orgId);
    const props = propertiesOf(kind, rnd);
    const erred = kind.failure ? kind.action === 'failed' : kind.errorRate !== undefined && rnd.next() < kind.errorRate;
    const error = erred ? errorOf(kind) : null;
    const record: AmplitudeRecord = {
      id: `${rnd.hex(8)}-${rnd.hex(4)}-4${rnd.hex(3)}-a${rnd.hex(3)}-${rnd.hex(12)}`,
      timestamp: new Date(time).toISOString(),
      domain: kind.domain,
      feature: kind.feature,
      action: kind.action,
      target,
      user_email: user,
      org_id: opts.orgId,
      project_id: kind.target === 'project' ? project : null,
      ip_address: `198.51.100.${rnd.int(1, 255)}`,
      user_agent: rnd.pick(AGENTS),
      event_properties: props,
      error,
    };
    records.push(record);
    truth.push({
      id: record.id,
      time,
      domain: kind.domain,
      operation: `${kind.domain}/${kind.feature}/${kind.action}`,
      failure: kind.failure === true || error !== null,
      email: user,
      target: target?.id ?? null,
      ip: record.ip_address,
      userAgent: record.user_agent,
    });
  }
  return { records, truth };
}

function targetOf(kind: Kind, rnd: Random, project: string, orgId: string): AmplitudeRecord['target'] {
  if (kind.target === 'user') return { type: 'user', id: rnd.pick(USERS) };
  if (kind.target === 'project') return { type: 'project', id: project };
  if (kind.target === 'org') return { type: 'org', id: orgId };
  return null;
}

function propertiesOf(kind: Kind, rnd: Random): Record<string, string | number | boolean> {
  if (kind.feature === 'role') {
    const from = rnd.pick(ROLES);
    return { old_role: from, new_role: rnd.pick(ROLES.filter((r) => r !== from)) };
  }
  if (kind.feature === 'permission') return { permission: rnd.pick(['export_data', 'manage_users', 'edit_taxonomy', 'view_revenue']) };
  if (kind.feature === 'login' || kind.feature === 'sso') return { method: kind.feature === 'sso' ? 'saml' : rnd.pick(['password', 'google']) };
  if (kind.feature === 'settings') return { setting: rnd.pick(['timezone', 'data_retention', 'ip_allowlist', 'session_timeout']) };
  return {};
}

function errorOf(kind: Kind): { code: string; message: string } {
  if (kind.feature === 'login') return { code: 'invalid_credentials', message: 'Invalid email or password' };
  return { code: 'validation_error', message: 'The new value was rejected' };
}
