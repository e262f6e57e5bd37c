import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { ImmutaRdsIamAccess } from '../constructs/aws/immuta-rds-iam-access';
import { InformaticaRedshiftConnector } from '../constructs/aws/informatica-redshift-connector';
import { RedshiftClusterRoleAssociation } from '../constructs/aws/redshift-cluster-role-association';
import { RedshiftServiceRole } from '../constructs/aws/redshift-service-role';
import { EnvironmentPlan } from '../model/environment-plan';
import { terraformName } from '../model/terraform-names';
import { EstateStack } from './estate-stack';

export interface AwsAccessStackProps {
  /** The environment's plan (model/environment-plan.ts); this stack reads its `aws` slice. */
  readonly plan: EnvironmentPlan;
}

/** The AWS side of Immuta's PostgreSQL requirements and Informatica's Redshift connector requirements and the Redshift IAM role guide for one environment: IAM, KMS, S3 and Secrets Manager. */
export class AwsAccessStack extends EstateStack {
  constructor(scope: Construct, id: string, props: AwsAccessStackProps) {
    super(scope, id);
    const plan = props.plan.aws;
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
        const { role } = new RedshiftServiceRole(this, `redshift-${cluster.clusterId}-service-role`, { plan: cluster.serviceRole });
        roleArns.set(cluster.serviceRole.roleName, role.arn);
      }
      if (cluster.informatica) {
        const connector = new InformaticaRedshiftConnector(this, `redshift-${cluster.clusterId}-informatica`, { plan: cluster.informatica, provider });
        if (connector.redshiftRole) roleArns.set(cluster.informatica.names.redshiftRole, connector.redshiftRole.arn);
      }
      if (cluster.associatedRoleNames.length > 0) {
        // The construct id predates the class name; it is kept so that state addresses do not move.
        new RedshiftClusterRoleAssociation(this, `redshift-${cluster.clusterId}-iam-roles`, {
          clusterId: cluster.clusterId,
          roleArns: cluster.associatedRoleNames.map((n) => roleArns.get(n)!),
          provider,
        });
      }
    }

    for (const access of plan.rdsIamAccess) {
      new ImmutaRdsIamAccess(this, `postgres-${access.serverId}-immuta-iam`, { plan: access });
    }
  }
}
