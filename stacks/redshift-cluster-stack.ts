import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { EnvironmentPlan } from '../model/environment-plan';
import { RedshiftClusterPlan } from '../model/redshift/plan';
import { ImmutaRedshiftConnectionOutputs } from '../constructs/redshift/immuta-redshift-connection-outputs';
import { RedshiftClusterGrants } from '../constructs/redshift/redshift-cluster-grants';
import { EstateStack } from './estate-stack';
import { redshiftProviderConfig } from './redshift-runner-stack';

export interface RedshiftClusterStackProps {
  /** The environment's name and account. */
  readonly environment: Pick<EnvironmentPlan, 'envName' | 'accountId'>;
  /** The cluster's plan: units, password users, destroy consent, Immuta connection. */
  readonly cluster: RedshiftClusterPlan;
}

/**
 * One Redshift cluster's part of the plane (`<env>-redshift-<cluster>`): the Immuta
 * (Immuta's Redshift requirements) and Informatica (the Informatica Redshift connector's
 * requirements) users, roles, grants and masking as unit invocations, the password secrets,
 * the drift check and the Immuta connection outputs, in the cluster's region. The units
 * invoke the runner function of the environment's runner stack (RedshiftRunnerStack) by its
 * name, so this stack reads nothing from that stack's state; it must be deployed after it,
 * and a removed cluster's stack destroyed (which runs the revokes) before it.
 */
export class RedshiftClusterStack extends EstateStack {
  readonly grants: RedshiftClusterGrants;

  constructor(scope: Construct, id: string, props: RedshiftClusterStackProps) {
    super(scope, id);
    const { environment, cluster } = props;
    new AwsProvider(this, 'aws', redshiftProviderConfig(environment, cluster.region));
    this.grants = new RedshiftClusterGrants(this, cluster.clusterId, { envName: environment.envName, accountId: environment.accountId, plan: cluster });
    if (cluster.immuta) new ImmutaRedshiftConnectionOutputs(this, `${cluster.clusterId}-immuta`, { clusterId: cluster.clusterId, connection: cluster.immuta });
  }
}
