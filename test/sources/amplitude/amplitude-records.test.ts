import { describe, expect, it } from 'vitest';
import { normalizeAmplitudeRecord } from '../../../src/sources/amplitude/normalize.js';
import { readErrorMessage, readPage, readTime, requestBody } from '../../../src/sources/amplitude/response-adapter.js';
import { amplitudeQueryUrl } from '../../../src/sources/amplitude/config.js';

const RECORD = {
  id: 'a1',
  timestamp: '2026-01-05T10:11:12.000Z',
  domain: 'permissions',
  feature: 'role',
  action: 'changed',
  target: { type: 'user', id: 'bob@example.com' },
  user_email: 'alice@example.com',
  org_id: '76273',
  project_id: '123456',
  ip_address: '198.51.100.7',
  user_agent: 'Mozilla/5.0',
  event_properties: { old_role: 'viewer', new_role: 'admin', nested: { x: 1 } },
  error: null,
};

describe('normalizeAmplitudeRecord', () => {
  it('maps the emulated record shape', () => {
    expect(normalizeAmplitudeRecord(RECORD, 'amp')).toEqual({
      id: 'a1',
      time: Date.UTC(2026, 0, 5, 10, 11, 12),
      source: 'amp',
      sourceType: 'amplitude',
      service: 'permissions',
      operation: 'permissions/role/changed',
      outcome: 'success',
      responseCode: 'Success',
      requester: { id: 'alice@example.com', type: 'user', email: 'alice@example.com' },
      resources: [{ id: 'bob@example.com', type: 'user' }],
      account: '76273',
      sourceIp: '198.51.100.7',
      userAgent: 'Mozilla/5.0',
      client: { name: 'Mozilla/5.0' },
      attributes: {
        domain: 'permissions',
        feature: 'role',
        action: 'changed',
        orgId: '76273',
        projectId: '123456',
        'prop.old_role': 'viewer',
        'prop.new_role': 'admin',
      },
      details: [{ name: 'role', before: 'viewer', value: 'admin' }],
    });
  });

  it.each([
    [{ action: 'login_failed' }, 'failure'],
    [{ action: 'failure' }, 'failure'],
    [{ action: 'access_denied' }, 'failure'],
    [{ action: 'Denied' }, 'failure'],
    [{ action: 'updated', error: { code: 'validation_error', message: 'bad value' } }, 'failure'],
    [{ action: 'updated', error: 'boom' }, 'failure'],
    [{ action: 'updated', error: '' }, 'success'],
    [{ action: 'success' }, 'success'],
  ])('outcome of %o is %s', (patch, outcome) => {
    const event = normalizeAmplitudeRecord({ ...RECORD, ...patch }, 'a');
    expect(event.outcome).toBe(outcome);
    expect(event.responseCode).toBe(outcome === 'failure' ? 'Failure' : 'Success');
  });

  it('reads camelCase variants and numeric or zone-less timestamps', () => {
    const e = normalizeAmplitudeRecord(
      { eventId: 7, eventTime: 1767607872, domain: 'auth', feature: 'login', action: 'success', userEmail: 'z@example.com', ipAddress: '1.2.3.4', userAgent: 'ua', target: 'proj-1' },
      'a',
    );
    expect(e).toMatchObject({ id: '7', time: 1767607872000, requester: { id: 'z@example.com' }, sourceIp: '1.2.3.4', resources: [{ id: 'proj-1' }] });
    expect(readTime('2026-01-05 10:11:12.123000')).toBe(Date.UTC(2026, 0, 5, 10, 11, 12, 123));
    expect(readTime(1767607872123)).toBe(1767607872123);
    expect(readTime('2026-01-05')).toBe(Date.UTC(2026, 0, 5));
    expect(readTime('nope')).toBeNull();
  });

  it('hashes the content when there is no id, and refuses a record without a time', () => {
    const { id: _id, ...noId } = RECORD;
    const a = normalizeAmplitudeRecord(noId, 'a').id;
    expect(a).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(normalizeAmplitudeRecord({ ...noId }, 'a').id).toBe(a);
    expect(() => normalizeAmplitudeRecord({ ...RECORD, timestamp: undefined }, 'a')).toThrow(/no usable timestamp/);
  });
});

describe('response adapter', () => {
  it('builds the documented body plus the cursor', () => {
    expect(requestBody({ startDate: 'S', endDate: 'E', limit: 10 })).toEqual({ start_date: 'S', end_date: 'E', pagination: { limit: 10 } });
    expect(requestBody({ startDate: 'S', endDate: 'E', limit: 10, cursor: 'c', filters: { domain: 'auth' } })).toEqual({
      start_date: 'S',
      end_date: 'E',
      filters: { domain: 'auth' },
      pagination: { limit: 10, cursor: 'c' },
    });
  });

  it('reads the emulated page and plausible alternatives', () => {
    expect(readPage({ events: [1, 2], next_cursor: 'n' })).toEqual({ records: [1, 2], cursor: 'n' });
    expect(readPage({ events: [1], next_cursor: null })).toEqual({ records: [1] });
    expect(readPage({ data: [1], pagination: { next_cursor: 'p' } })).toEqual({ records: [1], cursor: 'p' });
    expect(readPage({ auditLogs: [], nextCursor: '' })).toEqual({ records: [] });
    expect(() => readPage({ rows: [] })).toThrow(/no list of events \(keys: rows\)/);
  });

  it('reads error messages of several shapes', () => {
    expect(readErrorMessage({ error: 'bad range' })).toBe('bad range');
    expect(readErrorMessage({ message: 'nope' })).toBe('nope');
    expect(readErrorMessage({ error: { message: 'deep' } })).toBe('deep');
    expect(readErrorMessage({ errors: [{ message: 'a' }, 'b'] })).toBe('a; b');
    expect(readErrorMessage(null)).toBe('no message');
  });

  it('builds the URL per host, with endpoint replacing the host', () => {
    expect(amplitudeQueryUrl({ host: 'us', orgId: '76273' })).toBe('https://amplitude.com/api/2/audit-logs/76273');
    expect(amplitudeQueryUrl({ host: 'eu', orgId: '76273' })).toBe('https://analytics.eu.amplitude.com/api/2/audit-logs/76273');
    expect(amplitudeQueryUrl({ host: 'us', orgId: '1', endpoint: 'http://127.0.0.1:8/' })).toBe('http://127.0.0.1:8/api/2/audit-logs/1');
  });
});
