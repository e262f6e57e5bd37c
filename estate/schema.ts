import { z } from 'zod';
import { CLUSTER_ID_PATTERN, REGION_PATTERN, roleName, sqlIdentifier } from './names';
import {
  IMMUTA_RESTRICTED_WORDS,
  INFORMATICA_REGIONS,
  REDSHIFT_SERVICE_ROLE_DEFAULT_POLICIES,
  SUPPORTED_POSTGRES_MAJOR_VERSIONS,
} from './rules';

/**
 * The estate file: one definition gives both the validation and the TypeScript types.
 * Every object is strict, so a misspelt field is an error that names it rather than a
 * setting silently ignored. Rules that compare fields with each other live in
 * `crossFieldRules` at the bottom.
 */

const region = (what: string) =>
  z.string().regex(REGION_PATTERN, `${what} must be an AWS region code such as us-east-1`);

const accountId = z.string({ invalid_type_error: 'must be a string of 12 digits (quote it in YAML)' })
  .regex(/^\d{12}$/, 'must be an AWS account id of exactly 12 digits');

const hostname = z.string().regex(
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i,
  'must be a DNS host name (letters, digits, hyphens and dots)',
);
const port = z.number().int().min(1).max(65535);

/** Seeds 000 and 001: the Immuta connection display name. */
const displayName = z
  .string()
  .min(1, 'must not be empty')
  .max(255)
  .refine((s) => !s.includes('.'), { message: 'must not contain a period (.) (Immuta, seeds 000/001)' })
  .refine((s) => !IMMUTA_RESTRICTED_WORDS.includes(s.trim().toLowerCase()), {
    message: `must not be an Immuta restricted word (${IMMUTA_RESTRICTED_WORDS.join(', ')}) (seeds 000/001)`,
  })
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'must not contain control characters' });

/** AWS names: IAM roles, users and policies share this alphabet. */
const iamName = z.string().regex(/^[A-Za-z0-9+=,.@_-]{1,64}$/, 'must be an IAM name: 1-64 of letters, digits and +=,.@_-');

const s3BucketName = z.string().regex(
  /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  'must be an S3 bucket name: 3-63 lower-case letters, digits and hyphens, no dots (dots break TLS virtual-host addressing)',
);

/** Seed 003: arn:aws:redshift:region:account-id:dbuser:cluster-name/user-name */
export const DBUSER_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov):redshift:([a-z0-9-]+):(\d{12}):dbuser:([a-z][a-z0-9-]{0,62})\/([a-z_][a-z0-9_$.@+-]{0,127})$/;
const dbUserArn = z.string().regex(
  DBUSER_ARN_PATTERN,
  'must be a database-user ARN of the form arn:aws:redshift:region:account-id:dbuser:cluster-name/user-name (seed 003)',
);

const managedPolicyName = z.string().regex(/^[A-Za-z0-9+=,.@_/-]{1,128}$/, 'must be an AWS managed policy name or path/name');

const immutaUser = z.string().min(1).max(320).refine((s) => !/[\u0000-\u001f\u007f]/.test(s), {
  message: 'must not contain control characters',
});

/** A protected database: its schemas, and optionally the exact tables of each schema. */
const protectedSchema = z.union([
  sqlIdentifier('schema name'),
  z.object({
    name: sqlIdentifier('schema name'),
    /** Omitted: every table of the schema, now and later. */
    tables: z.array(sqlIdentifier('table name')).min(1).optional(),
  }).strict(),
]).transform((s) => (typeof s === 'string' ? { name: s } : s));
const protectedDatabase = z.object({
  database: sqlIdentifier('database name'),
  schemas: z.array(protectedSchema).min(1, 'must list at least one schema'),
  /**
   * Roles that create tables in these schemas. Default privileges are per creating role,
   * so tables created later are covered only when their creator is listed here.
   * Default: the admin login the stack connects as.
   */
  tableOwners: z.array(sqlIdentifier('table owner')).min(1).optional(),
}).strict();

// ---------------------------------------------------------------- Redshift

const redshiftServiceRole = z.object({
  /** IAM role name; seed 003's example is RedshiftCopyUnload. */
  name: iamName.default('RedshiftCopyUnload'),
  /** Seed 003: only these regions' Redshift may assume the role (redshift.REGION.amazonaws.com). */
  regions: z.array(region('serviceRole.regions[]')).min(1).optional(),
  /** Seed 003: only these database users may use the role (sts:ExternalId condition). */
  dbUserArns: z.array(dbUserArn).min(1).optional(),
  /** Managed policies to attach; seed 003 names AmazonS3ReadOnlyAccess and AWSGlueConsoleFullAccess. */
  managedPolicies: z.array(managedPolicyName).default([...REDSHIFT_SERVICE_ROLE_DEFAULT_POLICIES]),
}).strict();

const redshiftImmuta = z.object({
  displayName,
  /** The dedicated database Immuta connects to (seed 000). */
  database: sqlIdentifier('immuta.database').default('immuta'),
  /** The Immuta system account. */
  systemUser: roleName('immuta.systemUser').default('immuta_system'),
  /** password: from the sensitive variable; iam: no password, Immuta gets IAM credentials. */
  authentication: z.enum(['password', 'iam']).default('password'),
  protect: z.array(protectedDatabase).min(1, 'must list at least one protected database'),
  /** Users granted the immuta_exemption role (seed 000). */
  exemptUsers: z.array(roleName('exempt user')).default([]),
  /** Seed 000: Immuta user to Redshift username. */
  userMappings: z.array(z.object({ immutaUser, redshiftUser: roleName('redshiftUser') }).strict()).default([]),
  /**
   * Consent to drop the Immuta database, the system user and the roles this block creates
   * when they leave the estate (rename, removal, destroy). Without it they refuse to be destroyed.
   */
  allowDestroy: z.boolean().default(false),
}).strict();

const informatica = z.object({
  /** Seed 002: access-key (IAM user) or iam (EC2 role for the Secure Agent + Redshift role). */
  authentication: z.enum(['access-key', 'iam']).default('iam'),
  stagingBucket: s3BucketName,
  /** Seed 002: the bucket must be in the cluster's region; defaults to it. */
  stagingRegion: region('informatica.stagingRegion').optional(),
  /** Seed 002: encrypt the staging bucket with a customer-managed KMS key. */
  serverSideEncryption: z.enum(['kms', 's3']).default('kms'),
  /** Seed 002: a Secrets Manager secret holds the client-side master symmetric key. */
  clientSideEncryption: z.boolean().default(false),
  /** Seed 002: TEMP on the database is revoked from PUBLIC and granted to these only. */
  temp: z.object({
    database: sqlIdentifier('informatica.temp.database'),
    users: z.array(roleName('TEMP user')).default([]),
    groups: z.array(roleName('TEMP group')).default([]),
  }).strict().optional(),
  /** The connector's own database user, if the estate manages it. */
  connectorUser: z.object({
    name: roleName('informatica.connectorUser.name'),
    /** Schemas the connector reads and writes, as database.schema. */
    schemas: z.array(z.object({ database: sqlIdentifier('database name'), schema: sqlIdentifier('schema name') }).strict()).min(1),
    /** Consent to drop this user when it leaves the estate; without it the user refuses to be destroyed. */
    allowDestroy: z.boolean().default(false),
  }).strict().optional(),
}).strict();

const redshiftAdmin = z.union([
  z.object({ dbUser: roleName('admin.dbUser') }).strict(),
  z.object({ secretArn: z.string().regex(/^arn:(aws|aws-cn|aws-us-gov):secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, 'must be a Secrets Manager secret ARN') }).strict(),
]);

const redshiftCluster = z.object({
  /** Cluster identifier. */
  id: z.string().regex(CLUSTER_ID_PATTERN, 'must be a Redshift cluster identifier: lower-case letters, digits and hyphens, starting with a letter'),
  region: region('region').optional(),
  endpoint: hostname,
  port: port.default(5439),
  /** The database the admin connection and the JDBC URL use. */
  database: sqlIdentifier('database').default('dev'),
  /** How the Data API authenticates the statements the Redshift plane runs. */
  admin: redshiftAdmin.default({ dbUser: 'awsuser' }),
  /**
   * Manage the cluster's IAM role list (aws_redshift_cluster_iam_roles). That resource owns
   * the whole list: set false when the cluster's own Terraform sets iam_roles.
   */
  manageIamRoles: z.boolean().default(true),
  serviceRole: redshiftServiceRole.optional(),
  immuta: redshiftImmuta.optional(),
  informatica: informatica.optional(),
}).strict();

// ---------------------------------------------------------------- PostgreSQL

const postgresImmuta = z.object({
  displayName,
  database: sqlIdentifier('immuta.database').default('immuta'),
  /**
   * The Immuta system role. With aws-assumed-role authentication this is also the IAM
   * role's name: seed 001 has the role name typed into Immuta's Username field.
   */
  systemRole: roleName('immuta.systemRole').default('immuta_system'),
  /** Seed 001: password (any deployment), aws-assumed-role or aws-access-key (RDS/Aurora). */
  authentication: z.enum(['password', 'aws-assumed-role', 'aws-access-key']).default('password'),
  /** Seed 001: Immuta's AWS account, given by the Immuta representative. */
  immutaAwsAccountId: accountId.optional(),
  /** Seed 001: the external id Immuta gives for the trust policy. */
  externalId: z.string().regex(/^[A-Za-z0-9+=,.@:/-]{2,1224}$/, 'must be 2-1224 characters of letters, digits and +=,.@:/-').optional(),
  protect: z.array(protectedDatabase).min(1, 'must list at least one protected database'),
  /** Seed 001 user mapping: a PostgreSQL username, unset (fall back to the Immuta name), or none. */
  userMappings: z.array(z.object({
    immutaUser,
    postgres: z.union([z.enum(['unset', 'none']), z.object({ username: z.string().min(1).max(63) }).strict()]).default('unset'),
    /** RDS/Aurora only: the AWS principal the user maps to. */
    aws: z.object({
      type: z.enum(['iam-role', 'iam-user', 'identity-center-user', 'unset']),
      value: z.string().min(1).max(2048).optional(),
    }).strict().optional(),
  }).strict()).default([]),
  /**
   * Consent to drop the Immuta database and system role when they leave the estate (rename,
   * removal, destroy). Without it they refuse to be destroyed.
   */
  allowDestroy: z.boolean().default(false),
}).strict();

const postgresServer = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'must be lower-case letters, digits and hyphens, starting with a letter'),
  /** Seed 001's deployment types. */
  deployment: z.enum(['self-managed', 'rds', 'aurora', 'neon']),
  /** Seed 001: PostgreSQL 16 or 17. */
  majorVersion: z.number().int().refine((v) => SUPPORTED_POSTGRES_MAJOR_VERSIONS.includes(v), {
    message: `must be one of ${SUPPORTED_POSTGRES_MAJOR_VERSIONS.join(', ')} (Immuta supports PostgreSQL ${SUPPORTED_POSTGRES_MAJOR_VERSIONS.join(' and ')}, seed 001)`,
  }),
  host: hostname,
  port: port.default(5432),
  region: region('region').optional(),
  /** RDS/Aurora DbiResourceId (db-... or cluster-...), needed for rds-db:connect. */
  resourceId: z.string().regex(/^(db|cluster)-[A-Z0-9]{1,64}$/, 'must be an RDS resource id such as db-ABCDEFGHIJKL0123456789 or cluster-...').optional(),
  /** The login Terraform uses; its password comes from a sensitive variable. */
  adminUsername: sqlIdentifier('adminUsername').default('postgres'),
  /** RDS/Aurora: the Terraform login itself uses an IAM token instead of a password. */
  adminIamAuth: z.boolean().default(false),
  sslMode: z.enum(['require', 'verify-full', 'verify-ca', 'disable']).default('require'),
  immuta: postgresImmuta.optional(),
}).strict();

// ---------------------------------------------------------------- Environments

const backend = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local') }).strict(),
  z.object({
    type: z.literal('s3'),
    bucket: s3BucketName,
    /** Object key prefix; each stack's state is stored at <keyPrefix>/<stack>.tfstate. */
    keyPrefix: z.string().regex(/^[A-Za-z0-9!_.*'()/-]{1,512}$/, 'must be an S3 key prefix'),
    region: region('backend.region'),
    /** S3-native lock files (Terraform >= 1.10); a DynamoDB table is the older alternative. */
    dynamodbTable: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/).optional(),
  }).strict(),
  z.object({
    type: z.literal('cloud'),
    organization: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a Terraform Cloud organization name'),
    hostname: hostname.default('app.terraform.io'),
    /** Workspace name prefix (one workspace per stack: <prefix>-<stack>) or tags. */
    workspacePrefix: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/).optional(),
    workspaceTags: z.array(z.string().regex(/^[a-z0-9:_-]{1,128}$/)).min(1).optional(),
  }).strict(),
]);

const environment = z.object({
  aws: z.object({ accountId, region: region('aws.region') }).strict(),
  backend: backend.default({ type: 'local' }),
  redshift: z.array(redshiftCluster).default([]),
  postgres: z.array(postgresServer).default([]),
}).strict();

export const estateSchema = z.object({
  environments: z.record(
    z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'environment names must be lower-case letters, digits and hyphens (at most 20)'),
    environment,
  ).refine((e) => Object.keys(e).length > 0, { message: 'must define at least one environment' }),
}).strict().superRefine(crossFieldRules);

export type Estate = z.infer<typeof estateSchema>;
export type Environment = Estate['environments'][string];
export type RedshiftCluster = Environment['redshift'][number];
export type RedshiftServiceRoleSpec = NonNullable<RedshiftCluster['serviceRole']>;
export type RedshiftImmutaSpec = NonNullable<RedshiftCluster['immuta']>;
export type InformaticaSpec = NonNullable<RedshiftCluster['informatica']>;
export type PostgresServer = Environment['postgres'][number];
export type PostgresImmutaSpec = NonNullable<PostgresServer['immuta']>;
export type ProtectedDatabase = z.infer<typeof protectedDatabase>;
export type Backend = Environment['backend'];

/** Rules that relate one field to another; each issue names the field it is about. */
function crossFieldRules(estate: z.infer<z.ZodObject<{ environments: z.ZodRecord<z.ZodString, typeof environment> }>>, ctx: z.RefinementCtx) {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });

  for (const [envName, env] of Object.entries(estate.environments)) {
    const base = ['environments', envName];
    if (env.backend.type === 'cloud' && !env.backend.workspacePrefix === !env.backend.workspaceTags) {
      issue([...base, 'backend'], 'a cloud backend needs exactly one of workspacePrefix or workspaceTags');
    }
    unique(env.redshift.map((c) => c.id), (i) => issue([...base, 'redshift', i, 'id'], 'must be unique within the environment'));
    unique(env.postgres.map((s) => s.id), (i) => issue([...base, 'postgres', i, 'id'], 'must be unique within the environment'));

    env.redshift.forEach((cluster, i) => {
      const at = [...base, 'redshift', i];
      const clusterRegion = cluster.region ?? env.aws.region;
      if (cluster.informatica) {
        if (!(clusterRegion in INFORMATICA_REGIONS)) {
          issue([...at, 'region'], `Informatica staging is supported only in ${Object.keys(INFORMATICA_REGIONS).join(', ')} (seed 002); cluster region is ${clusterRegion}`);
        }
        const staging = cluster.informatica.stagingRegion;
        if (staging && staging !== clusterRegion) {
          issue([...at, 'informatica', 'stagingRegion'], `must be the cluster's region ${clusterRegion}: the S3 bucket and the Redshift cluster must reside in the same region (seed 002)`);
        }
        if (cluster.informatica.temp && cluster.informatica.temp.users.length + cluster.informatica.temp.groups.length === 0) {
          issue([...at, 'informatica', 'temp'], 'must list at least one user or group to receive TEMP once it is revoked from PUBLIC (seed 002)');
        }
      }
      const role = cluster.serviceRole;
      if (role?.dbUserArns) {
        role.dbUserArns.forEach((arn, j) => {
          // Cross-field rules also run when a field already failed its own rule.
          const m = DBUSER_ARN_PATTERN.exec(arn);
          if (!m) return;
          if (m[3] !== env.aws.accountId) issue([...at, 'serviceRole', 'dbUserArns', j], `must be in the environment's account ${env.aws.accountId}`);
          if (role.regions && !role.regions.includes(m[2])) issue([...at, 'serviceRole', 'dbUserArns', j], `region ${m[2]} is not in serviceRole.regions, so this user could never assume the role`);
        });
      }
      if (cluster.immuta) {
        const im = cluster.immuta;
        unique(im.exemptUsers, (j) => issue([...at, 'immuta', 'exemptUsers', j], 'is listed twice'));
        if (im.exemptUsers.includes(im.systemUser)) issue([...at, 'immuta', 'exemptUsers'], 'must not contain the Immuta system user');
        checkProtected(im.protect, [...at, 'immuta', 'protect'], issue);
        if (im.protect.some((p) => p.database === im.database)) issue([...at, 'immuta', 'database'], 'the Immuta database must not also be a protected database');
      }
    });

    env.postgres.forEach((server, i) => {
      const at = [...base, 'postgres', i];
      const aws = server.deployment === 'rds' || server.deployment === 'aurora';
      if (server.adminIamAuth && !aws) issue([...at, 'adminIamAuth'], 'IAM authentication exists only for rds and aurora deployments');
      const im = server.immuta;
      if (!im) return;
      checkProtected(im.protect, [...at, 'immuta', 'protect'], issue);
      if (im.protect.some((p) => p.database === im.database)) issue([...at, 'immuta', 'database'], 'the Immuta database must not also be a protected database');
      if (im.authentication !== 'password') {
        if (!aws) issue([...at, 'immuta', 'authentication'], `${im.authentication} is offered only for rds and aurora deployments (seed 001); use password`);
        if (!server.resourceId) issue([...at, 'resourceId'], `is required for ${im.authentication} authentication: rds-db:connect is granted on dbuser:<resourceId>/<user> (seed 001)`);
      }
      if (im.authentication === 'aws-assumed-role') {
        if (!im.immutaAwsAccountId) issue([...at, 'immuta', 'immutaAwsAccountId'], 'is required for aws-assumed-role authentication: the trust policy names Immuta\'s account (seed 001)');
        if (!im.externalId) issue([...at, 'immuta', 'externalId'], 'is required for aws-assumed-role authentication: the trust policy must check sts:ExternalId (seed 001)');
      } else {
        if (im.immutaAwsAccountId) issue([...at, 'immuta', 'immutaAwsAccountId'], 'is used only with aws-assumed-role authentication');
        if (im.externalId) issue([...at, 'immuta', 'externalId'], 'is used only with aws-assumed-role authentication');
      }
      im.userMappings.forEach((m, j) => {
        if (m.aws && !aws) issue([...at, 'immuta', 'userMappings', j, 'aws'], 'AWS principal mapping applies only to rds and aurora deployments (seed 001)');
        if (m.aws && m.aws.type !== 'unset' && !m.aws.value) issue([...at, 'immuta', 'userMappings', j, 'aws', 'value'], `is required for type ${m.aws.type}`);
        if (m.aws?.type === 'identity-center-user' && m.aws.value && !/^[0-9a-f-]{10,64}$/.test(m.aws.value)) {
          issue([...at, 'immuta', 'userMappings', j, 'aws', 'value'], 'must be the numeric Identity Center User ID, not an e-mail address (seed 001)');
        }
      });
    });
  }
}

type IssueFn = (path: (string | number)[], message: string) => void;

function checkProtected(dbs: ProtectedDatabase[], at: (string | number)[], issue: IssueFn) {
  unique(dbs.map((d) => d.database), (i) => issue([...at, i, 'database'], 'is listed twice'));
  dbs.forEach((db, i) => {
    unique(db.schemas.map((s) => s.name), (j) => issue([...at, i, 'schemas', j], 'is listed twice'));
  });
}

function unique(values: string[], onDuplicate: (index: number) => void) {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) onDuplicate(i);
    seen.add(v);
  });
}
