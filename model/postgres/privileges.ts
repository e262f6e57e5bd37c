import { RDS_IAM_ROLE } from '../../estate/rules';
import { PostgresImmutaSpec, PostgresServer } from '../../estate/schema';
import { IMMUTA_TABLE_PRIVILEGES } from '../immuta-privileges';

/**
 * Immuta's PostgreSQL requirements' in-database requirements as plain data: which privilege, on which object,
 * for which role. The Terraform constructs and the SQL scripts both render this one
 * value, so the two cannot disagree about what Immuta gets.
 */

/** Immuta's PostgreSQL requirements: CONNECT on protected databases, WITH GRANT OPTION. */
export const IMMUTA_DATABASE_PRIVILEGES = ['CONNECT'] as const;
/** Immuta's PostgreSQL requirements: USAGE on protected schemas, WITH GRANT OPTION. */
export const IMMUTA_SCHEMA_PRIVILEGES = ['USAGE'] as const;
/**
 * The dedicated Immuta database (Immuta's PostgreSQL requirements, step 1): Immuta connects to it and keeps its
 * state there, so it may create schemas and temporary tables in it. No grant option: it
 * is not a database Immuta governs. See docs/postgres-immuta-database.md.
 */
export const IMMUTA_STATE_DATABASE_PRIVILEGES = ['CONNECT', 'CREATE', 'TEMPORARY'] as const;

export type PostgresGrantObjectType = 'database' | 'schema' | 'table';

/** One GRANT: a postgresql_grant instance, or one GRANT statement. */
export interface PostgresGrant {
  /** Unique within its object type and readable: `db` or `db/schema`. */
  readonly key: string;
  readonly objectType: PostgresGrantObjectType;
  readonly database: string;
  /** Schema of a schema or table grant. */
  readonly schema?: string;
  /** Table grants: these tables only. Absent: every table in the schema when applied. */
  readonly objects?: readonly string[];
  readonly privileges: readonly string[];
  readonly withGrantOption: boolean;
  readonly role: string;
}

/** ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA schema ... ON TABLES TO role. */
export interface PostgresDefaultPrivilege {
  /** `db/schema/owner`. */
  readonly key: string;
  readonly database: string;
  readonly schema: string;
  /** The role whose future tables are covered. */
  readonly owner: string;
  readonly objectType: 'table';
  readonly privileges: readonly string[];
  readonly withGrantOption: boolean;
  readonly role: string;
}

/** The Immuta system role (Immuta's PostgreSQL requirements: CREATEROLE; a login Immuta registers with). */
export interface PostgresSystemRole {
  readonly name: string;
  readonly login: true;
  readonly createRole: true;
  /** password: a password from a sensitive variable; iam: an RDS IAM token, no password. */
  readonly credential: 'password' | 'iam';
  /** Immuta's PostgreSQL requirements: rds_iam for RDS/Aurora IAM authentication. */
  readonly memberOf: readonly string[];
}

export interface PostgresPrivilegePlan {
  readonly serverId: string;
  readonly systemRole: PostgresSystemRole;
  /** The dedicated Immuta database the stacks create. */
  readonly immutaDatabase: string;
  /** Database grants first, then schema, then table grants; sorted by key within each. */
  readonly grants: readonly PostgresGrant[];
  readonly defaultPrivileges: readonly PostgresDefaultPrivilege[];
}

const byKey = <T extends { key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const sorted = (xs: readonly string[]) => [...xs].sort();

export function requireImmuta(server: PostgresServer): PostgresImmutaSpec {
  if (!server.immuta) throw new Error(`postgres server ${server.id} has no immuta section: nothing to plan`);
  return server.immuta;
}

/** The privilege set Immuta's PostgreSQL requirements asks for, computed from one server of the estate. */
export function postgresPrivilegePlan(server: PostgresServer): PostgresPrivilegePlan {
  const im = requireImmuta(server);
  const role = im.systemRole;
  const grants: PostgresGrant[] = [];
  const defaults: PostgresDefaultPrivilege[] = [];

  grants.push({
    key: im.database, objectType: 'database', database: im.database,
    privileges: [...IMMUTA_STATE_DATABASE_PRIVILEGES], withGrantOption: false, role,
  });
  for (const db of im.protect) {
    grants.push({
      key: db.database, objectType: 'database', database: db.database,
      privileges: [...IMMUTA_DATABASE_PRIVILEGES], withGrantOption: true, role,
    });
    const owners = sorted(db.tableOwners ?? [server.adminUsername]);
    for (const schema of db.schemas) {
      const key = `${db.database}/${schema.name}`;
      grants.push({
        key, objectType: 'schema', database: db.database, schema: schema.name,
        privileges: [...IMMUTA_SCHEMA_PRIVILEGES], withGrantOption: true, role,
      });
      grants.push({
        key, objectType: 'table', database: db.database, schema: schema.name,
        ...(schema.tables ? { objects: sorted(schema.tables) } : {}),
        privileges: [...IMMUTA_TABLE_PRIVILEGES], withGrantOption: true, role,
      });
      // An explicit table list means exactly those tables: later tables stay uncovered.
      if (schema.tables) continue;
      for (const owner of owners) {
        defaults.push({
          key: `${key}/${owner}`, database: db.database, schema: schema.name, owner, objectType: 'table',
          privileges: [...IMMUTA_TABLE_PRIVILEGES], withGrantOption: true, role,
        });
      }
    }
  }
  const order: PostgresGrantObjectType[] = ['database', 'schema', 'table'];
  grants.sort((a, b) => order.indexOf(a.objectType) - order.indexOf(b.objectType) || byKey(a, b));
  defaults.sort(byKey);

  const iam = im.authentication !== 'password';
  return {
    serverId: server.id,
    systemRole: {
      name: role, login: true, createRole: true,
      credential: iam ? 'iam' : 'password',
      memberOf: iam ? [RDS_IAM_ROLE] : [],
    },
    immutaDatabase: im.database,
    grants,
    defaultPrivileges: defaults,
  };
}

/** Grants of one object type, in plan order. */
export function grantsOfType(plan: PostgresPrivilegePlan, objectType: PostgresGrantObjectType): PostgresGrant[] {
  return plan.grants.filter((g) => g.objectType === objectType);
}

/** Every database the plan touches, sorted: the Immuta database and the protected ones. */
export function planDatabases(plan: PostgresPrivilegePlan): string[] {
  return [...new Set(grantsOfType(plan, 'database').map((g) => g.database))].sort();
}
