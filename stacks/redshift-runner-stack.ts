import { AwsProvider, AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { EnvironmentPlan } from '../model/environment-plan';
import { terraformName } from '../model/terraform-names';
import { RedshiftRunnerFunction } from '../constructs/redshift/redshift-runner-function';
import { EstateStack } from './estate-stack';

export interface RedshiftRunnerStackProps {
  /** The environment's plan: its name, account, region, cluster plans and cluster regions. */
  readonly plan: EnvironmentPlan;
}

/**
 * The Redshift runner functions of one environment (`<env>-redshift`): one per region that
 * has a cluster with units, each running that region's units and drift checks through the
 * Redshift Data API (docs/redshift-mechanism.md). The clusters' own stacks
 * (RedshiftClusterStack) invoke them by name and are deployed after this one and destroyed
 * before it. Synthesized for every environment, empty when it has no cluster for this plane,
 * so the last function goes with an ordinary deploy.
 */
export class RedshiftRunnerStack extends EstateStack {
  /** The function of each region, by region. */
  readonly runners: ReadonlyMap<string, RedshiftRunnerFunction>;

  constructor(scope: Construct, id: string, props: RedshiftRunnerStackProps) {
    super(scope, id);
    const { plan } = props;
    new AwsProvider(this, 'aws', redshiftProviderConfig(plan, plan.region));
    // A provider for every region a cluster of the environment names, with or without
    // units: the function of a region whose last cluster lost its units is destroyed by it.
    const providers = new Map<string, AwsProvider | undefined>([[plan.region, undefined]]);
    for (const region of plan.redshiftRegions) {
      if (!providers.has(region)) providers.set(region, new AwsProvider(this, `aws-${region}`, { ...redshiftProviderConfig(plan, region), alias: terraformName(region) }));
    }
    const runners = new Map<string, RedshiftRunnerFunction>();
    for (const region of [...new Set(plan.redshift.map((c) => c.region))].sort()) {
      runners.set(region, new RedshiftRunnerFunction(this, `runner-${region}`, { envName: plan.envName, region, provider: providers.get(region) }));
    }
    this.runners = runners;
  }
}

/** The aws provider of the Redshift stacks in one region: the environment's account only, its tags. */
export function redshiftProviderConfig(plan: Pick<EnvironmentPlan, 'envName' | 'accountId'>, region: string): AwsProviderConfig {
  return {
    region,
    allowedAccountIds: [plan.accountId],
    defaultTags: [{ tags: { ManagedBy: 'governance-estate', Environment: plan.envName } }],
  };
}
