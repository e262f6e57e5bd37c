import { EnvironmentPlan } from '../model/environment-plan';
import { REDSHIFT_TIERS, RedshiftClusterPlan, RedshiftUnit, isWholeSchemaMasking, unitAddress, unitDatabase } from '../model/redshift/plan';
import { redshiftClusterStackName, redshiftDatabaseStackName } from '../model/stack-layout';
import { Grantee, RedshiftPreflight, RedshiftStatement, TableSet } from '../model/redshift/statements';
import { SqlFile } from './files';
import { quoteIdent, quoteLiteral, quoteQualified } from './quote';

/**
 * Amazon Redshift SQL for the model in model/redshift. Every name goes through
 * sql/quote.ts; the only unquoted words are keywords and Redshift's own `sys:` roles,
 * which come from constants, never from the estate. Syntax references: docs/redshift-sql.md.
 */

/** SQL text after PASSWORD for a user whose password comes from a variable; the two renderers differ only here. */
export type PasswordSql = (user: string) => string;

/** psql variable substitution: the script never contains a password. */
export const psqlPassword: PasswordSql = (user) => `:'${user}_password_md5'`;

/**
 * Whole-schema masking keeps, in each protected database, a record of the tables it switched
 * on, in a schema of its own that no grant reaches (Immuta does not see it): switching off
 * then reaches exactly those tables. The procedure that reads and writes the record lives
 * there for the length of one transaction.
 */
const MASKING_STATE_SCHEMA = 'tf_immuta_state';
const MASKING_STATE_TABLE = 'masking_switched';
const MASKING_PROCEDURE = 'tf_immuta_masking_switch';

export function renderStatement(s: RedshiftStatement, password: PasswordSql): string[] {
  switch (s.kind) {
    case 'createDatabase':
      return [`CREATE DATABASE ${quoteIdent(s.database)}`];
    case 'dropDatabase':
      return [`DROP DATABASE ${quoteIdent(s.database)}${s.force ? ' FORCE' : ''}`];
    case 'createUser':
      return [`CREATE USER ${quoteIdent(s.user)} PASSWORD DISABLE${s.createdb ? ' CREATEDB' : ''}`];
    case 'userPassword': {
      const user = quoteIdent(s.user);
      return [`ALTER USER ${user} PASSWORD ${s.password === 'disabled' ? 'DISABLE' : password(s.user)}`];
    }
    case 'dropUser':
      return [`DROP USER IF EXISTS ${quoteIdent(s.user)}`];
    case 'createRole':
      return [`CREATE ROLE ${quoteIdent(s.role)}`];
    case 'dropRole':
      return [`DROP ROLE ${quoteIdent(s.role)} RESTRICT`];
    case 'roleMembership': {
      const role = typeof s.role === 'string' ? quoteIdent(s.role) : systemRole(s.role.system);
      return [`${verb(s.action)} ROLE ${role} ${to(s.action)} ${quoteIdent(s.user)}`];
    }
    case 'schemaPrivileges':
      return [`${verb(s.action)} ${s.privileges.join(', ')} ON SCHEMA ${quoteIdent(s.schema)} ${to(s.action)} ${grantee(s.grantee)}`];
    case 'tablePrivileges':
      return [`${verb(s.action)} ${s.privileges.join(', ')} ON TABLE ${s.tables.tables.map((t) => quoteQualified(s.schema, t)).join(', ')} ${to(s.action)} ${grantee(s.grantee)}${grantOption(s.action, s.grantOption)}`];
    case 'scopedTablePrivileges':
      return [`${verb(s.action)} ${s.privileges.join(', ')} FOR TABLES IN SCHEMA ${quoteIdent(s.schema)} DATABASE ${quoteIdent(s.database)} ${to(s.action)} ${grantee(s.grantee)}${grantOption(s.action, s.grantOption)}`];
    case 'databaseTemp':
      return [`${verb(s.action)} TEMP ON DATABASE ${quoteIdent(s.database)} ${to(s.action)} ${grantee(s.grantee)}`];
    case 'masking':
      return masking(s.on, s.schema, s.tables);
  }
}

/** A unit's preflight check as the runner executes it: in `database` (absent: the connect database), it must return no rows. */
export interface RenderedPreflight {
  readonly database?: string;
  readonly sql: string;
  /** What blocks the revoke and what to do; shown with the rows the query returned. */
  readonly message: string;
}

export function renderPreflight(check: RedshiftPreflight): RenderedPreflight {
  switch (check.kind) {
    case 'ownedObjects': {
      const owner = `(SELECT usesysid FROM pg_user WHERE usename = ${identLiteral(check.user)})`;
      return {
        ...(check.database !== undefined ? { database: check.database } : {}),
        sql: [
          `SELECT 'schema' AS object_type, n.nspname AS schema_name, NULL AS object_name FROM pg_namespace n WHERE n.nspowner = ${owner}`,
          `UNION ALL SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relowner = ${owner} AND c.relkind IN ('r', 'v') AND n.nspname NOT LIKE 'pg_temp%'`,
          `UNION ALL SELECT 'routine', n.nspname, p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proowner = ${owner}`,
          'ORDER BY 1, 2, 3',
        ].join('\n'),
        message: `user ${check.user} still owns the objects listed in ${check.database === undefined ? 'the connect database' : `database ${check.database}`}; DROP USER would leave them to an owner named unknown. Transfer them (ALTER TABLE/SCHEMA ... OWNER TO ...) or drop them, then run the revoke again`,
      };
    }
    case 'roleHolders':
      return {
        sql: [
          `SELECT 'user' AS holder_type, user_name AS holder FROM svv_user_grants WHERE role_name = ${identLiteral(check.role)}`,
          `UNION ALL SELECT 'role', role_name FROM svv_role_grants WHERE granted_role_name = ${identLiteral(check.role)}`,
          'ORDER BY 1, 2',
        ].join('\n'),
        message: `role ${check.role} is still held by the users and roles listed, granted outside the estate; DROP ROLE ... RESTRICT refuses. Revoke it from them (or list them in immuta.exemptUsers), then run the revoke again`,
      };
    case 'grantsBy': {
      identLiteral(check.grantor); // refuses a grantor that is not an identifier; the literal below adds the acl separators
      const onlyListed = 'tables' in check.tables ? ` AND c.relname IN (${check.tables.tables.map(identLiteral).join(', ')})` : '';
      // aclitem entries read grantee=privileges/grantor; the trailing comma makes the grantor match exact.
      return {
        database: check.database,
        sql: [
          "SELECT n.nspname AS schema_name, c.relname AS table_name, array_to_string(c.relacl, ',') AS acl",
          'FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace',
          `WHERE n.nspname = ${identLiteral(check.schema)}${onlyListed} AND strpos(',' || array_to_string(c.relacl, ',') || ',', ${quoteLiteral(`/${check.grantor},`)}) > 0`,
          'ORDER BY 2',
        ].join('\n'),
        message: `${check.grantor} granted privileges on the tables listed in ${check.database}.${check.schema} to others with its grant option; Redshift's REVOKE has no CASCADE. Revoke those grants (or remove the data sources in Immuta), then run the revoke again`,
      };
    }
  }
}

/** The apply and revoke scripts of each cluster, in its own stack's folder, units in tier order. */
export function redshiftSqlFiles(plan: Pick<EnvironmentPlan, 'envName' | 'redshift'>): SqlFile[] {
  return plan.redshift.flatMap((cluster) => {
    const stack = redshiftClusterStackName(plan.envName, cluster.clusterId);
    // The stack that holds each unit, for the re-run commands: a database stack, else the cluster's.
    const stacks = new Map(cluster.databaseGroups.flatMap((g) => g.units.map((u) => [u.key, redshiftDatabaseStackName(plan.envName, cluster.clusterId, g.group)])));
    const stackOf = (unit: RedshiftUnit) => stacks.get(unit.key) ?? stack;
    return [
      { stack, name: `${cluster.clusterId}.apply.sql`, content: script(cluster, 'apply', stackOf) },
      { stack, name: `${cluster.clusterId}.revoke.sql`, content: script(cluster, 'revoke', stackOf) },
    ];
  });
}

function script(plan: RedshiftClusterPlan, direction: 'apply' | 'revoke', stackOf: (unit: RedshiftUnit) => string): string {
  const tiers = direction === 'apply' ? REDSHIFT_TIERS : [...REDSHIFT_TIERS].reverse();
  const lines = [
    `-- Redshift cluster ${plan.clusterId}: ${direction === 'apply' ? 'grants' : 'revokes'} managed by its stacks (generated; do not edit).`,
    '-- Terraform runs the same statements through the Redshift Data API, one transaction per block.',
    '-- Run it with psql 10 or later as the admin identity (privileges: docs/redshift-sql.md):',
    `--   psql -X -v ON_ERROR_STOP=1 -h <endpoint> -p <port> -U <admin> -d ${plan.adminDatabase} -v <user>_password_md5=md5... -f ${plan.clusterId}.${direction}.sql`,
    "-- <user>_password_md5 holds 'md5' || md5(password || username) for each user whose password the script sets.",
    '-- Each block connects to the database it must run in. The script can be run again: CREATE and DROP of',
    '-- databases, users and roles are skipped when already done, and every other statement is idempotent.',
  ];
  if (direction === 'revoke') {
    lines.push('-- A block with a preflight check first looks for what would block it; if anything does, the script');
    lines.push('-- prints the reason and the objects and stops there, with an error, without running the block.');
  }
  for (const tier of tiers) {
    for (const unit of plan.units.filter((u) => u.tier === tier)) lines.push('', ...block(plan, unit, direction, stackOf(unit)));
  }
  return `${lines.join('\n')}\n`;
}

function block(plan: RedshiftClusterPlan, unit: RedshiftUnit, direction: 'apply' | 'revoke', stack: string): string[] {
  const database = unitDatabase(unit, plan.adminDatabase);
  const header = [`-- ${unit.key} (${unit.tier}) -- runs in database ${database}${unit.transactional ? '' : ', outside a transaction'}`];
  if (direction === 'apply' && isWholeSchemaMasking(unit)) {
    header.push(`-- Masks only the tables that exist when it runs; after adding tables run again, in stack ${stack}: terraform apply -replace='${unitAddress(plan.clusterId, unit)}'`);
  }
  const checks = direction === 'revoke' ? (unit.preflight ?? []).flatMap((c) => preflightLines(renderPreflight(c), plan.adminDatabase)) : [];
  const body = (direction === 'apply' ? unit.apply : unit.revoke).flatMap((s) => scriptStatement(s));
  const statements = unit.transactional ? ['BEGIN;', ...body, 'COMMIT;'] : body;
  return [...header, ...checks, `\\connect ${quoteIdent(database)}`, ...statements];
}

/** psql lines that stop the script, showing the message and the rows, when the check finds anything. */
function preflightLines(check: RenderedPreflight, adminDatabase: string): string[] {
  if (/[\n\\]/.test(check.message)) throw new Error(`preflight message cannot be echoed by psql: ${check.message}`);
  return [
    `\\connect ${quoteIdent(check.database ?? adminDatabase)}`,
    `SELECT COUNT(*) > 0 AS tf_blocked FROM (${check.sql.replace(/\nORDER BY [^\n]*$/, '')}) AS preflight \\gset`,
    '\\if :tf_blocked',
    // psql reads two single quotes inside a quoted argument as one.
    `\\echo '${check.message.replace(/'/g, "''")}'`,
    `${check.sql};`,
    // Fails on purpose, so psql with ON_ERROR_STOP exits non-zero; \quit stops a run without it.
    "SELECT CAST('preflight check failed: see the message and rows above' AS INTEGER);",
    '\\quit',
    '\\endif',
  ];
}

/**
 * A statement as the DBA script runs it. Redshift has no IF [NOT] EXISTS for CREATE DATABASE,
 * CREATE USER, CREATE ROLE, DROP DATABASE or DROP ROLE, so psql asks the catalog first.
 */
function scriptStatement(s: RedshiftStatement): string[] {
  const sqls = renderStatement(s, psqlPassword).map((sql) => `${sql};`);
  const guard = scriptGuard(s);
  if (!guard) return sqls;
  return [`SELECT ${guard} AS tf_run \\gset`, '\\if :tf_run', ...sqls, '\\endif'];
}

function scriptGuard(s: RedshiftStatement): string | undefined {
  const exists = (from: string, column: string, name: string) => `EXISTS (SELECT 1 FROM ${from} WHERE ${column} = ${identLiteral(name)})`;
  switch (s.kind) {
    case 'createDatabase': return `NOT ${exists('pg_database', 'datname', s.database)}`;
    case 'dropDatabase': return exists('pg_database', 'datname', s.database);
    case 'createUser': return `NOT ${exists('pg_user', 'usename', s.user)}`;
    case 'createRole': return `NOT ${exists('svv_roles', 'role_name', s.role)}`;
    case 'dropRole': return exists('svv_roles', 'role_name', s.role);
    default: return undefined;
  }
}

/** A name as a string literal, refused unless it is a valid identifier (it names one in the catalog). */
const identLiteral = (name: string) => {
  quoteIdent(name);
  return quoteLiteral(name);
};

const verb = (a: 'grant' | 'revoke') => (a === 'grant' ? 'GRANT' : 'REVOKE');
const to = (a: 'grant' | 'revoke') => (a === 'grant' ? 'TO' : 'FROM');
/** Revoking the privilege also removes its grant option, so only GRANT carries the clause. */
const grantOption = (a: 'grant' | 'revoke', on: boolean) => (a === 'grant' && on ? ' WITH GRANT OPTION' : '');

function systemRole(name: 'sys:secadmin'): string {
  if (name !== 'sys:secadmin') throw new Error(`unknown Redshift system role ${JSON.stringify(name)}`);
  return name;
}

function grantee(g: Grantee): string {
  if ('user' in g) return quoteIdent(g.user);
  if ('role' in g) return `ROLE ${quoteIdent(g.role)}`;
  if ('group' in g) return `GROUP ${quoteIdent(g.group)}`;
  return 'PUBLIC';
}

/**
 * Listed tables are altered by name, in both directions. A whole schema's tables are known
 * only on the cluster: a procedure with a constant body switches on every table of the
 * schema not yet recorded and records it, or switches off exactly the recorded tables that
 * still exist and forgets them. Redshift runs catalog (leader-node) queries and queries on
 * user tables separately, so the procedure never joins the two. It is created, called and
 * dropped in the unit's single transaction, so no other session ever sees it.
 */
function masking(on: boolean, schema: string, tables: TableSet): string[] {
  if ('tables' in tables) return tables.tables.map((t) => `ALTER TABLE ${quoteQualified(schema, t)} MASKING ${on ? 'ON' : 'OFF'} FOR DATASHARES`);
  const state = quoteQualified(MASKING_STATE_SCHEMA, MASKING_STATE_TABLE);
  const proc = quoteQualified(MASKING_STATE_SCHEMA, MASKING_PROCEDURE);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(MASKING_STATE_SCHEMA)}`,
    `CREATE TABLE IF NOT EXISTS ${state} (schema_name VARCHAR(127) NOT NULL, table_name VARCHAR(127) NOT NULL)`,
    `CREATE OR REPLACE PROCEDURE ${proc}(p_schema VARCHAR, p_on BOOLEAN) AS $$
DECLARE
  t RECORD;
  n INTEGER;
BEGIN
  IF p_on THEN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = p_schema ORDER BY tablename LOOP
      SELECT INTO n COUNT(*) FROM ${state} WHERE schema_name = p_schema AND table_name = t.tablename;
      IF n = 0 THEN
        EXECUTE 'ALTER TABLE ' || quote_ident(p_schema) || '.' || quote_ident(t.tablename) || ' MASKING ON FOR DATASHARES';
        INSERT INTO ${state} VALUES (p_schema, t.tablename);
      END IF;
    END LOOP;
  ELSE
    FOR t IN SELECT table_name FROM ${state} WHERE schema_name = p_schema ORDER BY table_name LOOP
      SELECT INTO n COUNT(*) FROM pg_tables WHERE schemaname = p_schema AND tablename = t.table_name;
      IF n > 0 THEN
        EXECUTE 'ALTER TABLE ' || quote_ident(p_schema) || '.' || quote_ident(t.table_name) || ' MASKING OFF FOR DATASHARES';
      END IF;
    END LOOP;
    DELETE FROM ${state} WHERE schema_name = p_schema;
  END IF;
END;
$$ LANGUAGE plpgsql`,
    `CALL ${proc}(${identLiteral(schema)}, ${on ? 'TRUE' : 'FALSE'})`,
    `DROP PROCEDURE ${proc}(VARCHAR, BOOLEAN)`,
  ];
}
