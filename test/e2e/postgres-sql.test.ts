/**
 * Immuta's PostgreSQL requirements proven on real PostgreSQL 16 and 17: the rendered apply script gives the
 * Immuta system account exactly what Immuta needs (and works only because of the grant
 * options), is idempotent, agrees with the synthesized postgresql_* resources, and the
 * revoke script leaves nothing of the account behind.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadEstateText } from '../../estate/load';
import { Environment } from '../../estate/schema';
import { renderPostgresApply, renderPostgresRevoke } from '../../sql/postgres';
import { declaredPrivileges } from '../support/declared-privileges';
import { EmbeddedPostgres, PostgresMajorVersion, startEmbeddedPostgres } from '../support/embedded-postgres';
import { privilegeRows, roleRows, rowKey } from '../support/pg-catalog';
import { exampleServer } from '../support/postgres-estates';
import { serverPlanOf, synthPostgresStacks } from '../support/plans';
import { psqlOk, runPsql } from '../support/psql';

jest.setTimeout(120_000);

const IMMUTA_PASSWORD = "immuta-e2e-'pass' word";
const TABLE_PRIVILEGES = ['DELETE', 'INSERT', 'SELECT', 'TRUNCATE', 'UPDATE'];

/** Two servers on one instance: a self-managed one and an RDS one with IAM authentication. */
function testEnvironment(majorVersion: number): Environment {
  return loadEstateText(`
environments:
  e2e:
    aws: { accountId: "111122223333", region: us-east-1 }
    postgres:
      - id: local-pg
        deployment: self-managed
        majorVersion: ${majorVersion}
        host: localhost
        sslMode: disable
        immuta:
          displayName: local_pg
          database: immuta
          systemRole: immuta_system
          protect:
            - database: orders
              schemas: [public, sales]
              tableOwners: [postgres, app_owner]
            - database: billing
              schemas:
                - name: ledger
                  tables: [accounts]
      - id: local-rds
        deployment: rds
        majorVersion: ${majorVersion}
        host: localhost
        resourceId: db-E2ETEST
        adminUsername: postgres
        sslMode: disable
        immuta:
          displayName: local_rds
          database: immuta_rds
          systemRole: immuta_rds
          authentication: aws-assumed-role
          immutaAwsAccountId: "444455556666"
          externalId: e2e-external-id
          protect:
            - database: orders
              schemas: [public]
`, 'e2e estate').environments.e2e;
}

/** Databases, protected and unprotected schemas, tables of two owners; rds_iam stands in for RDS's role. */
const FIXTURE = `
CREATE ROLE app_owner NOLOGIN;
CREATE ROLE rds_iam NOLOGIN;
CREATE DATABASE orders;
CREATE DATABASE billing;
\\connect orders
CREATE SCHEMA sales;
CREATE SCHEMA hr;
GRANT USAGE, CREATE ON SCHEMA sales TO app_owner;
CREATE TABLE public.customers (id int, name text);
INSERT INTO public.customers VALUES (1, 'Ada');
CREATE TABLE sales.orders (id int, amount numeric);
INSERT INTO sales.orders VALUES (1, 42), (2, 7);
SET ROLE app_owner;
CREATE TABLE sales.app_events (id int);
RESET ROLE;
CREATE TABLE hr.salaries (id int, amount numeric);
\\connect billing
CREATE SCHEMA ledger;
CREATE TABLE ledger.accounts (id int);
CREATE TABLE ledger.entries (id int);
`;

describe.each([16, 17] as PostgresMajorVersion[])('rendered SQL on PostgreSQL %i', (majorVersion) => {
  const environment = testEnvironment(majorVersion);
  const [localPg, localRds] = environment.postgres;
  let server: EmbeddedPostgres;
  let dir: string;
  const files: Record<string, string> = {};

  const apply = (id: string) => psqlOk(server, { file: files[`${id}.apply.sql`], env: { IMMUTA_PASSWORD } });
  const revoke = (id: string) => psqlOk(server, { file: files[`${id}.revoke.sql`] });
  const asImmuta = (database: string) => server.connect(database, 'immuta_system', IMMUTA_PASSWORD);
  async function superQuery<T = any>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const c = await server.connect(database);
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    server = await startEmbeddedPostgres({ majorVersion });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postgres-sql-e2e-'));
    for (const s of environment.postgres) {
      for (const [kind, render] of [['apply', renderPostgresApply], ['revoke', renderPostgresRevoke]] as const) {
        const file = path.join(dir, `${s.id}.${kind}.sql`);
        fs.writeFileSync(file, render(serverPlanOf(s, environment, 'e2e')));
        files[`${s.id}.${kind}.sql`] = file;
      }
    }
    psqlOk(server, { sql: FIXTURE });
    apply(localPg.id);
    apply(localRds.id);
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('runs on the major version the estate names', () => {
    expect(server.serverVersion.split('.')[0]).toBe(String(majorVersion));
  });

  test('applying the scripts a second time changes no privilege, role or membership', async () => {
    const before = { acl: await privilegeRows(server), roles: await roleRows(server) };
    apply(localPg.id);
    apply(localRds.id);
    expect({ acl: await privilegeRows(server), roles: await roleRows(server) }).toEqual(before);
  });

  test('the synthesized postgresql_* resources declare exactly what the server reports after the SQL ran', async () => {
    const stacks = synthPostgresStacks('e2e', environment);
    // A server stack and a grant stack per protected database, for each of the two servers.
    expect(stacks.length).toBe(2 + localPg.immuta!.protect.length + localRds.immuta!.protect.length);
    for (const s of [localPg, localRds]) {
      const role = s.immuta!.systemRole;
      const tables = await Promise.all(stacks.flatMap(({ tf }) => declaredPrivileges(tf, s.id)).map(async (d) => {
        if (d.object !== '*') return [d];
        const names = await superQuery<{ relname: string }>(d.database,
          `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`, [d.schema]);
        return names.map((n) => ({ ...d, object: n.relname }));
      }));
      const declared = tables.flat().map((d) => [d.kind, d.database, d.schema ?? '', d.object ?? '', d.grantee, d.privilege, d.grantable].join('|')).sort();
      const reported = (await privilegeRows(server, [role]))
        .map((r) => [r.kind, r.database, r.schema ?? '', r.object ?? '', r.grantee, r.privilege, r.grantable].join('|')).sort();
      expect(declared.length).toBeGreaterThan(0);
      expect(reported).toEqual(declared);
    }
  });

  test('the system role has LOGIN and CREATEROLE, and the seed-001 privileges WITH GRANT OPTION', async () => {
    const [role] = await superQuery('postgres', `SELECT rolcanlogin, rolcreaterole, rolsuper FROM pg_roles WHERE rolname = 'immuta_system'`);
    expect(role).toEqual({ rolcanlogin: true, rolcreaterole: true, rolsuper: false });
    const checks = await superQuery('orders', `SELECT
        has_database_privilege('immuta_system', 'orders', 'CONNECT WITH GRANT OPTION') AS connect_orders,
        has_database_privilege('immuta_system', 'billing', 'CONNECT WITH GRANT OPTION') AS connect_billing,
        has_schema_privilege('immuta_system', 'public', 'USAGE WITH GRANT OPTION') AS usage_public,
        has_schema_privilege('immuta_system', 'sales', 'USAGE WITH GRANT OPTION') AS usage_sales,
        has_schema_privilege('immuta_system', 'hr', 'USAGE') AS usage_hr`);
    expect(checks[0]).toEqual({ connect_orders: true, connect_billing: true, usage_public: true, usage_sales: true, usage_hr: false });
    for (const [db, table] of [['orders', 'public.customers'], ['orders', 'sales.orders'], ['orders', 'sales.app_events'], ['billing', 'ledger.accounts']]) {
      const rows = await superQuery<{ p: string; ok: boolean }>(db,
        `SELECT p, has_table_privilege('immuta_system', $1, p || ' WITH GRANT OPTION') AS ok FROM unnest($2::text[]) p`, [table, TABLE_PRIVILEGES]);
      expect({ table, missing: rows.filter((r) => !r.ok).map((r) => r.p) }).toEqual({ table, missing: [] });
    }
  });

  test('an explicit table list covers only those tables', async () => {
    const [r] = await superQuery('billing', `SELECT has_table_privilege('immuta_system', 'ledger.accounts', 'SELECT') AS listed,
      has_table_privilege('immuta_system', 'ledger.entries', 'SELECT') AS unlisted`);
    expect(r).toEqual({ listed: true, unlisted: false });
  });

  test('as the Immuta account: create a role, grant it CONNECT, USAGE and SELECT, and read the table as that role', async () => {
    const immuta = await asImmuta('orders');
    try {
      await immuta.query(`CREATE ROLE immuta_reader LOGIN PASSWORD 'reader-pass'`);
      await immuta.query('GRANT CONNECT ON DATABASE orders TO immuta_reader');
      await immuta.query('GRANT USAGE ON SCHEMA sales TO immuta_reader');
      await immuta.query('GRANT SELECT ON sales.orders TO immuta_reader');
    } finally {
      await immuta.end();
    }
    const reader = await server.connect('orders', 'immuta_reader', 'reader-pass');
    try {
      const rows = (await reader.query('SELECT id, amount FROM sales.orders ORDER BY id')).rows;
      expect(rows).toEqual([{ id: 1, amount: '42' }, { id: 2, amount: '7' }]);
      await expect(reader.query('SELECT * FROM public.customers')).rejects.toThrow(/permission denied/);
    } finally {
      await reader.end();
    }
  });

  test('the same steps fail for an account that has the privileges without grant option', async () => {
    psqlOk(server, { database: 'orders', sql: `
      CREATE ROLE plain_admin LOGIN CREATEROLE PASSWORD 'plain-pass';
      GRANT CONNECT ON DATABASE orders TO plain_admin;
      GRANT USAGE ON SCHEMA sales TO plain_admin;
      GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON sales.orders TO plain_admin;` });
    const plain = await server.connect('orders', 'plain_admin', 'plain-pass');
    const warnings: string[] = [];
    plain.on('notice', (n) => warnings.push(String(n.message)));
    try {
      await plain.query(`CREATE ROLE plain_reader LOGIN PASSWORD 'reader-pass'`);
      // Without grant option PostgreSQL only warns and grants nothing.
      await plain.query('GRANT USAGE ON SCHEMA sales TO plain_reader');
      await plain.query('GRANT SELECT ON sales.orders TO plain_reader');
    } finally {
      await plain.end();
    }
    expect(warnings.join('\n')).toMatch(/no privileges were granted/);
    const [r] = await superQuery('orders', `SELECT has_table_privilege('plain_reader', 'sales.orders', 'SELECT') AS t,
      has_schema_privilege('plain_reader', 'sales', 'USAGE') AS s`);
    expect(r).toEqual({ t: false, s: false });
    const reader = await server.connect('orders', 'plain_reader', 'reader-pass');
    try {
      await expect(reader.query('SELECT * FROM sales.orders')).rejects.toThrow(/permission denied/);
    } finally {
      await reader.end();
    }
  });

  test('tables created later by a listed owner are covered (default privileges)', async () => {
    psqlOk(server, { database: 'orders', sql: `
      SET ROLE app_owner; CREATE TABLE sales.later_by_app (id int); RESET ROLE;
      CREATE TABLE public.later_by_admin (id int);` });
    const rows = await superQuery<{ t: string; ok: boolean }>('orders',
      `SELECT t, has_table_privilege('immuta_system', t, 'SELECT WITH GRANT OPTION') AND has_table_privilege('immuta_system', t, 'TRUNCATE WITH GRANT OPTION') AS ok
         FROM unnest(ARRAY['sales.later_by_app', 'public.later_by_admin']) t`);
    expect(rows).toEqual([{ t: 'sales.later_by_app', ok: true }, { t: 'public.later_by_admin', ok: true }]);
  });

  test('the unprotected schema is not readable by the account', async () => {
    const immuta = await asImmuta('orders');
    try {
      await expect(immuta.query('SELECT * FROM hr.salaries')).rejects.toThrow(/permission denied for schema hr/);
    } finally {
      await immuta.end();
    }
  });

  test('the Immuta account can keep state in its own database, and only there', async () => {
    const immuta = await asImmuta('immuta');
    try {
      await immuta.query('CREATE SCHEMA immuta_state');
      await immuta.query('CREATE TABLE immuta_state.sync (id int)');
    } finally {
      await immuta.end();
    }
    const other = await asImmuta('orders');
    try {
      await expect(other.query('CREATE SCHEMA not_allowed')).rejects.toThrow(/permission denied/);
    } finally {
      await other.end();
    }
  });

  test('RDS IAM authentication: member of rds_iam, no password', async () => {
    const [r] = await superQuery('postgres', `SELECT a.rolpassword IS NULL AS no_password, a.rolcanlogin, a.rolcreaterole,
      pg_has_role('immuta_rds', 'rds_iam', 'MEMBER') AS rds_iam FROM pg_authid a WHERE a.rolname = 'immuta_rds'`);
    expect(r).toEqual({ no_password: true, rolcanlogin: true, rolcreaterole: true, rds_iam: true });
  });

  test('the revoke script leaves no privilege of the account behind, and no role; the other account keeps its grants', async () => {
    const [{ oid }] = await superQuery<{ oid: number }>('postgres', `SELECT oid::int FROM pg_roles WHERE rolname = 'immuta_system'`);
    const rdsBefore = await privilegeRows(server, ['immuta_rds']);
    revoke(localPg.id);

    const leftovers = (await privilegeRows(server)).filter((r) =>
      [r.grantee, r.grantor].some((n) => n === 'immuta_system' || n.includes(`OID=${oid})`)));
    expect(leftovers).toEqual([]);
    expect(await superQuery('postgres', `SELECT rolname FROM pg_roles WHERE rolname = 'immuta_system'`)).toEqual([]);
    expect(await superQuery('postgres', `SELECT datname FROM pg_database WHERE datname = 'immuta'`)).toEqual([]);
    // CASCADE took back what the account had granted onward.
    const [r] = await superQuery('orders', `SELECT has_table_privilege('immuta_reader', 'sales.orders', 'SELECT') AS t`);
    expect(r.t).toBe(false);
    expect((await privilegeRows(server, ['immuta_rds'])).map(rowKey)).toEqual(rdsBefore.map(rowKey));
  });

  test('the revoke scripts are idempotent and remove the RDS account too', async () => {
    revoke(localPg.id);
    revoke(localRds.id);
    revoke(localRds.id);
    expect(await superQuery('postgres', `SELECT rolname FROM pg_roles WHERE rolname IN ('immuta_system', 'immuta_rds')`)).toEqual([]);
    expect(await privilegeRows(server, ['immuta_system', 'immuta_rds'])).toEqual([]);
  });

  test('the example estate\'s orders-pg scripts (the golden files) apply and revoke cleanly', async () => {
    const example = exampleServer('orders-pg');
    const file = (kind: string, render: typeof renderPostgresApply) => {
      const f = path.join(dir, `example.${kind}.sql`);
      fs.writeFileSync(f, render(serverPlanOf(example.server, example.environment)));
      return f;
    };
    psqlOk(server, { database: 'billing', sql: 'CREATE ROLE billing_app NOLOGIN; CREATE SCHEMA payroll; CREATE TABLE payroll.runs (id int); CREATE TABLE payroll.payslips (id int);' });
    psqlOk(server, { file: file('apply', renderPostgresApply), env: { IMMUTA_PASSWORD } });
    const [r] = await superQuery('billing', `SELECT has_table_privilege('immuta_system', 'payroll.payslips', 'SELECT WITH GRANT OPTION') AS listed,
      has_schema_privilege('immuta_system', 'ledger', 'USAGE WITH GRANT OPTION') AS ledger`);
    expect(r).toEqual({ listed: true, ledger: true });
    psqlOk(server, { file: file('revoke', renderPostgresRevoke) });
    expect(await privilegeRows(server, ['immuta_system'])).toEqual([]);
  });

  test('the apply script refuses to run without the password variable', () => {
    const res = runPsql(server, { file: files[`${localPg.id}.apply.sql`] });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/environment variable IMMUTA_PASSWORD is not set/);
  });
});
