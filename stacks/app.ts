import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { Estate } from '../estate/schema';
import { EnvironmentPlan, planEstate } from '../model/environment-plan';
import { STACK_LAYOUT_FILE, awsAccessStackName } from '../model/stack-layout';
import { AwsAccessStack } from './aws-access-stack';
import { PostgresGrantStack } from './postgres-grant-stack';
import { PostgresServerStack } from './postgres-server-stack';
import { addRedshiftStacks } from './redshift-stacks';
import { configureBackend } from './backend';
import { sqlFilesForPlans } from '../sql';
import { writeSqlFiles } from '../sql/files';

/**
 * Every stack of the estate, as model/environment-plan.ts lays them out: per environment the
 * AWS access stack, per PostgreSQL server a server stack and its grant stacks, the Redshift
 * runner stack and a stack per cluster (docs/stack-layout.md). Each environment is planned
 * once; the plans are returned for the SQL scripts and the layout file.
 */
export function buildApp(app: App, estate: Estate): EnvironmentPlan[] {
  const plans = planEstate(estate);
  for (const plan of plans) {
    const stacks: TerraformStack[] = [new AwsAccessStack(app, awsAccessStackName(plan.envName), { plan })];
    for (const server of plan.postgres) {
      const serverStack = new PostgresServerStack(app, server.stack, { plan: server });
      stacks.push(serverStack);
      for (const grants of server.grantStacks) {
        const grantStack = new PostgresGrantStack(app, grants.stack, { server, grants });
        grantStack.addDependency(serverStack);
        stacks.push(grantStack);
      }
    }
    stacks.push(...addRedshiftStacks(app, plan));
    for (const stack of stacks) configureBackend(stack, plan.backend);
  }
  return plans;
}

/**
 * cdktf.out/stacks.json: every stack with its environment, plane and dependencies, for
 * `npm run diff` and the workflow, which must not parse stack names (environment names may
 * hold hyphens). Dependencies come before their dependents.
 */
function writeStackLayout(outdir: string, plans: readonly EnvironmentPlan[]): void {
  const stacks = plans.flatMap((p) => p.stacks);
  fs.writeFileSync(path.join(outdir, STACK_LAYOUT_FILE), `${JSON.stringify({ stacks }, null, 2)}\n`);
}

/** What `npm run synth` writes into `outdir`: the stacks, their SQL scripts and stacks.json. */
export function synthesizeEstate(estate: Estate, outdir: string): EnvironmentPlan[] {
  return withoutTokenStackTraces(() => {
    const app = new App({ outdir, stackTraces: false });
    const plans = buildApp(app, estate);
    app.synth();
    writeSqlFiles(outdir, sqlFilesForPlans(plans));
    writeStackLayout(outdir, plans);
    return plans;
  });
}

/**
 * cdktf records a full stack trace for every token it creates, only to quote it if the token
 * later fails to resolve. A large estate creates hundreds of thousands of tokens, and under
 * ts-node each trace is source-mapped: a 1,000-database estate spent most of its five minutes
 * there. So traces come out empty during synthesis, unless DEBUG is set.
 */
function withoutTokenStackTraces<T>(fn: () => T): T {
  if (process.env.DEBUG) return fn();
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = () => '';
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = saved;
  }
}
