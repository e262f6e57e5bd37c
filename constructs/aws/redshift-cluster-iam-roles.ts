import { RedshiftClusterIamRoles as ClusterIamRolesResource } from '@cdktf/provider-aws/lib/redshift-cluster-iam-roles';
import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { check, checkOwnerId, checkUnique } from './validation';

/** Redshift's limit of IAM roles associated with one cluster. */
const MAX_CLUSTER_ROLES = 50;

export interface RedshiftClusterIamRolesProps {
  /** Identifier of the existing cluster. */
  readonly clusterId: string;
  /** ARNs of every role the cluster should have; roles not listed are removed from the cluster. */
  readonly roleArns: readonly string[];
  /**
   * Provider of the cluster's region when it is not the stack default's.
   * @default the stack's default aws provider
   */
  readonly provider?: TerraformProvider;
}

/**
 * The cluster's IAM role list (the Redshift IAM role guide "Associate the role with your cluster", Informatica's Redshift connector requirements
 * "add the Redshift Role ARN to the Amazon Redshift cluster"). `aws_redshift_cluster_iam_roles`
 * owns the whole list, so there is exactly one per cluster, holding every role the
 * estate attaches; two of them would undo each other on every apply.
 */
export class RedshiftClusterIamRoles extends Construct {
  readonly resource: ClusterIamRolesResource;

  constructor(scope: Construct, id: string, props: RedshiftClusterIamRolesProps) {
    super(scope, id);
    const name = 'RedshiftClusterIamRoles';
    checkOwnerId(name, 'clusterId', props.clusterId);
    check(props.roleArns.length > 0, name, 'roleArns', 'must list at least one role: an empty list would detach every role from the cluster');
    check(props.roleArns.length <= MAX_CLUSTER_ROLES, name, 'roleArns', `must list at most ${MAX_CLUSTER_ROLES} roles (Redshift limit per cluster)`);
    checkUnique(name, 'roleArns', props.roleArns);
    this.resource = new ClusterIamRolesResource(this, 'roles', {
      provider: props.provider,
      clusterIdentifier: props.clusterId,
      iamRoleArns: [...props.roleArns],
    });
  }
}
