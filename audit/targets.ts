import { Estate } from '../estate/schema';
import { EnvironmentPlan, planEnvironment } from '../model/environment-plan';
import { auditThroughDataApi, sdkDeps } from '../functions/redshift-runner/handler';
import { Finding } from './findings';
import { auditPostgresServer } from './postgres';
import { readPostgresCatalog } from './postgres-catalog';
import { openPostgresAuditSession } from './postgres-connection';
import { redshiftAuditInput } from './redshift';

/**
 * What `npm run audit` checks, as a list of targets (a PostgreSQL server, a Redshift
 * cluster), each with one function that returns its findings. An engine joins by adding
 * one leg to AUDIT_LEGS; the CLI, the report and the exit code do not change.
 */
export interface AuditTarget {
  /** `<environment>/<server or cluster id>`. */
  readonly target: string;
  readonly engine: 'postgresql' | 'redshift';
  /** Reads the live catalog and compares it with the plan; throws when it cannot. */
  run(): Promise<Finding[]>;
}

/** The targets of one engine in one environment; `env` holds the credentials (TF_VAR_*). */
export type AuditLeg = (plan: EnvironmentPlan, env: NodeJS.ProcessEnv) => AuditTarget[];

/** Every PostgreSQL server with an immuta section, in id order. */
export const postgresLeg: AuditLeg = (plan, env) => plan.postgres
  .map((server) => {
    const target = `${plan.envName}/${server.serverId}`;
    return {
      target,
      engine: 'postgresql' as const,
      run: async () => {
        const session = openPostgresAuditSession(target, server.connection, env);
        try {
          return auditPostgresServer(target, server.privileges, await readPostgresCatalog(session.query, server.privileges, session.maintenanceDatabase));
        } finally {
          await session.close();
        }
      },
    };
  });

/**
 * Every Redshift cluster with units, in id order, read through the Redshift Data API with the
 * runner function's own code (the same queries and comparison as each plan's drift check).
 * Credentials and endpoints come from the usual AWS chain in `env`; the caller needs what the
 * function's role has (docs/redshift-mechanism.md): Data API calls, and GetClusterCredentials
 * or the admin secret.
 */
export const redshiftLeg: AuditLeg = ({ envName, redshift }, env) => redshift.map((plan) => ({
  target: `${envName}/${plan.clusterId}`,
  engine: 'redshift' as const,
  run: () => withEnvironment(env, () => auditThroughDataApi(redshiftAuditInput(envName, plan), sdkDeps(plan.region).dataApi, 'npm-run-audit')),
}));

/** The legs `npm run audit` runs, in this order. */
export const AUDIT_LEGS: readonly AuditLeg[] = [postgresLeg, redshiftLeg];

/** The AWS SDK reads credentials and endpoints from process.env: run `fn` with the audit's environment there. */
async function withEnvironment<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  if (env === process.env) return fn();
  const saved = process.env;
  process.env = { ...env };
  try {
    return await fn();
  } finally {
    process.env = saved;
  }
}

/** One target's outcome: its findings, or the error that kept it from being read. */
export interface TargetResult {
  readonly target: string;
  readonly engine: AuditTarget['engine'];
  readonly findings: readonly Finding[];
  readonly error?: string;
}

export class AuditUsageError extends Error {}

/** The targets of the estate, optionally of one environment (which must exist). */
export function auditTargets(estate: Estate, env: NodeJS.ProcessEnv, onlyEnv?: string, legs: readonly AuditLeg[] = AUDIT_LEGS): AuditTarget[] {
  const names = Object.keys(estate.environments).sort();
  if (onlyEnv !== undefined && !names.includes(onlyEnv)) {
    throw new AuditUsageError(`--env ${onlyEnv}: the estate has no such environment (it has ${names.join(', ')})`);
  }
  return names.filter((n) => onlyEnv === undefined || n === onlyEnv)
    .map((n) => planEnvironment(n, estate.environments[n]))
    .flatMap((p) => legs.flatMap((leg) => leg(p, env)));
}

/** Runs the targets one after another; an error in one target does not stop the others. */
export async function runAuditTargets(targets: readonly AuditTarget[]): Promise<TargetResult[]> {
  const results: TargetResult[] = [];
  for (const t of targets) {
    try {
      results.push({ target: t.target, engine: t.engine, findings: await t.run() });
    } catch (e) {
      results.push({ target: t.target, engine: t.engine, findings: [], error: (e as Error).message ?? String(e) });
    }
  }
  return results;
}

/** As `terraform plan -detailed-exitcode`: 0 everything matches, 2 drift, 1 any target could not be audited. */
export function auditExitCode(results: readonly TargetResult[]): 0 | 1 | 2 {
  if (results.some((r) => r.error !== undefined)) return 1;
  return results.some((r) => r.findings.length > 0) ? 2 : 0;
}
