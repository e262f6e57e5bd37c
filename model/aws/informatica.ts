import { accountRootArn, Partition, s3BucketArn } from './partition';
import { PolicyDocument, policyDocument } from './policy-document';

/** Informatica's Redshift connector requirements' minimal S3 permissions, split by the resource they apply to. */
export const STAGING_OBJECT_ACTIONS = ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'] as const;
export const STAGING_BUCKET_ACTIONS = ['s3:ListBucket', 's3:GetBucketPolicy'] as const;

/** What a principal needs to read and write objects under SSE-KMS with a customer key. */
export const KMS_KEY_USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'] as const;

export interface StagingPolicyInput {
  readonly partition: Partition;
  /** The staging bucket's name. */
  readonly bucket: string;
}

/**
 * Informatica's Redshift connector requirements' "minimal Amazon IAM policy": exactly PutObject, GetObject, DeleteObject on
 * the staging objects and ListBucket, GetBucketPolicy on the bucket. Nothing for KMS: with
 * SSE-KMS, Informatica's Redshift connector requirements adds the roles to the key itself, and a same-account key policy that
 * names a principal is enough on its own (stagingKeyPolicy).
 */
export function informaticaStagingPolicy(input: StagingPolicyInput): PolicyDocument {
  const bucketArn = s3BucketArn(input.partition, input.bucket);
  return policyDocument(
    { Sid: 'StagingObjects', Effect: 'Allow', Action: [...STAGING_OBJECT_ACTIONS], Resource: `${bucketArn}/*` },
    { Sid: 'StagingBucket', Effect: 'Allow', Action: [...STAGING_BUCKET_ACTIONS], Resource: bucketArn },
  );
}

/** Bucket policy refusing every request that does not arrive over TLS. */
export function tlsOnlyBucketPolicy(partition: Partition, bucket: string): PolicyDocument {
  const bucketArn = s3BucketArn(partition, bucket);
  return policyDocument({
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
}

export interface StagingKeyPolicyInput {
  readonly partition: Partition;
  readonly accountId: string;
  /**
   * Principals that use the key. Informatica's Redshift connector requirements: "add IAM EC2 role and IAM Redshift role to the
   * customer master key" (IAM authentication); the IAM user in access-key mode.
   */
  readonly keyUsers: readonly string[];
}

/**
 * Key policy of the staging key. The account root statement is AWS's default key policy:
 * it lets IAM policies in the account manage the key, without which a key can become
 * unmanageable. Resource "*" in a key policy means this key only.
 */
export function stagingKeyPolicy(input: StagingKeyPolicyInput): PolicyDocument {
  if (input.keyUsers.length === 0) throw new Error('stagingKeyPolicy.keyUsers must name at least one principal');
  return policyDocument(
    { Sid: 'AccountAdministration', Effect: 'Allow', Principal: { AWS: accountRootArn(input.partition, input.accountId) }, Action: 'kms:*', Resource: '*' },
    { Sid: 'InformaticaKeyUse', Effect: 'Allow', Principal: { AWS: [...input.keyUsers] }, Action: [...KMS_KEY_USE_ACTIONS], Resource: '*' },
  );
}

/** Informatica's Redshift connector requirements: the JDBC URL of the connection, with `ssl=true`. */
export function redshiftJdbcUrl(endpoint: string, port: number, database: string): string {
  return `jdbc:redshift://${endpoint}:${port}/${database}?ssl=true`;
}
