import { IamAccessKey } from '@cdktf/provider-aws/lib/iam-access-key';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamUser } from '@cdktf/provider-aws/lib/iam-user';
import { IamUserPolicyAttachment } from '@cdktf/provider-aws/lib/iam-user-policy-attachment';
import { Testing } from 'cdktf';
import { ImmutaRdsIamAccess } from '../../constructs/aws/immuta-rds-iam-access';
import { RdsIamAccessPlan } from '../../model/aws/access-plan';
import { immutaTrustPolicy, rdsConnectPolicy } from '../../model/aws/immuta-rds';
import { policyJson } from '../../model/aws/policy-document';
import { TerraformJson } from '../support/synth';

const assumedRole: RdsIamAccessPlan = {
  serverId: 'customers',
  region: 'us-east-1',
  accountId: '111122223333',
  partition: 'aws',
  resourceId: 'db-ABCDEF',
  dbUsername: 'immuta_connector',
  policyName: 'customers-immuta-rds-connect',
  authentication: { type: 'aws-assumed-role', roleName: 'immuta_connector', immutaAwsAccountId: '444455556666', externalId: 'tenant-1' },
};
const accessKey: RdsIamAccessPlan = { ...assumedRole, authentication: { type: 'aws-access-key', userName: 'customers-immuta' } };
const synth = (plan: RdsIamAccessPlan) => Testing.synthScope((scope) => new ImmutaRdsIamAccess(scope, 'immuta', { plan }));
const outputs = (out: string) => (JSON.parse(out) as Required<TerraformJson>).output;

describe('ImmutaRdsIamAccess (Immuta\'s PostgreSQL requirements)', () => {
  test('the policy allows only rds-db:connect as the one database user', () => {
    expect(synth(assumedRole)).toHaveResourceWithProperties(IamPolicy, {
      name: 'customers-immuta-rds-connect',
      policy: policyJson(rdsConnectPolicy({ partition: 'aws', region: 'us-east-1', accountId: '111122223333', resourceId: 'db-ABCDEF', dbUsername: 'immuta_connector' })),
    });
  });

  test('aws-assumed-role: a role named as the database user, trusting Immuta\'s account with the external id', () => {
    const out = synth(assumedRole);
    expect(out).toHaveResourceWithProperties(IamRole, { name: 'immuta_connector', assume_role_policy: policyJson(immutaTrustPolicy('aws', '444455556666', 'tenant-1')) });
    expect(out).toHaveResourceWithProperties(IamRolePolicyAttachment, { policy_arn: expect.stringMatching(/^\$\{aws_iam_policy\./) });
    expect(out).not.toHaveResource(IamUser);
  });

  test('aws-assumed-role: outputs are what Immuta\'s form asks for (Role ARN, Username, External ID)', () => {
    const o = outputs(synth(assumedRole));
    expect(Object.keys(o).sort()).toEqual(['postgres_customers_immuta_external_id', 'postgres_customers_immuta_role_arn', 'postgres_customers_immuta_username']);
    expect(o.postgres_customers_immuta_role_arn.value).toMatch(/^\$\{aws_iam_role\..*\.arn\}$/);
    expect(o.postgres_customers_immuta_username.value).toBe('immuta_connector');
    expect(o.postgres_customers_immuta_external_id.value).toBe('tenant-1');
  });

  test('aws-access-key: an IAM user with the policy; key id and secret only as sensitive outputs', () => {
    const out = synth(accessKey);
    expect(out).toHaveResourceWithProperties(IamUser, { name: 'customers-immuta' });
    expect(out).toHaveResourceWithProperties(IamUserPolicyAttachment, { policy_arn: expect.stringMatching(/^\$\{aws_iam_policy\./) });
    expect(out).toHaveResource(IamAccessKey);
    expect(out).not.toHaveResource(IamRole);
    const o = outputs(out);
    expect(o.postgres_customers_immuta_access_key_id.sensitive).toBe(true);
    expect(o.postgres_customers_immuta_secret_access_key).toMatchObject({ sensitive: true, value: expect.stringMatching(/\.secret\}$/) });
    expect(o.postgres_customers_immuta_username.value).toBe('immuta_connector');
  });

  test('GovCloud: the dbuser ARN and the trust principal use the aws-us-gov partition', () => {
    const out = synth({ ...assumedRole, region: 'us-gov-west-1', partition: 'aws-us-gov' });
    expect(out).toContain('arn:aws-us-gov:rds-db:us-gov-west-1:111122223333:dbuser:db-ABCDEF/immuta_connector');
    expect(out).toContain('arn:aws-us-gov:iam::444455556666:root');
  });

});
