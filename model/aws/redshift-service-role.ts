import { managedPolicyArn, Partition, servicePrincipal } from './partition';
import { PolicyDocument } from './policy-document';
import { serviceTrustPolicy } from './trust';

/** The Redshift IAM role guide's two restrictions; both optional and combinable. */
export interface RedshiftTrustRestrictions {
  /** Only Redshift in these regions may assume the role (`redshift.REGION.amazonaws.com`). */
  readonly regions?: readonly string[];
  /** Only these database users may use the role (`sts:ExternalId` condition). */
  readonly dbUserArns?: readonly string[];
}

/**
 * The Redshift IAM role guide's trust relationship. Regions and database users are sorted and deduplicated:
 * the trust policy means the same in any order, so the estate's order must not show up
 * as a diff.
 */
export function redshiftServiceRoleTrustPolicy(restrict: RedshiftTrustRestrictions = {}): PolicyDocument {
  const principals = restrict.regions?.length
    ? canonical(restrict.regions).map((r) => servicePrincipal('redshift', r))
    : [servicePrincipal('redshift')];
  const doc = serviceTrustPolicy(...principals);
  if (restrict.dbUserArns?.length) {
    // The Redshift IAM role guide lists the users even when there is one; keep its shape.
    doc.Statement[0].Condition = { StringEquals: { 'sts:ExternalId': canonical(restrict.dbUserArns) } };
  }
  return doc;
}

/** Partition-correct ARNs of AWS managed policies, in the given order. */
export function managedPolicyArns(partition: Partition, names: readonly string[]): string[] {
  return names.map((n) => managedPolicyArn(partition, n));
}

function canonical(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
