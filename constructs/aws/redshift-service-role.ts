import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { TerraformIterator } from 'cdktf';
import { Construct } from 'constructs';
import { DBUSER_ARN_PATTERN, MANAGED_POLICY_NAME } from '../../estate/names';
import { REDSHIFT_SERVICE_ROLE_DEFAULT_POLICIES } from '../../estate/rules';
import { IAM_NAME_PATTERN, IAM_ROLE_NAME_MAX, outputName } from '../../model/aws/names';
import { Partition, partitionOf } from '../../model/aws/partition';
import { policyJson } from '../../model/aws/policy-document';
import { managedPolicyArns, redshiftServiceRoleTrustPolicy } from '../../model/aws/redshift-service-role';
import { namedOutput } from './outputs';
import { check, checkOwnerId, checkPattern, checkRegion, checkUnique } from './validation';

/** IAM's hard limit of managed policies attached to one role. */
const MAX_ATTACHED_POLICIES = 20;

export interface RedshiftServiceRoleProps {
  /** Identifier of the cluster the role serves; names the output. */
  readonly clusterId: string;
  /** IAM role name, unique in the account; the Redshift IAM role guide's example is RedshiftCopyUnload. */
  readonly roleName: string;
  /** Partition of the account: the managed policy ARNs differ between aws, aws-cn and aws-us-gov. */
  readonly partition: Partition;
  /**
   * Only Redshift in these regions may assume the role (`redshift.REGION.amazonaws.com`).
   * @default every region (`redshift.amazonaws.com`)
   */
  readonly regions?: readonly string[];
  /**
   * Only these database users may use the role: ARNs of the form
   * `arn:aws:redshift:region:account-id:dbuser:cluster-name/user-name`, checked as `sts:ExternalId`.
   * @default every user of every cluster the role is associated with
   */
  readonly dbUserArns?: readonly string[];
  /**
   * AWS managed policies to attach, by name (or path/name).
   * @default AmazonS3ReadOnlyAccess and AWSGlueConsoleFullAccess (the Redshift IAM role guide)
   */
  readonly managedPolicies?: readonly string[];
}

/**
 * The Redshift IAM role guide: the IAM role Redshift assumes for COPY, UNLOAD and other calls on the users'
 * behalf, optionally restricted to regions and to database users. Associating it with
 * the cluster is RedshiftClusterIamRoles' job, because that association is exclusive.
 */
export class RedshiftServiceRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: RedshiftServiceRoleProps) {
    super(scope, id);
    const name = 'RedshiftServiceRole';
    checkOwnerId(name, 'clusterId', props.clusterId);
    checkPattern(name, 'roleName', props.roleName, IAM_NAME_PATTERN, 'must use only letters, digits and +=,.@_-');
    check(props.roleName.length <= IAM_ROLE_NAME_MAX, name, 'roleName', `must be at most ${IAM_ROLE_NAME_MAX} characters`);
    props.regions?.forEach((r, i) => {
      checkRegion(name, `regions[${i}]`, r);
      check(partitionOf(r) === props.partition, name, `regions[${i}]`, `${r} is not in partition ${props.partition}`);
    });
    check(props.regions === undefined || props.regions.length > 0, name, 'regions', 'must list at least one region when given (omit it for every region)');
    props.dbUserArns?.forEach((arn, i) => {
      const m = DBUSER_ARN_PATTERN.exec(arn);
      check(m !== null, name, `dbUserArns[${i}]`, `${JSON.stringify(arn)} must be arn:aws:redshift:region:account-id:dbuser:cluster-name/user-name (the Redshift IAM role guide)`);
      check(m![1] === props.partition, name, `dbUserArns[${i}]`, `must be in partition ${props.partition}`);
    });
    check(props.dbUserArns === undefined || props.dbUserArns.length > 0, name, 'dbUserArns', 'must list at least one user when given (omit it for every user)');
    const policies = props.managedPolicies ?? REDSHIFT_SERVICE_ROLE_DEFAULT_POLICIES;
    policies.forEach((p, i) => checkPattern(name, `managedPolicies[${i}]`, p, MANAGED_POLICY_NAME.pattern, MANAGED_POLICY_NAME.rule));
    checkUnique(name, 'managedPolicies', policies);
    check(policies.length <= MAX_ATTACHED_POLICIES, name, 'managedPolicies', `must list at most ${MAX_ATTACHED_POLICIES} policies (IAM limit per role)`);

    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: `Redshift service role for COPY/UNLOAD on cluster ${props.clusterId} (the Redshift IAM role guide)`,
      assumeRolePolicy: policyJson(redshiftServiceRoleTrustPolicy({ regions: props.regions, dbUserArns: props.dbUserArns })),
    });
    if (policies.length > 0) {
      // One block for all attachments, keyed by policy name: readable addresses, and the count grows with the estate only.
      const arns = managedPolicyArns(props.partition, policies);
      const each = TerraformIterator.fromMap(Object.fromEntries(policies.map((p, i) => [p, arns[i]])));
      new IamRolePolicyAttachment(this, 'managed-policies', { forEach: each, role: this.role.name, policyArn: each.value });
    }
    namedOutput(this, outputName('redshift', props.clusterId, 'service_role_arn'), this.role.arn,
      `ARN of the Redshift service role of cluster ${props.clusterId}, for IAM_ROLE in COPY and UNLOAD (the Redshift IAM role guide)`);
  }
}
