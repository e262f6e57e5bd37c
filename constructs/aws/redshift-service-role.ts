import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { TerraformIterator } from 'cdktf';
import { Construct } from 'constructs';
import { ServiceRolePlan } from '../../model/aws/access-plan';
import { policyJson } from '../../model/aws/policy-document';
import { managedPolicyArns, redshiftServiceRoleTrustPolicy } from '../../model/aws/redshift-service-role';
import { terraformName } from '../../model/terraform-names';
import { namedOutput } from './private/outputs';

export interface RedshiftServiceRoleProps {
  /** The role's plan (model/aws/access-plan.ts), from a validated estate. */
  readonly plan: ServiceRolePlan;
}

/**
 * The Redshift IAM role guide: the IAM role Redshift assumes for COPY, UNLOAD and other calls on the users'
 * behalf, optionally restricted to regions and to database users. Associating it with
 * the cluster is RedshiftClusterRoleAssociation's job, because that association is exclusive.
 */
export class RedshiftServiceRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: RedshiftServiceRoleProps) {
    super(scope, id);
    const { plan } = props;
    this.role = new IamRole(this, 'role', {
      name: plan.roleName,
      description: `Redshift service role for COPY/UNLOAD on cluster ${plan.clusterId} (the Redshift IAM role guide)`,
      assumeRolePolicy: policyJson(redshiftServiceRoleTrustPolicy({ regions: plan.regions, dbUserArns: plan.dbUserArns })),
    });
    if (plan.managedPolicies.length > 0) {
      // One block for all attachments, keyed by policy name: readable addresses, and the count grows with the estate only.
      const arns = managedPolicyArns(plan.partition, plan.managedPolicies);
      const each = TerraformIterator.fromMap(Object.fromEntries(plan.managedPolicies.map((p, i) => [p, arns[i]])));
      new IamRolePolicyAttachment(this, 'managed-policies', { forEach: each, role: this.role.name, policyArn: each.value });
    }
    namedOutput(this, terraformName('redshift', plan.clusterId, 'service_role_arn'), this.role.arn,
      `ARN of the Redshift service role of cluster ${plan.clusterId}, for IAM_ROLE in COPY and UNLOAD (the Redshift IAM role guide)`);
  }
}
