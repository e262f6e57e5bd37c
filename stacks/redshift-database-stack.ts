import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { EnvironmentPlan } from '../model/environment-plan';
import { RedshiftClusterPlan, RedshiftDatabaseGroup } from '../model/redshift/plan';
import { RedshiftDatabaseGrants } from '../constructs/redshift/redshift-database-grants';
import { EstateStack } from './estate-stack';
import { redshiftProviderConfig } from './redshift-runner-stack';

export interface RedshiftDatabaseStackProps {
  /** The environment's name and account. */
  readonly environment: Pick<EnvironmentPlan, 'envName' | 'accountId'>;
  /** The cluster's plan. */
  readonly cluster: RedshiftClusterPlan;
  /** The group of protected databases this stack grants on. */
  readonly group: RedshiftDatabaseGroup;
}

/**
 * `<env>-redshift-<cluster>-<group>`: Immuta's grants and masking on one group of a cluster's
 * protected databases (by default one database), so that a change to one database plans
 * only its own stack (docs/stack-layout.md). It depends on the cluster's stack, which
 * creates the system user and lets the runner function reach these databases; it reads
 * nothing from that stack's state.
 */
export class RedshiftDatabaseStack extends EstateStack {
  readonly grants: RedshiftDatabaseGrants;

  constructor(scope: Construct, id: string, props: RedshiftDatabaseStackProps) {
    super(scope, id);
    const { environment, cluster, group } = props;
    new AwsProvider(this, 'aws', redshiftProviderConfig(environment, cluster.region));
    this.grants = new RedshiftDatabaseGrants(this, cluster.clusterId, { envName: environment.envName, plan: cluster, group });
  }
}
