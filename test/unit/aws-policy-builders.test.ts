import { immutaTrustPolicy, rdsConnectPolicy, rdsDbUserArn } from '../../model/aws/immuta-rds';
import { informaticaStagingPolicy, redshiftJdbcUrl, stagingKeyPolicy, tlsOnlyBucketPolicy } from '../../model/aws/informatica';
import { boundedName } from '../../model/aws/names';
import { TERRAFORM_IDENTIFIER, terraformName } from '../../model/terraform-names';
import { accountRootArn, managedPolicyArn, partitionOf, servicePrincipal } from '../../model/aws/partition';
import { policyJson } from '../../model/aws/policy-document';
import { managedPolicyArns, redshiftServiceRoleTrustPolicy } from '../../model/aws/redshift-service-role';

describe('partition helpers', () => {
  test('ARNs carry the partition of the region', () => {
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-west-1')).toBe('aws');
    expect(managedPolicyArn('aws-us-gov', 'AmazonS3ReadOnlyAccess')).toBe('arn:aws-us-gov:iam::aws:policy/AmazonS3ReadOnlyAccess');
    expect(accountRootArn('aws-cn', '111122223333')).toBe('arn:aws-cn:iam::111122223333:root');
  });

  test('service principals: global, or regional as the Redshift IAM role guide writes them', () => {
    expect(servicePrincipal('redshift')).toBe('redshift.amazonaws.com');
    expect(servicePrincipal('redshift', 'us-west-2')).toBe('redshift.us-west-2.amazonaws.com');
  });
});

describe('boundedName', () => {
  test('short names are the parts joined by hyphens', () => {
    expect(boundedName(['analytics-dev', 'informatica-agent'], 64)).toBe('analytics-dev-informatica-agent');
  });

  test('long names are cut to the limit and stay distinct and stable', () => {
    const a = boundedName(['a'.repeat(60), 'informatica-redshift'], 64);
    const b = boundedName(['a'.repeat(60), 'informatica-agent'], 64);
    expect(a).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(boundedName(['a'.repeat(60), 'informatica-redshift'], 64)).toBe(a);
    expect(a).toMatch(/^a+-[0-9a-f]{8}$/);
  });

  test('output names are identifiers', () => {
    expect(terraformName('redshift', 'analytics-dev', 'jdbc_url')).toBe('redshift_analytics_dev_jdbc_url');
    expect(terraformName('redshift', 'analytics-dev', 'jdbc_url')).toMatch(TERRAFORM_IDENTIFIER);
  });
});

describe('the Redshift IAM role guide: Redshift service role trust', () => {
  test('without restrictions it is the seed\'s default trust relationship', () => {
    expect(redshiftServiceRoleTrustPolicy()).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'redshift.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });

  test('regions replace the principal with the regional ones, sorted', () => {
    expect(redshiftServiceRoleTrustPolicy({ regions: ['us-west-2', 'us-east-1'] }).Statement[0].Principal).toEqual({
      Service: ['redshift.us-east-1.amazonaws.com', 'redshift.us-west-2.amazonaws.com'],
    });
  });

  test('database users become an sts:ExternalId StringEquals list', () => {
    const users = ['arn:aws:redshift:us-west-2:123456789012:dbuser:my-cluster/user2', 'arn:aws:redshift:us-west-2:123456789012:dbuser:my-cluster/user1'];
    expect(redshiftServiceRoleTrustPolicy({ dbUserArns: users }).Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { Service: 'redshift.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': [users[1], users[0]] } },
    });
  });

  test('the estate\'s order does not change the document', () => {
    const a = redshiftServiceRoleTrustPolicy({ regions: ['us-east-1', 'us-west-2'], dbUserArns: ['x', 'y'] });
    const b = redshiftServiceRoleTrustPolicy({ regions: ['us-west-2', 'us-east-1', 'us-east-1'], dbUserArns: ['y', 'x'] });
    expect(policyJson(a)).toBe(policyJson(b));
  });

  test('managed policy ARNs follow the partition', () => {
    expect(managedPolicyArns('aws-cn', ['AmazonS3ReadOnlyAccess', 'service-role/AWSGlueServiceRole'])).toEqual([
      'arn:aws-cn:iam::aws:policy/AmazonS3ReadOnlyAccess',
      'arn:aws-cn:iam::aws:policy/service-role/AWSGlueServiceRole',
    ]);
  });
});

describe('Informatica\'s Redshift connector requirements: Informatica policies', () => {
  test('the minimal policy has exactly the five S3 actions, split by resource', () => {
    expect(informaticaStagingPolicy({ partition: 'aws', bucket: 'stage' }).Statement).toEqual([
      { Sid: 'StagingObjects', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::stage/*' },
      { Sid: 'StagingBucket', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketPolicy'], Resource: 'arn:aws:s3:::stage' },
    ]);
  });

  test('the bucket policy denies every non-TLS request on the bucket and its objects', () => {
    expect(tlsOnlyBucketPolicy('aws-us-gov', 'stage').Statement).toEqual([{
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws-us-gov:s3:::stage', 'arn:aws-us-gov:s3:::stage/*'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }]);
  });

  test('the key policy keeps the account in control and lets the named principals use the key', () => {
    const doc = stagingKeyPolicy({ partition: 'aws', accountId: '111122223333', keyUsers: ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::111122223333:role/b'] });
    expect(doc.Statement[0]).toMatchObject({ Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*' });
    expect(doc.Statement[1]).toMatchObject({ Principal: { AWS: ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::111122223333:role/b'] }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'] });
  });

  test('a key policy without key users is refused', () => {
    expect(() => stagingKeyPolicy({ partition: 'aws', accountId: '111122223333', keyUsers: [] })).toThrow('stagingKeyPolicy.keyUsers');
  });

  test('the JDBC URL has ssl=true (Informatica\'s Redshift connector requirements)', () => {
    expect(redshiftJdbcUrl('mycluster.xyz789.us-west-2.redshift.amazonaws.com', 5439, 'dev')).toBe('jdbc:redshift://mycluster.xyz789.us-west-2.redshift.amazonaws.com:5439/dev?ssl=true');
  });
});

describe('Immuta\'s PostgreSQL requirements: Immuta on RDS/Aurora with IAM', () => {
  const user = { partition: 'aws' as const, region: 'us-east-1', accountId: '111122223333', resourceId: 'db-ABC', dbUsername: 'immuta_system' };

  test('the dbuser ARN has the seed\'s form', () => {
    expect(rdsDbUserArn(user)).toBe('arn:aws:rds-db:us-east-1:111122223333:dbuser:db-ABC/immuta_system');
  });

  test('the policy allows rds-db:connect on that one dbuser', () => {
    expect(rdsConnectPolicy(user).Statement).toEqual([{ Effect: 'Allow', Action: 'rds-db:connect', Resource: 'arn:aws:rds-db:us-east-1:111122223333:dbuser:db-ABC/immuta_system' }]);
  });

  test('the trust policy is the seed\'s, Sid assumeRole included', () => {
    expect(immutaTrustPolicy('aws', '444455556666', 'ext-1')).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'assumeRole',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } },
      }],
    });
  });
});
