import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { Fn, ref, TerraformProvider, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { InformaticaNames, informaticaNames } from '../../model/aws/access-plan';
import { informaticaStagingPolicy, stagingKeyPolicy, tlsOnlyBucketPolicy } from '../../model/aws/informatica';
import { outputName } from '../../model/aws/names';
import { S3_BUCKET_NAME } from '../../estate/names';
import { partitionOf, servicePrincipal } from '../../model/aws/partition';
import { policyJson } from '../../model/aws/policy-document';
import { serviceTrustPolicy } from '../../model/aws/trust';
import { AccessKeyUser } from './access-key-user';
import { namedOutput } from './outputs';
import { PolicyAttachedRole } from './policy-attached-role';
import { check, checkAccountId, checkOwnerId, checkPattern, checkRegion } from './validation';

/** Informatica's Redshift connector requirements' JDBC URL form. */
const JDBC_URL_PATTERN = /^jdbc:redshift:\/\/[A-Za-z0-9.-]+:\d{1,5}\/[a-z_][a-z0-9_$]*\?ssl=true$/;
/** `openssl rand -base64 32`: a 256-bit AES key in Base64, what Informatica's Master Symmetric Key field takes. */
const MASTER_KEY_PATTERN = '^[A-Za-z0-9+/]{43}=$';

export interface InformaticaRedshiftConnectorProps {
  /** Identifier of the cluster; names the IAM objects, key alias, secret, variables and outputs. */
  readonly clusterId: string;
  /** The cluster's region: Informatica's Redshift connector requirements requires the bucket there, and the key and secret follow the bucket. */
  readonly region: string;
  /** Account that owns the bucket and key: the key policy's administrator. */
  readonly accountId: string;
  /** Name of the staging bucket (globally unique). */
  readonly stagingBucket: string;
  /** Informatica's Redshift connector requirements: `access-key` creates an IAM user and access key; `iam` an EC2 role with instance profile for the Secure Agent and a Redshift role. */
  readonly authentication: 'access-key' | 'iam';
  /** `kms`: SSE-KMS with a customer managed key made here; `s3`: SSE-S3 (AES256). */
  readonly serverSideEncryption: 'kms' | 's3';
  /** Informatica's Redshift connector requirements: a Secrets Manager secret for the client-side master symmetric key. */
  readonly clientSideEncryption: boolean;
  /** The connection's JDBC URL, `jdbc:redshift://<endpoint>:<port>/<database>?ssl=true` (Informatica's Redshift connector requirements). */
  readonly jdbcUrl: string;
  /**
   * Names of the IAM objects, key alias and secret.
   * @default informaticaNames(clusterId)
   */
  readonly names?: InformaticaNames;
  /**
   * Days after which staged objects a failed session left behind expire.
   * @default 7
   */
  readonly stagedObjectExpirationDays?: number;
  /**
   * Provider for the regional resources (bucket, key, secret) when `region` is not the
   * stack's default provider's region.
   * @default the stack's default aws provider
   */
  readonly provider?: TerraformProvider;
}

/**
 * Informatica's Redshift connector requirements: everything the Informatica Amazon Redshift connector needs on the AWS side:
 * the S3 staging bucket (public access blocked, bucket owner enforced, TLS only, default
 * encryption), the minimal IAM policy, the identities of the chosen authentication mode,
 * the customer managed key with those identities in its key policy, and the secret for
 * the client-side master symmetric key.
 */
export class InformaticaRedshiftConnector extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: IamPolicy;
  /** The customer managed key, with `serverSideEncryption: 'kms'`. */
  readonly key?: KmsKey;
  /** The role for AWS_IAM_ROLE in COPY/UNLOAD, with `authentication: 'iam'`; associate it with the cluster. */
  readonly redshiftRole?: IamRole;
  /** The Secure Agent's EC2 role, with `authentication: 'iam'`. */
  readonly agentRole?: IamRole;
  /** The secret of the master symmetric key, with `clientSideEncryption`. */
  readonly masterKeySecret?: SecretsmanagerSecret;
  /** The ephemeral variable carrying the master symmetric key, with `clientSideEncryption`. */
  readonly masterKeyVariable?: TerraformVariable;

  constructor(scope: Construct, id: string, props: InformaticaRedshiftConnectorProps) {
    super(scope, id);
    const name = 'InformaticaRedshiftConnector';
    checkOwnerId(name, 'clusterId', props.clusterId);
    checkRegion(name, 'region', props.region);
    checkAccountId(name, 'accountId', props.accountId);
    checkPattern(name, 'stagingBucket', props.stagingBucket, S3_BUCKET_NAME.pattern, S3_BUCKET_NAME.rule);
    checkPattern(name, 'jdbcUrl', props.jdbcUrl, JDBC_URL_PATTERN, 'must be jdbc:redshift://<endpoint>:<port>/<database>?ssl=true (Informatica\'s Redshift connector requirements)');
    check(['access-key', 'iam'].includes(props.authentication), name, 'authentication', 'must be access-key or iam (Informatica\'s Redshift connector requirements)');
    check(['kms', 's3'].includes(props.serverSideEncryption), name, 'serverSideEncryption', 'must be kms or s3');
    const expiration = props.stagedObjectExpirationDays ?? 7;
    check(Number.isInteger(expiration) && expiration >= 1, name, 'stagedObjectExpirationDays', 'must be a whole number of days, at least 1');
    const names = props.names ?? informaticaNames(props.clusterId);
    const partition = partitionOf(props.region);
    const regional = { provider: props.provider };
    const prefix = outputName('redshift', props.clusterId, 'informatica');
    const out = (what: string) => `${prefix}_${what}`;

    this.bucket = new S3Bucket(this, 'bucket', { ...regional, bucket: props.stagingBucket });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      ...regional,
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { ...regional, bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    // S3 rejects a bucket policy written while the public access block is being set.
    new S3BucketPolicy(this, 'tls-only', { ...regional, bucket: this.bucket.id, policy: policyJson(tlsOnlyBucketPolicy(partition, props.stagingBucket)), dependsOn: [publicAccess] });
    // No versioning: staged data is transient, and with versioning the connector's
    // DeleteObject would only hide it (docs/aws-access-plane.md).
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      ...regional,
      bucket: this.bucket.id,
      rule: [{
        id: 'expire-staging-leftovers',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        expiration: [{ days: expiration }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
      }],
    });

    if (props.serverSideEncryption === 'kms') {
      this.key = new KmsKey(this, 'key', {
        ...regional,
        description: `Informatica staging bucket ${props.stagingBucket} of Redshift cluster ${props.clusterId} (Informatica's Redshift connector requirements)`,
        enableKeyRotation: true,
      });
      new KmsAlias(this, 'key-alias', { ...regional, name: `alias/${names.keyAlias}`, targetKeyId: this.key.keyId });
    }
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      ...regional,
      bucket: this.bucket.id,
      rule: [{
        applyServerSideEncryptionByDefault: this.key
          ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key.arn }
          : { sseAlgorithm: 'AES256' },
        // Bucket keys cut KMS requests (and cost) per object; meaningless for SSE-S3.
        bucketKeyEnabled: this.key ? true : undefined,
      }],
    });

    this.policy = new IamPolicy(this, 'policy', {
      name: names.policy,
      description: `Minimal policy of the Informatica Amazon Redshift connector for staging bucket ${props.stagingBucket} (Informatica's Redshift connector requirements)`,
      policy: policyJson(informaticaStagingPolicy({ partition, bucket: props.stagingBucket })),
    });

    let keyUsers: string[];
    if (props.authentication === 'iam') {
      const role = (id: string, roleName: string, service: string, description: string) =>
        new PolicyAttachedRole(this, id, { roleName, trustPolicy: serviceTrustPolicy(servicePrincipal(service)), policyArn: this.policy.arn, description }).role;
      this.agentRole = role('agent', names.agentRole, 'ec2', `EC2 role of the Informatica Secure Agent for Redshift cluster ${props.clusterId} (Informatica's Redshift connector requirements)`);
      this.redshiftRole = role('redshift', names.redshiftRole, 'redshift', `Redshift role for Informatica COPY/UNLOAD on cluster ${props.clusterId} (Informatica's Redshift connector requirements)`);
      const profile = new IamInstanceProfile(this, 'agent-profile', { name: names.agentRole, role: this.agentRole.name });
      keyUsers = [this.agentRole.arn, this.redshiftRole.arn];
      namedOutput(this, out('agent_role_arn'), this.agentRole.arn, 'EC2 role of the Secure Agent (Informatica\'s Redshift connector requirements, IAM authentication)');
      namedOutput(this, out('agent_instance_profile'), profile.name, 'Instance profile to assign to the Secure Agent EC2 instance (Informatica\'s Redshift connector requirements, IAM authentication)');
      namedOutput(this, out('redshift_role_arn'), this.redshiftRole.arn, 'Redshift Role ARN for AWS_IAM_ROLE in UNLOAD and COPY (Informatica\'s Redshift connector requirements, IAM authentication)');
    } else {
      const user = new AccessKeyUser(this, 'user', {
        userName: names.user,
        policyArn: this.policy.arn,
        outputPrefix: prefix,
        purpose: `the Informatica Amazon Redshift connection of cluster ${props.clusterId} (Informatica's Redshift connector requirements)`,
      });
      keyUsers = [user.user.arn];
    }
    if (this.key) {
      // Informatica's Redshift connector requirements: the EC2 and Redshift roles (or the user) must be in the key's policy.
      this.key.policy = policyJson(stagingKeyPolicy({ partition, accountId: props.accountId, keyUsers }));
      namedOutput(this, out('kms_key_arn'), this.key.arn, 'Customer managed key of the staging bucket (Informatica\'s Redshift connector requirements, server-side encryption)');
    }

    if (props.clientSideEncryption) {
      const variable = (id: string) => outputName('informatica', props.clusterId, id);
      this.masterKeyVariable = new TerraformVariable(this, 'master-key', {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: `Client-side master symmetric key of the Informatica connection for cluster ${props.clusterId}: a 256-bit AES key in Base64 (openssl rand -base64 32). Written to Secrets Manager through a write-only argument, only when the version variable changes; never in state or plan files. Every run needs a value: docs/aws-informatica-master-key.md.`,
        validation: [{
          condition: Token.asString(Fn.can(Fn.regex(MASTER_KEY_PATTERN, Token.asString(ref(`var.${variable('master_key')}`))))),
          errorMessage: 'The master symmetric key must be 32 random bytes in Base64 (44 characters ending in =), as printed by `openssl rand -base64 32`.',
        }],
      });
      this.masterKeyVariable.overrideLogicalId(variable('master_key'));
      // cdktf 0.21 predates ephemeral variables (Terraform 1.10).
      this.masterKeyVariable.addOverride('ephemeral', true);
      const version = new TerraformVariable(this, 'master-key-version', {
        type: 'number',
        default: 1,
        nullable: false,
        description: `Increase to write a new value of ${variable('master_key')} to the secret (write-only arguments change only with their version).`,
      });
      version.overrideLogicalId(variable('master_key_version'));
      this.masterKeySecret = new SecretsmanagerSecret(this, 'master-key-secret', {
        ...regional,
        name: names.secret,
        description: `Client-side encryption master symmetric key of the Informatica connection for Redshift cluster ${props.clusterId} (Informatica's Redshift connector requirements)`,
        kmsKeyId: this.key?.arn,
      });
      new SecretsmanagerSecretVersion(this, 'master-key-value', {
        ...regional,
        secretId: this.masterKeySecret.id,
        secretStringWo: this.masterKeyVariable.stringValue,
        secretStringWoVersion: version.numberValue,
      });
      namedOutput(this, out('master_key_secret_arn'), this.masterKeySecret.arn, 'Secret holding the client-side master symmetric key (Informatica\'s Redshift connector requirements, client-side encryption)');
    }

    namedOutput(this, out('staging_bucket'), this.bucket.bucket, 'S3 staging bucket of the Informatica Amazon Redshift connection (Informatica\'s Redshift connector requirements)');
    namedOutput(this, out('jdbc_url'), props.jdbcUrl, 'JDBC URL of the Informatica Amazon Redshift connection, with ssl=true (Informatica\'s Redshift connector requirements)');
  }
}
