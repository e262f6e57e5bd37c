import { PostgresServer } from '../../estate/schema';
import { postgresPrivilegePlan } from '../../model/postgres/privileges';
import { postgresSqlFiles, renderPostgresApply, renderPostgresOffboard, renderPostgresRevoke } from '../../sql/postgres';
import { exampleEstate, exampleServer, singleServerEnvironment } from '../support/postgres-estates';
import { serverPlanOf } from '../support/plans';
import { planEnvironment } from '../../model/environment-plan';

describe('postgresSqlFiles for the example estate (golden files)', () => {
  const estate = exampleEstate();

  test.each(['dev', 'prod'])('%s: an apply, an offboard and a revoke script per server, in its server stack', (envName) => {
    const files = postgresSqlFiles(planEnvironment(envName, estate.environments[envName]));
    const ids = estate.environments[envName].postgres.filter((s) => s.immuta).map((s) => s.id).sort();
    expect(ids.length).toBeGreaterThan(0);
    expect(files.map((f) => f.name)).toEqual(ids.flatMap((id) => [`${id}.apply.sql`, `${id}.offboard.sql`, `${id}.revoke.sql`]));
    expect(files.map((f) => f.stack)).toEqual(ids.flatMap((id) => Array(3).fill(`${envName}-postgres-${id}`)));
    for (const f of files) expect(f.content).toMatchSnapshot(f.name);
  });

  test('rendering is deterministic: the order of servers, databases, schemas, tables and owners does not matter', () => {
    const permuted = exampleEstate().environments.dev;
    permuted.postgres.reverse();
    for (const server of permuted.postgres) {
      const immuta = server.immuta!;
      immuta.protect.reverse();
      immuta.userMappings.reverse();
      for (const p of immuta.protect) {
        p.schemas.reverse();
        p.tableOwners?.reverse();
        for (const s of p.schemas) if (typeof s !== 'string' && s.tables) s.tables.reverse();
      }
    }
    // The permutation must have moved something, else this would compare a value with itself.
    expect(JSON.stringify(permuted)).not.toBe(JSON.stringify(estate.environments.dev));
    expect(postgresSqlFiles(planEnvironment('dev', permuted))).toEqual(postgresSqlFiles(planEnvironment('dev', estate.environments.dev)));
  });
});

describe('renderPostgresApply', () => {
  const { server, environment } = exampleServer('orders-pg');
  const sql = renderPostgresApply(serverPlanOf(server, environment));

  test('the password comes from the environment through \\getenv, never from the file or a command line', () => {
    expect(sql).toContain(`ALTER ROLE "immuta_system" WITH PASSWORD :'immuta_password';`);
    expect(sql).not.toMatch(/PASSWORD '/);
    expect(sql).toMatch(/\\getenv immuta_password IMMUTA_PASSWORD\n\\if :\{\?immuta_password\}\n\\else\nDO \$\$ BEGIN RAISE EXCEPTION/);
    const usage = sql.split('\n').filter((l) => l.startsWith('--   '));
    expect(usage.join('\n')).toContain('read -rs IMMUTA_PASSWORD; export IMMUTA_PASSWORD');
    for (const line of usage) expect(line).not.toMatch(/ -v |PGPASSWORD=|password=/i);
  });

  test('every GRANT carries WITH GRANT OPTION, except on the Immuta database', () => {
    const grants = sql.split('\n').filter((l) => l.startsWith('GRANT '));
    expect(grants.length).toBe(postgresPrivilegePlan(server).grants.length);
    expect(grants.filter((l) => !l.endsWith('WITH GRANT OPTION;'))).toEqual(['GRANT CONNECT, CREATE, TEMPORARY ON DATABASE "immuta" TO "immuta_system";']);
  });

  test('idempotent statements: the role and the database are created only when missing', () => {
    expect(sql).toMatch(/IF NOT EXISTS \(SELECT FROM pg_catalog.pg_roles WHERE rolname = 'immuta_system'\) THEN\n\s+CREATE ROLE "immuta_system";/);
    expect(sql).toContain(`SELECT 'CREATE DATABASE "immuta"'\n  WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = 'immuta') \\gexec`);
  });

  test('explicit tables are granted one by one, qualified and quoted', () => {
    const env = singleServerEnvironment({ immuta: { displayName: 'pg_conn', protect: [{ database: 'app', schemas: [{ name: 'fin', tables: ['payments', 'invoices'] }] }] } });
    const out = renderPostgresApply(serverPlanOf(env.postgres[0], env));
    expect(out).toContain('GRANT DELETE, INSERT, SELECT, TRUNCATE, UPDATE ON TABLE "fin"."invoices", "fin"."payments" TO "immuta_system" WITH GRANT OPTION;');
    expect(out).not.toContain('ALTER DEFAULT PRIVILEGES');
  });

  test('IAM authentication: rds_iam membership and no password', () => {
    const rds = exampleServer('customers-rds');
    const out = renderPostgresApply(serverPlanOf(rds.server, rds.environment));
    expect(out).toContain('GRANT "rds_iam" TO "immuta_rds_connector";');
    expect(out).toContain('ALTER ROLE "immuta_rds_connector" WITH PASSWORD NULL;');
    expect(out).not.toContain('immuta_password');
  });

  test('an identifier that could inject SQL is refused when the server is planned, before any text is produced', () => {
    const evil = { ...server, immuta: { ...server.immuta!, protect: [{ database: 'orders', schemas: [{ name: 'x"; DROP TABLE t; --' }] }] } } as PostgresServer;
    expect(() => serverPlanOf(evil, environment)).toThrow(/postgres server orders-pg: server\.immuta\.protect\[0\]\.schemas\[0\]\.name must be a lower-case SQL identifier/);
  });
});

describe('renderPostgresRevoke', () => {
  test.each(['orders-pg', 'customers-rds'])('%s: revokes every GRANT of the apply script (with CASCADE) and drops the role', (id) => {
    const { server, environment } = exampleServer(id);
    const apply = renderPostgresApply(serverPlanOf(server, environment));
    const revoke = renderPostgresRevoke(serverPlanOf(server, environment));
    const asRevoke = (l: string) => l.replace(/ GRANT (.*) ON TABLES TO ("[^"]+") WITH GRANT OPTION;$/, ' REVOKE $1 ON TABLES FROM $2 CASCADE;')
      .replace(/^GRANT /, 'REVOKE ').replace(/ TO ("[^"]+")( WITH GRANT OPTION)?;$/, ' FROM $1 CASCADE;');
    const expected = apply.split('\n')
      .filter((l) => (l.startsWith('GRANT ') && l.includes(' ON ') && !l.includes('ON DATABASE "immuta"')) || l.startsWith('ALTER DEFAULT PRIVILEGES'))
      .map(asRevoke);
    const lines = revoke.trimEnd().split('\n');
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.filter((l) => !lines.includes(l))).toEqual([]);
    expect(lines.slice(-1)).toEqual([`DROP ROLE IF EXISTS "${server.immuta!.systemRole}";`]);
    expect(lines).toContain(`DROP DATABASE IF EXISTS "${server.immuta!.database}";`);
  });

  test('a non-superuser admin first becomes a member of the role (PostgreSQL 16+ REASSIGN OWNED); a superuser does not need to', () => {
    const rds = exampleServer('customers-rds');
    const lines = renderPostgresRevoke(serverPlanOf(rds.server, rds.environment)).split('\n');
    const grant = lines.indexOf('GRANT "immuta_rds_connector" TO CURRENT_USER WITH INHERIT TRUE;');
    expect(grant).toBeGreaterThan(lines.indexOf('\\if :immuta_role_exists'));
    expect(grant).toBeLessThan(lines.findIndex((l) => l.startsWith('REASSIGN OWNED')));
    const pg = exampleServer('orders-pg');
    expect(renderPostgresRevoke(serverPlanOf(pg.server, pg.environment))).not.toMatch(/^GRANT .* TO CURRENT_USER/m);
  });
});

describe('renderPostgresOffboard', () => {
  test.each(['orders-pg', 'customers-rds'])('%s: revokes only the grant options, with CASCADE, of every grant that has one', (id) => {
    const { server, environment } = exampleServer(id);
    const plan = postgresPrivilegePlan(server);
    const lines = renderPostgresOffboard(serverPlanOf(server, environment)).split('\n');
    const revokes = lines.filter((l) => l.startsWith('REVOKE'));
    expect(revokes.length).toBe(plan.grants.filter((g) => g.withGrantOption).length);
    for (const l of revokes) expect(l).toMatch(/^REVOKE GRANT OPTION FOR [A-Z, ]+ ON .* FROM "[a-z_]+" CASCADE;$/);
    expect(lines.filter((l) => /^(DROP|GRANT|ALTER|REASSIGN)/.test(l))).toEqual([]);
  });
});
