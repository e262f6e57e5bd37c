import { parseEstate } from '../../estate/load';
import { exampleEstate } from '../support/example';
import { planAwsAccess } from '../../model/aws/access-plan';

const example = exampleEstate();

/** A one-environment estate with the given clusters and servers, validated by the real schema. */
function env(redshift: unknown[] = [], postgres: unknown[] = [], region = 'us-east-1') {
  return parseEstate({ environments: { test: { aws: { accountId: '111122223333', region }, redshift, postgres } } }).environments.test;
}

const cluster = (id: string, extra: Record<string, unknown> = {}) => ({ id, endpoint: `${id}.example.com`, ...extra });
const rdsServer = (id: string, systemRole: string, authentication = 'aws-assumed-role') => ({
  id,
  deployment: 'rds',
  majorVersion: 16,
  host: `${id}.example.com`,
  resourceId: 'db-ABC',
  immuta: {
    displayName: `${id.replace(/-/g, '_')}_conn`,
    systemRole,
    authentication,
    ...(authentication === 'aws-assumed-role' ? { immutaAwsAccountId: '444455556666', externalId: 'ext-1' } : {}),
    protect: [{ database: 'app', schemas: ['public'] }],
  },
});

describe('planAwsAccess on the example estate', () => {
  const dev = planAwsAccess('dev', example.environments.dev);
  const prod = planAwsAccess('prod', example.environments.prod);

  test('dev: service role, Informatica in IAM mode, both roles associated with the cluster', () => {
    expect(dev.clusters).toHaveLength(1);
    const c = dev.clusters[0];
    expect(c.serviceRole?.roleName).toBe('RedshiftCopyUnloadDev');
    expect(c.informatica?.authentication).toBe('iam');
    expect(c.associatedRoleNames).toEqual(['RedshiftCopyUnloadDev', 'analytics-dev-informatica-redshift']);
    expect(c.informatica?.jdbcUrl).toBe('jdbc:redshift://analytics-dev.c1abc2def3gh.us-east-1.redshift.amazonaws.com:5439/dev?ssl=true');
  });

  test('dev: the assumed-role Immuta server gets a role named as its systemRole (Immuta\'s PostgreSQL requirements)', () => {
    expect(dev.rdsIamAccess).toEqual([expect.objectContaining({
      serverId: 'customers-rds',
      dbUsername: 'immuta_rds_connector',
      authentication: { type: 'aws-assumed-role', roleName: 'immuta_rds_connector', immutaAwsAccountId: '444455556666', externalId: 'immuta-tenant-7f3a9c' },
    })]);
  });

  test('prod: access-key Informatica associates only the service role; the access-key Immuta server gets a user', () => {
    expect(prod.clusters[0].associatedRoleNames).toEqual(['RedshiftCopyUnload']);
    expect(prod.rdsIamAccess.map((a) => a.authentication)).toEqual([{ type: 'aws-access-key', userName: 'payments-aurora-immuta' }]);
  });

  test('password-authenticated and non-AWS servers get nothing', () => {
    const ids = [...dev.rdsIamAccess, ...prod.rdsIamAccess].map((a) => a.serverId);
    expect(ids).not.toContain('orders-pg');
    expect(ids).not.toContain('events-neon');
  });

  test('no extra provider regions when every cluster is in the environment\'s region', () => {
    expect(dev.extraRegions).toEqual([]);
    expect(prod.extraRegions).toEqual([]);
  });
});

describe('planAwsAccess and the estate rules on AWS names', () => {
  test('a cluster in another region asks for a provider of that region', () => {
    const plan = planAwsAccess('test', env([cluster('west', { region: 'us-west-2', serviceRole: { name: 'West' } }), cluster('east', { serviceRole: { name: 'East' } })]));
    expect(plan.extraRegions).toEqual(['us-west-2']);
  });

  test('a cluster with nothing regional asks for no provider', () => {
    const plan = planAwsAccess('test', env([cluster('west', { region: 'us-west-2', manageIamRoles: false, serviceRole: { name: 'West' } })]));
    expect(plan.extraRegions).toEqual([]);
    expect(plan.clusters[0].associatedRoleNames).toEqual([]);
  });

  test('manageIamRoles: false leaves the cluster\'s role list alone', () => {
    const plan = planAwsAccess('test', env([cluster('a', { manageIamRoles: false, serviceRole: {}, informatica: { stagingBucket: 'bucket-a' } })]));
    expect(plan.clusters[0].associatedRoleNames).toEqual([]);
  });

  test('two clusters claiming one service role name fail, naming both fields', () => {
    expect(() => env([cluster('a', { serviceRole: {} }), cluster('b', { serviceRole: { name: 'redshiftcopyunload' } })]))
      .toThrow('environments.test.redshift[1].serviceRole.name: IAM role name redshiftcopyunload is already used by environments.test.redshift[0].serviceRole.name in the same account');
  });

  test('two servers with the same systemRole under aws-assumed-role fail: the role is named after it', () => {
    expect(() => env([], [rdsServer('one', 'immuta_system'), rdsServer('two', 'immuta_system')]))
      .toThrow('environments.test.postgres[1].immuta.systemRole: IAM role name immuta_system is already used by environments.test.postgres[0].immuta.systemRole');
  });

  test('a service role may not take the name of an Immuta role', () => {
    expect(() => env([cluster('a', { serviceRole: { name: 'immuta_system' } })], [rdsServer('one', 'immuta_system')]))
      .toThrow('environments.test.postgres[0].immuta.systemRole: IAM role name immuta_system is already used by environments.test.redshift[0].serviceRole.name');
  });

  test('two clusters staging in one bucket fail', () => {
    expect(() => env([cluster('a', { informatica: { stagingBucket: 'shared-bucket' } }), cluster('b', { informatica: { stagingBucket: 'shared-bucket' } })]))
      .toThrow('environments.test.redshift[1].informatica.stagingBucket: S3 bucket name shared-bucket is already used');
  });

  test('access-key servers get distinct users named after the server', () => {
    const plan = planAwsAccess('test', env([], [rdsServer('one', 'immuta_system', 'aws-access-key'), rdsServer('two', 'immuta_system', 'aws-access-key')]));
    expect(plan.rdsIamAccess.map((a) => a.authentication)).toEqual([
      { type: 'aws-access-key', userName: 'one-immuta' },
      { type: 'aws-access-key', userName: 'two-immuta' },
    ]);
  });

  test('a cluster in another partition than the account fails', () => {
    expect(() => env([cluster('a', { region: 'cn-north-1', serviceRole: {} })]))
      .toThrow('environments.test.redshift[0].region: region cn-north-1 is in the aws-cn partition');
  });

  test('a service role lists each managed policy once and at most 20: IAM\'s limit per role, checked with the estate', () => {
    expect(() => env([cluster('a', { serviceRole: { managedPolicies: ['A', 'A'] } })]))
      .toThrow('environments.test.redshift[0].serviceRole.managedPolicies: must not list a policy twice');
    expect(() => env([cluster('a', { serviceRole: { managedPolicies: Array.from({ length: 21 }, (_, i) => `P${i}`) } })]))
      .toThrow('environments.test.redshift[0].serviceRole.managedPolicies: must list at most 20 policies');
    expect(planAwsAccess('test', env([cluster('a', { serviceRole: { managedPolicies: Array.from({ length: 20 }, (_, i) => `P${i}`) } })])).clusters[0].serviceRole?.managedPolicies).toHaveLength(20);
  });

  test('every slice carries the environment\'s account and partition, computed once', () => {
    const plan = planAwsAccess('test', env([cluster('a', { serviceRole: {}, informatica: { stagingBucket: 'bucket-a' } })], [rdsServer('one', 'immuta_system')], 'us-gov-west-1'));
    expect(plan.partition).toBe('aws-us-gov');
    expect(plan.clusters[0].serviceRole).toMatchObject({ clusterId: 'a', partition: 'aws-us-gov' });
    expect(plan.clusters[0].informatica).toMatchObject({ clusterId: 'a', region: 'us-gov-west-1', accountId: '111122223333', partition: 'aws-us-gov' });
    expect(plan.rdsIamAccess[0]).toMatchObject({ serverId: 'one', region: 'us-gov-west-1', accountId: '111122223333', partition: 'aws-us-gov' });
  });

  test('a server built in code without the fields IAM authentication needs is refused by name', () => {
    const valid = env([], [rdsServer('one', 'immuta_system')]);
    const server = valid.postgres[0];
    expect(() => planAwsAccess('test', { ...valid, postgres: [{ ...server, resourceId: undefined }] }))
      .toThrow('postgres server one: server.resourceId is required for aws-assumed-role authentication');
    expect(() => planAwsAccess('test', { ...valid, postgres: [{ ...server, immuta: { ...server.immuta!, externalId: undefined } }] }))
      .toThrow('environments.test.postgres[0].immuta.externalId is missing: planAwsAccess takes a validated estate');
  });
});
