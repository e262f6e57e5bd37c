import { Construct } from 'constructs';
import { ImmutaPostgresAccount } from '../constructs/postgres/immuta-postgres-account';
import { ImmutaPostgresConnectionOutputs } from '../constructs/postgres/immuta-postgres-connection-outputs';
import { ImmutaPostgresGrants } from '../constructs/postgres/immuta-postgres-grants';
import { PostgresAdminProvider } from '../constructs/postgres/postgres-admin-provider';
import { PostgresServerPlan } from '../model/postgres/server-plan';
import { EstateStack } from './estate-stack';

export interface PostgresServerStackProps {
  /** The server's plan (EnvironmentPlan.postgres). */
  readonly plan: PostgresServerPlan;
}

/**
 * `<env>-postgres-<server>`: what Immuta's PostgreSQL requirements ask of the server as a
 * whole, the Immuta system role, the dedicated Immuta database with its grant, and the
 * connection outputs. The grants on protected databases live in the server's grant stacks
 * (PostgresGrantStack), which depend on this one.
 */
export class PostgresServerStack extends EstateStack {
  constructor(scope: Construct, id: string, props: PostgresServerStackProps) {
    super(scope, id);
    const plan = props.plan;
    const { provider } = new PostgresAdminProvider(this, 'admin', { serverId: plan.serverId, connection: plan.connection });
    const account = new ImmutaPostgresAccount(this, 'account', {
      serverId: plan.serverId,
      systemRole: plan.privileges.systemRole,
      immutaDatabase: plan.privileges.immutaDatabase,
      provider,
      allowDestroy: plan.allowDestroy,
    });
    new ImmutaPostgresGrants(this, 'grants', {
      serverId: plan.serverId, grants: [plan.immutaDatabaseGrant], provider, roleName: account.role.name, dependsOn: [account.database],
    });
    new ImmutaPostgresConnectionOutputs(this, 'outputs', {
      serverId: plan.serverId,
      form: plan.form,
      userMappings: plan.userMappings,
      ...(plan.assumedRole ? { assumedRole: plan.assumedRole } : {}),
    });
  }
}
