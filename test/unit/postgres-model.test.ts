import { PostgresServer } from '../../estate/schema';
import { assertPostgresServer, postgresServerProblems } from '../../model/postgres/checks';
import { immutaConnectionForm, immutaUserMappings, postgresAdminConnection, postgresVariableNames } from '../../model/postgres/connection';
import { IMMUTA_TABLE_PRIVILEGES } from '../../model/immuta-privileges';
import { grantsOfType, postgresPrivilegePlan } from '../../model/postgres/privileges';
import { exampleServer, singleServerEnvironment } from '../support/postgres-estates';

const protect = (p: unknown) => ({ immuta: { displayName: 'pg_conn', protect: p } });

describe('postgresPrivilegePlan (Immuta\'s PostgreSQL requirements)', () => {
  const { server } = exampleServer('orders-pg');
  const plan = postgresPrivilegePlan(server);

  test('CONNECT on every protected database WITH GRANT OPTION, and the Immuta database without', () => {
    expect(grantsOfType(plan, 'database').map((g) => [g.key, g.privileges, g.withGrantOption])).toEqual([
      ['billing', ['CONNECT'], true],
      ['immuta', ['CONNECT', 'CREATE', 'TEMPORARY'], false],
      ['orders', ['CONNECT'], true],
    ]);
  });

  test('USAGE on every protected schema WITH GRANT OPTION', () => {
    expect(grantsOfType(plan, 'schema').map((g) => [g.key, g.privileges, g.withGrantOption])).toEqual([
      ['billing/ledger', ['USAGE'], true],
      ['billing/payroll', ['USAGE'], true],
      ['orders/public', ['USAGE'], true],
      ['orders/sales', ['USAGE'], true],
    ]);
  });

  test('SELECT, INSERT, UPDATE, DELETE, TRUNCATE on all tables WITH GRANT OPTION, named one by one (never ALL)', () => {
    const tables = grantsOfType(plan, 'table');
    expect(tables.map((g) => [g.key, g.objects])).toEqual([
      ['billing/ledger', undefined], ['billing/payroll', ['payslips', 'runs']], ['orders/public', undefined], ['orders/sales', undefined],
    ]);
    for (const g of tables) {
      expect(g.privileges).toEqual(['DELETE', 'INSERT', 'SELECT', 'TRUNCATE', 'UPDATE']);
      expect(g.withGrantOption).toBe(true);
    }
    expect(plan.grants.flatMap((g) => g.privileges)).not.toContain('ALL');
  });

  test('default privileges for tables created later, one per schema and table owner (default: the admin login)', () => {
    expect(plan.defaultPrivileges.map((d) => [d.key, d.owner, d.withGrantOption])).toEqual([
      ['billing/ledger/billing_app', 'billing_app', true],
      ['billing/ledger/postgres', 'postgres', true],
      ['orders/public/postgres', 'postgres', true],
      ['orders/sales/postgres', 'postgres', true],
    ]);
    const owners = postgresPrivilegePlan(singleServerEnvironment(protect([{ database: 'app', schemas: ['s'], tableOwners: ['etl', 'app_owner'] }])).postgres[0]);
    expect(owners.defaultPrivileges.map((d) => d.key)).toEqual(['app/s/app_owner', 'app/s/etl']);
  });

  test('an explicit table list grants on those tables only, and sets no default privileges for the schema', () => {
    const env = singleServerEnvironment(protect([{ database: 'app', schemas: [{ name: 'fin', tables: ['payments', 'invoices'] }, 'public'] }]));
    const p = postgresPrivilegePlan(env.postgres[0]);
    expect(grantsOfType(p, 'table').map((g) => [g.key, g.objects])).toEqual([['app/fin', ['invoices', 'payments']], ['app/public', undefined]]);
    expect(p.defaultPrivileges.map((d) => d.key)).toEqual(['app/public/postgres']);
  });

  test('the number of grants grows with schemas, never with tables', () => {
    const count = (tables: string[]) => {
      const p = postgresPrivilegePlan(singleServerEnvironment(protect([{ database: 'app', schemas: [{ name: 'fin', tables }] }])).postgres[0]);
      return p.grants.length + p.defaultPrivileges.length;
    };
    const many = Array.from({ length: 500 }, (_, i) => `t${i}`);
    expect(count(many)).toBe(count(['t0']));
    const schemas = (n: number) => postgresPrivilegePlan(singleServerEnvironment(protect([{ database: 'app', schemas: Array.from({ length: n }, (_, i) => `s${i}`) }])).postgres[0]).grants.length;
    expect(schemas(4) - schemas(2)).toBe(4);
  });

  test('password authentication: a password credential and no rds_iam', () => {
    expect(plan.systemRole).toEqual({ name: 'immuta_system', login: true, createRole: true, credential: 'password', memberOf: [] });
  });

  test('RDS IAM authentication: membership in rds_iam instead of a password', () => {
    const rds = postgresPrivilegePlan(exampleServer('customers-rds').server);
    expect(rds.systemRole).toEqual({ name: 'immuta_rds_connector', login: true, createRole: true, credential: 'iam', memberOf: ['rds_iam'] });
    const accessKey = postgresPrivilegePlan(exampleServer('payments-aurora').server);
    expect(accessKey.systemRole.memberOf).toEqual(['rds_iam']);
  });

  test('a server without an immuta section cannot be planned', () => {
    const { immuta: _omit, ...bare } = server;
    expect(() => postgresPrivilegePlan(bare as PostgresServer)).toThrow(/no immuta section/);
  });
});

describe('postgresAdminConnection', () => {
  test('self-managed: password from a variable, superuser mode, expected version from the estate', () => {
    const { server } = exampleServer('orders-pg');
    expect(postgresAdminConnection(server, 'us-east-1')).toEqual({
      host: 'orders-pg.internal.example.com', port: 5432, database: 'postgres', username: 'postgres', sslmode: 'require',
      expectedVersion: '17', superuser: true, passwordVariable: 'orders_pg_admin_password', connectTimeout: 15,
    });
  });

  test('RDS with adminIamAuth: non-superuser mode, IAM token for the environment region when the server names none', () => {
    const { server } = exampleServer('customers-rds');
    const conn = postgresAdminConnection(server, 'us-east-1');
    expect(conn).toMatchObject({ superuser: false, rdsIamRegion: 'us-east-1', username: 'dbadmin' });
    expect(conn.passwordVariable).toBeUndefined();
    expect(postgresAdminConnection({ ...server, region: 'eu-central-1' }, 'us-east-1').rdsIamRegion).toBe('eu-central-1');
  });

  test('Aurora without adminIamAuth: non-superuser mode with a password', () => {
    const conn = postgresAdminConnection(exampleServer('payments-aurora').server, 'eu-west-1');
    expect(conn).toMatchObject({ superuser: false, passwordVariable: 'payments_aurora_admin_password' });
    expect(conn.rdsIamRegion).toBeUndefined();
  });

  test('Neon: not a superuser, and starts from a protected database (Neon has no guaranteed postgres database)', () => {
    expect(postgresAdminConnection(exampleServer('events-neon').server, 'eu-west-1')).toMatchObject({ database: 'events', sslmode: 'verify-full', superuser: false });
  });

  test('variable names are derived from the server id', () => {
    expect(postgresVariableNames('orders-pg')).toEqual({
      adminPassword: 'orders_pg_admin_password', immutaPassword: 'orders_pg_immuta_password', immutaPasswordVersion: 'orders_pg_immuta_password_version',
    });
  });
});

describe('Immuta form values and user mapping (Immuta\'s PostgreSQL requirements)', () => {
  test('the connection form: display name, hostname, port, Immuta database, username', () => {
    expect(immutaConnectionForm(exampleServer('customers-rds').server)).toEqual({
      deploymentType: 'RDS', displayName: 'customers_rds', hostname: 'customers.abcdefghijkl.us-east-1.rds.amazonaws.com',
      port: 5432, database: 'immuta', username: 'immuta_rds_connector', authenticationMethod: 'AWS Assumed Role',
    });
    expect(immutaConnectionForm(exampleServer('events-neon').server)).toMatchObject({ deploymentType: 'Neon', authenticationMethod: 'Username and Password', username: 'immuta_system' });
  });

  test('PostgreSQL username, unset and none, in the form\'s words', () => {
    expect(immutaUserMappings(exampleServer('orders-pg').server)).toEqual([
      { immutaUser: 'alice@example.com', postgres: { option: 'PostgreSQL Username', username: 'alice' } },
      { immutaUser: 'carol@example.com', postgres: { option: 'Unset (fallback to Immuta username)' } },
      { immutaUser: 'service-bot@example.com', postgres: { option: 'None (user does not exist in PostgreSQL)' } },
    ]);
  });

  test('RDS: the AWS User row as well', () => {
    expect(immutaUserMappings(exampleServer('customers-rds').server)[1]).toEqual({
      immutaUser: 'erin@example.com',
      postgres: { option: 'Unset (fallback to Immuta username)' },
      aws: { userType: 'AWS Identity Center user IDs', value: '9067c7a4c1-2b3d4e5f-6a7b-8c9d-0e1f-2a3b4c5d6e7f' },
    });
  });
});

describe('postgresServerProblems: servers built in code are checked again, naming the field', () => {
  const { server } = exampleServer('orders-pg');
  const rds = exampleServer('customers-rds').server;
  const fields = (s: unknown) => postgresServerProblems(s as PostgresServer).map((p) => p.field);

  test('the example servers have no problem', () => {
    expect(fields(server)).toEqual([]);
    expect(fields(rds)).toEqual([]);
  });
  test('unsupported major version', () => {
    expect(postgresServerProblems({ ...server, majorVersion: 15 })).toEqual([{ field: 'majorVersion', rule: expect.stringMatching(/16, 17.*got 15/) }]);
  });
  test('IAM authentication without a resource id', () => {
    expect(fields({ ...rds, resourceId: undefined })).toEqual(['resourceId']);
  });
  test('IAM authentication on a self-managed server', () => {
    expect(fields({ ...server, immuta: { ...server.immuta!, authentication: 'aws-assumed-role' } })).toEqual(['immuta.authentication', 'resourceId']);
    expect(fields({ ...server, adminIamAuth: true })).toEqual(['adminIamAuth']);
  });
  test('identifiers that could inject SQL', () => {
    const im = server.immuta!;
    expect(fields({ ...server, immuta: { ...im, systemRole: 'x"; DROP ROLE postgres; --' } })).toEqual(['immuta.systemRole']);
    expect(fields({ ...server, immuta: { ...im, protect: [{ database: 'app', schemas: [{ name: 'Sales' }, { name: 'ok', tables: ['a b'] }], tableOwners: ["o'wner"] }] } }))
      .toEqual(['immuta.protect[0].schemas[0].name', 'immuta.protect[0].schemas[1].tables[0]', 'immuta.protect[0].tableOwners[0]']);
    expect(fields({ ...server, adminUsername: 'admin;' })).toEqual(['adminUsername']);
  });
  test('the Immuta database must not be protected, and a server needs an immuta section', () => {
    expect(fields({ ...server, immuta: { ...server.immuta!, database: 'orders' } })).toEqual(['immuta.protect[0].database']);
    expect(fields({ ...server, immuta: undefined })).toEqual(['immuta']);
  });
  test('assertPostgresServer names the caller and every field', () => {
    expect(() => assertPostgresServer({ ...rds, majorVersion: 18, resourceId: undefined }, 'Caller', 'props.server'))
      .toThrow(/^Caller: props\.server\.majorVersion must be one of 16, 17.*; props\.server\.resourceId is required/);
  });
});

test('the table privileges are exactly the five Immuta\'s PostgreSQL requirements lists', () => {
  expect([...IMMUTA_TABLE_PRIVILEGES].sort()).toEqual(['DELETE', 'INSERT', 'SELECT', 'TRUNCATE', 'UPDATE']);
});
