import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Construct } from 'constructs';
import { RdsIamAccessPlan } from '../../model/aws/access-plan';
import { immutaTrustPolicy, rdsConnectPolicy } from '../../model/aws/immuta-rds';
import { policyJson } from '../../model/aws/policy-document';
import { terraformName } from '../../model/terraform-names';
import { AccessKeyUser } from './private/access-key-user';
import { namedOutput } from './private/outputs';
import { PolicyAttachedRole } from './private/policy-attached-role';

export interface ImmutaRdsIamAccessProps {
  /**
   * One server's plan (model/aws/access-plan.ts), from a validated estate. `aws-assumed-role`:
   * a role Immuta's account assumes with the external id, named as the database user;
   * `aws-access-key`: an IAM user with an access key (Immuta's PostgreSQL requirements).
   */
  readonly plan: RdsIamAccessPlan;
}

/**
 * Immuta's PostgreSQL requirements, Amazon Aurora or Amazon RDS: the IAM side of Immuta's connection. A policy
 * allowing only `rds-db:connect` as the one database user, and the principal Immuta
 * authenticates as. Outputs carry what Immuta's connection form asks for.
 */
export class ImmutaRdsIamAccess extends Construct {
  readonly policy: IamPolicy;
  /** The role Immuta assumes (aws-assumed-role only); other stacks read its ARN. */
  readonly role?: IamRole;

  constructor(scope: Construct, id: string, props: ImmutaRdsIamAccessProps) {
    super(scope, id);
    const { plan } = props;
    const auth = plan.authentication;
    const prefix = terraformName('postgres', plan.serverId, 'immuta');
    const out = (what: string) => `${prefix}_${what}`;

    this.policy = new IamPolicy(this, 'policy', {
      name: plan.policyName,
      description: `rds-db:connect as ${plan.dbUsername} on ${plan.resourceId} for Immuta (Immuta's PostgreSQL requirements)`,
      policy: policyJson(rdsConnectPolicy(plan)),
    });

    if (auth.type === 'aws-assumed-role') {
      const role = this.role = new PolicyAttachedRole(this, 'role', {
        roleName: auth.roleName,
        trustPolicy: immutaTrustPolicy(plan.partition, auth.immutaAwsAccountId, auth.externalId),
        policyArn: this.policy.arn,
        description: `Assumed by Immuta (account ${auth.immutaAwsAccountId}) to connect to PostgreSQL ${plan.serverId} (Immuta's PostgreSQL requirements)`,
      }).role;
      namedOutput(this, out('role_arn'), role.arn, `Immuta connection form, Role ARN, for ${plan.serverId} (Immuta's PostgreSQL requirements, AWS Assumed Role)`);
      namedOutput(this, out('external_id'), auth.externalId, `Immuta connection form, External ID, for ${plan.serverId} (Immuta's PostgreSQL requirements, AWS Assumed Role)`);
    } else {
      new AccessKeyUser(this, 'user', {
        userName: auth.userName,
        policyArn: this.policy.arn,
        outputPrefix: prefix,
        purpose: `Immuta's connection to PostgreSQL ${plan.serverId} (Immuta's PostgreSQL requirements, AWS Access Key)`,
      });
    }
    namedOutput(this, out('username'), plan.dbUsername, `Immuta connection form, Username, for ${plan.serverId} (Immuta's PostgreSQL requirements)`);
  }
}
