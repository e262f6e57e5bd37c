// Brings cdktf's matcher types (registered at run time by test/support/setup-jest.ts).
import type {} from 'cdktf/lib/testing/adapters/jest';
import { TerraformStack, Testing } from 'cdktf';
import { Database } from '@cdktf/provider-postgresql/lib/database';
import { DefaultPrivileges } from '@cdktf/provider-postgresql/lib/default-privileges';
import { Grant } from '@cdktf/provider-postgresql/lib/grant';
import { PostgresqlProvider } from '@cdktf/provider-postgresql/lib/provider';
import { Role } from '@cdktf/provider-postgresql/lib/role';
import { ImmutaPostgresAccount } from '../../constructs/postgres/immuta-postgres-account';
import { ImmutaPostgresConnectionOutputs } from '../../constructs/postgres/immuta-postgres-connection-outputs';
import { ImmutaPostgresGrants } from '../../constructs/postgres/immuta-postgres-grants';
import { PostgresAdminProvider } from '../../constructs/postgres/postgres-admin-provider';
import { Environment, PostgresServer } from '../../estate/schema';
import { immutaRoleArns } from '../../model/postgres/connection';
import { resourceInstances } from '../support/declared-privileges';
import { synthEstate } from '../support/synth';
import { exampleEstate, exampleServer, singleServerEnvironment } from '../support/postgres-estates';

type Json = Record<string, any>;

/**
 * The stack as `npm run synth` writes it: through buildApp, so the Role ARN arrives by a
 * cross-stack reference from the AWS access stack's state.
 */
function synthStack(envName: string, environment: Environment): { text: string; tf: Json } {
  const text = synthEstate({ environments: { [envName]: environment } }).stackText(`${envName}-postgres`);
  return { text, tf: JSON.parse(text) };
}

describe('the example estate\'s PostgreSQL stacks', () => {
  const estate = exampleEstate();

  test.each(['dev', 'prod'])('%s-postgres matches its snapshot', (envName) => {
    expect(synthStack(envName, estate.environments[envName]).text).toMatchSnapshot();
  });

  test.each(['dev', 'prod'])('%s-postgres: no password literal; every password is a sensitive variable without default', (envName) => {
    const { tf } = synthStack(envName, estate.environments[envName]);
    const found: [string, unknown][] = [];
    const walk = (v: unknown, at: string) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
      else if (/password/i.test(at.split('.').pop()!)) found.push([at, v]);
    };
    walk({ provider: tf.provider, resource: tf.resource }, '');
    expect(found.length).toBeGreaterThan(0);
    for (const [at, value] of found) {
      const ref = /^\$\{var\.(\w+)\}$/.exec(String(value));
      expect({ at, ref: !!ref }).toEqual({ at, ref: true });
      const variable = tf.variable[ref![1]];
      if (at.endsWith('password_wo_version')) continue;
      expect({ at, variable }).toEqual({ at, variable: expect.objectContaining({ sensitive: true, type: 'string' }) });
      expect(variable.default).toBeUndefined();
    }
    expect(JSON.stringify(tf.resource.postgresql_role)).not.toMatch(/"password":/);
  });

  test('dev: a self-managed server with a password and an RDS server with IAM authentication', () => {
    const { text } = synthStack('dev', estate.environments.dev);
    expect(text).toHaveProviderWithProperties(PostgresqlProvider, {
      alias: 'orders-pg', superuser: true, expected_version: '17', sslmode: 'require', password: '${var.orders_pg_admin_password}', connect_timeout: 15,
    });
    expect(text).toHaveProviderWithProperties(PostgresqlProvider, {
      alias: 'customers-rds', superuser: false, aws_rds_iam_auth: true, aws_rds_iam_region: 'us-east-1', expected_version: '16', username: 'dbadmin',
    });
    expect(text).toHaveResourceWithProperties(Role, {
      name: 'immuta_system', login: true, create_role: true,
      password_wo: '${var.orders_pg_immuta_password}', password_wo_version: '${var.orders_pg_immuta_password_version}',
    });
    expect(text).toHaveResourceWithProperties(Role, { name: 'immuta_rds_connector', login: true, create_role: true, roles: ['rds_iam'] });
    expect(text).toHaveResourceWithProperties(Database, { name: 'immuta', provider: 'postgresql.orders-pg' });
  });

  test('prod: Aurora with a password login in non-superuser mode, Neon as a non-superuser from a protected database', () => {
    const { tf } = synthStack('prod', estate.environments.prod);
    const providers = Object.fromEntries((tf.provider.postgresql as Json[]).map((p) => [p.alias, p]));
    expect(providers['payments-aurora']).toMatchObject({ superuser: false, password: '${var.payments_aurora_admin_password}' });
    expect(providers['payments-aurora'].aws_rds_iam_auth).toBeUndefined();
    expect(providers['events-neon']).toMatchObject({ superuser: false, database: 'events', sslmode: 'verify-full' });
  });

  test('grants are for_each blocks keyed db and db/schema, WITH GRANT OPTION, with explicit privileges', () => {
    const { text, tf } = synthStack('dev', estate.environments.dev);
    expect(text).toHaveResourceWithProperties(Grant, { object_type: 'table', privileges: '${each.value.privileges}', with_grant_option: '${each.value.with_grant_option}' });
    expect(text).toHaveResourceWithProperties(DefaultPrivileges, { object_type: 'table', owner: '${each.value.owner}' });
    expect(Object.keys(tf.resource.postgresql_grant.orders_pg_table_grants.for_each)).toEqual(['billing/ledger', 'billing/payroll', 'orders/public', 'orders/sales']);
    expect(Object.keys(tf.resource.postgresql_grant.orders_pg_database_grants.for_each)).toEqual(['billing', 'immuta', 'orders']);
    const instances = resourceInstances(tf, 'postgresql_grant', 'orders-pg');
    expect(instances.filter((g) => g.database !== 'immuta').every((g) => g.with_grant_option === true)).toBe(true);
    expect(instances.flatMap((g) => g.privileges)).not.toContain('ALL');
  });

  test('the grant blocks of a server apply one after another: database, schema, table, default privileges', () => {
    const { tf } = synthStack('dev', estate.environments.dev);
    const r = tf.resource;
    expect(r.postgresql_grant.orders_pg_database_grants.depends_on).toEqual(['postgresql_database.orders_pg_immuta_database']);
    expect(r.postgresql_grant.orders_pg_schema_grants.depends_on).toEqual(['postgresql_grant.orders_pg_database_grants']);
    expect(r.postgresql_grant.orders_pg_table_grants.depends_on).toEqual(['postgresql_grant.orders_pg_schema_grants']);
    expect(r.postgresql_default_privileges.orders_pg_default_privileges.depends_on).toEqual(['postgresql_grant.orders_pg_table_grants']);
  });

  test('outputs: the Immuta form values and the user mapping as readable JSON', () => {
    const { tf } = synthStack('dev', estate.environments.dev);
    expect(tf.output.orders_pg_immuta_connection.value).toEqual({
      deploymentType: 'Self-Managed', displayName: 'orders_postgres', hostname: 'orders-pg.internal.example.com', port: 5432,
      database: 'immuta', username: 'immuta_system', authenticationMethod: 'Username and Password',
    });
    const mapping = JSON.parse(tf.output.orders_pg_immuta_user_mapping.value);
    expect(mapping.map((m: Json) => [m.immutaUser, m.postgres.option])).toEqual([
      ['alice@example.com', 'PostgreSQL Username'], ['carol@example.com', 'Unset (fallback to Immuta username)'], ['service-bot@example.com', 'None (user does not exist in PostgreSQL)'],
    ]);
  });

  test('the Role ARN of an assumed-role connection is the ARN of the role the AWS access stack creates, with no read of its state', () => {
    const app = synthEstate({ environments: { dev: estate.environments.dev } });
    const pg = app.stackJson('dev-postgres') as Json;
    const aws = app.stackJson('dev-aws-access') as Json;
    // No terraform_remote_state: the stack plans before dev-aws-access has any state.
    expect(pg.data).toBeUndefined();
    const connection = pg.output.customers_rds_immuta_connection.value;
    expect(connection).toMatchObject({
      authenticationMethod: 'AWS Assumed Role', username: 'immuta_rds_connector', externalId: 'immuta-tenant-7f3a9c',
      roleArn: 'arn:aws:iam::111122223333:role/immuta_rds_connector',
    });
    // The AWS stack's role has that name in the environment's account, and no path (so the ARN is role/<name>).
    const [, roleResource] = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(aws.output.postgres_customers_rds_immuta_role_arn.value as string) ?? [];
    const role = aws.resource.aws_iam_role[roleResource];
    expect(role.name).toBe('immuta_rds_connector');
    expect(role.path).toBeUndefined();
    expect(aws.provider.aws[0].allowed_account_ids).toEqual(['111122223333']);
    expect(pg.output.orders_pg_immuta_connection.value.roleArn).toBeUndefined();
  });

  test('in GovCloud and China the ARN carries the partition', () => {
    for (const [region, partition] of [['us-gov-west-1', 'aws-us-gov'], ['cn-north-1', 'aws-cn']]) {
      const environment = { ...estate.environments.dev, aws: { ...estate.environments.dev.aws, region } } as Environment;
      expect(immutaRoleArns('dev', environment)).toEqual({ 'customers-rds': `arn:${partition}:iam::111122223333:role/immuta_rds_connector` });
    }
  });
});

describe('consent to destroy (immuta.allowDestroy)', () => {
  const lifecycles = (allowDestroy?: boolean) => {
    const environment = singleServerEnvironment({
      immuta: { displayName: 'pg_conn', protect: [{ database: 'app', schemas: ['public'] }], ...(allowDestroy === undefined ? {} : { allowDestroy }) },
    });
    const { tf } = synthStack('t', environment);
    return {
      database: Object.values<Json>(tf.resource.postgresql_database).map((r) => r.lifecycle),
      role: Object.values<Json>(tf.resource.postgresql_role).map((r) => r.lifecycle),
    };
  };

  test('by default the Immuta database and role refuse to be destroyed', () => {
    expect(lifecycles()).toEqual({ database: [{ prevent_destroy: true }], role: [{ prevent_destroy: true }] });
  });

  test('allowDestroy: true lets them be destroyed', () => {
    expect(lifecycles(true)).toEqual({ database: [{ prevent_destroy: false }], role: [{ prevent_destroy: false }] });
  });

  test('grants stay destroyable either way: removing a schema revokes its grants', () => {
    const { tf } = synthStack('t', singleServerEnvironment({}));
    for (const type of ['postgresql_grant', 'postgresql_default_privileges']) {
      for (const block of Object.values<Json>(tf.resource[type])) expect(block.lifecycle).toBeUndefined();
    }
  });
});

describe('resource count', () => {
  const count = (environment: Environment) => {
    const { tf } = synthStack('t', environment);
    const blocks = Object.values<Json>(tf.resource).flatMap((byName) => Object.values<Json>(byName));
    const instances = blocks.reduce((n, b) => n + (b.for_each ? Object.keys(b.for_each).length : 1), 0);
    return { blocks: blocks.length, instances };
  };
  const withTables = (n: number) => singleServerEnvironment({
    immuta: { displayName: 'pg_conn', protect: [{ database: 'app', schemas: [{ name: 'fin', tables: Array.from({ length: n }, (_, i) => `t${i}`) }, 'public'] }] },
  });
  const withSchemas = (n: number) => singleServerEnvironment({
    immuta: { displayName: 'pg_conn', protect: [{ database: 'app', schemas: Array.from({ length: n }, (_, i) => `s${i}`) }] },
  });

  test('never grows with tables', () => {
    expect(count(withTables(300))).toEqual(count(withTables(1)));
  });

  test('grows with schemas in instances (USAGE, tables, default privileges), not in resource blocks', () => {
    const [two, five] = [count(withSchemas(2)), count(withSchemas(5))];
    expect(five.blocks).toBe(two.blocks);
    expect(five.instances - two.instances).toBe(3 * 3);
  });
});

describe('constructor validation names the prop field and the rule', () => {
  const { server } = exampleServer('customers-rds');
  const scope = () => new TerraformStack(Testing.app(), 's');
  const provider = (s: TerraformStack) => new PostgresqlProvider(s, 'p', { alias: 'x' });

  test('PostgresAdminProvider: unsupported major version', () => {
    expect(() => new PostgresAdminProvider(scope(), 'a', { server: { ...server, majorVersion: 15 }, defaultRegion: 'us-east-1' }))
      .toThrow(/^PostgresAdminProvider: props\.server\.majorVersion must be one of 16, 17/);
  });

  test('ImmutaPostgresAccount: IAM authentication without a resource id', () => {
    const s = scope();
    expect(() => new ImmutaPostgresAccount(s, 'a', { server: { ...server, resourceId: undefined }, provider: provider(s) }))
      .toThrow(/^ImmutaPostgresAccount: props\.server\.resourceId is required for aws-assumed-role authentication/);
  });

  test('ImmutaPostgresGrants: an identifier that is not a plain lower-case name, and an empty role', () => {
    const s = scope();
    const p = provider(s);
    const bad = { ...server, immuta: { ...server.immuta!, protect: [{ database: 'customers', schemas: [{ name: 'crm"; --' }] }] } } as PostgresServer;
    expect(() => new ImmutaPostgresGrants(s, 'g', { server: bad, provider: p, roleName: 'r' }))
      .toThrow(/^ImmutaPostgresGrants: props\.server\.immuta\.protect\[0\]\.schemas\[0\]\.name must be a lower-case SQL identifier/);
    expect(() => new ImmutaPostgresGrants(s, 'g2', { server, provider: p, roleName: '' }))
      .toThrow(/props\.roleName must not be empty/);
  });

  test('ImmutaPostgresConnectionOutputs: a server without an immuta section', () => {
    expect(() => new ImmutaPostgresConnectionOutputs(scope(), 'o', { server: { ...server, immuta: undefined } }))
      .toThrow(/^ImmutaPostgresConnectionOutputs: props\.server\.immuta is required/);
  });
});
