import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Testing } from 'cdktf';
import { REDSHIFT_SERVICE_ROLE_DEFAULT_POLICIES } from '../../estate/rules';
import { RedshiftServiceRole } from '../../constructs/aws/redshift-service-role';
import { ServiceRolePlan } from '../../model/aws/access-plan';
import { policyJson } from '../../model/aws/policy-document';
import { redshiftServiceRoleTrustPolicy } from '../../model/aws/redshift-service-role';

const base: ServiceRolePlan = { clusterId: 'analytics', roleName: 'RedshiftCopyUnload', partition: 'aws', managedPolicies: [...REDSHIFT_SERVICE_ROLE_DEFAULT_POLICIES] };
const synth = (plan: Partial<ServiceRolePlan> = {}) =>
  Testing.synthScope((scope) => new RedshiftServiceRole(scope, 'service-role', { plan: { ...base, ...plan } }));

describe('RedshiftServiceRole (the Redshift IAM role guide)', () => {
  test('the estate\'s defaults: the guide\'s trust relationship and its two managed policies', () => {
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

});
