import { PolicyDocument, policyDocument } from './policy-document';

/** A trust policy letting AWS services (given as principals) assume a role. */
export function serviceTrustPolicy(...principals: string[]): PolicyDocument {
  return policyDocument({
    Effect: 'Allow',
    Principal: { Service: principals.length === 1 ? principals[0] : principals },
    Action: 'sts:AssumeRole',
  });
}
