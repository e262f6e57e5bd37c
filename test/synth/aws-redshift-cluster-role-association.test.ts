import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RedshiftClusterIamRoles } from '@cdktf/provider-aws/lib/redshift-cluster-iam-roles';
import { Testing } from 'cdktf';
import { RedshiftClusterRoleAssociation } from '../../constructs/aws/redshift-cluster-role-association';

const roles = ['arn:aws:iam::111122223333:role/A', 'arn:aws:iam::111122223333:role/B'];

describe('RedshiftClusterRoleAssociation', () => {
  test('one resource holds every role of the cluster', () => {
    const out = Testing.synthScope((scope) => new RedshiftClusterRoleAssociation(scope, 'roles', { clusterId: 'analytics', roleArns: roles }));
    expect(out).toHaveResourceWithProperties(RedshiftClusterIamRoles, { cluster_identifier: 'analytics', iam_role_arns: roles });
    expect(Object.keys(JSON.parse(out).resource.aws_redshift_cluster_iam_roles)).toHaveLength(1);
  });

  test('the cluster\'s region provider is used when given', () => {
    const out = Testing.synthScope((scope) => {
      const provider = new AwsProvider(scope, 'west', { region: 'us-west-2', alias: 'us_west_2' });
      new RedshiftClusterRoleAssociation(scope, 'roles', { clusterId: 'analytics', roleArns: roles, provider });
    });
    expect(out).toHaveResourceWithProperties(RedshiftClusterIamRoles, { provider: 'aws.us_west_2' });
  });

  test('refuses an empty list, which would detach every role', () => {
    expect(() => Testing.synthScope((scope) => new RedshiftClusterRoleAssociation(scope, 'roles', { clusterId: 'analytics', roleArns: [] })))
      .toThrow('RedshiftClusterRoleAssociation.roleArns for cluster analytics must list at least one role');
  });
});
