import { Environment, InformaticaSpec, RedshiftCluster, RedshiftImmutaSpec } from '../../estate/schema';
import { IMMUTA_EXEMPTION_ROLE } from '../../estate/rules';
import { IMMUTA_TABLE_PRIVILEGES } from '../immuta-privileges';
import { grantGroupOf } from '../stack-layout';
import { Grantee, RedshiftPreflight, RedshiftStatement, SchemaPrivilege, ScopedGrantee, TablePrivilege, TableSet } from './statements';

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
  /**
   * Checks to run before `revoke`, each in its own database (the check's `database`, else
   * the connect database): `renderPreflight` in sql/redshift.ts gives the query, which must
   * return no rows, and the message to show with the rows when it does; the revoke then
   * does not run. They read the catalog and change nothing, so they are not part of what
   * the unit does: a change to them need not replace the unit. Absent: no check.
   */
  readonly preflight?: readonly RedshiftPreflight[];
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

/** The estate's consent to drop what the units create on the cluster (users, roles, the Immuta database). */
export interface RedshiftDestroyConsent {
  /** `immuta.allowDestroy`: the Immuta database, system user and the roles the units create. */
  readonly immuta: boolean;
  /** `informatica.connectorUser`: the connector user's name and its allowDestroy; absent without a connector user. */
  readonly connectorUser?: { readonly name: string; readonly allowDestroy: boolean };
}

/**
 * Protected databases whose Immuta grants and masking share one stack,
 * `<env>-redshift-<cluster>-<group>` (docs/stack-layout.md).
 */
export interface RedshiftDatabaseGroup {
  /** The estate's `stack` of its databases, else the one database's own name. */
  readonly group: string;
  readonly databases: readonly string[];
  /** Immuta's grants and masking on every protected schema of these databases, in tier order. */
  readonly units: readonly RedshiftUnit[];
  /** Terraform instances of the group's stack: one per unit and the drift check's read. */
  readonly instances: number;
}

export interface RedshiftClusterPlan {
  readonly clusterId: string;
  readonly region: string;
  readonly adminDatabase: string;
  readonly auth: RedshiftAdminAuth;
  /** Every unit of the cluster, in tier order: the SQL scripts and `npm run audit` read them all. */
  readonly units: readonly RedshiftUnit[];
  /**
   * The units of the cluster's own stack: the Immuta database, users, roles, memberships,
   * passwords, TEMP and the Informatica connector's schemas. They do not grow with the
   * number of protected databases.
   */
  readonly clusterUnits: readonly RedshiftUnit[];
  /** The units of each protected database group's stack, by group. */
  readonly databaseGroups: readonly RedshiftDatabaseGroup[];
  /** Every database the units run in, the connect database included, sorted. */
  readonly databases: readonly string[];
  readonly passwordUsers: readonly RedshiftPasswordUser[];
  readonly consent: RedshiftDestroyConsent;
  readonly immuta?: ImmutaRedshiftConnection;
}

/**
 * The runner function of an environment's region, also its role's name. The cluster stacks
 * name it with this plain string, so they need nothing from the runner stack's state.
 * 64 characters at most: env (20) + region (14) + the fixed words.
 */
export function runnerFunctionName(envName: string, region: string): string {
  return `${envName}-redshift-runner-${region}`;
}

/** The Secrets Manager secret of a password user, which the runner function reads. */
export function redshiftPasswordSecretName(envName: string, clusterId: string, user: string): string {
  return `governance-estate/${envName}/redshift/${clusterId}/${user}`;
}

/** The users whose password the cluster's units set, from a sensitive variable. */
export function redshiftPasswordUsers(cluster: RedshiftCluster): RedshiftPasswordUser[] {
  return [
    ...(cluster.immuta?.authentication === 'password' ? [{ user: cluster.immuta.systemUser, field: 'immuta.systemUser' }] : []),
    ...(cluster.informatica?.connectorUser ? [{ user: cluster.informatica.connectorUser.name, field: 'informatica.connectorUser.name' }] : []),
  ];
}

/**
 * Every database the cluster's units run in, sorted: the connect database and those of units
 * with a `database` (protected databases, the connector's schemas). The runner's temporary
 * credentials are per database.
 */
export function redshiftUnitDatabases(cluster: RedshiftCluster): string[] {
  return distinctSorted([
    cluster.database,
    ...(cluster.immuta?.protect.map((p) => p.database) ?? []),
    ...(cluster.informatica?.connectorUser?.schemas.map((s) => s.database) ?? []),
  ]);
}

export function redshiftClusterPlan(cluster: RedshiftCluster, environment: Environment): RedshiftClusterPlan {
  const units: RedshiftUnit[] = [];
  if (cluster.immuta) units.push(...immutaUnits(cluster.immuta));
  if (cluster.informatica) units.push(...informaticaUnits(cluster.informatica));
  const databaseGroups = cluster.immuta ? redshiftDatabaseGroups(cluster.immuta) : [];
  const clusterUnits = sortUnits(units);
  const all = [...units, ...databaseGroups.flatMap((g) => g.units)];
  checkUnits(all);
  const connector = cluster.informatica?.connectorUser;
  return {
    clusterId: cluster.id,
    region: cluster.region ?? environment.aws.region,
    adminDatabase: cluster.database,
    auth: cluster.admin,
    units: sortUnits(all),
    clusterUnits,
    databaseGroups,
    databases: redshiftUnitDatabases(cluster),
    passwordUsers: redshiftPasswordUsers(cluster),
    consent: {
      immuta: cluster.immuta?.allowDestroy ?? false,
      ...(connector ? { connectorUser: { name: connector.name, allowDestroy: connector.allowDestroy } } : {}),
    },
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

/** Whether the cluster has something for the Redshift plane (and so units and a stack of its own). */
export function hasRedshiftUnits(cluster: RedshiftCluster): boolean {
  return !!(cluster.immuta || cluster.informatica?.temp || cluster.informatica?.connectorUser);
}

/** Every cluster of the environment that has something for this plane, by id. */
export function redshiftPlans(environment: Environment): RedshiftClusterPlan[] {
  return environment.redshift
    .filter(hasRedshiftUnits)
    .map((c) => redshiftClusterPlan(c, environment))
    .sort((a, b) => cmp(a.clusterId, b.clusterId));
}

/**
 * A user is created with PASSWORD DISABLE and its password is a unit of its own, so
 * switching authentication adds or removes only that unit: the user (and everything
 * granted to it) stays. The password unit is in the grants tier so that it runs after the
 * principals tier created the user (instances of one tier run in parallel) and is revoked
 * before the user is dropped.
 *
 * DROP USER looks only at the database it runs in: objects the user owns elsewhere would
 * be left to an owner called "unknown". So the revoke first checks the connect database and
 * every database the user works in (`databases`), and refuses while the user owns anything
 * there; the objects are the user's data, so the stack neither drops nor reassigns them.
 */
function userUnits(user: string, createdb: boolean, password: boolean, databases: readonly string[]): RedshiftUnit[] {
  const units: RedshiftUnit[] = [{
    key: `user/${user}`, tier: 'principals', transactional: true,
    apply: [{ kind: 'createUser', user, createdb }],
    revoke: [{ kind: 'dropUser', user }],
    preflight: [
      { kind: 'ownedObjects', user },
      ...distinctSorted(databases).map((database) => ({ kind: 'ownedObjects' as const, user, database })),
    ],
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

/**
 * Immuta's Redshift requirements on the cluster: its database, the system user with CREATEDB
 * and `sys:secadmin` (whose documented permissions include creating users and roles, so no
 * separate CREATE USER / CREATE ROLE grant) and the `immuta_exemption` role. The grants and
 * masking on protected schemas: `redshiftDatabaseGroups`.
 */
function immutaUnits(im: RedshiftImmutaSpec): RedshiftUnit[] {
  const user = im.systemUser;
  return [
    {
      // FORCE: Immuta keeps sessions open in its database, and offboarding (allowDestroy) means it goes.
      key: `database/${im.database}`, tier: 'databases', transactional: false,
      apply: [{ kind: 'createDatabase', database: im.database }],
      revoke: [{ kind: 'dropDatabase', database: im.database, force: true }],
    },
    // Objects Immuta owns in its own database go with DROP DATABASE, which runs after DROP USER.
    ...userUnits(user, true, im.authentication === 'password', im.protect.map((p) => p.database)),
    {
      key: `role/${IMMUTA_EXEMPTION_ROLE}`, tier: 'principals', transactional: true,
      apply: [{ kind: 'createRole', role: IMMUTA_EXEMPTION_ROLE }],
      revoke: [{ kind: 'dropRole', role: IMMUTA_EXEMPTION_ROLE }],
      // The estate's exempt users are revoked in the grants tier first; anyone left was granted outside the estate.
      preflight: [{ kind: 'roleHolders', role: IMMUTA_EXEMPTION_ROLE }],
    },
    membershipUnit(`system/${user}`, [{ system: 'sys:secadmin' }], user),
    ...im.exemptUsers.map((u) => membershipUnit(`exempt/${u}`, [IMMUTA_EXEMPTION_ROLE], u)),
  ];
}

/**
 * The stacks of a cluster's protected databases: one per database, or per `stack` that
 * several databases name. Each holds Immuta's grants and masking on its databases' schemas,
 * so a change to one database plans one small stack. Everything else the grants need (the
 * system user) is in the cluster's stack, deployed first.
 */
export function redshiftDatabaseGroups(im: RedshiftImmutaSpec): RedshiftDatabaseGroup[] {
  const groups = new Map<string, { databases: string[]; units: RedshiftUnit[] }>();
  for (const db of im.protect) {
    const group = grantGroupOf(db);
    if (!groups.has(group)) groups.set(group, { databases: [], units: [] });
    groups.get(group)!.databases.push(db.database);
    groups.get(group)!.units.push(...protectedDatabaseUnits(im.systemUser, db));
  }
  return [...groups.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([group, g]) => ({ group, databases: [...g.databases].sort(cmp), units: sortUnits(g.units), instances: g.units.length + 1 }));
}

/** Immuta's grants WITH GRANT OPTION and masking on each protected schema of one database. */
function protectedDatabaseUnits(user: string, db: RedshiftImmutaSpec['protect'][number]): RedshiftUnit[] {
  return db.schemas.flatMap((schema): RedshiftUnit[] => {
    const tables: TableSet = schema.tables ? { tables: [...schema.tables].sort() } : { all: true };
    return [
      {
        ...schemaGrantUnit(`immuta/${db.database}/${schema.name}`, db.database, schema.name, { user }, ['USAGE'], IMMUTA_TABLE_PRIVILEGES, tables, true),
        // Redshift's REVOKE has no CASCADE: grants Immuta made onward must be gone first.
        preflight: [{ kind: 'grantsBy', grantor: user, database: db.database, schema: schema.name, tables }],
      },
      {
        key: `masking/${db.database}/${schema.name}`, tier: 'masking', database: db.database, transactional: true,
        apply: [{ kind: 'masking', on: true, schema: schema.name, tables }],
        revoke: [{ kind: 'masking', on: false, schema: schema.name, tables }],
      },
    ];
  });
}

function informaticaUnits(inf: InformaticaSpec): RedshiftUnit[] {
  const units: RedshiftUnit[] = [];
  const connector = inf.connectorUser;
  if (connector) {
    units.push(...userUnits(connector.name, false, true, connector.schemas.map((s) => s.database)));
    for (const s of connector.schemas) {
      // CREATE on the schema: the connector creates its staging tables there and owns them;
      // the scoped grant covers tables anyone else creates there, now and later.
      units.push(schemaGrantUnit(`informatica/${s.database}/${s.schema}`, s.database, s.schema, { user: connector.name },
        ['USAGE', 'CREATE'], CONNECTOR_TABLE_PRIVILEGES, { all: true }, false));
    }
  }
  const temp = inf.temp;
  if (temp) {
    // Informatica's Redshift connector requirements: TEMP is revoked from PUBLIC and granted to the listed users and groups only.
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

/**
 * USAGE (and CREATE) on a schema and table privileges: on the listed tables, or as scoped
 * permissions on every current and future table of the schema, whoever owns it. The scoped
 * grant names no owner and no admin, so its revoke is the same whichever admin runs it.
 */
function schemaGrantUnit(
  key: string, database: string, schema: string, grantee: ScopedGrantee,
  schemaPrivileges: SchemaPrivilege[], privileges: readonly TablePrivilege[], tables: TableSet, grantOption: boolean,
): RedshiftUnit {
  const apply: RedshiftStatement[] = [
    { kind: 'schemaPrivileges', action: 'grant', privileges: schemaPrivileges, schema, grantee },
    'all' in tables
      ? { kind: 'scopedTablePrivileges', action: 'grant', privileges, database, schema, grantee, grantOption }
      : { kind: 'tablePrivileges', action: 'grant', privileges, schema, tables, grantee, grantOption },
  ];
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
/** Statements a masking statement renders to: one per listed table, or the five of the recording procedure (sql/redshift.ts). */
const maskingCount = (s: Extract<RedshiftStatement, { kind: 'masking' }>) => ('tables' in s.tables ? s.tables.tables.length : 5);

function sortUnits(units: RedshiftUnit[]): RedshiftUnit[] {
  return [...units].sort((a, b) => REDSHIFT_TIERS.indexOf(a.tier) - REDSHIFT_TIERS.indexOf(b.tier) || cmp(a.key, b.key));
}

function distinctSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort(cmp);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
