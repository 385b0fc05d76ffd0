import type { Random } from '../kit/random.js';

/**
 * The principals of one emulated account, shaped like the `userIdentity` element of real records
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html):
 * IAM users, assumed roles with a session issuer, root, and an AWS service acting on the account's behalf.
 */
export interface EmulatedIdentity {
  key: string;
  /** Relative weight of this principal among an account's callers. */
  weight: number;
  /** What LookupEvents reports as `Username` (absent for AWS services). */
  username?: string;
  userIdentity(random: Random): Record<string, unknown>;
}

export function accountIdentities(account: string): EmulatedIdentity[] {
  const iamUser = (name: string, principalId: string, weight: number): EmulatedIdentity => ({
    key: name,
    weight,
    username: name,
    userIdentity: (r) => ({
      type: 'IAMUser',
      principalId,
      arn: `arn:aws:iam::${account}:user/${name}`,
      accountId: account,
      accessKeyId: `AKIA${r.hex(16).toUpperCase()}`,
      userName: name,
    }),
  });
  const assumedRole = (role: string, session: string, roleId: string, weight: number, mfa: boolean): EmulatedIdentity => ({
    key: `${role}/${session}`,
    weight,
    username: session,
    userIdentity: (r) => ({
      type: 'AssumedRole',
      principalId: `${roleId}:${session}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
      accountId: account,
      accessKeyId: `ASIA${r.hex(16).toUpperCase()}`,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: roleId,
          arn: `arn:aws:iam::${account}:role/${role}`,
          accountId: account,
          userName: role,
        },
        webIdFederationData: {},
        attributes: { creationDate: '2026-01-01T00:00:00Z', mfaAuthenticated: String(mfa) },
      },
    }),
  });
  return [
    iamUser('alice', 'AIDAEXAMPLEALICE00001', 6),
    iamUser('bob', 'AIDAEXAMPLEBOB0000002', 4),
    assumedRole('ci-deploy', 'gh-actions-run', 'AROAEXAMPLEDEPLOY0001', 6, false),
    assumedRole('AWSReservedSSO_AdministratorAccess_5f1c2e9a', 'carol@example.com', 'AROAEXAMPLESSOADMIN01', 4, true),
    {
      key: 'root',
      weight: 1,
      username: 'root',
      userIdentity: (r) => ({
        type: 'Root',
        principalId: account,
        arn: `arn:aws:iam::${account}:root`,
        accountId: account,
        accessKeyId: `ASIA${r.hex(16).toUpperCase()}`,
      }),
    },
  ];
}

/** A service calling on the account's behalf (e.g. Lex assuming its service-linked role). */
export function serviceIdentity(service: string): EmulatedIdentity {
  return {
    key: service,
    weight: 0,
    userIdentity: () => ({ type: 'AWSService', invokedBy: service }),
  };
}
