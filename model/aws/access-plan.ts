import { Environment, InformaticaSpec } from '../../estate/schema';
import { assertPostgresServer } from '../postgres/checks';
import { redshiftJdbcUrl } from './informatica';
import { boundedName, IAM_POLICY_NAME_MAX, IAM_ROLE_NAME_MAX, IAM_USER_NAME_MAX } from './names';
import { Partition, partitionOf } from './partition';

/**
 * The AWS access plane of one environment as plain data: which IAM, KMS and S3 objects
 * exist, under which names, in which region. The stack only turns this into constructs.
 */
export interface AwsAccessPlan {
  readonly envName: string;
  readonly accountId: string;
  /** The environment's region: the default provider's. */
  readonly region: string;
  readonly partition: Partition;
  /** Other regions that hold regional resources (buckets, keys, role associations), sorted. */
  readonly extraRegions: readonly string[];
  readonly clusters: readonly ClusterAccessPlan[];
  readonly rdsIamAccess: readonly RdsIamAccessPlan[];
}

export interface ClusterAccessPlan {
  readonly clusterId: string;
  readonly region: string;
  readonly serviceRole?: ServiceRolePlan;
  readonly informatica?: InformaticaPlan;
  /** IAM role names to associate with the cluster, sorted; empty when the estate does not manage the list. */
  readonly associatedRoleNames: readonly string[];
}

/** The Redshift IAM role guide: the role Redshift assumes for one cluster. IAM is global: no region. */
export interface ServiceRolePlan {
  /** Identifier of the cluster the role serves; names the output. */
  readonly clusterId: string;
  /** Partition of the environment's account: the managed policy ARNs differ between aws, aws-cn and aws-us-gov. */
  readonly partition: Partition;
  /** IAM role name, unique in the account; the Redshift IAM role guide's example is RedshiftCopyUnload. */
  readonly roleName: string;
  /**
   * Only Redshift in these regions may assume the role (`redshift.REGION.amazonaws.com`).
   * @default every region (`redshift.amazonaws.com`)
   */
  readonly regions?: readonly string[];
  /**
   * Only these database users may use the role (`sts:ExternalId` condition).
   * @default every user of every cluster the role is associated with
   */
  readonly dbUserArns?: readonly string[];
  /** AWS managed policies to attach, by name or path/name (the estate's default is the guide's two). */
  readonly managedPolicies: readonly string[];
}

/** Informatica's Redshift connector requirements for one cluster. */
export interface InformaticaPlan {
  /** Identifier of the cluster; names the IAM objects, key alias, secret, variables and outputs. */
  readonly clusterId: string;
  /** The cluster's region: the bucket must be there, and the key and secret follow the bucket. */
  readonly region: string;
  /** Account that owns the bucket and key: the key policy's administrator. */
  readonly accountId: string;
  readonly partition: Partition;
  /** The staging bucket the stack creates (globally unique). */
  readonly stagingBucket: string;
  /** `access-key`: an IAM user and access key; `iam`: an EC2 role with instance profile for the Secure Agent and a Redshift role. */
  readonly authentication: InformaticaSpec['authentication'];
  /** `kms`: SSE-KMS with a customer managed key made here; `s3`: SSE-S3 (AES256). */
  readonly serverSideEncryption: InformaticaSpec['serverSideEncryption'];
  /** A Secrets Manager secret for the client-side master symmetric key. */
  readonly clientSideEncryption: boolean;
  /** `jdbc:redshift://<endpoint>:<port>/<database>?ssl=true`. */
  readonly jdbcUrl: string;
  readonly names: InformaticaNames;
}

/** Immuta's PostgreSQL requirements, for RDS/Aurora servers whose Immuta connection authenticates through IAM. */
export interface RdsIamAccessPlan {
  /** Identifier of the PostgreSQL server in the estate; names the outputs. */
  readonly serverId: string;
  /** Region of the RDS instance or Aurora cluster. */
  readonly region: string;
  /** Account of the database. */
  readonly accountId: string;
  readonly partition: Partition;
  /** DbiResourceId of the instance (db-...) or cluster (cluster-...). */
  readonly resourceId: string;
  /** The database user Immuta logs in as (the estate's systemRole); it needs the rds_iam role in PostgreSQL. */
  readonly dbUsername: string;
  readonly authentication: RdsIamAuthentication;
  /** Name of the customer managed policy allowing rds-db:connect. */
  readonly policyName: string;
}

export type RdsIamAuthentication =
  /** Immuta's PostgreSQL requirements: the role is named as the database user, because Immuta's Username field takes the role name. */
  | { readonly type: 'aws-assumed-role'; readonly roleName: string; readonly immutaAwsAccountId: string; readonly externalId: string }
  | { readonly type: 'aws-access-key'; readonly userName: string };

export interface InformaticaNames {
  /** EC2 role and instance profile of the Secure Agent (IAM authentication). */
  readonly agentRole: string;
  /** Role the cluster uses for COPY/UNLOAD (IAM authentication). */
  readonly redshiftRole: string;
  /** IAM user (access-key authentication). */
  readonly user: string;
  /** The minimal staging policy. */
  readonly policy: string;
  /** KMS alias of the staging key, without the `alias/` prefix. */
  readonly keyAlias: string;
  /** Secrets Manager name of the client-side master symmetric key. */
  readonly secret: string;
}

export function informaticaNames(clusterId: string): InformaticaNames {
  return {
    agentRole: boundedName([clusterId, 'informatica-agent'], IAM_ROLE_NAME_MAX),
    redshiftRole: boundedName([clusterId, 'informatica-redshift'], IAM_ROLE_NAME_MAX),
    user: boundedName([clusterId, 'informatica'], IAM_USER_NAME_MAX),
    policy: boundedName([clusterId, 'informatica-staging'], IAM_POLICY_NAME_MAX),
    keyAlias: `${clusterId}-informatica-staging`,
    secret: `informatica/${clusterId}/master-symmetric-key`,
  };
}

export function rdsConnectPolicyName(serverId: string): string {
  return boundedName([serverId, 'immuta-rds-connect'], IAM_POLICY_NAME_MAX);
}

export function immutaAccessKeyUserName(serverId: string): string {
  return boundedName([serverId, 'immuta'], IAM_USER_NAME_MAX);
}

export function planAwsAccess(envName: string, env: Environment): AwsAccessPlan {
  const at = `environments.${envName}`;
  const partition = partitionOf(env.aws.region);
  const clusters = env.redshift.map((c): ClusterAccessPlan => {
    const region = c.region ?? env.aws.region;
    const serviceRole = c.serviceRole && {
      clusterId: c.id,
      partition,
      roleName: c.serviceRole.name,
      regions: c.serviceRole.regions,
      dbUserArns: c.serviceRole.dbUserArns,
      managedPolicies: c.serviceRole.managedPolicies,
    };
    let informatica: InformaticaPlan | undefined;
    if (c.informatica) {
      const inf = c.informatica;
      const n = informaticaNames(c.id);
      informatica = {
        clusterId: c.id,
        region,
        accountId: env.aws.accountId,
        partition,
        stagingBucket: inf.stagingBucket,
        authentication: inf.authentication,
        serverSideEncryption: inf.serverSideEncryption,
        clientSideEncryption: inf.clientSideEncryption,
        jdbcUrl: redshiftJdbcUrl(c.endpoint, c.port, c.database),
        names: n,
      };
    }
    const associated = [serviceRole?.roleName, informatica?.authentication === 'iam' ? informatica.names.redshiftRole : undefined]
      .filter((n): n is string => n !== undefined)
      .sort();
    return { clusterId: c.id, region, serviceRole, informatica, associatedRoleNames: c.manageIamRoles ? associated : [] };
  });

  const rdsIamAccess = env.postgres.flatMap((s, i): RdsIamAccessPlan[] => {
    const im = s.immuta;
    if (!im || im.authentication === 'password') return [];
    const field = `${at}.postgres[${i}]`;
    // A server built in code meets the same rules, in the same words, as when its own plan checks it.
    assertPostgresServer(s, `postgres server ${s.id}`);
    let authentication: RdsIamAuthentication;
    if (im.authentication === 'aws-assumed-role') {
      authentication = {
        type: 'aws-assumed-role',
        roleName: im.systemRole,
        immutaAwsAccountId: validated(im.immutaAwsAccountId, `${field}.immuta.immutaAwsAccountId`),
        externalId: validated(im.externalId, `${field}.immuta.externalId`),
      };
    } else {
      authentication = { type: 'aws-access-key', userName: immutaAccessKeyUserName(s.id) };
    }
    return [{
      serverId: s.id,
      region: s.region ?? env.aws.region,
      accountId: env.aws.accountId,
      partition,
      resourceId: s.resourceId!,
      dbUsername: im.systemRole,
      authentication,
      policyName: rdsConnectPolicyName(s.id),
    }];
  });

  const regional = clusters.filter((c) => c.informatica || c.associatedRoleNames.length > 0).map((c) => c.region);
  const extraRegions = [...new Set(regional)].filter((r) => r !== env.aws.region).sort();
  return { envName, accountId: env.aws.accountId, region: env.aws.region, partition, extraRegions, clusters, rdsIamAccess };
}

/**
 * A field the estate's consistency rules require in this case (estate/consistency.ts says
 * why, to the user); reaching the plan without it means the estate was not validated.
 */
function validated<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new Error(`${field} is missing: planAwsAccess takes a validated estate (estate/load.ts)`);
  return value;
}

/** An AWS name the access plane creates, the estate field it comes from, and where it must be unique. */
export interface AwsName {
  readonly kind: 'IAM role' | 'IAM user' | 'IAM policy' | 'S3 bucket' | 'KMS alias' | 'secret';
  readonly name: string;
  readonly field: string;
  /** IAM names are per account; buckets are global; aliases and secrets per account and region. */
  readonly scope: 'global' | 'account' | 'region';
  readonly region: string;
}

/**
 * Every AWS name an environment's access plane creates, from the same naming functions the
 * plan uses. The estate's consistency rules compare them within and across environments.
 */
export function awsNamesOf(envName: string, env: Environment, indexOf: (item: object, position: number) => number = (_, i) => i): AwsName[] {
  const at = `environments.${envName}`;
  const names: AwsName[] = [];
  const add = (kind: AwsName['kind'], name: string, field: string, region: string) =>
    names.push({ kind, name, field, region, scope: kind === 'S3 bucket' ? 'global' : kind.startsWith('IAM') ? 'account' : 'region' });
  env.redshift.forEach((c, i) => {
    const field = `${at}.redshift[${indexOf(c, i)}]`;
    const region = c.region ?? env.aws.region;
    if (c.serviceRole) add('IAM role', c.serviceRole.name, `${field}.serviceRole.name`, region);
    const inf = c.informatica;
    if (!inf) return;
    const n = informaticaNames(c.id);
    add('S3 bucket', inf.stagingBucket, `${field}.informatica.stagingBucket`, region);
    add('IAM policy', n.policy, `${field}.id`, region);
    if (inf.authentication === 'iam') {
      add('IAM role', n.agentRole, `${field}.id`, region);
      add('IAM role', n.redshiftRole, `${field}.id`, region);
    } else {
      add('IAM user', n.user, `${field}.id`, region);
    }
    if (inf.serverSideEncryption === 'kms') add('KMS alias', n.keyAlias, `${field}.id`, region);
    if (inf.clientSideEncryption) add('secret', n.secret, `${field}.id`, region);
  });
  env.postgres.forEach((s, i) => {
    const im = s.immuta;
    if (!im || im.authentication === 'password') return;
    const field = `${at}.postgres[${indexOf(s, i)}]`;
    const region = s.region ?? env.aws.region;
    if (im.authentication === 'aws-assumed-role') add('IAM role', im.systemRole, `${field}.immuta.systemRole`, region);
    else add('IAM user', immutaAccessKeyUserName(s.id), `${field}.id`, region);
    add('IAM policy', rdsConnectPolicyName(s.id), `${field}.id`, region);
  });
  return names;
}
