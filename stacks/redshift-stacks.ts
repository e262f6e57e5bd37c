import { App, TerraformStack } from 'cdktf';
import { EnvironmentPlan } from '../model/environment-plan';
import { redshiftClusterStackName, redshiftRunnerStackName } from '../model/stack-layout';
import { RedshiftClusterStack } from './redshift-cluster-stack';
import { RedshiftRunnerStack } from './redshift-runner-stack';

/**
 * The Redshift plane of one environment: the runner stack, always, and a stack per cluster
 * with units, each depending on the runner stack (cdktf deploys the runner first). The
 * caller configures their backend, as for every stack.
 */
export function addRedshiftStacks(app: App, plan: EnvironmentPlan): TerraformStack[] {
  const runner = new RedshiftRunnerStack(app, redshiftRunnerStackName(plan.envName), { plan });
  const clusters = plan.redshift.map((cluster) => {
    const stack = new RedshiftClusterStack(app, redshiftClusterStackName(plan.envName, cluster.clusterId), { environment: plan, cluster });
    stack.addDependency(runner);
    return stack;
  });
  return [runner, ...clusters];
}
