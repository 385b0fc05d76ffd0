import { randomUUID } from 'node:crypto';
import type { EmuResponse } from '../kit/server.js';

/** CloudTrail's model namespace: modeled errors carry it in `__type` ("ns#Name"), clients strip it. */
export const CLOUDTRAIL_NAMESPACE = 'com.amazonaws.cloudtrail.v20131101';
export const TARGET_PREFIX = 'CloudTrail_20131101.';
export const AMZ_JSON = 'application/x-amz-json-1.1';

/** An AWS JSON 1.1 answer (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html): `__type` + `message` for errors, HTTP 400 for client faults (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/CommonErrors.html). */
export function awsJson(status: number, body: unknown): EmuResponse {
  return { status, headers: { 'content-type': AMZ_JSON, 'x-amzn-requestid': randomUUID() }, body: JSON.stringify(body) };
}

/** A modeled CloudTrail error (namespaced `__type`). */
export function modeledError(name: string, message: string, status = 400): EmuResponse {
  return awsJson(status, { __type: `${CLOUDTRAIL_NAMESPACE}#${name}`, message });
}

/** A common AWS error (auth, throttling, serialization): plain `__type`, as the AWS front end sends it. */
export function commonError(name: string, message: string, status = 400): EmuResponse {
  return awsJson(status, { __type: name, message });
}
