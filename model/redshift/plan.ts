import { Environment, InformaticaSpec, RedshiftCluster, RedshiftImmutaSpec } from '../../estate/schema';
import { IMMUTA_EXEMPTION_ROLE } from '../../estate/rules';
import { SQL_IDENTIFIER_MAX_LENGTH } from '../../estate/names';
import { Grantee, RedshiftStatement, TablePrivilege, TableSet } from './statements';

/**
 * The Redshift plane of one cluster as plain data: units of privilege, each with the
 * statements that grant it and the statements that take it back. Terraform keeps one
 * instance per unit (keyed by `key`), so a changed unit is revoked and granted again and
 * a removed unit is revoked; the SQL scripts print the same units in order.
 */

/** Execution order; destroy runs in reverse. */
export const REDSHIFT_TIERS = ['databases', 'principals', 'grants', 'masking'] as const;
export type RedshiftTier = typeof REDSHIFT_TIERS[number];

/** BatchExecuteStatement accepts at most 40 statements (Redshift Data API reference, Sqls). */
export const DATA_API_MAX_BATCH = 40;

/** Seed 000: DELETE, INSERT, SELECT, TRUNCATE and UPDATE WITH GRANT OPTION. */
export const IMMUTA_TABLE_PRIVILEGES: readonly TablePrivilege[] = ['DELETE', 'INSERT', 'SELECT', 'TRUNCATE', 'UPDATE'];
/** What the Informatica connector does to its staging tables: read, load, upsert, delete. */
export const CONNECTOR_TABLE_PRIVILEGES: readonly TablePrivilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

export interface RedshiftUnit {
  /** Readable, stable instance key, e.g. `immuta/sales/public`. */
  readonly key: string;
  readonly tier: RedshiftTier;
  /**
   * The protected database the statements must run in, part of what the unit does.
   * Absent: the statements act on the cluster (CREATE DATABASE, users, roles, role
   * membership, TEMP) and run in the cluster's connect database (`adminDatabase`), which
   * is a connection setting like the admin credentials, not part of the unit.
   */
  readonly database?: string;
  /** false: a single statement that cannot run in a transaction (CREATE/DROP DATABASE). */
  readonly transactional: boolean;
  readonly apply: readonly RedshiftStatement[];
  /** Undoes `apply`, in the order it must run. */
  readonly revoke: readonly RedshiftStatement[];
  /** The user whose password (sensitive variable) the apply statements need. */
  readonly passwordUser?: string;
}

/** The database a unit's statements run in: its protected database, else the connect database. */
export function unitDatabase(unit: RedshiftUnit, adminDatabase: string): string {
  return unit.database ?? adminDatabase;
}

/** Logical name of a tier's unit block: aws_lambda_invocation.<cluster>_<tier>["<unit key>"]. */
export function tierResourceName(clusterId: string, tier: RedshiftTier): string {
  return `${clusterId}_${tier}`;
}

/** The Terraform address of one unit's instance, e.g. for `terraform apply -replace=...`. */
export function unitAddress(clusterId: string, unit: Pick<RedshiftUnit, 'tier' | 'key'>): string {
  return `aws_lambda_invocation.${tierResourceName(clusterId, unit.tier)}[${JSON.stringify(unit.key)}]`;
}

/** A whole-schema masking unit covers only the tables that exist when it runs. */
export function isWholeSchemaMasking(unit: RedshiftUnit): boolean {
  return unit.apply.some((s) => s.kind === 'masking' && 'all' in s.tables);
}

/** How the Data API authenticates: a database user via temporary credentials, or a secret. */
export type RedshiftAdminAuth = { readonly dbUser: string } | { readonly secretArn: string };

export interface ImmutaRedshiftConnection {
  readonly displayName: string;
  readonly hostname: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  readonly authentication: 'password' | 'iam';
  readonly userMappings: readonly { readonly immutaUser: string; readonly redshiftUser: string }[];
}

export interface RedshiftPasswordUser {
  readonly user: string;
  /** Estate field the user comes from, for variable descriptions. */
  readonly field: string;
}

export interface RedshiftClusterPlan {
  readonly clusterId: string;
  readonly region: string;
  readonly adminDatabase: string;
  readonly auth: RedshiftAdminAuth;
  readonly units: readonly RedshiftUnit[];
  readonly passwordUsers: readonly RedshiftPasswordUser[];
  readonly immuta?: ImmutaRedshiftConnection;
}

/** The role that carries the system permissions Redshift grants to roles only. */
export function systemPrivilegesRoleName(systemUser: string): string {
  const name = `${systemUser}_sysprivs`;
  if (name.length > SQL_IDENTIFIER_MAX_LENGTH) {
    throw new Error(`immuta.systemUser ${JSON.stringify(systemUser)} is too long: the role ${name} that holds its CREATE USER and CREATE ROLE permissions must be at most ${SQL_IDENTIFIER_MAX_LENGTH} characters`);
  }
  return name;
}

export function redshiftClusterPlan(cluster: RedshiftCluster, environment: Environment): RedshiftClusterPlan {
  const units: RedshiftUnit[] = [];
  const passwordUsers: RedshiftPasswordUser[] = [];
  if (cluster.immuta) {
    units.push(...immutaUnits(cluster.immuta));
    if (cluster.immuta.authentication === 'password') passwordUsers.push({ user: cluster.immuta.systemUser, field: 'immuta.systemUser' });
  }
  if (cluster.informatica) {
    units.push(...informaticaUnits(cluster.informatica));
    if (cluster.informatica.connectorUser) passwordUsers.push({ user: cluster.informatica.connectorUser.name, field: 'informatica.connectorUser.name' });
  }
  checkUnits(units);
  return {
    clusterId: cluster.id,
    region: cluster.region ?? environment.aws.region,
    adminDatabase: cluster.database,
    auth: cluster.admin,
    units: sortUnits(units),
    passwordUsers,
    immuta: cluster.immuta && {
      displayName: cluster.immuta.displayName,
      hostname: cluster.endpoint,
      port: cluster.port,
      database: cluster.immuta.database,
      username: cluster.immuta.systemUser,
      authentication: cluster.immuta.authentication,
      userMappings: [...cluster.immuta.userMappings].sort((a, b) => cmp(a.immutaUser, b.immutaUser)),
    },
  };
}

/** Every cluster of the environment that has something for this plane, by id. */
export function redshiftPlans(environment: Environment): RedshiftClusterPlan[] {
  return environment.redshift
    .filter((c) => c.immuta || c.informatica?.temp || c.informatica?.connectorUser)
    .map((c) => redshiftClusterPlan(c, environment))
    .sort((a, b) => cmp(a.clusterId, b.clusterId));
}

/**
 * A user is created with PASSWORD DISABLE and its password is a unit of its own, so
 * switching authentication adds or removes only that unit: the user (and everything
 * granted to it) stays. The password unit is in the grants tier so that it runs after the
 * principals tier created the user (instances of one tier run in parallel) and is revoked
 * before the user is dropped.
 */
function userUnits(user: string, createdb: boolean, password: boolean): RedshiftUnit[] {
  const units: RedshiftUnit[] = [{
    key: `user/${user}`, tier: 'principals', transactional: true,
    apply: [{ kind: 'createUser', user, createdb }],
    revoke: [{ kind: 'dropUser', user }],
  }];
  if (password) {
    units.push({
      key: `password/${user}`, tier: 'grants', transactional: true,
      apply: [{ kind: 'userPassword', user, password: 'variable' }],
      revoke: [{ kind: 'userPassword', user, password: 'disabled' }],
      passwordUser: user,
    });
  }
  return units;
}

function immutaUnits(im: RedshiftImmutaSpec): RedshiftUnit[] {
  const user = im.systemUser;
  const grantee: Grantee = { user };
  const sysRole = systemPrivilegesRoleName(user);
  const units: RedshiftUnit[] = [
    {
      key: `database/${im.database}`, tier: 'databases', transactional: false,
      apply: [{ kind: 'createDatabase', database: im.database }],
      revoke: [{ kind: 'dropDatabase', database: im.database }],
    },
    ...userUnits(user, true, im.authentication === 'password'),
    {
      key: `role/${sysRole}`, tier: 'principals', transactional: true,
      apply: [
        { kind: 'createRole', role: sysRole },
        { kind: 'systemPrivileges', action: 'grant', privileges: ['CREATE USER', 'CREATE ROLE'], role: sysRole },
      ],
      revoke: [
        { kind: 'systemPrivileges', action: 'revoke', privileges: ['CREATE USER', 'CREATE ROLE'], role: sysRole },
        { kind: 'dropRole', role: sysRole },
      ],
    },
    {
      key: `role/${IMMUTA_EXEMPTION_ROLE}`, tier: 'principals', transactional: true,
      apply: [{ kind: 'createRole', role: IMMUTA_EXEMPTION_ROLE }],
      revoke: [{ kind: 'dropRole', role: IMMUTA_EXEMPTION_ROLE }],
    },
    membershipUnit(`system/${user}`, [{ system: 'sys:secadmin' }, sysRole], user),
    ...im.exemptUsers.map((u) => membershipUnit(`exempt/${u}`, [IMMUTA_EXEMPTION_ROLE], u)),
  ];
  for (const db of im.protect) {
    const owners = db.tableOwners ? [...db.tableOwners].sort() : 'current' as const;
    for (const schema of db.schemas) {
      const tables: TableSet = schema.tables ? { tables: [...schema.tables].sort() } : { all: true };
      units.push(schemaGrantUnit(`immuta/${db.database}/${schema.name}`, db.database, schema.name, grantee, ['USAGE'], IMMUTA_TABLE_PRIVILEGES, tables, true, 'all' in tables ? owners : undefined));
      units.push({
        key: `masking/${db.database}/${schema.name}`, tier: 'masking', database: db.database, transactional: true,
        apply: [{ kind: 'masking', on: true, schema: schema.name, tables }],
        revoke: [{ kind: 'masking', on: false, schema: schema.name, tables }],
      });
    }
  }
  return units;
}

function informaticaUnits(inf: InformaticaSpec): RedshiftUnit[] {
  const units: RedshiftUnit[] = [];
  const connector = inf.connectorUser;
  if (connector) {
    units.push(...userUnits(connector.name, false, true));
    for (const s of connector.schemas) {
      // CREATE on the schema: the connector creates its staging tables there and owns them;
      // the default privileges cover tables the admin creates for it later.
      units.push(schemaGrantUnit(`informatica/${s.database}/${s.schema}`, s.database, s.schema, { user: connector.name },
        ['USAGE', 'CREATE'], CONNECTOR_TABLE_PRIVILEGES, { all: true }, false, 'current'));
    }
  }
  const temp = inf.temp;
  if (temp) {
    // Seed 002: TEMP is revoked from PUBLIC and granted to the listed users and groups only.
    const tempUnit = (key: string, grantee: Grantee, action: 'grant' | 'revoke'): RedshiftUnit => ({
      key: `temp/${temp.database}/${key}`, tier: 'grants', transactional: true,
      apply: [{ kind: 'databaseTemp', action, database: temp.database, grantee }],
      revoke: [{ kind: 'databaseTemp', action: action === 'grant' ? 'revoke' : 'grant', database: temp.database, grantee }],
    });
    units.push(tempUnit('public', { public: true }, 'revoke'));
    units.push(...temp.users.map((u) => tempUnit(`user/${u}`, { user: u }, 'grant')));
    units.push(...temp.groups.map((g) => tempUnit(`group/${g}`, { group: g }, 'grant')));
  }
  return units;
}

function membershipUnit(key: string, roles: ({ system: 'sys:secadmin' } | string)[], user: string): RedshiftUnit {
  return {
    key, tier: 'grants', transactional: true,
    apply: roles.map((role) => ({ kind: 'roleMembership', action: 'grant', role, user })),
    revoke: [...roles].reverse().map((role) => ({ kind: 'roleMembership', action: 'revoke', role, user })),
  };
}

/** USAGE (and CREATE) on a schema, table privileges, and default privileges for later tables. */
function schemaGrantUnit(
  key: string, database: string, schema: string, grantee: Grantee,
  schemaPrivileges: ('USAGE' | 'CREATE')[], privileges: readonly TablePrivilege[], tables: TableSet,
  grantOption: boolean, defaultOwners: readonly string[] | 'current' | undefined,
): RedshiftUnit {
  const apply: RedshiftStatement[] = [
    { kind: 'schemaPrivileges', action: 'grant', privileges: schemaPrivileges, schema, grantee },
    { kind: 'tablePrivileges', action: 'grant', privileges, schema, tables, grantee, grantOption },
  ];
  if (defaultOwners) apply.push({ kind: 'defaultPrivileges', action: 'grant', privileges, owners: defaultOwners, schema, grantee, grantOption });
  return { key, tier: 'grants', database, transactional: true, apply, revoke: [...apply].reverse().map(inverse) };
}

function inverse(s: RedshiftStatement): RedshiftStatement {
  if (!('action' in s)) throw new Error(`statement ${s.kind} has no inverse`);
  return { ...s, action: s.action === 'grant' ? 'revoke' : 'grant' } as RedshiftStatement;
}

/** Rules the Data API imposes on a unit; the messages name the estate field to change. */
function checkUnits(units: RedshiftUnit[]): void {
  const seen = new Set<string>();
  for (const u of units) {
    if (seen.has(u.key)) throw new Error(`two Redshift units share the key ${u.key}: the estate lists the same object twice`);
    seen.add(u.key);
    if (!u.transactional && (u.apply.length !== 1 || u.revoke.length !== 1)) {
      throw new Error(`unit ${u.key} runs outside a transaction and must hold exactly one statement each way`);
    }
    const longest = Math.max(u.apply.length, u.revoke.length, ...u.apply.filter(isMasking).map(maskingCount));
    if (longest > DATA_API_MAX_BATCH) {
      throw new Error(`immuta.protect: ${u.key} needs ${longest} statements but the Redshift Data API runs at most ${DATA_API_MAX_BATCH} in one batch; list at most ${DATA_API_MAX_BATCH} tables for this schema or omit tables to protect the whole schema`);
    }
  }
}

const isMasking = (s: RedshiftStatement): s is Extract<RedshiftStatement, { kind: 'masking' }> => s.kind === 'masking';
const maskingCount = (s: Extract<RedshiftStatement, { kind: 'masking' }>) => ('tables' in s.tables ? s.tables.tables.length : 3);

function sortUnits(units: RedshiftUnit[]): RedshiftUnit[] {
  return [...units].sort((a, b) => REDSHIFT_TIERS.indexOf(a.tier) - REDSHIFT_TIERS.indexOf(b.tier) || cmp(a.key, b.key));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
