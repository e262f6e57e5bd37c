import { Environment } from '../estate/schema';
import { REDSHIFT_TIERS, RedshiftClusterPlan, RedshiftUnit, isWholeSchemaMasking, redshiftPlans, unitAddress, unitDatabase } from '../model/redshift/plan';
import { Grantee, RedshiftStatement, TableSet } from '../model/redshift/statements';
import { SqlFile } from './files';
import { quoteIdent, quoteLiteral, quoteQualified } from './quote';

/**
 * Amazon Redshift SQL for the model in model/redshift. Every name goes through
 * sql/quote.ts; the only unquoted words are keywords and Redshift's own `sys:` roles,
 * which come from constants, never from the estate. Syntax references: docs/redshift-sql.md.
 */

/** SQL text after PASSWORD for a user whose password comes from a variable; the two renderers differ only here. */
export type PasswordSql = (user: string) => string;

/** Terraform substitutes the md5 hash for this token at apply time (constructs/redshift). */
export const PASSWORD_MD5_TOKEN = '@@PASSWORD_MD5@@';
export const terraformPassword: PasswordSql = () => `'md5${PASSWORD_MD5_TOKEN}'`;
/** psql variable substitution: the script never contains a password. */
export const psqlPassword: PasswordSql = (user) => `:'${user}_password_md5'`;

/** Name of the temporary procedure that switches masking on every table of a schema. */
const MASKING_PROCEDURE = 'tf_immuta_masking_switch';

export function renderStatement(s: RedshiftStatement, password: PasswordSql = terraformPassword): string[] {
  switch (s.kind) {
    case 'createDatabase':
      return [`CREATE DATABASE ${quoteIdent(s.database)}`];
    case 'dropDatabase':
      return [`DROP DATABASE ${quoteIdent(s.database)}`];
    case 'createUser':
      return [`CREATE USER ${quoteIdent(s.user)} PASSWORD DISABLE${s.createdb ? ' CREATEDB' : ''}`];
    case 'userPassword': {
      const user = quoteIdent(s.user);
      return [`ALTER USER ${user} PASSWORD ${s.password === 'disabled' ? 'DISABLE' : password(s.user)}`];
    }
    case 'dropUser':
      return [`DROP USER ${quoteIdent(s.user)}`];
    case 'createRole':
      return [`CREATE ROLE ${quoteIdent(s.role)}`];
    case 'dropRole':
      return [`DROP ROLE ${quoteIdent(s.role)}`];
    case 'systemPrivileges':
      return [`${verb(s.action)} ${s.privileges.join(', ')} ${to(s.action)} ROLE ${quoteIdent(s.role)}`];
    case 'roleMembership': {
      const role = typeof s.role === 'string' ? quoteIdent(s.role) : systemRole(s.role.system);
      return [`${verb(s.action)} ROLE ${role} ${to(s.action)} ${quoteIdent(s.user)}`];
    }
    case 'schemaPrivileges':
      return [`${verb(s.action)} ${s.privileges.join(', ')} ON SCHEMA ${quoteIdent(s.schema)} ${to(s.action)} ${grantee(s.grantee)}`];
    case 'tablePrivileges':
      return [`${verb(s.action)} ${s.privileges.join(', ')} ON ${tableSet(s.schema, s.tables)} ${to(s.action)} ${grantee(s.grantee)}${grantOption(s.action, s.grantOption)}`];
    case 'defaultPrivileges': {
      const forUser = s.owners === 'current' ? '' : ` FOR USER ${s.owners.map(quoteIdent).join(', ')}`;
      return [`ALTER DEFAULT PRIVILEGES${forUser} IN SCHEMA ${quoteIdent(s.schema)} ${verb(s.action)} ${s.privileges.join(', ')} ON TABLES ${to(s.action)} ${grantee(s.grantee)}${grantOption(s.action, s.grantOption)}`];
    }
    case 'databaseTemp':
      return [`${verb(s.action)} TEMP ON DATABASE ${quoteIdent(s.database)} ${to(s.action)} ${grantee(s.grantee)}`];
    case 'masking':
      return masking(s.on, s.schema, s.tables);
  }
}

export function renderStatements(statements: readonly RedshiftStatement[], password?: PasswordSql): string[] {
  return statements.flatMap((s) => renderStatement(s, password));
}

/** The apply and revoke scripts of one stack: one pair per cluster, units in tier order. */
export function redshiftSqlFiles(envName: string, environment: Environment): SqlFile[] {
  const stack = `${envName}-redshift`;
  return redshiftPlans(environment).flatMap((plan) => [
    { stack, name: `${plan.clusterId}.apply.sql`, content: script(plan, 'apply') },
    { stack, name: `${plan.clusterId}.revoke.sql`, content: script(plan, 'revoke') },
  ]);
}

function script(plan: RedshiftClusterPlan, direction: 'apply' | 'revoke'): string {
  const tiers = direction === 'apply' ? REDSHIFT_TIERS : [...REDSHIFT_TIERS].reverse();
  const lines = [
    `-- Redshift cluster ${plan.clusterId}: ${direction === 'apply' ? 'grants' : 'revokes'} managed by this stack (generated; do not edit).`,
    '-- Terraform runs the same statements through the Redshift Data API, one transaction per block.',
    '-- Each block names the database it must run in; passwords are psql variables holding',
    "-- 'md5' || md5(password || username), e.g. psql -v immuta_system_password_md5=md5...",
  ];
  for (const tier of tiers) {
    for (const unit of plan.units.filter((u) => u.tier === tier)) lines.push('', ...block(plan, unit, direction));
  }
  return `${lines.join('\n')}\n`;
}

function block(plan: RedshiftClusterPlan, unit: RedshiftUnit, direction: 'apply' | 'revoke'): string[] {
  const sqls = renderStatements(direction === 'apply' ? unit.apply : unit.revoke, psqlPassword);
  const header = [`-- ${unit.key} (${unit.tier}) -- run in database ${unitDatabase(unit, plan.adminDatabase)}${unit.transactional ? '' : ', outside a transaction'}`];
  if (direction === 'apply' && isWholeSchemaMasking(unit)) {
    header.push(`-- Masks only the tables that exist when it runs; after adding tables run again: terraform apply -replace='${unitAddress(plan.clusterId, unit)}'`);
  }
  if (!unit.transactional) return [...header, ...sqls.map((s) => `${s};`)];
  return [...header, 'BEGIN;', ...sqls.map((s) => `${s};`), 'COMMIT;'];
}

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

function tableSet(schema: string, tables: TableSet): string {
  if ('all' in tables) return `ALL TABLES IN SCHEMA ${quoteIdent(schema)}`;
  return `TABLE ${tables.tables.map((t) => quoteQualified(schema, t)).join(', ')}`;
}

/**
 * Listed tables are altered by name. A whole schema's tables are known only on the
 * cluster, so a procedure with a constant body loops over pg_tables; it is created,
 * called and dropped in the same transaction, so no other session ever sees it.
 */
function masking(on: boolean, schema: string, tables: TableSet): string[] {
  const clause = `MASKING ${on ? 'ON' : 'OFF'} FOR DATASHARES`;
  if ('tables' in tables) return tables.tables.map((t) => `ALTER TABLE ${quoteQualified(schema, t)} ${clause}`);
  const proc = quoteQualified(schema, MASKING_PROCEDURE);
  return [
    `CREATE OR REPLACE PROCEDURE ${proc}(schema_name VARCHAR, clause VARCHAR) AS $$
DECLARE
  t RECORD;
BEGIN
  IF clause NOT IN ('MASKING ON FOR DATASHARES', 'MASKING OFF FOR DATASHARES') THEN
    RAISE EXCEPTION 'unexpected clause %', clause;
  END IF;
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = schema_name ORDER BY tablename LOOP
    EXECUTE 'ALTER TABLE ' || quote_ident(schema_name) || '.' || quote_ident(t.tablename) || ' ' || clause;
  END LOOP;
END;
$$ LANGUAGE plpgsql`,
    `CALL ${proc}(${quoteLiteral(schema)}, ${quoteLiteral(clause)})`,
    `DROP PROCEDURE ${proc}(VARCHAR, VARCHAR)`,
  ];
}
