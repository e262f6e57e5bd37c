import { z } from 'zod';
import { CLUSTER_ID_PATTERN, CLUSTER_ID_RULE, DBUSER_ARN_PATTERN, databaseName, ownerName, roleName, schemaName, SERVER_ID_MAX_LENGTH, SERVER_ID_PATTERN, sqlIdentifier } from './names';
import { isAwsRegion } from './regions';
import { consistencyRules } from './consistency';
import {
  IMMUTA_RESTRICTED_WORDS,
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
  z.string().refine(isAwsRegion, (r) => ({ message: `${what} must be an AWS region such as us-east-1; ${JSON.stringify(r)} is not one (the list is in estate/regions.ts)` }));

const accountId = z.string({ invalid_type_error: 'must be a string of 12 digits (quote it in YAML)' })
  .regex(/^\d{12}$/, 'must be an AWS account id of exactly 12 digits');

const hostname = z.string().regex(
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i,
  'must be a DNS host name (letters, digits, hyphens and dots)',
);
const port = z.number().int().min(1).max(65535);

/**
 * The Immuta connection display name. Immuta uses it as the connection key of its API, which
 * takes only ASCII letters, digits, hyphens and underscores: that also rules out periods,
 * look-alike dots, homoglyphs, invisible and direction-changing characters.
 */
const displayName = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'must contain only ASCII letters, digits, hyphens and underscores: Immuta uses it as the connection key of its API (no periods, spaces or other characters; Immuta\'s Redshift and PostgreSQL requirements)')
  .refine((s) => !IMMUTA_RESTRICTED_WORDS.includes(s.toLowerCase()), {
    message: `must not be an Immuta restricted word, in any case (${IMMUTA_RESTRICTED_WORDS.join(', ')}; Immuta's Redshift and PostgreSQL requirements)`,
  });

/** AWS names: IAM roles, users and policies share this alphabet. */
const iamName = z.string().regex(/^[A-Za-z0-9+=,.@_-]{1,64}$/, 'must be an IAM name: 1-64 of letters, digits and +=,.@_-');

const s3BucketName = z.string().regex(
  /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  'must be an S3 bucket name: 3-63 lower-case letters, digits and hyphens, no dots (dots break TLS virtual-host addressing)',
);

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
  schemaName('schema name'),
  z.object({
    name: schemaName('schema name'),
    /** Omitted: every table of the schema, now and later. */
    tables: z.array(sqlIdentifier('table name')).min(1).optional(),
  }).strict(),
]).transform((s) => (typeof s === 'string' ? { name: s } : s));
const protectedDatabase = z.object({
  database: databaseName('database name'),
  schemas: z.array(protectedSchema).min(1, 'must list at least one schema'),
  /**
   * Roles that create tables in these schemas. Default privileges are per creating role,
   * so tables created later are covered only when their creator is listed here.
   * Default: the admin login the stack connects as.
   */
  tableOwners: z.array(ownerName('table owner')).min(1).optional(),
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
  database: databaseName('immuta.database').default('immuta'),
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
  /**
   * Where the connector runs: a Secure Agent on the customer's EC2 (gets an EC2 role with IAM
   * authentication) or Informatica's Hosted Agent, which does not support IAM authentication.
   */
  agent: z.enum(['secure-agent', 'hosted-agent']).default('secure-agent'),
  stagingBucket: s3BucketName,
  /** Seed 002: the bucket must be in the cluster's region; defaults to it. */
  stagingRegion: region('informatica.stagingRegion').optional(),
  /** Seed 002: encrypt the staging bucket with a customer-managed KMS key. */
  serverSideEncryption: z.enum(['kms', 's3']).default('kms'),
  /** Seed 002: a Secrets Manager secret holds the client-side master symmetric key. */
  clientSideEncryption: z.boolean().default(false),
  /** Seed 002: TEMP on the database is revoked from PUBLIC and granted to these only. */
  temp: z.object({
    database: databaseName('informatica.temp.database'),
    users: z.array(roleName('TEMP user')).default([]),
    groups: z.array(roleName('TEMP group')).default([]),
  }).strict().optional(),
  /** The connector's own database user, if the estate manages it. */
  connectorUser: z.object({
    name: roleName('informatica.connectorUser.name'),
    /** Schemas the connector reads and writes, as database.schema. */
    schemas: z.array(z.object({ database: databaseName('database name'), schema: schemaName('schema name') }).strict()).min(1),
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
  id: z.string().regex(CLUSTER_ID_PATTERN, CLUSTER_ID_RULE),
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
  database: databaseName('immuta.database').refine((d) => d !== 'postgres', { message: 'immuta.database must not be postgres, the maintenance database every server has' }).default('immuta'),
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
  id: z.string().regex(SERVER_ID_PATTERN, `must be 1-${SERVER_ID_MAX_LENGTH} lower-case letters, digits and hyphens, starting with a letter, with no two hyphens in a row and no hyphen at the end (it prefixes IAM names of at most 64 characters)`),
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

/**
 * Parses one value, reporting its problems under `path`. Returns the value when it is
 * well-typed even if some of its fields broke their rules (zod runs refinements on such
 * "dirty" values, which is how it is captured here), undefined when it could not be typed.
 */
function parseLeniently<T extends z.ZodTypeAny>(schema: T, value: unknown, path: (string | number)[], ctx: z.RefinementCtx): z.infer<T> | undefined {
  let typed: z.infer<T> | undefined;
  const result = schema.superRefine((v) => { typed = v; }).safeParse(value);
  if (result.success) return result.data;
  for (const problem of result.error.issues) ctx.addIssue({ ...problem, path: [...path, ...problem.path] } as z.IssueData);
  return typed;
}

/**
 * Where each parsed cluster or server stood in the estate file. A lenient array leaves out
 * the items that failed, so the consistency rules ask here for the index to report.
 */
const fileIndex = new WeakMap<object, number>();
export function indexInFile(item: object, position: number): number {
  return fileIndex.get(item) ?? position;
}

/** An array whose failing items are reported and left out, so the rest can still be checked. */
function lenientArray<T extends z.ZodTypeAny>(item: T) {
  return z.array(z.unknown()).transform((items, ctx) => items.flatMap((value, i) => {
    const parsed = parseLeniently(item, value, [i], ctx);
    if (parsed === undefined) return [];
    fileIndex.set(parsed, i);
    return [parsed as z.infer<T>];
  }));
}

const backend = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local') }).strict(),
  z.object({
    type: z.literal('s3'),
    bucket: s3BucketName,
    /** Object key prefix; each stack's state is stored at <keyPrefix>/<stack>.tfstate. */
    keyPrefix: z.string().regex(/^[A-Za-z0-9!_.*'()/-]{1,512}$/, 'must be an S3 key prefix'),
    region: region('backend.region'),
    /** S3-native lock files (Terraform >= 1.10); a DynamoDB table is the older alternative. */
    dynamodbTable: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name: 3-255 letters, digits, underscores, periods and hyphens').optional(),
  }).strict(),
  z.object({
    type: z.literal('cloud'),
    organization: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a Terraform Cloud organization name'),
    hostname: hostname.default('app.terraform.io'),
    /** Workspace name prefix (one workspace per stack: <prefix>-<stack>) or tags. */
    workspacePrefix: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'must be 1-60 letters, digits, hyphens and underscores').optional(),
    workspaceTags: z.array(z.string().regex(/^[a-z0-9:_-]{1,128}$/, 'must be 1-128 lower-case letters, digits and : _ -')).min(1).optional(),
  }).strict(),
]);

const environment = z.object({
  aws: z.object({ accountId, region: region('aws.region') }).strict(),
  backend: backend.default({ type: 'local' }),
  redshift: lenientArray(redshiftCluster).default([]),
  postgres: lenientArray(postgresServer).default([]),
}).strict();

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,19}$/;

const estateShape = z.object({
  environments: z.record(z.unknown())
    .refine((e) => Object.keys(e).length > 0, { message: 'must define at least one environment' })
    .transform((envs, ctx) => {
      const valid: Record<string, z.infer<typeof environment>> = {};
      for (const [name, value] of Object.entries(envs)) {
        if (!ENVIRONMENT_NAME.test(name)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: 'environment names must be 1-20 lower-case letters, digits and hyphens, starting with a letter' });
        }
        const parsed = parseLeniently(environment, value, [name], ctx);
        if (parsed !== undefined) valid[name] = parsed;
      }
      return valid;
    }),
}).strict();

/**
 * The estate schema: field rules, then the consistency rules (estate/consistency.ts). An
 * environment, cluster or server that fails its own rules is reported and left out of the
 * consistency rules, which still run on everything else: all problems come out in one run.
 */
export const estateSchema = estateShape.superRefine((estate, ctx) =>
  consistencyRules(estate, (path, message) => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message })));

export type Estate = z.infer<typeof estateShape>;
export type Environment = Estate['environments'][string];
export type RedshiftCluster = Environment['redshift'][number];
export type RedshiftServiceRoleSpec = NonNullable<RedshiftCluster['serviceRole']>;
export type RedshiftImmutaSpec = NonNullable<RedshiftCluster['immuta']>;
export type InformaticaSpec = NonNullable<RedshiftCluster['informatica']>;
export type PostgresServer = Environment['postgres'][number];
export type PostgresImmutaSpec = NonNullable<PostgresServer['immuta']>;
export type ProtectedDatabase = z.infer<typeof protectedDatabase>;
export type Backend = Environment['backend'];
