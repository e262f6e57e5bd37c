import { App, TerraformStack } from 'cdktf';
import { EnvironmentPlan } from '../model/environment-plan';
import { redshiftClusterStackName, redshiftDatabaseStackName, redshiftRunnerStackName } from '../model/stack-layout';
import { RedshiftClusterStack } from './redshift-cluster-stack';
import { RedshiftDatabaseStack } from './redshift-database-stack';
import { RedshiftRunnerStack } from './redshift-runner-stack';

/**
 * The Redshift plane of one environment: the runner stack, always; a stack per cluster
 * with units, depending on the runner stack; and a stack per group of the cluster's protected
 * databases, depending on the cluster's stack (cdktf deploys dependencies first). The caller
 * configures their backend, as for every stack.
 */
export function addRedshiftStacks(app: App, plan: EnvironmentPlan): TerraformStack[] {
  const runner = new RedshiftRunnerStack(app, redshiftRunnerStackName(plan.envName), { plan });
  const stacks: TerraformStack[] = [runner];
  for (const cluster of plan.redshift) {
    const clusterStack = new RedshiftClusterStack(app, redshiftClusterStackName(plan.envName, cluster.clusterId), { environment: plan, cluster });
    clusterStack.addDependency(runner);
    stacks.push(clusterStack);
    for (const group of cluster.databaseGroups) {
      const databaseStack = new RedshiftDatabaseStack(app, redshiftDatabaseStackName(plan.envName, cluster.clusterId, group.group), { environment: plan, cluster, group });
      databaseStack.addDependency(clusterStack);
      stacks.push(databaseStack);
    }
  }
  return stacks;
}
