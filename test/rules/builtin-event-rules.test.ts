import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/model/audit-event.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import type { RuleSpec } from '../../src/rules/rule-spec.js';
import { builtinRules, ct, ev } from './fixtures.js';

const ctx = { timeZone: 'UTC', directory: null, businessHours: null };

function matchedIds(rules: RuleSpec[], e: AuditEvent): readonly string[] {
  const engine = createRuleEngine(rules, ctx);
  return engine.evaluate(e).matchedRuleIds;
}

const fail = (code: string, over: Partial<AuditEvent> = {}) => ev({ outcome: 'failure', responseCode: code, ...over });
const ctFail = (code: string, over: Partial<AuditEvent> = {}) => ct({ outcome: 'failure', responseCode: code, ...over });
const trail = (operation: string, scope: string, over: Partial<AuditEvent> = {}) =>
  ev({ source: 'trail-logs', sourceType: 'trail-logs', service: 'management', operation, attributes: { scope }, ...over });
const amp = (operation: string, over: Partial<AuditEvent> = {}) =>
  ev({ source: 'amplitude', sourceType: 'amplitude', service: operation.split('/')[0], operation, responseCode: 'success', ...over });

/** For every built-in match rule: events it must flag, and near misses it must leave alone. */
const CASES: Record<string, { yes: AuditEvent[]; no: AuditEvent[] }> = {
  'access-denied': {
    yes: [ctFail('AccessDenied'), ctFail('Client.UnauthorizedOperation'), ctFail('UnauthorizedOperation'), ctFail('AccessDeniedException')],
    no: [ctFail('ThrottlingException'), ct(), fail('403')],
  },
  'unauthorized-request': { yes: [fail('403'), fail('401')], no: [fail('404'), ev(), ctFail('AccessDenied')] },
  'console-sign-in-failure': {
    yes: [
      ctFail('Failed authentication', { operation: 'ConsoleLogin', service: 'signin.amazonaws.com' }),
      ct({ operation: 'ConsoleLogin', service: 'signin.amazonaws.com', attributes: { consoleLogin: 'Failure' } }),
    ],
    no: [ct({ operation: 'ConsoleLogin', service: 'signin.amazonaws.com', attributes: { consoleLogin: 'Success', mfa: 'true' } })],
  },
  'server-error': { yes: [fail('500'), fail('503')], no: [fail('404'), ev()] },
  'client-error': { yes: [fail('404'), fail('400'), fail('429')], no: [fail('403'), fail('401'), fail('500')] },
  'operation-error': {
    yes: [ctFail('ThrottlingException'), amp('content/chart/delete', { outcome: 'failure', responseCode: 'error' })],
    no: [ctFail('AccessDenied'), ctFail('Failed authentication', { operation: 'ConsoleLogin' }), fail('500'), ct()],
  },
  'cloudtrail-logging-stopped': {
    yes: [ct({ service: 'cloudtrail.amazonaws.com', operation: 'StopLogging' }), ctFail('AccessDenied', { service: 'cloudtrail.amazonaws.com', operation: 'DeleteTrail' })],
    no: [ct({ service: 'cloudtrail.amazonaws.com', operation: 'StartLogging' }), ev({ operation: 'StopLogging' })],
  },
  'cloudtrail-logging-changed': {
    yes: [ct({ service: 'cloudtrail.amazonaws.com', operation: 'UpdateTrail' }), ct({ service: 'cloudtrail.amazonaws.com', operation: 'PutEventSelectors', sourceType: 'cloudtrail-files' })],
    no: [ct({ service: 'cloudtrail.amazonaws.com', operation: 'GetEventSelectors' }), ctFail('AccessDenied', { operation: 'UpdateTrail' })],
  },
  'aws-root-activity': {
    yes: [ct({ attributes: { identityType: 'Root' } }), ct({ requester: { id: 'arn:aws:iam::123456789012:root', type: 'Root' } })],
    no: [ct({ attributes: { identityType: 'IAMUser' } }), ev({ requester: { id: 'root', type: 'Root' } })],
  },
  'console-sign-in-without-mfa': {
    yes: [ct({ operation: 'ConsoleLogin', attributes: { mfa: 'false', consoleLogin: 'Success' } }), ct({ operation: 'ConsoleLogin', attributes: { mfa: 'No' } })],
    no: [ct({ operation: 'ConsoleLogin', attributes: { mfa: 'true' } }), ct({ operation: 'ConsoleLogin' }), ctFail('Failed authentication', { operation: 'ConsoleLogin', attributes: { mfa: 'false' } })],
  },
  'iam-access-key-created': { yes: [ct({ operation: 'CreateAccessKey' })], no: [ct({ operation: 'ListAccessKeys' }), ctFail('AccessDenied', { operation: 'CreateAccessKey' })] },
  'iam-user-created': { yes: [ct({ operation: 'CreateUser' })], no: [ct({ operation: 'CreateUserPool' })] },
  'iam-user-policy-changed': { yes: [ct({ operation: 'AttachUserPolicy' }), ct({ operation: 'PutUserPolicy' })], no: [ct({ operation: 'GetUserPolicy' })] },
  's3-bucket-policy-changed': { yes: [ct({ service: 's3.amazonaws.com', operation: 'PutBucketPolicy' })], no: [ct({ service: 's3.amazonaws.com', operation: 'GetBucketPolicy' })] },
  's3-bucket-deleted': { yes: [ct({ service: 's3.amazonaws.com', operation: 'DeleteBucket' })], no: [ct({ service: 's3.amazonaws.com', operation: 'DeleteBucketPolicy' })] },
  'a4b-deletion': {
    yes: [ct({ service: 'a4b.amazonaws.com', operation: 'DeleteRoom' }), ct({ service: 'a4b.amazonaws.com', operation: 'DeleteSkillGroup' })],
    no: [ct({ service: 'a4b.amazonaws.com', operation: 'CreateRoom' }), ct({ service: 'lex.amazonaws.com', operation: 'DeleteRoom' })],
  },
  'lex-deletion': {
    yes: [ct({ service: 'lex.amazonaws.com', operation: 'DeleteBot' }), ct({ service: 'lex.amazonaws.com', operation: 'DeleteUtterances' })],
    no: [ct({ service: 'lex.amazonaws.com', operation: 'PutBot' })],
  },
  'smapi-credentials-access': {
    yes: [ev({ operation: 'getSkillCredentials.v1' }), ev({ operation: 'generateCredentialsForAlexaHostedSkill.v1' })],
    no: [ev({ operation: 'getSkillManifest.v1' }), fail('403', { operation: 'getSkillCredentials.v1' })],
  },
  'smapi-certification-publishing': {
    yes: ['submitSkillForCertification.v0', 'withdrawSkillFromCertification.v1', 'publishSkill.v1', 'unpublishSkill.v1'].map((operation) => ev({ operation })),
    no: [ev({ operation: 'getCertificationsList.v1' }), ev({ operation: 'getSkillPublication.v1' })],
  },
  'smapi-deletion': {
    yes: [ev({ operation: 'deleteSkill.v1' }), ev({ operation: 'deleteInteractionModelCatalog.v1' }), ev({ operation: 'deleteSkill.v0' })],
    no: [ev({ operation: 'deleteAccountLinkingInfo.v1' }), ev({ operation: 'deletePrivateDistributionAccountId.v0' }), ct({ operation: 'deleteSkill' })],
  },
  'smapi-account-linking-change': {
    yes: [ev({ operation: 'updateAccountLinkingInfo.v0' }), ev({ operation: 'deleteAccountLinkingInfo.v1' })],
    no: [ev({ operation: 'getAccountLinkingInfo.v1' })],
  },
  'smapi-private-distribution-change': {
    yes: [ev({ operation: 'setPrivateDistributionAccountId.v0' }), ev({ operation: 'deletePrivateDistributionAccountId.v0' })],
    no: [ev({ operation: 'listPrivateDistributionAccounts.v0' })],
  },
  'smapi-beta-tester-change': {
    yes: [ev({ operation: 'addTesterstoBetaTest.v1' }), ev({ operation: 'removeTestersFromBetaTest.v1' })],
    no: [ev({ operation: 'getListOfTesters.v1' })],
  },
  'amplitude-access-change': {
    yes: [
      amp('user_management/role/update'),
      amp('config/permissions/change'),
      amp('org/sso/toggle'),
      amp('group/member/add'),
      // The names the emulator (after Amplitude's UI) uses: past-tense actions.
      amp('permissions/role/changed'),
      amp('permissions/permission/granted'),
      amp('permissions/permission/revoked'),
      amp('org/sso/configured'),
    ],
    // A sign-in through SSO is a login, not an access change; invitations are the provisioning rule's.
    no: [amp('content/chart/delete'), amp('user_management/role/view'), amp('auth/login/success'), amp('auth/sso/success'), amp('auth/logout/success'), amp('org/members/invited'), amp('user_management/user/invite')],
  },
  'amplitude-user-provisioning': {
    yes: [amp('user_management/user/invite'), amp('users/delete'), amp('org/user/remove'), amp('org/members/invited'), amp('org/members/removed')],
    no: [amp('user_management/user/view'), amp('content/chart/create'), amp('group/member/add'), amp('auth/sso/success')],
  },
  'trail-logs-management-write': {
    yes: [trail('POST /keys', 'management'), trail('DELETE /keys/123', 'management'), trail('PATCH /settings', 'management')],
    no: [trail('GET /keys', 'management'), trail('POST /verify', 'service'), trail('POSTAL /x', 'management')],
  },
};

describe('built-in match rules', async () => {
  const rules = await builtinRules();

  it('every built-in match rule has test cases', () => {
    const ids = rules.filter((r) => r.type === 'match').map((r) => r.id);
    expect(ids.sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [id, { yes, no }] of Object.entries(CASES)) {
    it(`${id} flags what it should and leaves near misses alone`, () => {
      yes.forEach((e, i) => expect(matchedIds(rules, e), `yes[${i}] ${e.operation} ${e.responseCode}`).toContain(id));
      no.forEach((e, i) => expect(matchedIds(rules, e), `no[${i}] ${e.operation} ${e.responseCode}`).not.toContain(id));
    });
  }

  it('a plain successful read matches no rule', () => {
    expect(matchedIds(rules, ev())).toEqual([]);
    expect(matchedIds(rules, ct())).toEqual([]);
  });

  it('an event may match several rules, and each gets its own row', () => {
    const e = ctFail('AccessDenied', { service: 'cloudtrail.amazonaws.com', operation: 'StopLogging', attributes: { identityType: 'Root' } });
    const rows = createRuleEngine(rules, ctx).onEvent(e);
    expect(rows.map((r) => r.ruleId).sort()).toEqual(['access-denied', 'aws-root-activity', 'cloudtrail-logging-stopped']);
    for (const r of rows) {
      expect(r.eventId).toBe(e.id);
      expect(r.subject).toBe('arn:aws:iam::123456789012:user/Alice | StopLogging');
    }
  });

  it('the row carries the rule header, the event facts and a version-free subject', () => {
    const e = ev({ operation: 'getSkillCredentials.v1', resources: [{ id: 'skill-a' }, { id: 'skill-b' }] });
    const [row] = createRuleEngine(rules, ctx).onEvent(e);
    expect(row).toMatchObject({
      ruleId: 'smapi-credentials-access',
      severity: 'high',
      control: 'CC6.1',
      operation: 'getSkillCredentials.v1',
      requesterId: 'amzn1.account.ALICE',
      requesterName: 'Alice Example',
      requesterEmail: 'alice@example.com',
      resource: 'skill-a (+1 more)',
      client: 'ASK CLI',
      subject: 'amzn1.account.ALICE | getSkillCredentials',
      time: e.time,
      source: 'smapi',
    });
    expect(row.reason).toMatch(/credentials/);
  });
});
