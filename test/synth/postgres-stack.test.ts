// Brings cdktf's matcher types (registered at run time by test/support/setup-jest.ts).
import type {} from 'cdktf/lib/testing/adapters/jest';
import * as fs from 'fs';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { Database } from '@cdktf/provider-postgresql/lib/database';
import { DefaultPrivileges } from '@cdktf/provider-postgresql/lib/default-privileges';
import { Grant } from '@cdktf/provider-postgresql/lib/grant';
import { PostgresqlProvider } from '@cdktf/provider-postgresql/lib/provider';
import { Role } from '@cdktf/provider-postgresql/lib/role';
import { ImmutaPostgresGrants } from '../../constructs/postgres/immuta-postgres-grants';
import { Environment, PostgresServer } from '../../estate/schema';
import { planEnvironment } from '../../model/environment-plan';
import { resourceInstances } from '../support/declared-privileges';
import { synthEstate } from '../support/synth';
import { exampleEstate, exampleServer, singleServerEnvironment } from '../support/postgres-estates';

type Json = Record<string, any>;

/** The environment's stacks as `npm run synth` writes them (through buildApp), by name. */
function synthStacks(envName: string, environment: Environment) {
  const app = synthEstate({ environments: { [envName]: environment } });
  const text = (name: string) => app.stackText(name);
  const tf = (name: string) => JSON.parse(text(name)) as Json;
  const postgres = app.stacks.filter((n) => n.startsWith(`${envName}-postgres-`));
  return { app, text, tf, postgres };
}

describe('the example estate\'s PostgreSQL stacks', () => {
  const estate = exampleEstate();
  const dev = synthStacks('dev', estate.environments.dev);
  const prod = synthStacks('prod', estate.environments.prod);

  test('a server stack per server and a grant stack per protected database, each grant stack after its server stack', () => {
    expect(dev.postgres).toEqual([
      'dev-postgres-customers-rds', 'dev-postgres-customers-rds-customers',
      'dev-postgres-orders-pg', 'dev-postgres-orders-pg-billing', 'dev-postgres-orders-pg-orders',
    ]);
    expect(prod.postgres).toEqual([
      'prod-postgres-events-neon', 'prod-postgres-events-neon-events', 'prod-postgres-payments-aurora', 'prod-postgres-payments-aurora-payments',
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(dev.app.outdir, 'manifest.json'), 'utf8'));
    expect(manifest.stacks['dev-postgres-orders-pg-billing'].dependencies).toEqual(['dev-postgres-orders-pg']);
    expect(manifest.stacks['dev-postgres-orders-pg'].dependencies).toEqual([]);
  });

  test.each(['dev', 'prod'])('%s: every PostgreSQL stack matches its snapshot', (envName) => {
    const stacks = envName === 'dev' ? dev : prod;
    for (const name of stacks.postgres) expect(stacks.text(name)).toMatchSnapshot(name);
  });

  test.each(['dev', 'prod'])('%s: no password literal; every password is a sensitive variable without default', (envName) => {
    const stacks = envName === 'dev' ? dev : prod;
    const found: [string, unknown, Json][] = [];
    for (const name of stacks.postgres) {
      const tf = stacks.tf(name);
      const walk = (v: unknown, at: string) => {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
        else if (/password/i.test(at.split('.').pop()!)) found.push([`${name}${at}`, v, tf]);
      };
      walk({ provider: tf.provider, resource: tf.resource }, '');
      expect(JSON.stringify(tf.resource.postgresql_role ?? {})).not.toMatch(/"password":/);
    }
    expect(found.length).toBeGreaterThan(stacks.postgres.length / 2);
    for (const [at, value, tf] of found) {
      const ref = /^\$\{var\.(\w+)\}$/.exec(String(value));
      expect({ at, ref: !!ref }).toEqual({ at, ref: true });
      const variable = tf.variable[ref![1]];
      if (at.endsWith('password_wo_version')) continue;
      expect({ at, variable }).toEqual({ at, variable: expect.objectContaining({ sensitive: true, type: 'string' }) });
      expect(variable.default).toBeUndefined();
    }
  });

  test('dev: a self-managed server with a password and an RDS server with IAM authentication', () => {
    const pg = dev.text('dev-postgres-orders-pg');
    const rds = dev.text('dev-postgres-customers-rds');
    expect(pg).toHaveProviderWithProperties(PostgresqlProvider, {
      alias: 'orders-pg', superuser: true, expected_version: '17', sslmode: 'require', password: '${var.orders_pg_admin_password}', connect_timeout: 15,
    });
    expect(rds).toHaveProviderWithProperties(PostgresqlProvider, {
      alias: 'customers-rds', superuser: false, aws_rds_iam_auth: true, aws_rds_iam_region: 'us-east-1', expected_version: '16', username: 'dbadmin',
    });
    expect(pg).toHaveResourceWithProperties(Role, {
      name: 'immuta_system', login: true, create_role: true,
      password_wo: '${var.orders_pg_immuta_password}', password_wo_version: '${var.orders_pg_immuta_password_version}',
    });
    expect(rds).toHaveResourceWithProperties(Role, { name: 'immuta_rds_connector', login: true, create_role: true, roles: ['rds_iam'] });
    expect(pg).toHaveResourceWithProperties(Database, { name: 'immuta', provider: 'postgresql.orders-pg' });
    // A grant stack logs in the same way, with the same variable, and creates no role or database.
    const grants = dev.tf('dev-postgres-orders-pg-billing');
    expect(grants.provider.postgresql).toEqual(dev.tf('dev-postgres-orders-pg').provider.postgresql);
    expect(Object.keys(grants.variable)).toEqual(['orders_pg_admin_password']);
    expect(Object.keys(grants.resource).sort()).toEqual(['postgresql_default_privileges', 'postgresql_grant']);
  });

  test('prod: Aurora with a password login in non-superuser mode, Neon as a non-superuser from a protected database', () => {
    const provider = (name: string) => (prod.tf(name).provider.postgresql as Json[])[0];
    expect(provider('prod-postgres-payments-aurora')).toMatchObject({ alias: 'payments-aurora', superuser: false, password: '${var.payments_aurora_admin_password}' });
    expect(provider('prod-postgres-payments-aurora').aws_rds_iam_auth).toBeUndefined();
    expect(provider('prod-postgres-events-neon')).toMatchObject({ alias: 'events-neon', superuser: false, database: 'events', sslmode: 'verify-full' });
  });

  test('grants are for_each blocks keyed db and db/schema, WITH GRANT OPTION, with explicit privileges', () => {
    const text = dev.text('dev-postgres-orders-pg-billing');
    const tf = dev.tf('dev-postgres-orders-pg-billing');
    expect(text).toHaveResourceWithProperties(Grant, { object_type: 'table', privileges: '${each.value.privileges}', with_grant_option: '${each.value.with_grant_option}', role: 'immuta_system' });
    expect(text).toHaveResourceWithProperties(DefaultPrivileges, { object_type: 'table', owner: '${each.value.owner}' });
    expect(Object.keys(tf.resource.postgresql_grant.orders_pg_table_grants.for_each)).toEqual(['billing/ledger', 'billing/payroll']);
    expect(Object.keys(tf.resource.postgresql_grant.orders_pg_database_grants.for_each)).toEqual(['billing']);
    expect(Object.keys(dev.tf('dev-postgres-orders-pg').resource.postgresql_grant.orders_pg_database_grants.for_each)).toEqual(['immuta']);
    const instances = dev.postgres.flatMap((n) => resourceInstances(dev.tf(n), 'postgresql_grant', 'orders-pg'));
    expect(instances.filter((g) => g.database !== 'immuta').length).toBeGreaterThan(0);
    expect(instances.filter((g) => g.database !== 'immuta').every((g) => g.with_grant_option === true)).toBe(true);
    expect(instances.find((g) => g.database === 'immuta')).toMatchObject({ with_grant_option: false });
    expect(instances.flatMap((g) => g.privileges)).not.toContain('ALL');
  });

  test('the grant blocks of a stack apply one after another: database, schema, table, default privileges', () => {
    const r = dev.tf('dev-postgres-orders-pg-orders').resource;
    expect(r.postgresql_grant.orders_pg_database_grants.depends_on).toBeUndefined();
    expect(r.postgresql_grant.orders_pg_schema_grants.depends_on).toEqual(['postgresql_grant.orders_pg_database_grants']);
    expect(r.postgresql_grant.orders_pg_table_grants.depends_on).toEqual(['postgresql_grant.orders_pg_schema_grants']);
    expect(r.postgresql_default_privileges.orders_pg_default_privileges.depends_on).toEqual(['postgresql_grant.orders_pg_table_grants']);
    const server = dev.tf('dev-postgres-orders-pg').resource;
    expect(server.postgresql_grant.orders_pg_database_grants.depends_on).toEqual(['postgresql_database.orders_pg_immuta_database']);
  });

  test('outputs: the Immuta form values and the user mapping as readable JSON, in the server stack', () => {
    const tf = dev.tf('dev-postgres-orders-pg');
    expect(tf.output.orders_pg_immuta_connection.value).toEqual({
      deploymentType: 'Self-Managed', displayName: 'orders_postgres', hostname: 'orders-pg.internal.example.com', port: 5432,
      database: 'immuta', username: 'immuta_system', authenticationMethod: 'Username and Password',
    });
    const mapping = JSON.parse(tf.output.orders_pg_immuta_user_mapping.value);
    expect(mapping.map((m: Json) => [m.immutaUser, m.postgres.option])).toEqual([
      ['alice@example.com', 'PostgreSQL Username'], ['carol@example.com', 'Unset (fallback to Immuta username)'], ['service-bot@example.com', 'None (user does not exist in PostgreSQL)'],
    ]);
    expect(dev.tf('dev-postgres-orders-pg-orders').output).toBeUndefined();
  });

  test('the Role ARN of an assumed-role connection is the ARN of the role the AWS access stack creates, with no read of its state', () => {
    const pg = dev.tf('dev-postgres-customers-rds');
    const aws = dev.tf('dev-aws-access');
    // No terraform_remote_state: the stack plans before dev-aws-access has any state.
    for (const name of dev.postgres) expect(dev.tf(name).data).toBeUndefined();
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
    expect(dev.tf('dev-postgres-orders-pg').output.orders_pg_immuta_connection.value.roleArn).toBeUndefined();
  });

  test('in GovCloud and China the ARN carries the partition', () => {
    for (const [region, partition] of [['us-gov-west-1', 'aws-us-gov'], ['cn-north-1', 'aws-cn']]) {
      const environment = { ...estate.environments.dev, aws: { ...estate.environments.dev.aws, region } } as Environment;
      const rds = planEnvironment('dev', environment).postgres.find((s) => s.serverId === 'customers-rds')!;
      expect(rds.assumedRole).toEqual({ roleArn: `arn:${partition}:iam::111122223333:role/immuta_rds_connector`, externalId: 'immuta-tenant-7f3a9c' });
    }
  });
});

describe('stacks sized by the work they hold (docs/stack-layout.md)', () => {
  const protect = (names: string[], extra: Record<string, Json> = {}) => names.map((database) => ({ database, schemas: ['public', 'sales'], ...(extra[database] ?? {}) }));
  const environment = (dbs: Json[]) => singleServerEnvironment({ immuta: { displayName: 'pg_conn', protect: dbs } });
  const stackTexts = (dbs: Json[]) => {
    const { text, postgres } = synthStacks('t', environment(dbs));
    return Object.fromEntries(postgres.map((n) => [n, text(n)]));
  };
  const changed = (before: Record<string, string>, after: Record<string, string>) => ({
    added: Object.keys(after).filter((n) => !(n in before)),
    removed: Object.keys(before).filter((n) => !(n in after)),
    changed: Object.keys(after).filter((n) => n in before && before[n] !== after[n]),
  });
  const base = stackTexts(protect(['app', 'crm', 'hr']));

  test('adding a database adds its own stack and changes no other stack', () => {
    expect(changed(base, stackTexts(protect(['app', 'crm', 'finance', 'hr'])))).toEqual({ added: ['t-postgres-pg-finance'], removed: [], changed: [] });
  });

  test('removing a database removes only its stack; changing one changes only its stack', () => {
    expect(changed(base, stackTexts(protect(['app', 'hr'])))).toEqual({ added: [], removed: ['t-postgres-pg-crm'], changed: [] });
    const more = protect(['app', 'crm', 'hr'], { crm: { schemas: ['public', 'sales', 'support'] } });
    expect(changed(base, stackTexts(more))).toEqual({ added: [], removed: [], changed: ['t-postgres-pg-crm'] });
  });

  test('the stack field groups databases: named alike, they share one stack', () => {
    const grouped = stackTexts(protect(['app', 'crm', 'hr'], { crm: { stack: 'office' }, hr: { stack: 'office' } }));
    expect(Object.keys(grouped)).toEqual(['t-postgres-pg', 't-postgres-pg-app', 't-postgres-pg-office']);
    expect(Object.keys(JSON.parse(grouped['t-postgres-pg-office']).resource.postgresql_grant.pg_database_grants.for_each)).toEqual(['crm', 'hr']);
  });

  test('a server\'s stacks together declare exactly the server\'s privileges, each once', () => {
    const plan = planEnvironment('t', environment(protect(['app', 'crm'], { crm: { stack: 'app' } }))).postgres[0];
    const declared = plan.grantStacks.flatMap((g) => g.grants).concat(plan.immutaDatabaseGrant);
    expect(declared.map((g) => `${g.objectType}:${g.key}`).sort()).toEqual(plan.privileges.grants.map((g) => `${g.objectType}:${g.key}`).sort());
    expect(plan.grantStacks.flatMap((g) => g.defaultPrivileges)).toEqual(plan.privileges.defaultPrivileges);
    expect(plan.grantStacks.map((g) => [g.stack, g.instances])).toEqual([['t-postgres-pg-app', 2 * (1 + 2 * 3)]]);
  });
});

describe('consent to destroy (immuta.allowDestroy)', () => {
  const lifecycles = (allowDestroy?: boolean) => {
    const env = singleServerEnvironment({
      immuta: { displayName: 'pg_conn', protect: [{ database: 'app', schemas: ['public'] }], ...(allowDestroy === undefined ? {} : { allowDestroy }) },
    });
    const tf = synthStacks('t', env).tf('t-postgres-pg');
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

  test('grants stay destroyable either way: removing a schema or a database revokes its grants', () => {
    const { tf, postgres } = synthStacks('t', singleServerEnvironment({}));
    let blocks = 0;
    for (const name of postgres) {
      for (const type of ['postgresql_grant', 'postgresql_default_privileges']) {
        for (const block of Object.values<Json>(tf(name).resource[type] ?? {})) {
          blocks++;
          expect(block.lifecycle).toBeUndefined();
        }
      }
    }
    expect(blocks).toBe(5);
  });
});

describe('resource count', () => {
  const count = (environment: Environment) => {
    const tf = synthStacks('t', environment).tf('t-postgres-pg-app');
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

describe('a server built in code is checked once, when planned, naming the field and the rule', () => {
  const { server, environment } = exampleServer('customers-rds');
  const plan = (s: PostgresServer) => planEnvironment('dev', { ...environment, postgres: [s] });

  test('unsupported major version, IAM authentication without a resource id, an identifier that is not a plain name', () => {
    expect(() => plan({ ...server, majorVersion: 15 })).toThrow(/^postgres server customers-rds: server\.majorVersion must be one of 16, 17/);
    expect(() => plan({ ...server, resourceId: undefined })).toThrow(/resourceId:? is required for aws-assumed-role authentication/);
    const bad = { ...server, immuta: { ...server.immuta!, protect: [{ database: 'customers', schemas: [{ name: 'crm"; --' }] }] } } as PostgresServer;
    expect(() => plan(bad)).toThrow(/server\.immuta\.protect\[0\]\.schemas\[0\]\.name must be a lower-case SQL identifier/);
  });

  test('ImmutaPostgresGrants refuses an empty role name', () => {
    const s = new TerraformStack(Testing.app(), 's');
    const provider = new PostgresqlProvider(s, 'p', { alias: 'x' });
    expect(() => new ImmutaPostgresGrants(s, 'g', { serverId: 'x', grants: [], provider, roleName: '' })).toThrow(/props\.roleName must not be empty/);
  });
});
