import { RedshiftClusterIamRoles } from '@cdktf/provider-aws/lib/redshift-cluster-iam-roles';
import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';

export interface RedshiftClusterRoleAssociationProps {
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
 * The IAM roles associated with one existing cluster (the Redshift IAM role guide "Associate
 * the role with your cluster", Informatica's Redshift connector requirements "add the Redshift
 * Role ARN to the Amazon Redshift cluster"). `aws_redshift_cluster_iam_roles` owns the whole
 * list, so there is exactly one per cluster, holding every role the estate attaches; two of
 * them would undo each other on every apply.
 */
export class RedshiftClusterRoleAssociation extends Construct {
  readonly resource: RedshiftClusterIamRoles;

  constructor(scope: Construct, id: string, props: RedshiftClusterRoleAssociationProps) {
    super(scope, id);
    // Not an estate rule but this resource's: an empty list detaches every role, also the cluster's own.
    if (props.roleArns.length === 0) throw new Error(`RedshiftClusterRoleAssociation.roleArns for cluster ${props.clusterId} must list at least one role: an empty list would detach every role from the cluster`);
    this.resource = new RedshiftClusterIamRoles(this, 'roles', {
      provider: props.provider,
      clusterIdentifier: props.clusterId,
      iamRoleArns: [...props.roleArns],
    });
  }
}
