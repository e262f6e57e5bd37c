import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EstateStack } from './estate-stack';
import { Construct } from 'constructs';
import { Environment } from '../estate/schema';
import { partitionOf } from '../model/aws/partition';
import { redshiftPlans } from '../model/redshift/plan';
import { terraformName } from '../model/terraform-names';
import { ImmutaRedshiftConnection } from '../constructs/redshift/immuta-redshift-connection';
import { RedshiftClusterGrants } from '../constructs/redshift/redshift-cluster-grants';
import { RedshiftRunnerFunction } from '../constructs/redshift/redshift-runner-function';

export interface RedshiftStackProps {
  /** Environment name from the estate (dev, prod, ...). */
  readonly envName: string;
  /** The validated environment. */
  readonly environment: Environment;
}

/**
 * The Redshift plane of one environment: per cluster, the Immuta (Immuta's Redshift
 * requirements) and Informatica (the Informatica Redshift connector's requirements)
 * users, roles, grants and masking, run by a Lambda function per region through the
 * Redshift Data API (docs/redshift-mechanism.md). Synthesized for every environment, empty
 * when it has no cluster for this plane, so removing the last cluster still runs revokes.
 */
export class RedshiftStack extends EstateStack {
  constructor(scope: Construct, id: string, props: RedshiftStackProps) {
    super(scope, id);
    const env = props.environment;
    const providerConfig = {
      allowedAccountIds: [env.aws.accountId],
      defaultTags: [{ tags: { ManagedBy: 'governance-estate', Environment: props.envName } }],
    };
    new AwsProvider(this, 'aws', { ...providerConfig, region: env.aws.region });
    // A provider for every region a cluster of the environment names, with or without
    // units: revokes of a removed cluster's units need their region's provider.
    const providers = new Map<string, AwsProvider | undefined>([[env.aws.region, undefined]]);
    for (const region of [...new Set(env.redshift.map((c) => c.region ?? env.aws.region))].sort()) {
      if (!providers.has(region)) providers.set(region, new AwsProvider(this, `aws-${region}`, { ...providerConfig, region, alias: terraformName(region) }));
    }

    const runners = new Map<string, RedshiftRunnerFunction>();
    for (const plan of redshiftPlans(env)) {
      const provider = providers.get(plan.region);
      if (!runners.has(plan.region)) {
        runners.set(plan.region, new RedshiftRunnerFunction(this, `runner-${plan.region}`, {
          envName: props.envName, region: plan.region, accountId: env.aws.accountId, partition: partitionOf(plan.region), provider,
        }));
      }
      const cluster = env.redshift.find((c) => c.id === plan.clusterId)!;
      const connector = cluster.informatica?.connectorUser;
      new RedshiftClusterGrants(this, plan.clusterId, {
        envName: props.envName,
        plan,
        runner: runners.get(plan.region)!,
        provider,
        consent: {
          immuta: cluster.immuta?.allowDestroy ?? false,
          ...(connector ? { connectorUser: { name: connector.name, allowDestroy: connector.allowDestroy } } : {}),
        },
      });
      if (plan.immuta) new ImmutaRedshiftConnection(this, `${plan.clusterId}-immuta`, { clusterId: plan.clusterId, connection: plan.immuta });
    }
  }
}
