import { parseEstate } from '../../estate/load';
import { planEnvironment } from '../../model/environment-plan';
import { AwsAccessStack } from '../../stacks/aws-access-stack';
import { Testing } from 'cdktf';
import { TerraformJson } from '../support/synth';

function synthStack(environment: Record<string, unknown>): Required<TerraformJson> {
  const env = parseEstate({ environments: { test: environment } }).environments.test;
  const app = Testing.app();
  const stack = new AwsAccessStack(app, 'test-aws-access', { plan: planEnvironment('test', env) });
  return JSON.parse(Testing.synth(stack)) as Required<TerraformJson>;
}

const aws = { accountId: '111122223333', region: 'us-east-1' };
const cluster = (id: string, extra: Record<string, unknown>) => ({ id, endpoint: `${id}.example.com`, ...extra });
const resources = (json: Required<TerraformJson>, type: string) => Object.values(json.resource[type] ?? {});

describe('AwsAccessStack', () => {
  test('the provider is pinned to the estate\'s account and region and tags what it creates', () => {
    const json = synthStack({ aws, redshift: [cluster('a', { serviceRole: {} })] });
    expect(json.provider.aws).toEqual([{
      region: 'us-east-1',
      allowed_account_ids: ['111122223333'],
      default_tags: [{ tags: { ManagedBy: 'governance-estate', Environment: 'test' } }],
    }]);
  });

  test('a cluster in another region gets an aliased provider for its regional resources only', () => {
    const json = synthStack({ aws, redshift: [cluster('west', { region: 'us-west-2', serviceRole: {}, informatica: { stagingBucket: 'west-staging' } })] });
    expect(json.provider.aws).toHaveLength(2);
    expect(json.provider.aws[1]).toMatchObject({ alias: 'us_west_2', region: 'us-west-2', allowed_account_ids: ['111122223333'] });
    expect(resources(json, 'aws_s3_bucket')[0].provider).toBe('aws.us_west_2');
    expect(resources(json, 'aws_redshift_cluster_iam_roles')[0].provider).toBe('aws.us_west_2');
    for (const role of resources(json, 'aws_iam_role')) expect(role).not.toHaveProperty('provider');
  });

  test('Informatica on the Hosted Agent gets an IAM user and no EC2 role or instance profile', () => {
    const json = synthStack({ aws, redshift: [cluster('h', { informatica: { stagingBucket: 'h-staging', agent: 'hosted-agent', authentication: 'access-key' } })] });
    expect(resources(json, 'aws_iam_user')).toHaveLength(1);
    expect(resources(json, 'aws_iam_instance_profile')).toHaveLength(0);
    expect(resources(json, 'aws_iam_role')).toHaveLength(0);
  });

  test('one role association per cluster with the service role and the Informatica Redshift role', () => {
    const json = synthStack({ aws, redshift: [cluster('a', { serviceRole: { name: 'Copy' }, informatica: { stagingBucket: 'a-staging' } })] });
    const assoc = resources(json, 'aws_redshift_cluster_iam_roles');
    expect(assoc).toHaveLength(1);
    expect(assoc[0].iam_role_arns).toEqual([
      expect.stringMatching(/^\$\{aws_iam_role\.redshift-a-service-role_.*\.arn\}$/),
      expect.stringMatching(/^\$\{aws_iam_role\.redshift-a-informatica_redshift_role_.*\.arn\}$/),
    ]);
  });

  test('manageIamRoles: false leaves the cluster\'s roles alone', () => {
    const json = synthStack({ aws, redshift: [cluster('a', { manageIamRoles: false, serviceRole: {} })] });
    expect(json.resource).not.toHaveProperty('aws_redshift_cluster_iam_roles');
    expect(resources(json, 'aws_iam_role')).toHaveLength(1);
  });

  test('access-key Informatica alone associates nothing: it has no role', () => {
    const json = synthStack({ aws, redshift: [cluster('a', { informatica: { stagingBucket: 'a-staging', authentication: 'access-key' } })] });
    expect(json.resource).not.toHaveProperty('aws_redshift_cluster_iam_roles');
  });

  test('only IAM-authenticated RDS/Aurora servers get Immuta IAM access', () => {
    const server = (id: string, authentication: string, extra: Record<string, unknown> = {}) => ({
      id, deployment: 'rds', majorVersion: 16, host: `${id}.example.com`, resourceId: 'db-ABC',
      immuta: { displayName: `${id}_conn`, systemRole: `${id}_immuta`, authentication, protect: [{ database: 'app', schemas: ['public'] }], ...extra },
    });
    const json = synthStack({ aws, postgres: [server('pw', 'password'), server('key', 'aws-access-key')] });
    expect(resources(json, 'aws_iam_policy').map((p) => p.name)).toEqual(['key-immuta-rds-connect']);
    expect(resources(json, 'aws_iam_user').map((u) => u.name)).toEqual(['key-immuta']);
  });

  test('an estate that plans two objects under one IAM name fails with the field', () => {
    expect(() => synthStack({ aws, redshift: [cluster('a', { serviceRole: {} }), cluster('b', { serviceRole: {} })] }))
      .toThrow('environments.test.redshift[1].serviceRole.name');
  });
});
