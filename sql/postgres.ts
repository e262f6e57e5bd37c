import { EnvironmentPlan } from '../model/environment-plan';
import {
  PostgresDefaultPrivilege,
  PostgresGrant,
  PostgresPrivilegePlan,
  planDatabases,
} from '../model/postgres/privileges';
import { PostgresServerPlan } from '../model/postgres/server-plan';
import { SqlFile } from './files';
import { quoteIdent, quoteLiteral, quoteQualified } from './quote';

/**
 * The PostgreSQL privilege plan as psql scripts, for DBAs who review or audit what
 * Terraform will do, or apply it by hand. The scripts are idempotent. No password is in
 * them or on psql's command line: psql reads the admin's from PGPASSWORD (or ~/.pgpass) and
 * the system role's from the environment variable IMMUTA_PASSWORD (\getenv, psql >= 15).
 */

/** psql variable the apply script reads the system role's password into. */
export const IMMUTA_PASSWORD_PSQL_VARIABLE = 'immuta_password';
/** Environment variable psql's \getenv copies into that psql variable. */
export const IMMUTA_PASSWORD_ENV_VARIABLE = 'IMMUTA_PASSWORD';

const ON_TABLES: Record<string, string> = { table: 'TABLES' };

function grantTarget(g: PostgresGrant): string {
  switch (g.objectType) {
    case 'database':
      return `DATABASE ${quoteIdent(g.database)}`;
    case 'schema':
      return `SCHEMA ${quoteIdent(g.schema!)}`;
    case 'table':
      return g.objects
        ? `TABLE ${g.objects.map((t) => quoteQualified(g.schema!, t)).join(', ')}`
        : `ALL TABLES IN SCHEMA ${quoteIdent(g.schema!)}`;
  }
}

const privilegeList = (p: { privileges: readonly string[] }) => p.privileges.join(', ');

function grantSql(g: PostgresGrant): string {
  return `GRANT ${privilegeList(g)} ON ${grantTarget(g)} TO ${quoteIdent(g.role)}${g.withGrantOption ? ' WITH GRANT OPTION' : ''};`;
}

/** CASCADE also revokes what the role granted onward with its grant option. */
function revokeSql(g: PostgresGrant): string {
  return `REVOKE ${privilegeList(g)} ON ${grantTarget(g)} FROM ${quoteIdent(g.role)} CASCADE;`;
}

/** Takes back only the grant option, and with CASCADE every grant made with it: the privilege stays. */
function revokeGrantOptionSql(g: PostgresGrant): string {
  return `REVOKE GRANT OPTION FOR ${privilegeList(g)} ON ${grantTarget(g)} FROM ${quoteIdent(g.role)} CASCADE;`;
}

function defaultPrivilegeSql(d: PostgresDefaultPrivilege, action: 'GRANT' | 'REVOKE'): string {
  const head = `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(d.owner)} IN SCHEMA ${quoteIdent(d.schema)}`;
  return action === 'GRANT'
    ? `${head} GRANT ${privilegeList(d)} ON ${ON_TABLES[d.objectType]} TO ${quoteIdent(d.role)}${d.withGrantOption ? ' WITH GRANT OPTION' : ''};`
    : `${head} REVOKE ${privilegeList(d)} ON ${ON_TABLES[d.objectType]} FROM ${quoteIdent(d.role)} CASCADE;`;
}

/** Statements that run inside one database, in plan order. */
function perDatabase(plan: PostgresPrivilegePlan, render: (g: PostgresGrant) => string, renderDefault: (d: PostgresDefaultPrivilege) => string) {
  const byDatabase = new Map<string, string[]>(planDatabases(plan).map((db) => [db, []]));
  for (const g of plan.grants) byDatabase.get(g.database)!.push(render(g));
  for (const d of plan.defaultPrivileges) byDatabase.get(d.database)!.push(renderDefault(d));
  return [...byDatabase].map(([database, statements]) => ({ database, statements }));
}

function header(server: PostgresServerPlan, purpose: string, usage: string[]): string[] {
  const conn = server.connection;
  return [
    `-- ${purpose}`,
    `-- Server ${server.serverId} (${server.deployment}, PostgreSQL ${server.majorVersion}), generated from the estate:`,
    '-- the Terraform stacks declare the same privileges as postgresql_* resources.',
    `-- Run as ${conn.username}, with its password in PGPASSWORD or ~/.pgpass (never on the command line):`,
    ...usage.map((u) => `--   ${u}`),
    ...(conn.superuser ? [] : [
      `-- ${server.deployment} has no superuser: ${conn.username} must own, or be a member of the owner of,`,
      '-- every protected table and every table owner named here, or GRANT only warns and grants nothing.',
    ]),
    '\\set ON_ERROR_STOP on',
  ];
}

function psqlCommand(server: PostgresServerPlan, kind: string): string {
  const conn = server.connection;
  return `psql -X -h ${conn.host} -p ${conn.port} -U ${conn.username} -d ${conn.database} -f ${server.serverId}.${kind}.sql`;
}

/**
 * Scripts that act on the Immuta role open with this: the role may already be gone (a second
 * run, or a revoke after a destroy), and the \if sections skip what needs it.
 */
function roleExistsGuard(plan: PostgresPrivilegePlan, database: string): string[] {
  return [
    connectLine(database),
    `SELECT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(plan.systemRole.name)}) AS ${ROLE_EXISTS} \\gset`,
    `\\if :${ROLE_EXISTS}`,
  ];
}
const ROLE_EXISTS = 'immuta_role_exists';

function connectLine(database: string): string {
  return `\\connect ${quoteIdent(database)}`;
}

export function renderPostgresApply(server: PostgresServerPlan): string {
  const plan = server.privileges;
  const conn = server.connection;
  const role = plan.systemRole;
  const roleName = quoteIdent(role.name);
  const v = IMMUTA_PASSWORD_PSQL_VARIABLE;
  const env = IMMUTA_PASSWORD_ENV_VARIABLE;
  const lines = [
    ...header(server, 'Immuta PostgreSQL access: apply (Immuta\'s PostgreSQL requirements). Idempotent: a second run changes nothing.',
      role.credential === 'password'
        ? [`read -rs ${env}; export ${env}   # the system role's password, never on a command line`, psqlCommand(server, 'apply')]
        : [psqlCommand(server, 'apply')]),
    '',
    connectLine(conn.database),
    '-- The Immuta system role: LOGIN and CREATEROLE (Immuta\'s PostgreSQL requirements).',
    'DO $$',
    'BEGIN',
    `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(role.name)}) THEN`,
    `    CREATE ROLE ${roleName};`,
    '  END IF;',
    'END',
    '$$;',
    `ALTER ROLE ${roleName} WITH LOGIN CREATEROLE;`,
  ];
  if (role.credential === 'password') {
    lines.push(
      `\\getenv ${v} ${env}`,
      `\\if :{?${v}}`,
      '\\else',
      `DO $$ BEGIN RAISE EXCEPTION 'environment variable ${env} is not set: export it (read -rs ${env}; export ${env}) before running psql'; END $$;`,
      '\\endif',
      `ALTER ROLE ${roleName} WITH PASSWORD :'${v}';`,
    );
  } else {
    lines.push('-- Immuta\'s PostgreSQL requirements: IAM authentication instead of a password.', `ALTER ROLE ${roleName} WITH PASSWORD NULL;`);
  }
  for (const member of role.memberOf) lines.push(`GRANT ${quoteIdent(member)} TO ${roleName};`);
  lines.push(
    '',
    '-- The dedicated Immuta database (Immuta\'s PostgreSQL requirements, step 1).',
    `SELECT ${quoteLiteral(`CREATE DATABASE ${quoteIdent(plan.immutaDatabase)}`)}`,
    `  WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = ${quoteLiteral(plan.immutaDatabase)}) \\gexec`,
  );
  for (const db of perDatabase(plan, grantSql, (d) => defaultPrivilegeSql(d, 'GRANT'))) {
    lines.push('', connectLine(db.database), ...db.statements);
  }
  return `${lines.join('\n')}\n`;
}

export function renderPostgresRevoke(server: PostgresServerPlan): string {
  const plan = server.privileges;
  const conn = server.connection;
  const roleName = quoteIdent(plan.systemRole.name);
  const lines = [
    ...header(server,
      'Immuta PostgreSQL access: revoke. Removes every privilege the apply script granted, the Immuta database and the role.',
      [psqlCommand(server, 'revoke')]),
    '-- Objects the role created in a protected database are kept and handed to the admin (REASSIGN OWNED);',
    '-- roles it created are kept. See docs/postgres-sql-scripts.md.',
    '',
    ...roleExistsGuard(plan, conn.database),
    ...(conn.superuser ? [] : [
      `-- PostgreSQL 16+: REASSIGN OWNED and DROP OWNED need the privileges of ${plan.systemRole.name}, not only ADMIN on it.`,
      `GRANT ${roleName} TO CURRENT_USER WITH INHERIT TRUE;`,
    ]),
  ];
  const protectedDbs = perDatabase(plan, revokeSql, (d) => defaultPrivilegeSql(d, 'REVOKE'))
    .filter((db) => db.database !== plan.immutaDatabase);
  for (const db of protectedDbs) {
    lines.push(
      connectLine(db.database),
      ...db.statements,
      `REASSIGN OWNED BY ${roleName} TO CURRENT_USER;`,
      `DROP OWNED BY ${roleName};`,
    );
  }
  lines.push(
    connectLine(conn.database),
    '\\endif',
    `DROP DATABASE IF EXISTS ${quoteIdent(plan.immutaDatabase)};`,
    `\\if :${ROLE_EXISTS}`,
    `REASSIGN OWNED BY ${roleName} TO CURRENT_USER;`,
    `DROP OWNED BY ${roleName};`,
    '\\endif',
    `DROP ROLE IF EXISTS ${roleName};`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Before `cdktf destroy`: takes back every grant the Immuta role made with its grant
 * options (REVOKE GRANT OPTION FOR ... CASCADE) and nothing else, so the provider's plain
 * REVOKEs no longer fail with "dependent privileges exist". docs/postgres-offboarding.md.
 */
export function renderPostgresOffboard(server: PostgresServerPlan): string {
  const plan = server.privileges;
  const onward = { ...plan, grants: plan.grants.filter((g) => g.withGrantOption), defaultPrivileges: [] };
  const lines = [
    ...header(server,
      'Immuta PostgreSQL access: offboard. Revokes what the Immuta role granted onward, before cdktf destroy.',
      [psqlCommand(server, 'offboard')]),
    '-- Only the grant options go (and, by CASCADE, every grant made with them); the privileges stay',
    '-- until cdktf destroy revokes them. Disconnect the server in Immuta first. docs/postgres-offboarding.md.',
    '',
    ...roleExistsGuard(plan, server.connection.database),
  ];
  for (const db of perDatabase(onward, revokeGrantOptionSql, () => '')) {
    if (db.statements.length > 0) lines.push(connectLine(db.database), ...db.statements);
  }
  lines.push('\\endif');
  return `${lines.join('\n')}\n`;
}

/** Apply, offboard and revoke scripts for every Immuta-enabled server, in its server stack's folder. */
export function postgresSqlFiles(plan: EnvironmentPlan): SqlFile[] {
  return plan.postgres.flatMap((server) => [
    { stack: server.stack, name: `${server.serverId}.apply.sql`, content: renderPostgresApply(server) },
    { stack: server.stack, name: `${server.serverId}.offboard.sql`, content: renderPostgresOffboard(server) },
    { stack: server.stack, name: `${server.serverId}.revoke.sql`, content: renderPostgresRevoke(server) },
  ]);
}
