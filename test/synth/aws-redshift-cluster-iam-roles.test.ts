import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RedshiftClusterIamRoles as ClusterIamRolesResource } from '@cdktf/provider-aws/lib/redshift-cluster-iam-roles';
import { Testing } from 'cdktf';
import { RedshiftClusterIamRoles } from '../../constructs/aws/redshift-cluster-iam-roles';

const roles = ['arn:aws:iam::111122223333:role/A', 'arn:aws:iam::111122223333:role/B'];

describe('RedshiftClusterIamRoles', () => {
  test('one resource holds every role of the cluster', () => {
    const out = Testing.synthScope((scope) => new RedshiftClusterIamRoles(scope, 'roles', { clusterId: 'analytics', roleArns: roles }));
    expect(out).toHaveResourceWithProperties(ClusterIamRolesResource, { cluster_identifier: 'analytics', iam_role_arns: roles });
    expect(Object.keys(JSON.parse(out).resource.aws_redshift_cluster_iam_roles)).toHaveLength(1);
  });

  test('the cluster\'s region provider is used when given', () => {
    const out = Testing.synthScope((scope) => {
      const provider = new AwsProvider(scope, 'west', { region: 'us-west-2', alias: 'us_west_2' });
      new RedshiftClusterIamRoles(scope, 'roles', { clusterId: 'analytics', roleArns: roles, provider });
    });
    expect(out).toHaveResourceWithProperties(ClusterIamRolesResource, { provider: 'aws.us_west_2' });
  });

  test.each<[string, string, string[], string]>([
    ['an empty list, which would detach every role', 'analytics', [], 'RedshiftClusterIamRoles.roleArns must list at least one role'],
    ['a role twice', 'analytics', [roles[0], roles[0]], `RedshiftClusterIamRoles.roleArns lists "${roles[0]}" twice`],
    ['more roles than Redshift allows', 'analytics', Array.from({ length: 51 }, (_, i) => `arn:aws:iam::111122223333:role/R${i}`), 'RedshiftClusterIamRoles.roleArns must list at most 50 roles'],
    ['a bad cluster id', 'Analytics', roles, 'RedshiftClusterIamRoles.clusterId "Analytics" must be lower-case'],
  ])('rejects %s', (_what, clusterId, roleArns, message) => {
    expect(() => Testing.synthScope((scope) => new RedshiftClusterIamRoles(scope, 'roles', { clusterId, roleArns }))).toThrow(message);
  });
});
