/**
 * Which stacks an environment gets and what each is called. Names read as
 * `<environment>-<plane>[-<server or cluster>[-<group>]]` so that `cdktf list` says what each
 * stack holds. The layout, the reasons for the bound and the migration from one stack per
 * plane: docs/stack-layout.md.
 */

/**
 * Instances a stack of several protected databases may hold. Terraform re-plans about 10
 * instances a second with the postgresql provider on 2 cores (docs/stack-layout.md), so a
 * stack at the bound plans in under 2 minutes.
 */
export const STACK_INSTANCE_BOUND = 1000;

/**
 * Instances a Redshift stack of several protected databases may hold. Each unit carries its
 * SQL in a large for_each value, and Terraform's plan time grew faster than the instance
 * count (a 418-instance stack planned in 165 s under load, about n^2.3 between two sizes;
 * docs/performance.md), so the bound that keeps such a stack under 2 minutes is lower.
 */
export const REDSHIFT_STACK_INSTANCE_BOUND = 300;

/** What a stack holds; the workflow and `npm run diff` read it from cdktf.out/stacks.json. */
export type StackPlane = 'aws-access' | 'postgres-server' | 'postgres-grants' | 'redshift-runner' | 'redshift-cluster' | 'redshift-database';

export interface StackEntry {
  readonly name: string;
  readonly environment: string;
  readonly plane: StackPlane;
  /** The PostgreSQL server or Redshift cluster the stack belongs to. */
  readonly target?: string;
  /** Stacks that must be deployed first (and destroyed after this one). */
  readonly dependsOn: readonly string[];
}

export function awsAccessStackName(envName: string): string {
  return `${envName}-aws-access`;
}

/** The Immuta role, the Immuta database and the connection outputs of one server. */
export function postgresServerStackName(envName: string, serverId: string): string {
  return `${envName}-postgres-${serverId}`;
}

/** The grants on one group of protected databases of a server. */
export function postgresGrantStackName(envName: string, serverId: string, group: string): string {
  return `${envName}-postgres-${serverId}-${group}`;
}

/**
 * A protected database's group (PostgreSQL grant stacks, Redshift database stacks): the estate's `stack`, else the database's own name (`$`, legal
 * in SQL identifiers, is not in stack names).
 */
export function grantGroupOf(db: { readonly database: string; readonly stack?: string }): string {
  return db.stack ?? db.database.replace(/\$/g, '_');
}

/** The runner functions of an environment, one per region with clusters. */
export function redshiftRunnerStackName(envName: string): string {
  return `${envName}-redshift`;
}

/** The cluster-wide units, secrets, runner policy, drift check and connection outputs of one cluster. */
export function redshiftClusterStackName(envName: string, clusterId: string): string {
  return `${envName}-redshift-${clusterId}`;
}

/** Immuta's grants and masking on one group of protected databases of a cluster. */
export function redshiftDatabaseStackName(envName: string, clusterId: string, group: string): string {
  return `${envName}-redshift-${clusterId}-${group}`;
}

/** The file beside manifest.json that lists every stack with its plane and dependencies. */
export const STACK_LAYOUT_FILE = 'stacks.json';
