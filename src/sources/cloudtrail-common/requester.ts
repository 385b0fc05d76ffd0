import type { Requester } from '../../model/audit-event.js';
import { obj, str, type JsonObject } from './values.js';

/** What the userIdentity element says about who called, in the shape rules and reports use. */
export interface CloudTrailIdentity {
  requester: Requester;
  /** For an assumed role: the session name (often the person, e.g. an SSO e-mail). */
  sessionName?: string;
  /** For an assumed role: the role's IAM ARN (from sessionIssuer, else derived from the STS ARN). */
  roleArn?: string;
  invokedBy?: string;
}

/** `arn:<partition>:sts::<account>:assumed-role/<role>/<session>` */
const ASSUMED_ROLE = /^arn:([^:]+):(?:sts|iam)::([^:]*):assumed-role\/([^/]+)(?:\/(.+))?$/;

/**
 * The requester of a CloudTrail record (the userIdentity element: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
 *
 * - id: `userIdentity.arn` for IAM users, root, federated users and Identity Center users.
 * - AssumedRole: `<role ARN> (session <name>)`, e.g.
 *   `arn:aws:iam::123456789012:role/Admin (session alice)`. The role ARN comes from
 *   `sessionContext.sessionIssuer.arn`; when the issuer is missing it is derived from the STS
 *   ARN (`arn:aws:iam::<account>:role/<RoleName>`, a role path cannot be recovered). The session
 *   is the last part of the assumed-role ARN, else the part of principalId after ":". Without a
 *   session the id is the role alone, so one role's calls group together either way.
 * - AWSService: `invokedBy` (e.g. `ec2.amazonaws.com`).
 * - Others, and records whose fields are missing: the first of arn, userName, principalId,
 *   accountId, invokedBy; `unknown` when the record has no userIdentity at all.
 * - type: `userIdentity.type` as written (Root, IAMUser, AssumedRole, AWSService, FederatedUser,
 *   IdentityCenterUser, SAMLUser, AWSAccount, Unknown…); absent when the record has none.
 * Names and e-mails are never filled here: only the requester directory does that.
 */
export function identityOf(userIdentityValue: unknown): CloudTrailIdentity {
  const ui = obj(userIdentityValue);
  const type = str(ui.type);
  const arn = str(ui.arn);
  const invokedBy = str(ui.invokedBy);
  const base = (id: string): Requester => (type ? { id, type } : { id });
  const out = (requester: Requester, extra: Partial<CloudTrailIdentity> = {}): CloudTrailIdentity => ({
    requester,
    ...(invokedBy ? { invokedBy } : {}),
    ...extra,
  });

  if (type === 'AssumedRole') {
    const role = assumedRole(ui, arn);
    if (role.roleArn) {
      const id = role.sessionName ? `${role.roleArn} (session ${role.sessionName})` : role.roleArn;
      return out(base(id), role);
    }
  }
  if (type === 'AWSService' && invokedBy) return out(base(invokedBy));
  const id = arn ?? str(ui.userName) ?? str(ui.principalId) ?? str(ui.accountId) ?? invokedBy ?? 'unknown';
  return out(base(id));
}

function assumedRole(ui: JsonObject, arn: string | undefined): { roleArn?: string; sessionName?: string } {
  const issuer = obj(obj(ui.sessionContext).sessionIssuer);
  const m = arn && arn.includes(':assumed-role/') ? ASSUMED_ROLE.exec(arn) : null;
  const principalId = str(ui.principalId);
  const colon = principalId ? principalId.indexOf(':') : -1;
  const principalSession = principalId && colon >= 0 ? principalId.slice(colon + 1) : undefined;
  const sessionName = (m?.[4] ? m[4] : undefined) ?? (principalSession || undefined);
  const roleArn =
    str(issuer.arn) ?? (m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined) ?? str(issuer.userName);
  const out: { roleArn?: string; sessionName?: string } = {};
  if (roleArn) out.roleArn = roleArn;
  if (sessionName) out.sessionName = sessionName;
  return out;
}
