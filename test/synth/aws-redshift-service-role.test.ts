import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Testing } from 'cdktf';
import { RedshiftServiceRole, RedshiftServiceRoleProps } from '../../constructs/aws/redshift-service-role';
import { policyJson } from '../../model/aws/policy-document';
import { redshiftServiceRoleTrustPolicy } from '../../model/aws/redshift-service-role';

const base: RedshiftServiceRoleProps = { clusterId: 'analytics', roleName: 'RedshiftCopyUnload', partition: 'aws' };
const synth = (props: Partial<RedshiftServiceRoleProps> = {}) =>
  Testing.synthScope((scope) => new RedshiftServiceRole(scope, 'service-role', { ...base, ...props }));

describe('RedshiftServiceRole (the Redshift IAM role guide)', () => {
  test('defaults: the seed\'s trust relationship and its two managed policies', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(IamRole, {
      name: 'RedshiftCopyUnload',
      assume_role_policy: policyJson(redshiftServiceRoleTrustPolicy()),
    });
    expect(out).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      for_each: {
        AmazonS3ReadOnlyAccess: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
        AWSGlueConsoleFullAccess: 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess',
      },
      policy_arn: '${each.value}',
    });
    expect(JSON.parse(out).output.redshift_analytics_service_role_arn.value).toMatch(/^\$\{aws_iam_role\..*\.arn\}$/);
  });

  test('regions and database users restrict the trust relationship', () => {
    const dbUserArns = ['arn:aws:redshift:us-west-2:123456789012:dbuser:my-cluster/user1'];
    expect(synth({ regions: ['us-east-1', 'us-west-2'], dbUserArns })).toHaveResourceWithProperties(IamRole, {
      assume_role_policy: policyJson(redshiftServiceRoleTrustPolicy({ regions: ['us-east-1', 'us-west-2'], dbUserArns })),
    });
  });

  test('the managed policies are replaceable and follow the partition', () => {
    const out = synth({ partition: 'aws-us-gov', regions: ['us-gov-west-1'], managedPolicies: ['AmazonS3FullAccess'] });
    expect(out).toHaveResourceWithProperties(IamRolePolicyAttachment, { for_each: { AmazonS3FullAccess: 'arn:aws-us-gov:iam::aws:policy/AmazonS3FullAccess' } });
  });

  test('no managed policies: no attachment block', () => {
    expect(synth({ managedPolicies: [] })).not.toHaveResource(IamRolePolicyAttachment);
  });

  test.each<[string, Partial<RedshiftServiceRoleProps>, string]>([
    ['clusterId', { clusterId: 'Bad_Id' }, 'RedshiftServiceRole.clusterId "Bad_Id" must be lower-case letters'],
    ['roleName alphabet', { roleName: 'has space' }, 'RedshiftServiceRole.roleName "has space" must use only letters'],
    ['roleName length', { roleName: 'r'.repeat(65) }, 'RedshiftServiceRole.roleName must be at most 64 characters'],
    ['region code', { regions: ['narnia'] }, 'RedshiftServiceRole.regions[0] "narnia" must be an AWS region code'],
    ['region partition', { regions: ['cn-north-1'] }, 'RedshiftServiceRole.regions[0] cn-north-1 is not in partition aws'],
    ['empty regions', { regions: [] }, 'RedshiftServiceRole.regions must list at least one region'],
    ['dbuser ARN form', { dbUserArns: ['arn:aws:redshift:us-west-2:123456789012:cluster:my-cluster'] }, 'RedshiftServiceRole.dbUserArns[0] "arn:aws:redshift:us-west-2:123456789012:cluster:my-cluster" must be arn:aws:redshift:region:account-id:dbuser:cluster-name/user-name (the Redshift IAM role guide)'],
    ['dbuser partition', { dbUserArns: ['arn:aws-cn:redshift:cn-north-1:123456789012:dbuser:c/u'] }, 'RedshiftServiceRole.dbUserArns[0] must be in partition aws'],
    ['empty dbUserArns', { dbUserArns: [] }, 'RedshiftServiceRole.dbUserArns must list at least one user'],
    ['managed policy name', { managedPolicies: ['arn:aws:iam::aws:policy/X'] }, 'RedshiftServiceRole.managedPolicies[0] "arn:aws:iam::aws:policy/X" must be an AWS managed policy name'],
    ['duplicate managed policy', { managedPolicies: ['A', 'A'] }, 'RedshiftServiceRole.managedPolicies lists "A" twice'],
    ['too many managed policies', { managedPolicies: Array.from({ length: 21 }, (_, i) => `P${i}`) }, 'RedshiftServiceRole.managedPolicies must list at most 20 policies'],
  ])('rejects a bad %s', (_what, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
