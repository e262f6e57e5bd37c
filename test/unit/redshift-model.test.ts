import { exampleEstate } from '../support/example';
import { Environment, RedshiftCluster } from '../../estate/schema';
import { IMMUTA_TABLE_PRIVILEGES } from '../../model/immuta-privileges';
import { DATA_API_MAX_BATCH, RedshiftUnit, redshiftClusterPlan, redshiftPlans, runnerFunctionName } from '../../model/redshift/plan';
import { ROLE_INLINE_POLICY_QUOTA, policySize, runnerClusterPolicy, runnerRolePolicySize } from '../../model/redshift/runner-access';

const estate = exampleEstate;
const dev = (): Environment => estate().environments.dev;
const plan = (env: Environment = dev()) => redshiftClusterPlan(env.redshift[0], env);
const unit = (units: readonly RedshiftUnit[], key: string) => {
  const u = units.find((x) => x.key === key);
  if (!u) throw new Error(`no unit ${key}`);
  return u;
};

describe("Redshift privilege model (Immuta's and Informatica's Redshift requirements)", () => {
  test('the example dev cluster has one unit per database, principal, schema, exempt user and TEMP grantee', () => {
    expect(plan().units.map((u) => `${u.tier} ${u.key}`)).toEqual([
      'databases database/immuta',
      'principals role/immuta_exemption',
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

  test('the system user has CREATEDB, a password from the variable, and sys:secadmin only: its permissions include CREATE USER and CREATE ROLE', () => {
    const units = plan().units;
    expect(unit(units, 'user/immuta_system')).toMatchObject({
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
    expect(unit(units, 'system/immuta_system').apply).toEqual([
      { kind: 'roleMembership', action: 'grant', role: { system: 'sys:secadmin' }, user: 'immuta_system' },
    ]);
    // No second grant of what sys:secadmin holds: no role of system permissions, no CREATE USER / CREATE ROLE statement.
    expect(units.filter((u) => u.key.includes('sysprivs'))).toEqual([]);
    expect(JSON.stringify(units)).not.toMatch(/systemPrivileges|CREATE USER|CREATE ROLE/);
  });

  test('iam authentication creates the user with PASSWORD DISABLE and needs no variable', () => {
    const prod = estate().environments.prod;
    const p = plan(prod);
    expect(unit(p.units, 'user/immuta_system').apply).toEqual([{ kind: 'createUser', user: 'immuta_system', createdb: true }]);
    expect(p.units.filter((u) => u.key.startsWith('password/') || u.passwordUser)).toEqual([]);
    expect(p.passwordUsers).toEqual([]);
    expect(p.auth).toEqual({ secretArn: 'arn:aws:secretsmanager:eu-west-1:999988887777:secret:redshift/warehouse-prod/admin-AbCdEf' });
    expect(p.region).toBe('eu-west-1');
  });

  test('every privilege WITH GRANT OPTION: scoped to every current and future table of a schema, or on the listed tables only', () => {
    const units = plan().units;
    const all = unit(units, 'immuta/sales/public');
    expect(all.database).toBe('sales');
    expect(all.apply).toEqual([
      { kind: 'schemaPrivileges', action: 'grant', privileges: ['USAGE'], schema: 'public', grantee: { user: 'immuta_system' } },
      { kind: 'scopedTablePrivileges', action: 'grant', privileges: IMMUTA_TABLE_PRIVILEGES, database: 'sales', schema: 'public', grantee: { user: 'immuta_system' }, grantOption: true },
    ]);
    expect(IMMUTA_TABLE_PRIVILEGES).toEqual(['DELETE', 'INSERT', 'SELECT', 'TRUNCATE', 'UPDATE']);
    const listed = unit(units, 'immuta/sales/finance');
    expect(listed.apply.map((s) => s.kind)).toEqual(['schemaPrivileges', 'tablePrivileges']);
    expect(listed.apply[1]).toMatchObject({ tables: { tables: ['invoices', 'payments'] }, grantOption: true });
    // Revoke undoes apply in reverse order.
    expect(all.revoke).toEqual([
      { kind: 'scopedTablePrivileges', action: 'revoke', privileges: IMMUTA_TABLE_PRIVILEGES, database: 'sales', schema: 'public', grantee: { user: 'immuta_system' }, grantOption: true },
      { kind: 'schemaPrivileges', action: 'revoke', privileges: ['USAGE'], schema: 'public', grantee: { user: 'immuta_system' } },
    ]);
  });

  test('grant and revoke name no table owner and no admin: the same units whichever admin runs them, covering tables every owner creates', () => {
    const before = JSON.stringify(plan().units);
    const env = dev();
    env.redshift[0].admin = { secretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:other-admin-AbCdEf' };
    expect(JSON.stringify(plan(env).units)).toBe(before);
    expect(before).not.toMatch(/defaultPrivileges|awsuser/);
    // Every whole-schema grant is scoped, for Immuta and for the Informatica connector alike.
    const wholeSchema = plan().units.filter((u) => u.key.startsWith('immuta/') || u.key.startsWith('informatica/'))
      .filter((u) => !u.apply.some((s) => s.kind === 'tablePrivileges'));
    expect(wholeSchema.map((u) => u.key)).toEqual(['immuta/marketing/campaigns', 'immuta/sales/public', 'informatica/sales/staging']);
    for (const u of wholeSchema) expect(u.apply.filter((s) => s.kind === 'scopedTablePrivileges')).toHaveLength(1);
  });

  test('masking for listed tables and for whole schemas, after the grants, switched off exactly as it was switched on', () => {
    const units = plan().units;
    expect(unit(units, 'masking/sales/finance')).toMatchObject({
      tier: 'masking', database: 'sales',
      apply: [{ kind: 'masking', on: true, tables: { tables: ['invoices', 'payments'] } }],
      revoke: [{ kind: 'masking', on: false, tables: { tables: ['invoices', 'payments'] } }],
    });
    // A whole schema: the revoke is the recorded switch-off (sql/redshift.ts), not a walk over the tables present at revoke time.
    expect(unit(units, 'masking/sales/public').revoke).toEqual([{ kind: 'masking', on: false, schema: 'public', tables: { all: true } }]);
  });

  test('teardown: DROP DATABASE FORCE for the Immuta database, DROP ROLE after the estate members are revoked, users checked in every database they work in', () => {
    const units = plan().units;
    expect(unit(units, 'database/immuta').revoke).toEqual([{ kind: 'dropDatabase', database: 'immuta', force: true }]);
    // DROP USER checks only its own database: the unit first checks the connect database and every database the user works in.
    expect(unit(units, 'user/immuta_system').preflight).toEqual([
      { kind: 'ownedObjects', user: 'immuta_system' },
      { kind: 'ownedObjects', user: 'immuta_system', database: 'marketing' },
      { kind: 'ownedObjects', user: 'immuta_system', database: 'sales' },
    ]);
    expect(unit(units, 'user/informatica_loader').preflight).toEqual([
      { kind: 'ownedObjects', user: 'informatica_loader' },
      { kind: 'ownedObjects', user: 'informatica_loader', database: 'sales' },
    ]);
    expect(unit(units, 'role/immuta_exemption')).toMatchObject({
      revoke: [{ kind: 'dropRole', role: 'immuta_exemption' }],
      preflight: [{ kind: 'roleHolders', role: 'immuta_exemption' }],
    });
    // Order: the estate's exempt users (grants tier) are revoked before the role (principals tier) is dropped,
    // and users before the Immuta database; destroy runs the tiers in reverse.
    const tier = (key: string) => ['databases', 'principals', 'grants', 'masking'].indexOf(unit(units, key).tier);
    expect(tier('exempt/etl_admin')).toBeGreaterThan(tier('role/immuta_exemption'));
    expect(tier('role/immuta_exemption')).toBeGreaterThan(tier('database/immuta'));
    expect(tier('user/immuta_system')).toBeGreaterThan(tier('database/immuta'));
    // Grants and masking carry no owner check; Immuta's grants carry the dependent-grant check.
    expect(units.filter((u) => u.preflight).map((u) => u.key)).toEqual([
      'role/immuta_exemption', 'user/immuta_system', 'user/informatica_loader',
      'immuta/marketing/campaigns', 'immuta/sales/finance', 'immuta/sales/public',
    ]);
  });

  test('revoking Immuta\'s grants first checks for grants Immuta made onward (REVOKE has no CASCADE), on exactly the unit\'s tables', () => {
    const units = plan().units;
    expect(unit(units, 'immuta/sales/public').preflight).toEqual([
      { kind: 'grantsBy', grantor: 'immuta_system', database: 'sales', schema: 'public', tables: { all: true } },
    ]);
    expect(unit(units, 'immuta/sales/finance').preflight).toEqual([
      { kind: 'grantsBy', grantor: 'immuta_system', database: 'sales', schema: 'finance', tables: { tables: ['invoices', 'payments'] } },
    ]);
    // The connector holds no grant option, so its revoke needs no such check.
    expect(unit(units, 'informatica/sales/staging').preflight).toBeUndefined();
  });

  test("Informatica's requirements: TEMP revoked from PUBLIC, granted to the listed user and group, restored on revoke", () => {
    const units = plan().units;
    expect(unit(units, 'temp/sales/public')).toMatchObject({
      apply: [{ kind: 'databaseTemp', action: 'revoke', database: 'sales', grantee: { public: true } }],
      revoke: [{ kind: 'databaseTemp', action: 'grant', database: 'sales', grantee: { public: true } }],
    });
    expect(unit(units, 'temp/sales/group/etl').apply).toEqual([{ kind: 'databaseTemp', action: 'grant', database: 'sales', grantee: { group: 'etl' } }]);
    expect(unit(units, 'temp/sales/user/informatica_loader').apply).toEqual([{ kind: 'databaseTemp', action: 'grant', database: 'sales', grantee: { user: 'informatica_loader' } }]);
  });

  test("Informatica's requirements: the connector user gets USAGE and CREATE on its schema and DML on every table there, without grant option", () => {
    const u = unit(plan().units, 'informatica/sales/staging');
    expect(u.apply).toEqual([
      { kind: 'schemaPrivileges', action: 'grant', privileges: ['USAGE', 'CREATE'], schema: 'staging', grantee: { user: 'informatica_loader' } },
      { kind: 'scopedTablePrivileges', action: 'grant', privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], database: 'sales', schema: 'staging', grantee: { user: 'informatica_loader' }, grantOption: false },
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

  test('the destroy consent comes from the estate, per field, so the stacks need nothing else from it', () => {
    expect(plan().consent).toEqual({ immuta: false, connectorUser: { name: 'informatica_loader', allowDestroy: false } });
    const env = dev();
    env.redshift[0].immuta!.allowDestroy = true;
    env.redshift[0].informatica!.connectorUser = undefined;
    expect(plan(env).consent).toEqual({ immuta: true });
  });

  test('the runner function (and its role) is named from the environment and region alone', () => {
    expect(runnerFunctionName('dev', 'us-east-1')).toBe('dev-redshift-runner-us-east-1');
    expect(runnerFunctionName('dev', 'eu-west-1')).not.toBe(runnerFunctionName('prod', 'eu-west-1'));
  });

  test("the runner's cluster policy: that cluster only, the admin user's credentials in the units' databases, or the admin secret", () => {
    const base = { clusterId: 'c1', region: 'eu-west-1', accountId: '111122223333', partition: 'aws' as const, passwordSecretArns: ['arn:s1'] };
    expect(runnerClusterPolicy({ ...base, auth: { dbUser: 'admin' }, databases: ['sales', 'dev', 'sales'] }).Statement).toEqual([
      { Sid: 'SubmitToCluster', Effect: 'Allow', Action: ['redshift-data:BatchExecuteStatement', 'redshift-data:ExecuteStatement'], Resource: 'arn:aws:redshift:eu-west-1:111122223333:cluster:c1' },
      { Sid: 'AdminCredentials', Effect: 'Allow', Action: 'redshift:GetClusterCredentials', Resource: ['arn:aws:redshift:eu-west-1:111122223333:dbuser:c1/admin', 'arn:aws:redshift:eu-west-1:111122223333:dbname:c1/dev', 'arn:aws:redshift:eu-west-1:111122223333:dbname:c1/sales'] },
      { Sid: 'Secrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ['arn:s1'] },
    ]);
    expect(runnerClusterPolicy({ ...base, auth: { secretArn: 'arn:admin' }, databases: ['dev'], passwordSecretArns: [] }).Statement.map((s) => [s.Sid, s.Resource]))
      .toEqual([['SubmitToCluster', 'arn:aws:redshift:eu-west-1:111122223333:cluster:c1'], ['Secrets', ['arn:admin']]]);
  });

  test('the units split into the cluster stack\'s and one group per protected database, each unit in exactly one', () => {
    const p = plan();
    expect(p.clusterUnits.map((u) => u.key)).toEqual([
      'database/immuta', 'role/immuta_exemption', 'user/immuta_system', 'user/informatica_loader', 'exempt/dq_service', 'exempt/etl_admin',
      'informatica/sales/staging', 'password/immuta_system', 'password/informatica_loader', 'system/immuta_system',
      'temp/sales/group/etl', 'temp/sales/public', 'temp/sales/user/informatica_loader',
    ]);
    expect(p.databaseGroups.map((g) => [g.group, g.databases, g.units.map((u) => u.key), g.instances])).toEqual([
      ['marketing', ['marketing'], ['immuta/marketing/campaigns', 'masking/marketing/campaigns'], 3],
      ['sales', ['sales'], ['immuta/sales/finance', 'immuta/sales/public', 'masking/sales/finance', 'masking/sales/public'], 5],
    ]);
    const split = [...p.clusterUnits, ...p.databaseGroups.flatMap((g) => g.units)].map((u) => u.key);
    expect(split.sort()).toEqual(p.units.map((u) => u.key).sort());
    expect(new Set(split).size).toBe(p.units.length);
    // The databases the runner needs credentials for: the connect database, the protected ones, the connector's.
    expect(p.databases).toEqual(['dev', 'marketing', 'sales']);
  });

  test('databases naming one `stack` share a group; the group of a database with $ in its name drops the $', () => {
    const env = dev();
    env.redshift[0].immuta!.protect.forEach((db) => { db.stack = 'shared'; });
    env.redshift[0].immuta!.protect.push({ database: 'eu$sales', schemas: [{ name: 'public' }] });
    expect(plan(env).databaseGroups.map((g) => [g.group, g.databases, g.instances])).toEqual([
      ['eu_sales', ['eu$sales'], 3],
      ['shared', ['marketing', 'sales'], 7],
    ]);
  });

  test("the runner role's policy size: IAM's count without whitespace, one resource more per database with admin.dbUser, none with the admin secret", () => {
    const doc = runnerClusterPolicy({ clusterId: 'c1', region: 'eu-west-1', accountId: '111122223333', partition: 'aws', auth: { dbUser: 'admin' }, databases: ['dev'], passwordSecretArns: [] });
    expect(policySize(doc)).toBe(JSON.stringify(doc).length);
    expect(policySize(doc)).toBeLessThan(JSON.stringify(doc, null, 2).length);
    const size = (auth: { dbUser: string } | { secretArn: string }, databases: string[]) => runnerRolePolicySize('dev', 'eu-west-1', '111122223333', 'aws', [
      { clusterId: 'c1', region: 'eu-west-1', accountId: '111122223333', partition: 'aws', auth, databases, passwordSecretArns: [] },
    ]);
    const arn = '"arn:aws:redshift:eu-west-1:111122223333:dbname:c1/db_0001"';
    expect(size({ dbUser: 'admin' }, ['dev', 'db_0001']) - size({ dbUser: 'admin' }, ['dev'])).toBe(arn.length + 1);
    expect(size({ secretArn: 'arn:admin' }, ['dev', 'db_0001'])).toBe(size({ secretArn: 'arn:admin' }, ['dev']));
    expect(size({ dbUser: 'admin' }, ['dev'])).toBeLessThan(ROLE_INLINE_POLICY_QUOTA);
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
});
