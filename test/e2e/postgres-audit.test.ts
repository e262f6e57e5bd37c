/**
 * `npm run audit` on real PostgreSQL 16 and 17: after the model's SQL ran, every kind of
 * out-of-band change is reported exactly (and nothing else), restoring it gives a clean
 * audit again, the CLI's exit codes are 0 / 2 / 1, and the audit's sessions run nothing but
 * SELECTs on read-only connections (the server's own statement log says so).
 *
 * The same servers prove the offboarding paths: a plain REVOKE (what the provider runs on
 * destroy) fails once Immuta has granted onward, and succeeds after the offboard script;
 * the revoke script runs as a non-superuser admin holding CREATEROLE (the RDS shape).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Finding } from '../../audit/findings';
import { AUDIT_APPLICATION_NAME, openPostgresAuditSession } from '../../audit/postgres-connection';
import { auditTargets, runAuditTargets } from '../../audit/targets';
import { loadEstateText } from '../../estate/load';
import { Estate } from '../../estate/schema';
import { renderPostgresApply, renderPostgresOffboard, renderPostgresRevoke } from '../../sql/postgres';
import { EmbeddedPostgres, PostgresMajorVersion, freeLoopbackPort, startEmbeddedPostgres } from '../support/embedded-postgres';
import { serverPlanOf } from '../support/plans';
import { psqlOk, runPsql } from '../support/psql';
import { REPO_ROOT } from '../support/terraform-env';

jest.setTimeout(180_000);

const IMMUTA_PASSWORD = 'immuta-audit-e2e';
const RDS_ADMIN_PASSWORD = 'rds-admin-e2e';
const PG = 'e2e/local-pg';
const RDS = 'e2e/local-rds';

function estateText(port: number): string {
  return `
environments:
  e2e:
    aws: { accountId: "111122223333", region: us-east-1 }
    postgres:
      - id: local-pg
        deployment: self-managed
        majorVersion: 17
        host: 127.0.0.1
        port: ${port}
        sslMode: disable
        immuta:
          displayName: local_pg
          database: immuta
          systemRole: immuta_system
          protect:
            - database: orders
              schemas: [public, sales]
              tableOwners: [postgres, app_owner]
      - id: local-rds
        deployment: rds
        majorVersion: 17
        host: 127.0.0.1
        port: ${port}
        resourceId: db-E2EAUDIT
        adminUsername: rds_admin
        sslMode: disable
        immuta:
          displayName: local_rds
          database: immuta_rds
          systemRole: immuta_rds
          authentication: aws-assumed-role
          immutaAwsAccountId: "444455556666"
          externalId: e2e-external-id
          protect:
            - database: shop
              schemas: [public, crm]
`;
}

/**
 * rds_admin is what RDS gives its master user: no superuser, CREATEDB, CREATEROLE and
 * rds_iam WITH ADMIN OPTION; it owns the shop database and its tables.
 */
const FIXTURE = `
CREATE ROLE app_owner NOLOGIN;
CREATE ROLE rds_iam NOLOGIN;
CREATE ROLE rds_admin LOGIN CREATEDB CREATEROLE PASSWORD '${RDS_ADMIN_PASSWORD}';
GRANT rds_iam TO rds_admin WITH ADMIN OPTION;
CREATE DATABASE orders;
CREATE DATABASE shop OWNER rds_admin;
\\connect orders
CREATE SCHEMA sales;
CREATE SCHEMA hr;
GRANT USAGE, CREATE ON SCHEMA sales TO app_owner;
CREATE TABLE public.customers (id int);
CREATE TABLE sales.orders (id int, amount numeric);
INSERT INTO sales.orders VALUES (1, 42);
CREATE TABLE hr.salaries (id int);
SET ROLE app_owner;
CREATE TABLE sales.app_events (id int);
RESET ROLE;
\\connect shop
SET ROLE rds_admin;
CREATE SCHEMA crm;
CREATE TABLE crm.accounts (id int);
CREATE TABLE public.visits (id int);
RESET ROLE;
`;

/** What a test compares: everything but the human sentence. */
const brief = (f: Finding) => ({ kind: f.kind, target: f.target, object: f.object, grantee: f.grantee });

interface Drift {
  /** Where the change runs: database and user (default the superuser). */
  database: string;
  as?: 'rds_admin';
  change: string;
  restore: string;
  expected: ReturnType<typeof brief>[];
}

const DRIFTS: Record<string, Drift> = {
  'a privilege revoked': {
    database: 'orders',
    change: 'REVOKE DELETE ON sales.orders FROM immuta_system',
    restore: 'GRANT DELETE ON sales.orders TO immuta_system WITH GRANT OPTION',
    expected: [{ kind: 'missing', target: PG, object: 'table orders.sales.orders', grantee: 'immuta_system' }],
  },
  'the grant option on a schema revoked': {
    database: 'orders',
    change: 'REVOKE GRANT OPTION FOR USAGE ON SCHEMA sales FROM immuta_system',
    restore: 'GRANT USAGE ON SCHEMA sales TO immuta_system WITH GRANT OPTION',
    expected: [{ kind: 'grant-option-missing', target: PG, object: 'schema orders.sales', grantee: 'immuta_system' }],
  },
  'the grant option on a database revoked': {
    database: 'orders',
    change: 'REVOKE GRANT OPTION FOR CONNECT ON DATABASE orders FROM immuta_system',
    restore: 'GRANT CONNECT ON DATABASE orders TO immuta_system WITH GRANT OPTION',
    expected: [{ kind: 'grant-option-missing', target: PG, object: 'database orders', grantee: 'immuta_system' }],
  },
  'the grant option on a table revoked': {
    database: 'orders',
    change: 'REVOKE GRANT OPTION FOR TRUNCATE ON public.customers FROM immuta_system',
    restore: 'GRANT TRUNCATE ON public.customers TO immuta_system WITH GRANT OPTION',
    expected: [{ kind: 'grant-option-missing', target: PG, object: 'table orders.public.customers', grantee: 'immuta_system' }],
  },
  'a default privilege dropped': {
    database: 'orders',
    change: 'ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA sales REVOKE SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES FROM immuta_system',
    restore: 'ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA sales GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO immuta_system WITH GRANT OPTION',
    expected: [{ kind: 'missing', target: PG, object: 'default privileges in orders.sales for tables of app_owner', grantee: 'immuta_system' }],
  },
  'the rds_iam membership removed': {
    database: 'postgres',
    as: 'rds_admin',
    change: 'REVOKE rds_iam FROM immuta_rds',
    restore: 'GRANT rds_iam TO immuta_rds',
    expected: [{ kind: 'missing', target: RDS, object: 'membership in rds_iam', grantee: 'immuta_rds' }],
  },
  'CREATEROLE taken from the Immuta role': {
    database: 'postgres',
    change: 'ALTER ROLE immuta_system NOCREATEROLE',
    restore: 'ALTER ROLE immuta_system CREATEROLE',
    expected: [{ kind: 'attribute', target: PG, object: 'role immuta_system', grantee: 'immuta_system' }],
  },
  'an extra privilege granted to the Immuta role': {
    database: 'orders',
    change: 'GRANT SELECT ON hr.salaries TO immuta_system',
    restore: 'REVOKE SELECT ON hr.salaries FROM immuta_system',
    expected: [{ kind: 'extra', target: PG, object: 'table orders.hr.salaries', grantee: 'immuta_system' }],
  },
  'a grant made onward by the Immuta role': {
    database: 'orders',
    change: 'SET ROLE immuta_system; GRANT SELECT ON sales.orders TO immuta_reader; RESET ROLE',
    restore: 'SET ROLE immuta_system; REVOKE SELECT ON sales.orders FROM immuta_reader; RESET ROLE',
    expected: [{ kind: 'dependent-grant', target: PG, object: 'table orders.sales.orders', grantee: 'immuta_reader' }],
  },
};

describe.each([16, 17] as PostgresMajorVersion[])('npm run audit on PostgreSQL %i', (majorVersion) => {
  let server: EmbeddedPostgres;
  let dir: string;
  let estate: Estate;
  let estateFile: string;
  let env: NodeJS.ProcessEnv;

  const script = (name: string, content: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const sql = (database: string, text: string, as?: 'rds_admin') =>
    psqlOk(server, { database, sql: text, ...(as ? { user: as, password: RDS_ADMIN_PASSWORD } : {}) });
  const audit = async () => {
    const results = await runAuditTargets(auditTargets(estate, env, 'e2e'));
    for (const r of results) if (r.error) throw new Error(`${r.target}: ${r.error}`);
    return results.flatMap((r) => r.findings);
  };

  beforeAll(async () => {
    // Every statement goes to a log file in the data directory; %a is the application_name.
    server = await startEmbeddedPostgres({
      majorVersion,
      settings: { log_statement: 'all', logging_collector: 'on', log_directory: 'log', log_filename: 'audit.log', log_line_prefix: '%a|' },
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postgres-audit-e2e-'));
    estateFile = script('estate.yaml', estateText(server.port).replace(/majorVersion: 17/g, `majorVersion: ${majorVersion}`));
    estate = loadEstateText(fs.readFileSync(estateFile, 'utf8'), estateFile);
    env = { TF_VAR_local_pg_admin_password: server.password, TF_VAR_local_rds_admin_password: RDS_ADMIN_PASSWORD };
    const environment = estate.environments.e2e;
    const [pg, rds] = environment.postgres;
    sql('postgres', FIXTURE);
    psqlOk(server, { file: script('pg.apply.sql', renderPostgresApply(serverPlanOf(pg, environment, 'e2e'))), env: { IMMUTA_PASSWORD } });
    psqlOk(server, { file: script('rds.apply.sql', renderPostgresApply(serverPlanOf(rds, environment, 'e2e'))), user: 'rds_admin', password: RDS_ADMIN_PASSWORD });
    // Immuta at work: a role of its own (PostgreSQL 16+ records an ADMIN-only membership of its creator).
    sql('postgres', 'SET ROLE immuta_system; CREATE ROLE immuta_reader; RESET ROLE');
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('after the model\'s SQL ran, the audit finds nothing', async () => {
    expect(await audit()).toEqual([]);
  });

  test.each(Object.keys(DRIFTS))('%s: reported exactly, and gone once restored', async (name) => {
    const d = DRIFTS[name];
    sql(d.database, d.change, d.as);
    try {
      expect((await audit()).map(brief)).toEqual(d.expected);
    } finally {
      sql(d.database, d.restore, d.as);
    }
    expect(await audit()).toEqual([]);
  });

  test('a table created later by an owner outside tableOwners is reported missing; one by a listed owner is covered', async () => {
    sql('orders', 'CREATE ROLE late_owner; GRANT USAGE, CREATE ON SCHEMA sales TO late_owner; SET ROLE late_owner; CREATE TABLE sales.by_stranger (id int); RESET ROLE; SET ROLE app_owner; CREATE TABLE sales.by_app (id int); RESET ROLE');
    try {
      expect((await audit()).map(brief)).toEqual([{ kind: 'missing', target: PG, object: 'table orders.sales.by_stranger', grantee: 'immuta_system' }]);
    } finally {
      sql('orders', 'DROP TABLE sales.by_stranger, sales.by_app; REVOKE ALL ON SCHEMA sales FROM late_owner; DROP ROLE late_owner');
    }
    expect(await audit()).toEqual([]);
  });

  describe('the CLI as a child process', () => {
    const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = env) => {
      const res = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'ts-node'), ['--transpile-only', path.join(REPO_ROOT, 'scripts', 'audit.ts'), ...args], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 120_000,
        killSignal: 'SIGKILL',
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ESTATE_FILE: estateFile, ...extraEnv },
      });
      if (res.error) throw res.error;
      return res;
    };

    test('exit 0 when the databases match, 2 on drift with the findings as JSON', () => {
      const clean = cli(['--env', 'e2e']);
      expect({ status: clean.status, stderr: clean.stderr }).toEqual({ status: 0, stderr: '' });
      expect(clean.stdout).toContain('e2e/local-pg (postgresql): match');
      sql('orders', 'REVOKE GRANT OPTION FOR SELECT ON sales.orders FROM immuta_system');
      try {
        const drift = cli(['--env', 'e2e', '--json']);
        expect(drift.status).toBe(2);
        const report = JSON.parse(drift.stdout);
        expect(report.exitCode).toBe(2);
        expect(report.targets.map((t: { target: string; status: string }) => [t.target, t.status])).toEqual([[PG, 'drift'], [RDS, 'match']]);
        expect(report.targets[0].findings.map(brief)).toEqual([{ kind: 'grant-option-missing', target: PG, object: 'table orders.sales.orders', grantee: 'immuta_system' }]);
      } finally {
        sql('orders', 'GRANT SELECT ON sales.orders TO immuta_system WITH GRANT OPTION');
      }
    });

    test('exit 1 naming the server when it cannot log in, and when the password variable is missing', () => {
      const wrong = cli(['--env', 'e2e'], { ...env, TF_VAR_local_rds_admin_password: 'not-the-password' });
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toContain(`audit: ${RDS}: cannot reach PostgreSQL server ${RDS} at 127.0.0.1:${server.port}, database postgres, as rds_admin: password authentication failed`);
      expect(wrong.stdout).toContain(`${PG} (postgresql): match`);
      const unset = cli(['--env', 'e2e'], { TF_VAR_local_rds_admin_password: RDS_ADMIN_PASSWORD });
      expect(unset.status).toBe(1);
      expect(unset.stderr).toContain('TF_VAR_local_pg_admin_password is not set');
    });
  });

  test('an unreachable server is an error naming the server, host, database and user; the other server is still audited', async () => {
    const closedPort = await freeLoopbackPort();
    const broken = loadEstateText(estateText(server.port).replace(`port: ${server.port}\n        sslMode: disable\n        immuta:\n          displayName: local_pg`,
      `port: ${closedPort}\n        sslMode: disable\n        immuta:\n          displayName: local_pg`), 'broken estate');
    const results = await runAuditTargets(auditTargets(broken, env, 'e2e'));
    expect(results.map((r) => [r.target, r.error?.replace(/: connect ECONNREFUSED.*$/, ': ECONNREFUSED') ?? 'ok'])).toEqual([
      [PG, `cannot reach PostgreSQL server ${PG} at 127.0.0.1:${closedPort}, database postgres, as postgres: ECONNREFUSED`],
      [RDS, 'ok'],
    ]);
  });

  test('adminIamAuth: the admin logs in with the token `aws rds generate-db-auth-token` prints for its host, port, user and region', async () => {
    // A stand-in aws CLI: records its arguments, prints the admin's password as the token.
    const bin = path.join(dir, 'fake-aws');
    fs.mkdirSync(bin, { recursive: true });
    const argsFile = path.join(dir, 'aws-args');
    fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\necho '${RDS_ADMIN_PASSWORD}'\n`, { mode: 0o755 });
    const iam = loadEstateText(estateText(server.port).replace('adminUsername: rds_admin', 'adminUsername: rds_admin\n        adminIamAuth: true\n        region: eu-west-1'), 'iam estate');
    const results = await runAuditTargets(auditTargets(iam, { ...env, TF_VAR_local_rds_admin_password: undefined, PATH: `${bin}:${process.env.PATH}` }, 'e2e'));
    expect(results.map((r) => [r.target, r.error ?? r.findings.length])).toEqual([[PG, 0], [RDS, 0]]);
    expect(fs.readFileSync(argsFile, 'utf8').trim().split('\n')).toEqual([
      'rds', 'generate-db-auth-token', '--hostname', '127.0.0.1', '--port', String(server.port), '--username', 'rds_admin', '--region', 'eu-west-1',
    ]);
  });

  test('the audit only reads: its connections refuse writes, and the server logged nothing but SELECTs from it', async () => {
    const [pg] = estate.environments.e2e.postgres;
    const session = openPostgresAuditSession(PG, serverPlanOf(pg, estate.environments.e2e, 'e2e').connection, env);
    try {
      await expect(session.query('orders', 'CREATE TABLE public.written_by_audit (id int)', [])).rejects.toThrow(/read-only transaction/);
    } finally {
      await session.close();
    }
    await audit();
    const log = fs.readFileSync(path.join(server.dataDir, 'log', 'audit.log'), 'utf8');
    const statements = log.split('\n')
      .filter((l) => l.startsWith(`${AUDIT_APPLICATION_NAME}|`))
      .map((l) => /LOG:\s+(?:statement|execute [^:]*):\s*(.*)$/.exec(l)?.[1])
      .filter((s): s is string => s !== undefined);
    expect(statements.length).toBeGreaterThan(10);
    const notSelect = statements.filter((s) => !/^(SELECT|SHOW)\b/i.test(s.trim()));
    // The one write this test tried itself, refused above.
    expect(notSelect).toEqual(['CREATE TABLE public.written_by_audit (id int)']);
  });

  describe('offboarding', () => {
    test('after Immuta granted onward, a plain REVOKE (the provider\'s destroy) fails; after the offboard script it succeeds', async () => {
      const environment = estate.environments.e2e;
      const [pg] = environment.postgres;
      sql('orders', 'SET ROLE immuta_system; GRANT USAGE ON SCHEMA sales TO immuta_reader; GRANT SELECT ON sales.orders TO immuta_reader; RESET ROLE');
      expect((await audit()).map((f) => f.kind)).toEqual(['dependent-grant', 'dependent-grant']);
      const plainRevoke = 'REVOKE SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA sales FROM immuta_system; REVOKE USAGE ON SCHEMA sales FROM immuta_system';
      const refused = runPsql(server, { database: 'orders', sql: plainRevoke });
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/dependent privileges exist/);

      psqlOk(server, { file: script('pg.offboard.sql', renderPostgresOffboard(serverPlanOf(pg, environment, 'e2e'))) });
      const after = await audit();
      expect(after.filter((f) => f.kind !== 'grant-option-missing')).toEqual([]);
      expect(after.length).toBeGreaterThan(0);
      const [r] = (await (async () => {
        const c = await server.connect('orders');
        try {
          return (await c.query(`SELECT has_table_privilege('immuta_system', 'sales.orders', 'SELECT') AS kept,
            has_table_privilege('immuta_reader', 'sales.orders', 'SELECT') AS onward`)).rows;
        } finally {
          await c.end();
        }
      })());
      expect(r).toEqual({ kept: true, onward: false });
      psqlOk(server, { database: 'orders', sql: plainRevoke });
    });

    test('the revoke script runs as a non-superuser CREATEROLE admin after Immuta granted onward; without the membership REASSIGN OWNED is refused', async () => {
      const environment = estate.environments.e2e;
      const [, rds] = environment.postgres;
      sql('shop', 'SET ROLE immuta_rds; CREATE ROLE rds_reader; GRANT USAGE ON SCHEMA crm TO rds_reader; GRANT SELECT ON crm.accounts TO rds_reader; RESET ROLE');
      expect((await audit()).filter((f) => f.target === RDS).map((f) => f.kind)).toEqual(['dependent-grant', 'dependent-grant']);
      const bare = runPsql(server, { user: 'rds_admin', password: RDS_ADMIN_PASSWORD, sql: 'REASSIGN OWNED BY immuta_rds TO CURRENT_USER' });
      expect(bare.stderr).toMatch(/privileges of role "immuta_rds"/);

      psqlOk(server, { file: script('rds.revoke.sql', renderPostgresRevoke(serverPlanOf(rds, environment, 'e2e'))), user: 'rds_admin', password: RDS_ADMIN_PASSWORD });
      expect((await audit()).filter((f) => f.target === RDS).map(brief)).toEqual([
        { kind: 'missing', target: RDS, object: 'database immuta_rds', grantee: undefined },
        { kind: 'missing', target: RDS, object: 'role immuta_rds', grantee: 'immuta_rds' },
      ]);
      const c = await server.connect('shop');
      try {
        const { rows } = await c.query(`SELECT has_table_privilege('rds_reader', 'crm.accounts', 'SELECT') AS onward,
          EXISTS (SELECT FROM pg_roles WHERE rolname = 'immuta_rds') AS role_left`);
        expect(rows).toEqual([{ onward: false, role_left: false }]);
      } finally {
        await c.end();
      }
    });
  });
});
