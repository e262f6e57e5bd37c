import { Construct } from 'constructs';
import { ImmutaPostgresGrants } from '../constructs/postgres/immuta-postgres-grants';
import { PostgresAdminProvider } from '../constructs/postgres/postgres-admin-provider';
import { PostgresGrantStackPlan, PostgresServerPlan } from '../model/postgres/server-plan';
import { EstateStack } from './estate-stack';

export interface PostgresGrantStackProps {
  /** The server the databases are on. */
  readonly server: PostgresServerPlan;
  /** The group of protected databases this stack grants on. */
  readonly grants: PostgresGrantStackPlan;
}

/**
 * `<env>-postgres-<server>-<group>`: Immuta's grants WITH GRANT OPTION on one group of
 * protected databases (by default one database). Sized by the work it holds, so a change to
 * one database plans only its own stack (docs/stack-layout.md). The role is named, not
 * referenced: the server stack, deployed first, creates it.
 */
export class PostgresGrantStack extends EstateStack {
  constructor(scope: Construct, id: string, props: PostgresGrantStackProps) {
    super(scope, id);
    const { server, grants } = props;
    const { provider } = new PostgresAdminProvider(this, 'admin', { serverId: server.serverId, connection: server.connection });
    new ImmutaPostgresGrants(this, 'grants', {
      serverId: server.serverId,
      grants: grants.grants,
      defaultPrivileges: grants.defaultPrivileges,
      provider,
      roleName: server.privileges.systemRole.name,
    });
  }
}
