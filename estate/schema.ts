import { z } from 'zod';
import { REDSHIFT_STACK_INSTANCE_BOUND, STACK_INSTANCE_BOUND } from '../model/stack-layout';
import { CLUSTER_ID_PATTERN, GRANT_GROUP_PATTERN, GRANT_GROUP_RULE, CLUSTER_ID_RULE, DBUSER_ARN_PATTERN, databaseName, EXTERNAL_ID, MANAGED_POLICY_NAME, RDS_RESOURCE_ID, S3_BUCKET_NAME, ownerName, roleName, schemaName, SERVER_ID_MAX_LENGTH, SERVER_ID_PATTERN, sqlIdentifier } from './names';
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

const s3BucketName = z.string().regex(S3_BUCKET_NAME.pattern, S3_BUCKET_NAME.rule);

const dbUserArn = z.string().regex(
  DBUSER_ARN_PATTERN,
  'must be a database-user ARN of the form arn:aws:redshift:region:account-id:dbuser:cluster-name/user-name (the Redshift IAM role guide)',
);

const managedPolicyName = z.string().max(128).regex(MANAGED_POLICY_NAME.pattern, MANAGED_POLICY_NAME.rule);

const immutaUser = z.string().min(1).max(320).refine((s) => !/[\u0000-\u001f\u007f]/.test(s), {
  message: 'must not contain control characters',
});

/** A protected database: its schemas, and optionally the exact tables of each schema. */
const protectedSchema = z.union([
  schemaName('schema name'),
  z.object({
    name: schemaName('schema name').describe('The schema.'),
    tables: z.array(sqlIdentifier('table name')).min(1).optional().describe('Omitted: every table of the schema, now and later.'),
  }).strict(),
]).transform((s) => (typeof s === 'string' ? { name: s } : s));
const protectedDatabase = z.object({
  database: databaseName('database name').describe('A database holding data to register in Immuta. It must exist.'),
  schemas: z.array(protectedSchema).min(1, 'must list at least one schema').describe('Its schemas: a name (every table, now and later) or {name, tables}.'),
  tableOwners: z.array(ownerName('table owner')).min(1).optional().describe('PostgreSQL only: roles that create tables in these schemas. Default privileges are per creating role, so tables created later are covered only when their creator is listed here. Default: the admin login the stack connects as. (Redshift\'s scoped grants cover every owner.)'),
  stack: z.string().regex(GRANT_GROUP_PATTERN, GRANT_GROUP_RULE).optional().describe(`The stack that holds this database's grants: <environment>-postgres-<server>-<stack> for PostgreSQL, <environment>-redshift-<cluster>-<stack> for Redshift (Immuta's grants and masking); databases naming the same stack share it (at most ${STACK_INSTANCE_BOUND} instances on PostgreSQL, ${REDSHIFT_STACK_INSTANCE_BOUND} on Redshift). Changing it moves the grants: the old stack revokes, the new one grants. Default: the database's own name, one stack per database.`),
}).strict();

// ---------------------------------------------------------------- Redshift

const redshiftServiceRole = z.object({
  name: iamName.default('RedshiftCopyUnload').describe('IAM role name (the Redshift IAM role guide\'s example is RedshiftCopyUnload).'),
  regions: z.array(region('serviceRole.regions[]')).min(1).optional().describe('Only Redshift in these regions may assume the role (trusts redshift.<region>.amazonaws.com). Default: any region.'),
  dbUserArns: z.array(dbUserArn).min(1).optional().describe('Only these database users may use the role (sts:ExternalId condition), as arn:<partition>:redshift:<region>:<account>:dbuser:<this cluster>/<user>. Default: any user.'),
  managedPolicies: z.array(managedPolicyName).max(20, 'must list at most 20 policies: IAM attaches at most 20 managed policies to a role')
    .refine((p) => new Set(p).size === p.length, 'must not list a policy twice')
    .default([...REDSHIFT_SERVICE_ROLE_DEFAULT_POLICIES]).describe('AWS managed policies to attach (name or path/name).'),
}).strict();

const redshiftImmuta = z.object({
  displayName: displayName.describe('The connection\'s name in Immuta (its API connection key): ASCII letters, digits, hyphens and underscores, not a restricted word.'),
  database: databaseName('immuta.database').default('immuta').describe('The dedicated database the stack creates for Immuta. Not the connect database, nor the TEMP database.'),
  systemUser: roleName('immuta.systemUser').default('immuta_system').describe('The Immuta system account.'),
  authentication: z.enum(['password', 'iam']).default('password').describe('password: from the sensitive variable; iam: no password, Immuta gets IAM credentials.'),
  protect: z.array(protectedDatabase).min(1, 'must list at least one protected database').describe('The data Immuta may register: the system account gets its grants WITH GRANT OPTION here.'),
  exemptUsers: z.array(roleName('exempt user')).default([]).describe('Users granted the immuta_exemption role: Immuta\'s data policies do not apply to them. They must exist.'),
  userMappings: z.array(z.object({
    immutaUser: immutaUser.describe('The Immuta user name (free text, kept as literal text).'),
    redshiftUser: roleName('redshiftUser').describe('The Redshift user.'),
  }).strict()).default([]).describe('Immuta user to Redshift user, written to an output for Immuta\'s user mapping.'),
  allowDestroy: z.boolean().default(false).describe('Consent to drop the Immuta database, the system user and the roles this block creates when they leave the estate (rename, removal, destroy). Without it they refuse to be destroyed.'),
}).strict();

const informatica = z.object({
  authentication: z.enum(['access-key', 'iam']).default('iam').describe('access-key: an IAM user with an access key; iam: an EC2 role for the Secure Agent plus a Redshift role.'),
  agent: z.enum(['secure-agent', 'hosted-agent']).default('secure-agent').describe('Where the connector runs: a Secure Agent on the customer\'s EC2 (gets an EC2 role with IAM authentication) or Informatica\'s Hosted Agent, which does not support IAM authentication.'),
  stagingBucket: s3BucketName.describe('The S3 staging bucket the stack creates (no dots: they break TLS virtual-host addressing).'),
  stagingRegion: region('informatica.stagingRegion').optional().describe('Must be the cluster\'s region, which is the default.'),
  serverSideEncryption: z.enum(['kms', 's3']).default('kms').describe('kms: a customer managed KMS key with rotation; s3: SSE-S3.'),
  clientSideEncryption: z.boolean().default(false).describe('Create a Secrets Manager secret for the client-side master symmetric key, written from an ephemeral variable.'),
  temp: z.object({
    database: databaseName('informatica.temp.database').describe('The database whose TEMP privilege is restricted.'),
    users: z.array(roleName('TEMP user')).default([]).describe('Users that keep TEMP. They must exist.'),
    groups: z.array(roleName('TEMP group')).default([]).describe('Groups that keep TEMP. They must exist.'),
  }).strict().optional().describe('Revoke TEMP on this database from PUBLIC and grant it to these users and groups only.'),
  connectorUser: z.object({
    name: roleName('informatica.connectorUser.name').describe('The user the stack creates; its password comes from a sensitive variable.'),
    schemas: z.array(z.object({
      database: databaseName('database name').describe('The database.'),
      schema: schemaName('schema name').describe('The schema: USAGE, CREATE and DML on its tables.'),
    }).strict()).min(1).describe('Schemas the connector reads and writes. They must exist.'),
    allowDestroy: z.boolean().default(false).describe('Consent to drop this user when it leaves the estate; without it the user refuses to be destroyed.'),
  }).strict().optional().describe('The connector\'s own database user, if the estate manages it.'),
}).strict();

const redshiftAdmin = z.union([
  z.object({ dbUser: roleName('admin.dbUser').describe('A superuser the Data API gets temporary credentials for (GetClusterCredentials).') }).strict(),
  z.object({ secretArn: z.string().regex(/^arn:(aws|aws-cn|aws-us-gov):secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, 'must be a Secrets Manager secret ARN').describe('A Secrets Manager secret holding an admin\'s user name and password.') }).strict(),
]);

const redshiftCluster = z.object({
  id: z.string().regex(CLUSTER_ID_PATTERN, CLUSTER_ID_RULE).describe('Cluster identifier.'),
  region: region('region').optional().describe('The cluster\'s region. Default: the environment\'s.'),
  endpoint: hostname.describe('The cluster endpoint host name, for the JDBC URL and Immuta\'s form.'),
  port: port.default(5439).describe('The cluster port.'),
  database: sqlIdentifier('database').default('dev').describe('The database the admin connection and the JDBC URL use.'),
  admin: redshiftAdmin.default({ dbUser: 'awsuser' }).describe('How the Redshift plane authenticates its SQL. Must be a superuser (the cluster\'s admin user is one): docs/redshift-sql.md says why.'),
  manageIamRoles: z.boolean().default(true).describe('Manage the cluster\'s IAM role list (aws_redshift_cluster_iam_roles). That resource owns the whole list: set false when the cluster\'s own Terraform sets iam_roles.'),
  serviceRole: redshiftServiceRole.optional().describe('Redshift\'s own service role for COPY and UNLOAD (the Redshift IAM role guide).'),
  immuta: redshiftImmuta.optional().describe('What Immuta needs before a Redshift connection can be registered (Immuta\'s Redshift requirements).'),
  informatica: informatica.optional().describe('Informatica\'s Amazon Redshift connector (Informatica\'s Redshift connector requirements).'),
}).strict();

// ---------------------------------------------------------------- PostgreSQL

const postgresImmuta = z.object({
  displayName: displayName.describe('The connection\'s name in Immuta (its API connection key): ASCII letters, digits, hyphens and underscores, not a restricted word.'),
  database: databaseName('immuta.database').refine((d) => d !== 'postgres', { message: 'immuta.database must not be postgres, the maintenance database every server has' }).default('immuta')
    .describe('The dedicated database the stack creates for Immuta. Not postgres, nor a protected database.'),
  systemRole: roleName('immuta.systemRole').default('immuta_system').describe('The Immuta system role the stack creates. With aws-assumed-role authentication it is also the IAM role\'s name, because Immuta\'s Username field takes the role name.'),
  authentication: z.enum(['password', 'aws-assumed-role', 'aws-access-key']).default('password').describe('password (any deployment), aws-assumed-role or aws-access-key (RDS and Aurora).'),
  immutaAwsAccountId: accountId.optional().describe('Immuta\'s AWS account, from your Immuta representative (aws-assumed-role only).'),
  externalId: z.string().regex(EXTERNAL_ID.pattern, EXTERNAL_ID.rule).optional().describe('The external id Immuta gives for the trust policy (aws-assumed-role only).'),
  protect: z.array(protectedDatabase).min(1, 'must list at least one protected database').describe('The data Immuta may register: the system account gets its grants WITH GRANT OPTION here.'),
  userMappings: z.array(z.object({
    immutaUser: immutaUser.describe('The Immuta user name (free text, kept as literal text).'),
    postgres: z.union([z.enum(['unset', 'none']), z.object({ username: z.string().min(1).max(63).describe('The PostgreSQL username.') }).strict()]).default('unset')
      .describe('unset: Immuta\'s own name; none: no PostgreSQL user; or {username}.'),
    aws: z.object({
      type: z.enum(['iam-role', 'iam-user', 'identity-center-user', 'unset']).describe('The kind of AWS principal.'),
      value: z.string().min(1).max(2048).optional().describe('The role or user ARN, or the Identity Center user id. At most one Immuta user per IAM role.'),
    }).strict().optional().describe('RDS and Aurora only: the AWS principal the user maps to.'),
  }).strict()).default([]).describe('Immuta user mappings, written to an output: a PostgreSQL username, unset (Immuta\'s name is used), or none.'),
  allowDestroy: z.boolean().default(false).describe('Consent to drop the Immuta database and system role when they leave the estate (rename, removal, destroy). Without it they refuse to be destroyed.'),
}).strict();

const postgresServer = z.object({
  id: z.string().regex(SERVER_ID_PATTERN, `must be 1-${SERVER_ID_MAX_LENGTH} lower-case letters, digits and hyphens, starting with a letter, with no two hyphens in a row and no hyphen at the end (it prefixes IAM names of at most 64 characters)`)
    .describe('Names the provider alias, variables and outputs of this server.'),
  deployment: z.enum(['self-managed', 'rds', 'aurora', 'neon']).describe('Where the server runs; rds and aurora allow IAM authentication.'),
  majorVersion: z.number().int().refine((v) => SUPPORTED_POSTGRES_MAJOR_VERSIONS.includes(v), {
    message: `must be one of ${SUPPORTED_POSTGRES_MAJOR_VERSIONS.join(', ')} (Immuta supports PostgreSQL ${SUPPORTED_POSTGRES_MAJOR_VERSIONS.join(' and ')}, Immuta's PostgreSQL requirements)`,
  }).describe('PostgreSQL major version: 16 or 17.'),
  host: hostname.describe('The server\'s host name.'),
  port: port.default(5432).describe('The server\'s port.'),
  region: region('region').optional().describe('RDS and Aurora: the server\'s region. Default: the environment\'s.'),
  resourceId: z.string().regex(RDS_RESOURCE_ID.pattern, RDS_RESOURCE_ID.rule).optional().describe('RDS/Aurora DbiResourceId (db-... or cluster-...), needed for rds-db:connect.'),
  adminUsername: sqlIdentifier('adminUsername').default('postgres').describe('The login Terraform uses; its password comes from a sensitive variable.'),
  adminIamAuth: z.boolean().default(false).describe('RDS/Aurora: the Terraform login itself uses an IAM token instead of a password.'),
  sslMode: z.enum(['require', 'verify-full', 'verify-ca', 'disable']).default('require').describe('TLS mode of the Terraform login.'),
  immuta: postgresImmuta.optional().describe('What Immuta needs before a PostgreSQL connection can be registered (Immuta\'s PostgreSQL requirements).'),
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

/** The item schema behind each lenient array or record, for the generated reference (docs/estate.md). */
export const lenientItems = new WeakMap<z.ZodTypeAny, z.ZodTypeAny>();

/** An array whose failing items are reported and left out, so the rest can still be checked. */
function lenientArray<T extends z.ZodTypeAny>(item: T) {
  const schema = z.array(z.unknown()).transform((items, ctx) => items.flatMap((value, i) => {
    const parsed = parseLeniently(item, value, [i], ctx);
    if (parsed === undefined) return [];
    fileIndex.set(parsed, i);
    return [parsed as z.infer<T>];
  }));
  lenientItems.set(schema, item);
  return schema;
}

const backend = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local') }).strict(),
  z.object({
    type: z.literal('s3'),
    bucket: s3BucketName.describe('The state bucket. It must exist; no staging bucket may be it.'),
    keyPrefix: z.string().regex(/^[A-Za-z0-9!_.*'()/-]{1,512}$/, 'must be an S3 key prefix').describe('Object key prefix; each stack\'s state is stored at <keyPrefix>/<stack>.tfstate.'),
    region: region('backend.region').describe('The state bucket\'s region.'),
    dynamodbTable: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name: 3-255 letters, digits, underscores, periods and hyphens').optional()
      .describe('Lock with this DynamoDB table instead of S3-native lock files (Terraform >= 1.10).'),
  }).strict(),
  z.object({
    type: z.literal('cloud'),
    organization: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a Terraform Cloud organization name').describe('The HCP Terraform organization.'),
    hostname: hostname.default('app.terraform.io').describe('The HCP Terraform or Terraform Enterprise host.'),
    workspacePrefix: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'must be 1-60 letters, digits, hyphens and underscores').optional().describe('One workspace per stack, named <prefix>-<stack>. Exactly one of workspacePrefix and workspaceTags.'),
    workspaceTags: z.array(z.string().regex(/^[a-z0-9:_-]{1,128}$/, 'must be 1-128 lower-case letters, digits and : _ -')).min(1).optional()
      .describe('Workspaces found by these tags plus stack:<stack>.'),
  }).strict(),
]);

const environment = z.object({
  aws: z.object({
    accountId: accountId.describe('The AWS account (quote it in YAML); the provider refuses any other.'),
    region: region('aws.region').describe('The default region.'),
  }).strict().describe('The environment\'s AWS account and region.'),
  backend: backend.default({ type: 'local' }).describe('Where each stack keeps its state: local, s3 or cloud.'),
  redshift: lenientArray(redshiftCluster).default([]).describe('Redshift clusters.'),
  postgres: lenientArray(postgresServer).default([]).describe('PostgreSQL servers.'),
}).strict();

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,19}$/;

const environments = z.record(z.unknown())
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
    })
  .describe('Environments by name: 1-20 lower-case letters, digits and hyphens. Each gets its own stacks.');
lenientItems.set(environments, environment);

const estateShape = z.object({ environments }).strict();

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
