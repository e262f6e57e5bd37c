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
import { InformaticaPlan } from '../../model/aws/access-plan';
import { informaticaStagingPolicy, stagingKeyPolicy, tlsOnlyBucketPolicy } from '../../model/aws/informatica';
import { servicePrincipal } from '../../model/aws/partition';
import { policyJson } from '../../model/aws/policy-document';
import { serviceTrustPolicy } from '../../model/aws/trust';
import { terraformName } from '../../model/terraform-names';
import { AccessKeyUser } from './private/access-key-user';
import { namedOutput } from './private/outputs';
import { PolicyAttachedRole } from './private/policy-attached-role';

/** `openssl rand -base64 32`: a 256-bit AES key in Base64, what Informatica's Master Symmetric Key field takes. */
const MASTER_KEY_PATTERN = '^[A-Za-z0-9+/]{43}=$';

export interface InformaticaRedshiftConnectorProps {
  /** The cluster's Informatica plan (model/aws/access-plan.ts), from a validated estate. */
  readonly plan: InformaticaPlan;
  /**
   * Days after which staged objects a failed session left behind expire.
   * @default 7
   */
  readonly stagedObjectExpirationDays?: number;
  /**
   * Provider for the regional resources (bucket, key, secret) when the plan's region is not
   * the stack's default provider's region.
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
    const { plan } = props;
    const { names, partition } = plan;
    const expiration = props.stagedObjectExpirationDays ?? 7;
    if (!Number.isInteger(expiration) || expiration < 1) throw new Error(`InformaticaRedshiftConnector.stagedObjectExpirationDays ${expiration} must be a whole number of days, at least 1`);
    const regional = { provider: props.provider };
    const prefix = terraformName('redshift', plan.clusterId, 'informatica');
    const out = (what: string) => `${prefix}_${what}`;

    this.bucket = new S3Bucket(this, 'bucket', { ...regional, bucket: plan.stagingBucket });
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
    new S3BucketPolicy(this, 'tls-only', { ...regional, bucket: this.bucket.id, policy: policyJson(tlsOnlyBucketPolicy(partition, plan.stagingBucket)), dependsOn: [publicAccess] });
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

    if (plan.serverSideEncryption === 'kms') {
      this.key = new KmsKey(this, 'key', {
        ...regional,
        description: `Informatica staging bucket ${plan.stagingBucket} of Redshift cluster ${plan.clusterId} (Informatica's Redshift connector requirements)`,
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
      description: `Minimal policy of the Informatica Amazon Redshift connector for staging bucket ${plan.stagingBucket} (Informatica's Redshift connector requirements)`,
      policy: policyJson(informaticaStagingPolicy({ partition, bucket: plan.stagingBucket })),
    });

    let keyUsers: string[];
    if (plan.authentication === 'iam') {
      const role = (id: string, roleName: string, service: string, description: string) =>
        new PolicyAttachedRole(this, id, { roleName, trustPolicy: serviceTrustPolicy(servicePrincipal(service)), policyArn: this.policy.arn, description }).role;
      this.agentRole = role('agent', names.agentRole, 'ec2', `EC2 role of the Informatica Secure Agent for Redshift cluster ${plan.clusterId} (Informatica's Redshift connector requirements)`);
      this.redshiftRole = role('redshift', names.redshiftRole, 'redshift', `Redshift role for Informatica COPY/UNLOAD on cluster ${plan.clusterId} (Informatica's Redshift connector requirements)`);
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
        purpose: `the Informatica Amazon Redshift connection of cluster ${plan.clusterId} (Informatica's Redshift connector requirements)`,
      });
      keyUsers = [user.user.arn];
    }
    if (this.key) {
      // Informatica's Redshift connector requirements: the EC2 and Redshift roles (or the user) must be in the key's policy.
      this.key.policy = policyJson(stagingKeyPolicy({ partition, accountId: plan.accountId, keyUsers }));
      namedOutput(this, out('kms_key_arn'), this.key.arn, 'Customer managed key of the staging bucket (Informatica\'s Redshift connector requirements, server-side encryption)');
    }

    if (plan.clientSideEncryption) {
      const variable = (id: string) => terraformName('informatica', plan.clusterId, id);
      this.masterKeyVariable = new TerraformVariable(this, 'master-key', {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: `Client-side master symmetric key of the Informatica connection for cluster ${plan.clusterId}: a 256-bit AES key in Base64 (openssl rand -base64 32). Written to Secrets Manager through a write-only argument, only when the version variable changes; never in state or plan files. Every run needs a value: docs/aws-informatica-master-key.md.`,
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
        description: `Client-side encryption master symmetric key of the Informatica connection for Redshift cluster ${plan.clusterId} (Informatica's Redshift connector requirements)`,
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
    namedOutput(this, out('jdbc_url'), plan.jdbcUrl, 'JDBC URL of the Informatica Amazon Redshift connection, with ssl=true (Informatica\'s Redshift connector requirements)');
  }
}
