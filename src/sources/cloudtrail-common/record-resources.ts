import type { ResourceRef } from '../../model/audit-event.js';
import { isObject, obj, str, type JsonObject } from './values.js';

/** requestParameters keys that name the resource a call touched, with its CloudFormation-style type. */
const KNOWN_PARAMETERS: readonly (readonly [string, string])[] = [
  ['bucketName', 'AWS::S3::Bucket'],
  ['roleName', 'AWS::IAM::Role'],
  ['userName', 'AWS::IAM::User'],
  ['groupName', 'AWS::IAM::Group'],
  ['policyArn', 'AWS::IAM::ManagedPolicy'],
  ['instanceId', 'AWS::EC2::Instance'],
  ['groupId', 'AWS::EC2::SecurityGroup'],
  ['functionName', 'AWS::Lambda::Function'],
  ['trailName', 'AWS::CloudTrail::Trail'],
  ['keyId', 'AWS::KMS::Key'],
  ['dBInstanceIdentifier', 'AWS::RDS::DBInstance'],
  ['secretId', 'AWS::SecretsManager::Secret'],
  ['tableName', 'AWS::DynamoDB::Table'],
  ['stackName', 'AWS::CloudFormation::Stack'],
  ['botName', 'AWS::Lex::Bot'],
  ['skillId', 'Alexa::Skill'],
];

const MAX_RESOURCES = 20;

/**
 * What a record touched: `resources[]` ({ARN, type}) when CloudTrail lists them, else a few
 * well-known requestParameters. Alexa for Business (https://docs.aws.amazon.com/a4b/latest/ag/cloudtrail.html) names its resources by `*Arn`
 * parameters (roomArn, profileArn…); Lex V1 model-building calls (https://docs.aws.amazon.com/lex/latest/dg/monitoring-aws-lex-cloudtrail.html) by `name`, whose
 * type follows the operation (PutBot → Bot, DeleteIntent → Intent).
 */
export function resourcesOf(record: JsonObject, eventSource: string, eventName: string): ResourceRef[] {
  const out: ResourceRef[] = [];
  // A record names a handful of resources at most: a linear look-up beats a Set per record.
  const add = (id: string | undefined, type: string | undefined) => {
    if (!id || out.length >= MAX_RESOURCES || out.some((r) => r.id === id)) return;
    out.push(type ? { id, type } : { id });
  };
  if (Array.isArray(record.resources)) {
    for (const r of record.resources) {
      if (!isObject(r)) continue;
      add(str(r.ARN) ?? str(r.arn) ?? str(r.ARNPrefix), str(r.type));
    }
  }
  if (out.length > 0) return out;

  if (!isObject(record.requestParameters)) return out;
  const params = obj(record.requestParameters);
  for (const [key, type] of KNOWN_PARAMETERS) if (key in params) add(str(params[key]), type);
  if (eventSource === 'a4b.amazonaws.com') {
    for (const [key, value] of Object.entries(params)) {
      if (key.endsWith('Arn') && str(value)?.startsWith('arn:')) add(str(value), `AWS::A4B::${capitalize(key.slice(0, -3))}`);
    }
  }
  if (eventSource === 'lex.amazonaws.com') {
    const kind = /^(?:Put|Get|Delete|Create)(Bot|BotAlias|BotVersion|Intent|IntentVersion|SlotType|SlotTypeVersion)s?$/.exec(eventName)?.[1];
    if (kind) add(str(params.name), `AWS::Lex::${kind.replace(/Version$/, '')}`);
  }
  return out;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
