/** Plans of estates built for tests, through the one planner the stacks use. */
import { Testing } from 'cdktf';
import { Environment, PostgresServer } from '../../estate/schema';
import { planEnvironment } from '../../model/environment-plan';
import { PostgresServerPlan } from '../../model/postgres/server-plan';
import { PostgresGrantStack } from '../../stacks/postgres-grant-stack';
import { PostgresServerStack } from '../../stacks/postgres-server-stack';

/** The plan of `server` as planned within `environment` (which may hold an older copy of it). */
export function serverPlanOf(server: PostgresServer, environment: Environment, envName = 'dev'): PostgresServerPlan {
  const postgres = [...environment.postgres.filter((s) => s.id !== server.id), server];
  const plan = planEnvironment(envName, { ...environment, postgres }).postgres.find((s) => s.serverId === server.id);
  if (!plan) throw new Error(`server ${server.id} has no immuta section: no plan`);
  return plan;
}

/** Every PostgreSQL stack of the environment (server stacks and grant stacks), synthesized as `npm run synth` would. */
export function synthPostgresStacks(envName: string, environment: Environment): { name: string; tf: any }[] {
  const app = Testing.app();
  const stacks = planEnvironment(envName, environment).postgres.flatMap((server) => [
    new PostgresServerStack(app, server.stack, { plan: server }),
    ...server.grantStacks.map((grants) => new PostgresGrantStack(app, grants.stack, { server, grants })),
  ]);
  return stacks.map((s) => ({ name: s.node.id, tf: JSON.parse(Testing.synth(s)) }));
}
