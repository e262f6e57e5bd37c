import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EstateStack } from './estate-stack';
import { Construct } from 'constructs';
import { Environment } from '../estate/schema';
import { ImmutaRdsIamAccess } from '../constructs/aws/immuta-rds-iam-access';
import { InformaticaRedshiftConnector } from '../constructs/aws/informatica-redshift-connector';
import { RedshiftClusterIamRoles } from '../constructs/aws/redshift-cluster-iam-roles';
import { RedshiftServiceRole } from '../constructs/aws/redshift-service-role';
import { planAwsAccess } from '../model/aws/access-plan';
import { terraformName } from '../model/terraform-names';

export interface AwsAccessStackProps {
  /** Environment name from the estate (dev, prod, ...). */
  readonly envName: string;
  /** The validated environment. */
  readonly environment: Environment;
}

/** The AWS side of Immuta's PostgreSQL requirements and Informatica's Redshift connector requirements and the Redshift IAM role guide for one environment: IAM, KMS, S3 and Secrets Manager. */
export class AwsAccessStack extends EstateStack {
  constructor(scope: Construct, id: string, props: AwsAccessStackProps) {
    super(scope, id);
    const plan = planAwsAccess(props.envName, props.environment);
    const providerConfig = {
      allowedAccountIds: [plan.accountId],
      defaultTags: [{ tags: { ManagedBy: 'governance-estate', Environment: plan.envName } }],
    };
    new AwsProvider(this, 'aws', { ...providerConfig, region: plan.region });
    const regional = new Map(plan.extraRegions.map((region) => [
      region,
      new AwsProvider(this, `aws-${region}`, { ...providerConfig, region, alias: terraformName(region) }),
    ]));

    for (const cluster of plan.clusters) {
      const provider = regional.get(cluster.region);
      const roleArns = new Map<string, string>();
      if (cluster.serviceRole) {
        const role = new RedshiftServiceRole(this, `redshift-${cluster.clusterId}-service-role`, {
          clusterId: cluster.clusterId,
          partition: plan.partition,
          ...cluster.serviceRole,
        }).role;
        roleArns.set(cluster.serviceRole.roleName, role.arn);
      }
      if (cluster.informatica) {
        const connector = new InformaticaRedshiftConnector(this, `redshift-${cluster.clusterId}-informatica`, {
          clusterId: cluster.clusterId,
          region: cluster.region,
          accountId: plan.accountId,
          provider,
          ...cluster.informatica,
        });
        if (connector.redshiftRole) roleArns.set(cluster.informatica.names.redshiftRole, connector.redshiftRole.arn);
      }
      if (cluster.associatedRoleNames.length > 0) {
        new RedshiftClusterIamRoles(this, `redshift-${cluster.clusterId}-iam-roles`, {
          clusterId: cluster.clusterId,
          roleArns: cluster.associatedRoleNames.map((n) => roleArns.get(n)!),
          provider,
        });
      }
    }

    for (const access of plan.rdsIamAccess) {
      new ImmutaRdsIamAccess(this, `postgres-${access.serverId}-immuta-iam`, { accountId: plan.accountId, ...access });
    }
  }
}
