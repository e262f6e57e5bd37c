import { EXAMPLE_ESTATE_FILE, loadEstateFile } from '../../estate/load';
import { Environment, RedshiftCluster } from '../../estate/schema';
import { DATA_API_MAX_BATCH, IMMUTA_TABLE_PRIVILEGES, RedshiftUnit, redshiftClusterPlan, redshiftPlans, systemPrivilegesRoleName } from '../../model/redshift/plan';

const estate = () => loadEstateFile(EXAMPLE_ESTATE_FILE);
const dev = (): Environment => estate().environments.dev;
const plan = (env: Environment = dev()) => redshiftClusterPlan(env.redshift[0], env);
const unit = (units: readonly RedshiftUnit[], key: string) => {
  const u = units.find((x) => x.key === key);
  if (!u) throw new Error(`no unit ${key}`);
  return u;
};

describe('Redshift privilege model (seed 000 Immuta, seed 002 Informatica)', () => {
  test('the example dev cluster has one unit per database, principal, schema, exempt user and TEMP grantee', () => {
    expect(plan().units.map((u) => `${u.tier} ${u.key}`)).toEqual([
      'databases database/immuta',
      'principals role/immuta_exemption',
      'principals role/immuta_system_sysprivs',
      'principals user/immuta_system',
      'principals user/informatica_loader',
      'grants exempt/dq_service',
      'grants exempt/etl_admin',
      'grants immuta/marketing/campaigns',
      'grants immuta/sales/finance',
      'grants immuta/sales/public',
      'grants informatica/sales/staging',
      'grants password/immuta_system',
      'grants password/informatica_loader',
      'grants system/immuta_system',
      'grants temp/sales/group/etl',
      'grants temp/sales/public',
      'grants temp/sales/user/informatica_loader',
      'masking masking/marketing/campaigns',
      'masking masking/sales/finance',
      'masking masking/sales/public',
    ]);
  });

  test('seed 000: the system user has CREATEDB, a password from the variable, and CREATE USER / CREATE ROLE through a role', () => {
    const units = plan().units;
    expect(unit(units, 'user/immuta_system')).toEqual({
      key: 'user/immuta_system', tier: 'principals', transactional: true,
      apply: [{ kind: 'createUser', user: 'immuta_system', createdb: true }],
      revoke: [{ kind: 'dropUser', user: 'immuta_system' }],
    });
    // The password is a unit of its own, after the user exists (grants tier), disabled on revoke.
    expect(unit(units, 'password/immuta_system')).toEqual({
      key: 'password/immuta_system', tier: 'grants', transactional: true, passwordUser: 'immuta_system',
      apply: [{ kind: 'userPassword', user: 'immuta_system', password: 'variable' }],
      revoke: [{ kind: 'userPassword', user: 'immuta_system', password: 'disabled' }],
    });
    expect(unit(units, 'role/immuta_system_sysprivs').apply).toContainEqual(
      { kind: 'systemPrivileges', action: 'grant', privileges: ['CREATE USER', 'CREATE ROLE'], role: 'immuta_system_sysprivs' });
    expect(unit(units, 'system/immuta_system').apply).toEqual([
      { kind: 'roleMembership', action: 'grant', role: { system: 'sys:secadmin' }, user: 'immuta_system' },
      { kind: 'roleMembership', action: 'grant', role: 'immuta_system_sysprivs', user: 'immuta_system' },
    ]);
  });

  test('seed 000: iam authentication creates the user with PASSWORD DISABLE and needs no variable', () => {
    const prod = estate().environments.prod;
    const p = plan(prod);
    expect(unit(p.units, 'user/immuta_system').apply).toEqual([{ kind: 'createUser', user: 'immuta_system', createdb: true }]);
    expect(p.units.filter((u) => u.key.startsWith('password/') || u.passwordUser)).toEqual([]);
    expect(p.passwordUsers).toEqual([]);
    expect(p.auth).toEqual({ secretArn: 'arn:aws:secretsmanager:eu-west-1:999988887777:secret:redshift/warehouse-prod/admin-AbCdEf' });
    expect(p.region).toBe('eu-west-1');
  });

  test('seed 000: every privilege WITH GRANT OPTION, on all tables plus default privileges, or on the listed tables only', () => {
    const units = plan().units;
    const all = unit(units, 'immuta/sales/public');
    expect(all.database).toBe('sales');
    expect(all.apply).toEqual([
      { kind: 'schemaPrivileges', action: 'grant', privileges: ['USAGE'], schema: 'public', grantee: { user: 'immuta_system' } },
      { kind: 'tablePrivileges', action: 'grant', privileges: IMMUTA_TABLE_PRIVILEGES, schema: 'public', tables: { all: true }, grantee: { user: 'immuta_system' }, grantOption: true },
      { kind: 'defaultPrivileges', action: 'grant', privileges: IMMUTA_TABLE_PRIVILEGES, owners: 'current', schema: 'public', grantee: { user: 'immuta_system' }, grantOption: true },
    ]);
    expect(IMMUTA_TABLE_PRIVILEGES).toEqual(['DELETE', 'INSERT', 'SELECT', 'TRUNCATE', 'UPDATE']);
    const listed = unit(units, 'immuta/sales/finance');
    expect(listed.apply.map((s) => s.kind)).toEqual(['schemaPrivileges', 'tablePrivileges']);
    expect(listed.apply[1]).toMatchObject({ tables: { tables: ['invoices', 'payments'] } });
    // Revoke undoes apply in reverse order.
    expect(all.revoke.map((s) => `${s.kind}:${'action' in s ? s.action : ''}`)).toEqual(['defaultPrivileges:revoke', 'tablePrivileges:revoke', 'schemaPrivileges:revoke']);
  });

  test('tableOwners turn into FOR USER default privileges', () => {
    const env = dev();
    env.redshift[0].immuta!.protect[1].tableOwners = ['loader_b', 'loader_a'];
    const u = unit(plan(env).units, 'immuta/marketing/campaigns');
    expect(u.apply[2]).toMatchObject({ kind: 'defaultPrivileges', owners: ['loader_a', 'loader_b'] });
  });

  test('seed 000: masking for listed tables and for whole schemas, after the grants', () => {
    const units = plan().units;
    expect(unit(units, 'masking/sales/finance')).toMatchObject({ tier: 'masking', apply: [{ kind: 'masking', on: true, tables: { tables: ['invoices', 'payments'] } }] });
    expect(unit(units, 'masking/sales/public').revoke).toEqual([{ kind: 'masking', on: false, schema: 'public', tables: { all: true } }]);
  });

  test('seed 002: TEMP revoked from PUBLIC, granted to the listed user and group, restored on revoke', () => {
    const units = plan().units;
    expect(unit(units, 'temp/sales/public')).toMatchObject({
      apply: [{ kind: 'databaseTemp', action: 'revoke', database: 'sales', grantee: { public: true } }],
      revoke: [{ kind: 'databaseTemp', action: 'grant', database: 'sales', grantee: { public: true } }],
    });
    expect(unit(units, 'temp/sales/group/etl').apply).toEqual([{ kind: 'databaseTemp', action: 'grant', database: 'sales', grantee: { group: 'etl' } }]);
    expect(unit(units, 'temp/sales/user/informatica_loader').apply).toEqual([{ kind: 'databaseTemp', action: 'grant', database: 'sales', grantee: { user: 'informatica_loader' } }]);
  });

  test('seed 002: the connector user gets USAGE and CREATE on its schema and DML without grant option', () => {
    const u = unit(plan().units, 'informatica/sales/staging');
    expect(u.apply).toEqual([
      { kind: 'schemaPrivileges', action: 'grant', privileges: ['USAGE', 'CREATE'], schema: 'staging', grantee: { user: 'informatica_loader' } },
      { kind: 'tablePrivileges', action: 'grant', privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], schema: 'staging', tables: { all: true }, grantee: { user: 'informatica_loader' }, grantOption: false },
      { kind: 'defaultPrivileges', action: 'grant', privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], owners: 'current', schema: 'staging', grantee: { user: 'informatica_loader' }, grantOption: false },
    ]);
  });

  test('removing a table, an exempt user or a schema changes exactly the affected units', () => {
    const before = new Map(plan().units.map((u) => [u.key, JSON.stringify(u)]));
    const env = dev();
    const im = env.redshift[0].immuta!;
    im.exemptUsers = ['etl_admin'];
    im.protect[0].schemas = im.protect[0].schemas.filter((s) => s.name !== 'public');
    im.protect[0].schemas[0].tables = ['invoices'];
    const after = new Map(plan(env).units.map((u) => [u.key, JSON.stringify(u)]));
    const removed = [...before.keys()].filter((k) => !after.has(k));
    const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k));
    expect(removed.sort()).toEqual(['exempt/dq_service', 'immuta/sales/public', 'masking/sales/public']);
    expect(changed.sort()).toEqual(['immuta/sales/finance', 'masking/sales/finance']);
  });

  test('switching immuta.authentication adds or removes only the password unit: the user unit stays as it is', () => {
    const diff = (edit: (e: Environment) => void) => {
      const before = new Map(plan().units.map((u) => [u.key, JSON.stringify(u)]));
      const env = dev();
      edit(env);
      const after = new Map(plan(env).units.map((u) => [u.key, JSON.stringify(u)]));
      return {
        removed: [...before.keys()].filter((k) => !after.has(k)),
        added: [...after.keys()].filter((k) => !before.has(k)),
        changed: [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)),
      };
    };
    expect(diff((e) => { e.redshift[0].immuta!.authentication = 'iam'; })).toEqual({ removed: ['password/immuta_system'], added: [], changed: [] });
    const env = dev();
    env.redshift[0].immuta!.authentication = 'iam';
    expect(plan(env).passwordUsers).toEqual([{ user: 'informatica_loader', field: 'informatica.connectorUser.name' }]);
    // The Informatica connector user follows the same pattern.
    expect(unit(plan().units, 'user/informatica_loader').apply).toEqual([{ kind: 'createUser', user: 'informatica_loader', createdb: false }]);
    expect(unit(plan().units, 'password/informatica_loader')).toMatchObject({ tier: 'grants', passwordUser: 'informatica_loader' });
  });

  test('connection settings are not part of any unit: admin and the connect database change no unit', () => {
    const env = dev();
    env.redshift[0].admin = { secretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:redshift/admin-XyZ123' };
    env.redshift[0].database = 'other';
    const changed = plan(env);
    expect(changed.units).toEqual(plan().units);
    expect(changed.adminDatabase).toBe('other');
    // Only units that run in a protected database name it; cluster-level units run in adminDatabase.
    expect(plan().units.filter((u) => u.database !== undefined).map((u) => `${u.key} in ${u.database}`)).toEqual([
      'immuta/marketing/campaigns in marketing',
      'immuta/sales/finance in sales',
      'immuta/sales/public in sales',
      'informatica/sales/staging in sales',
      'masking/marketing/campaigns in marketing',
      'masking/sales/finance in sales',
      'masking/sales/public in sales',
    ]);
  });

  test('the plan is deterministic: estate order does not matter', () => {
    const env = dev();
    const im = env.redshift[0].immuta!;
    im.exemptUsers.reverse();
    im.protect.reverse();
    im.userMappings.reverse();
    (im.protect.find((p) => p.database === 'sales')!.schemas[1].tables as string[]).reverse();
    expect(plan(env)).toEqual(plan());
  });

  test('output data for the Immuta form and user mapping', () => {
    expect(plan().immuta).toEqual({
      displayName: 'analytics_dev_redshift',
      hostname: 'analytics-dev.c1abc2def3gh.us-east-1.redshift.amazonaws.com',
      port: 5439,
      database: 'immuta',
      username: 'immuta_system',
      authentication: 'password',
      userMappings: [{ immutaUser: 'alice@example.com', redshiftUser: 'alice' }, { immutaUser: 'bob@example.com', redshiftUser: 'bob_analyst' }],
    });
  });

  test('clusters without Immuta or Informatica SQL are left out', () => {
    const env = dev();
    const bare: RedshiftCluster = { ...env.redshift[0], id: 'bare', immuta: undefined, informatica: undefined };
    env.redshift.push(bare);
    expect(redshiftPlans(env).map((p) => p.clusterId)).toEqual(['analytics-dev']);
  });

  test('more listed tables than one Data API batch holds is rejected with the field to change', () => {
    const env = dev();
    env.redshift[0].immuta!.protect[0].schemas[1].tables = Array.from({ length: DATA_API_MAX_BATCH + 1 }, (_, i) => `t${i}`);
    expect(() => plan(env)).toThrow(/immuta\.protect: masking\/sales\/finance needs 41 statements .* at most 40/);
  });

  test('a system user name too long for its privileges role is rejected', () => {
    expect(() => systemPrivilegesRoleName('u'.repeat(60))).toThrow(/immuta\.systemUser .* at most 63 characters/);
  });
});
