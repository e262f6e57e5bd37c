import { IamAccessKey } from '@cdktf/provider-aws/lib/iam-access-key';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamUser } from '@cdktf/provider-aws/lib/iam-user';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { Testing } from 'cdktf';
import { InformaticaRedshiftConnector } from '../../constructs/aws/informatica-redshift-connector';
import { InformaticaPlan, informaticaNames } from '../../model/aws/access-plan';
import { policyJson } from '../../model/aws/policy-document';
import { serviceTrustPolicy } from '../../model/aws/trust';
import { tlsOnlyBucketPolicy } from '../../model/aws/informatica';
import { TerraformJson } from '../support/synth';

const base: InformaticaPlan = {
  clusterId: 'analytics',
  region: 'us-east-1',
  accountId: '111122223333',
  partition: 'aws',
  stagingBucket: 'analytics-staging',
  authentication: 'iam',
  serverSideEncryption: 'kms',
  clientSideEncryption: false,
  jdbcUrl: 'jdbc:redshift://analytics.abc.us-east-1.redshift.amazonaws.com:5439/dev?ssl=true',
  names: informaticaNames('analytics'),
};
const synth = (plan: Partial<InformaticaPlan> = {}, stagedObjectExpirationDays?: number) =>
  Testing.synthScope((scope) => new InformaticaRedshiftConnector(scope, 'informatica', { plan: { ...base, ...plan }, stagedObjectExpirationDays }));
const parsed = (out: string) => JSON.parse(out) as Required<TerraformJson>;
/** The single resource of a type, and the policy document it carries in `attribute`. */
function only(out: string, type: string): Record<string, unknown> {
  const all = Object.values(parsed(out).resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
}
const doc = (out: string, type: string, attribute: string) => JSON.parse(only(out, type)[attribute] as string);

describe('InformaticaRedshiftConnector (Informatica\'s Redshift connector requirements)', () => {
  test('the staging bucket blocks public access, enforces bucket ownership and accepts TLS only', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(S3Bucket, { bucket: 'analytics-staging' });
    expect(out).toHaveResourceWithProperties(S3BucketPublicAccessBlock, { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(out).toHaveResourceWithProperties(S3BucketOwnershipControls, { rule: { object_ownership: 'BucketOwnerEnforced' } });
    expect(out).toHaveResourceWithProperties(S3BucketPolicy, { policy: policyJson(tlsOnlyBucketPolicy('aws', 'analytics-staging')) });
    // S3 rejects a bucket policy written while the public access block is being set.
    expect(only(out, 'aws_s3_bucket_policy').depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_public_access_block\./)]);
  });

  test('kms: a rotating customer managed key encrypts the bucket by default', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    expect(only(out, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([{
      apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\..*\.arn\}$/) },
      bucket_key_enabled: true,
    }]);
  });

  test('kms + iam: the key policy names the EC2 role and the Redshift role ("add IAM EC2 role and IAM Redshift role to the customer master key")', () => {
    const keyPolicy = doc(synth(), 'aws_kms_key', 'policy');
    expect(keyPolicy.Statement[0]).toMatchObject({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } });
    expect(keyPolicy.Statement[1].Principal.AWS).toEqual([
      expect.stringMatching(/^\$\{aws_iam_role\.informatica_agent_role_.*\.arn\}$/),
      expect.stringMatching(/^\$\{aws_iam_role\.informatica_redshift_role_.*\.arn\}$/),
    ]);
  });

  test('kms + access-key: the key policy names the IAM user', () => {
    const keyPolicy = doc(synth({ authentication: 'access-key' }), 'aws_kms_key', 'policy');
    expect(keyPolicy.Statement[1].Principal.AWS).toEqual([expect.stringMatching(/^\$\{aws_iam_user\..*\.arn\}$/)]);
  });

  test('s3: SSE-S3 and no key', () => {
    const out = synth({ serverSideEncryption: 's3' });
    expect(out).not.toHaveResource(KmsKey);
    expect(out).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, { rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }] });
    expect(doc(out, 'aws_iam_policy', 'policy').Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['StagingObjects', 'StagingBucket']);
  });

  test('the minimal policy is one managed policy with only the S3 statements, also with kms (key use is in the key policy)', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(IamPolicy, { name: 'analytics-informatica-staging' });
    expect(doc(out, 'aws_iam_policy', 'policy').Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['StagingObjects', 'StagingBucket']);
  });

  test('iam: an EC2 role with instance profile and a Redshift role, both with the minimal policy; no user', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(IamRole, { name: 'analytics-informatica-agent', assume_role_policy: policyJson(serviceTrustPolicy('ec2.amazonaws.com')) });
    expect(out).toHaveResourceWithProperties(IamRole, { name: 'analytics-informatica-redshift', assume_role_policy: policyJson(serviceTrustPolicy('redshift.amazonaws.com')) });
    expect(out).toHaveResourceWithProperties(IamInstanceProfile, { name: 'analytics-informatica-agent' });
    const attachments = Object.values(parsed(out).resource.aws_iam_role_policy_attachment);
    expect(attachments.map((a) => a.policy_arn)).toEqual([expect.stringMatching(/^\$\{aws_iam_policy\./), expect.stringMatching(/^\$\{aws_iam_policy\./)]);
    expect(out).not.toHaveResource(IamUser);
    expect(Object.keys(parsed(out).output).sort()).toEqual([
      'redshift_analytics_informatica_agent_instance_profile',
      'redshift_analytics_informatica_agent_role_arn',
      'redshift_analytics_informatica_jdbc_url',
      'redshift_analytics_informatica_kms_key_arn',
      'redshift_analytics_informatica_redshift_role_arn',
      'redshift_analytics_informatica_staging_bucket',
    ]);
  });

  test('access-key: an IAM user with the policy and an access key whose id and secret are sensitive outputs', () => {
    const out = synth({ authentication: 'access-key' });
    expect(out).toHaveResourceWithProperties(IamUser, { name: 'analytics-informatica' });
    expect(out).toHaveResource(IamAccessKey);
    expect(out).not.toHaveResource(IamRole);
    const outputs = parsed(out).output;
    expect(outputs.redshift_analytics_informatica_access_key_id).toMatchObject({ sensitive: true, value: expect.stringMatching(/^\$\{aws_iam_access_key\..*\.id\}$/) });
    expect(outputs.redshift_analytics_informatica_secret_access_key).toMatchObject({ sensitive: true, value: expect.stringMatching(/^\$\{aws_iam_access_key\..*\.secret\}$/) });
  });

  test('the JDBC URL output has ssl=true', () => {
    expect(parsed(synth()).output.redshift_analytics_informatica_jdbc_url.value).toBe(base.jdbcUrl);
  });

  test('client-side encryption: a CMK-encrypted secret written from an ephemeral variable through a write-only argument', () => {
    const out = synth({ clientSideEncryption: true });
    const json = parsed(out);
    expect(out).toHaveResourceWithProperties(SecretsmanagerSecret, { name: 'informatica/analytics/master-symmetric-key', kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\./) });
    expect(out).toHaveResourceWithProperties(SecretsmanagerSecretVersion, {
      secret_string_wo: '${var.informatica_analytics_master_key}',
      secret_string_wo_version: '${var.informatica_analytics_master_key_version}',
    });
    expect(only(out, 'aws_secretsmanager_secret_version')).not.toHaveProperty('secret_string');
    expect(json.variable.informatica_analytics_master_key).toMatchObject({ ephemeral: true, sensitive: true, nullable: false, type: 'string' });
    expect(json.variable.informatica_analytics_master_key).not.toHaveProperty('default');
    expect(json.variable.informatica_analytics_master_key_version).toMatchObject({ default: 1 });
    expect(json.output.redshift_analytics_informatica_master_key_secret_arn.value).toMatch(/^\$\{aws_secretsmanager_secret\./);
  });

  test('client-side encryption with SSE-S3: the secret uses the AWS managed key', () => {
    const out = synth({ clientSideEncryption: true, serverSideEncryption: 's3' });
    expect(only(out, 'aws_secretsmanager_secret')).not.toHaveProperty('kms_key_id');
  });

  test('no client-side encryption: no secret and no variable', () => {
    const out = synth();
    expect(out).not.toHaveResource(SecretsmanagerSecret);
    expect(parsed(out)).not.toHaveProperty('variable');
  });

  test('staged leftovers expire; no versioning, which would keep deleted staging data', () => {
    const out = synth({}, 3);
    expect(only(out, 'aws_s3_bucket_lifecycle_configuration').rule).toEqual([expect.objectContaining({ expiration: [{ days: 3 }], abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }], status: 'Enabled' })]);
    expect(parsed(out).resource).not.toHaveProperty('aws_s3_bucket_versioning');
  });

  test('a provider for another region carries every regional resource, and no IAM resource', () => {
    const out = Testing.synthScope((scope) => {
      const west = new AwsProvider(scope, 'west', { region: 'us-west-2', alias: 'us_west_2' });
      new InformaticaRedshiftConnector(scope, 'informatica', { plan: { ...base, region: 'us-west-2', clientSideEncryption: true }, provider: west });
    });
    const resources = parsed(out).resource;
    for (const type of ['aws_s3_bucket', 'aws_s3_bucket_policy', 'aws_s3_bucket_public_access_block', 'aws_s3_bucket_ownership_controls',
      'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_lifecycle_configuration', 'aws_kms_key', 'aws_kms_alias',
      'aws_secretsmanager_secret', 'aws_secretsmanager_secret_version']) {
      expect([type, Object.values(resources[type])[0].provider]).toEqual([type, 'aws.us_west_2']);
    }
    for (const type of ['aws_iam_role', 'aws_iam_policy', 'aws_iam_instance_profile']) {
      for (const r of Object.values(resources[type])) expect(r).not.toHaveProperty('provider');
    }
  });

  test.each([0, 1.5])('refuses %s days of expiry for staged leftovers', (days) => {
    expect(() => synth({}, days)).toThrow(`InformaticaRedshiftConnector.stagedObjectExpirationDays ${days} must be a whole number of days, at least 1`);
  });
});
