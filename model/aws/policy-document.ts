/**
 * IAM policy documents as plain data. Builders in model/aws return these; constructs
 * serialise them with policyJson so the synthesized JSON is stable and diffable.
 */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: { AWS?: string | string[]; Service?: string | string[] } | '*';
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** Pretty JSON with a fixed key order so a changed policy diffs line by line. */
export function policyJson(doc: PolicyDocument): string {
  return JSON.stringify(doc, null, 2);
}
