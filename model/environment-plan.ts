import { Environment, Estate } from '../estate/schema';
import { AwsAccessPlan, planAwsAccess } from './aws/access-plan';
import { immutaRoleArns } from './postgres/connection';
import { PostgresServerPlan, planPostgresServer } from './postgres/server-plan';
import { RedshiftClusterPlan, redshiftPlans } from './redshift/plan';
import { StackEntry, awsAccessStackName, redshiftClusterStackName, redshiftDatabaseStackName, redshiftRunnerStackName } from './stack-layout';

/**
 * One environment, planned once: its stacks, the AWS access plan, a plan per PostgreSQL
 * server and per Redshift cluster. The stacks, the SQL scripts, the audit and the benchmark
 * all read this value; nothing downstream goes back to the estate.
 */
export interface EnvironmentPlan {
  readonly envName: string;
  readonly accountId: string;
  /** The environment's own region: providers and RDS IAM login default to it. */
  readonly region: string;
  readonly backend: Environment['backend'];
  readonly aws: AwsAccessPlan;
  /** Servers with an immuta section, by id. */
  readonly postgres: readonly PostgresServerPlan[];
  /** Clusters with something for the Redshift plane, by id. */
  readonly redshift: readonly RedshiftClusterPlan[];
  /** Every region a cluster of the environment names, sorted: a removed cluster's revokes need its region's provider. */
  readonly redshiftRegions: readonly string[];
  /** Every stack of the environment, each after the stacks it depends on. */
  readonly stacks: readonly StackEntry[];
}

export function planEnvironment(envName: string, environment: Environment): EnvironmentPlan {
  const aws = planAwsAccess(envName, environment);
  const roleArns = immutaRoleArns(aws);
  const postgres = environment.postgres
    .filter((s) => s.immuta)
    .sort((a, b) => compare(a.id, b.id))
    .map((server) => planPostgresServer(envName, server, environment.aws.region, roleArns));
  const redshift = redshiftPlans(environment);

  const stacks: StackEntry[] = [{ name: awsAccessStackName(envName), environment: envName, plane: 'aws-access', dependsOn: [] }];
  for (const server of postgres) {
    stacks.push({ name: server.stack, environment: envName, plane: 'postgres-server', target: server.serverId, dependsOn: [] });
    for (const g of server.grantStacks) {
      stacks.push({ name: g.stack, environment: envName, plane: 'postgres-grants', target: server.serverId, dependsOn: [server.stack] });
    }
  }
  // The runner stack exists for every environment, empty or not, so its stacks' names do not
  // come and go with the first and last cluster.
  const runner = redshiftRunnerStackName(envName);
  stacks.push({ name: runner, environment: envName, plane: 'redshift-runner', dependsOn: [] });
  for (const cluster of redshift) {
    const clusterStack = redshiftClusterStackName(envName, cluster.clusterId);
    stacks.push({ name: clusterStack, environment: envName, plane: 'redshift-cluster', target: cluster.clusterId, dependsOn: [runner] });
    for (const g of cluster.databaseGroups) {
      stacks.push({ name: redshiftDatabaseStackName(envName, cluster.clusterId, g.group), environment: envName, plane: 'redshift-database', target: cluster.clusterId, dependsOn: [clusterStack] });
    }
  }
  return {
    envName,
    accountId: environment.aws.accountId,
    region: environment.aws.region,
    backend: environment.backend,
    aws,
    postgres,
    redshift,
    redshiftRegions: [...new Set(environment.redshift.map((c) => c.region ?? environment.aws.region))].sort(),
    stacks,
  };
}

/** Every environment of the estate, by name. */
export function planEstate(estate: Estate): EnvironmentPlan[] {
  return Object.keys(estate.environments).sort().map((envName) => planEnvironment(envName, estate.environments[envName]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
