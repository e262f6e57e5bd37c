import { PostgresServer } from '../../estate/schema';
import { grantGroupOf, postgresGrantStackName, postgresServerStackName } from '../stack-layout';
import { assertPostgresServer } from './checks';
import {
  ImmutaPostgresConnectionForm,
  ImmutaPostgresUserMapping,
  PostgresAdminConnection,
  immutaConnectionForm,
  immutaUserMappings,
  postgresAdminConnection,
} from './connection';
import { PostgresDefaultPrivilege, PostgresGrant, PostgresPrivilegePlan, postgresPrivilegePlan } from './privileges';

/** The grants on one group of a server's protected databases: one `<env>-postgres-<server>-<group>` stack. */
export interface PostgresGrantStackPlan {
  readonly stack: string;
  readonly group: string;
  /** Sorted. */
  readonly databases: readonly string[];
  /** Database, schema and table grants of these databases, in plan order. */
  readonly grants: readonly PostgresGrant[];
  readonly defaultPrivileges: readonly PostgresDefaultPrivilege[];
  /** Terraform instances the stack holds: one per grant and per default privilege. */
  readonly instances: number;
}

/** Everything the stacks, the SQL scripts and the audit need of one server, computed once. */
export interface PostgresServerPlan {
  readonly serverId: string;
  /** The `<env>-postgres-<server>` stack: provider, role, Immuta database and its grant, outputs. */
  readonly stack: string;
  readonly deployment: PostgresServer['deployment'];
  readonly majorVersion: number;
  readonly connection: PostgresAdminConnection;
  /** The whole server's privileges: the SQL scripts and the audit read them together. */
  readonly privileges: PostgresPrivilegePlan;
  /** The Immuta database's own grant (no grant option), in the server stack. */
  readonly immutaDatabaseGrant: PostgresGrant;
  readonly grantStacks: readonly PostgresGrantStackPlan[];
  /** Consent to destroy the Immuta database and role (immuta.allowDestroy). */
  readonly allowDestroy: boolean;
  readonly form: ImmutaPostgresConnectionForm;
  readonly userMappings: readonly ImmutaPostgresUserMapping[];
  /** aws-assumed-role authentication: what the connection form also needs. */
  readonly assumedRole?: { readonly roleArn: string; readonly externalId?: string };
}

/**
 * One server's plan. `roleArns`: the Role ARN per aws-assumed-role server id, from the AWS
 * access plan of the same environment.
 */
export function planPostgresServer(envName: string, server: PostgresServer, defaultRegion: string, roleArns: Readonly<Record<string, string>>): PostgresServerPlan {
  // The estate schema has checked a loaded file; a server built in code is checked here, once.
  assertPostgresServer(server, `postgres server ${server.id}`);
  const im = server.immuta!;
  const privileges = postgresPrivilegePlan(server);
  const immutaDatabaseGrant = privileges.grants.find((g) => g.objectType === 'database' && g.database === im.database)!;
  const roleArn = roleArns[server.id];
  return {
    serverId: server.id,
    stack: postgresServerStackName(envName, server.id),
    deployment: server.deployment,
    majorVersion: server.majorVersion,
    connection: postgresAdminConnection(server, defaultRegion),
    privileges,
    immutaDatabaseGrant,
    grantStacks: postgresGrantStacks(envName, server, privileges),
    allowDestroy: im.allowDestroy,
    form: immutaConnectionForm(server),
    userMappings: immutaUserMappings(server),
    ...(im.authentication === 'aws-assumed-role' && roleArn !== undefined ? { assumedRole: { roleArn, externalId: im.externalId } } : {}),
  };
}

/** The server's protected databases grouped into grant stacks, by group name. */
export function postgresGrantStacks(envName: string, server: PostgresServer, privileges: PostgresPrivilegePlan): PostgresGrantStackPlan[] {
  const groupOf = new Map(server.immuta!.protect.map((db) => [db.database, grantGroupOf(db)]));
  const groups = new Map<string, { databases: string[]; grants: PostgresGrant[]; defaultPrivileges: PostgresDefaultPrivilege[] }>();
  const groupFor = (database: string) => {
    const name = groupOf.get(database)!;
    let group = groups.get(name);
    if (!group) groups.set(name, group = { databases: [], grants: [], defaultPrivileges: [] });
    return group;
  };
  for (const database of groupOf.keys()) groupFor(database).databases.push(database);
  // One pass each, in plan order: the Immuta database is in no group.
  for (const g of privileges.grants) if (groupOf.has(g.database)) groupFor(g.database).grants.push(g);
  for (const d of privileges.defaultPrivileges) groupFor(d.database).defaultPrivileges.push(d);
  return [...groups.keys()].sort().map((group) => {
    const { databases, grants, defaultPrivileges } = groups.get(group)!;
    return {
      stack: postgresGrantStackName(envName, server.id, group),
      group,
      databases: databases.sort(),
      grants,
      defaultPrivileges,
      instances: grants.length + defaultPrivileges.length,
    };
  });
}
