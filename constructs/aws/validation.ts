/**
 * Constructor checks shared by the AWS constructs. The estate was validated first; these
 * guard constructs used on their own, and say which prop broke which rule.
 */
import { CLUSTER_ID_PATTERN, REGION_PATTERN } from '../../estate/names';

export { REGION_PATTERN };
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** Cluster and server ids become parts of IAM names and Terraform output names. */
export const OWNER_ID_PATTERN = CLUSTER_ID_PATTERN;

export function check(ok: boolean, construct: string, field: string, rule: string): void {
  if (!ok) throw new Error(`${construct}.${field} ${rule}`);
}

export function checkPattern(construct: string, field: string, value: string, pattern: RegExp, rule: string): void {
  check(pattern.test(value), construct, field, `${JSON.stringify(value)} ${rule}`);
}

export function checkRegion(construct: string, field: string, region: string): void {
  checkPattern(construct, field, region, REGION_PATTERN, 'must be an AWS region code such as us-east-1');
}

export function checkAccountId(construct: string, field: string, accountId: string): void {
  checkPattern(construct, field, accountId, ACCOUNT_ID_PATTERN, 'must be an AWS account id of 12 digits');
}

export function checkOwnerId(construct: string, field: string, id: string): void {
  checkPattern(construct, field, id, OWNER_ID_PATTERN, 'must be lower-case letters, digits and hyphens, starting with a letter (at most 63)');
}

export function checkUnique(construct: string, field: string, values: readonly string[]): void {
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  check(dup === undefined, construct, field, `lists ${JSON.stringify(dup)} twice`);
}
