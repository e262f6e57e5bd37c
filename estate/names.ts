import { z } from 'zod';
import { IMMUTA_EXEMPTION_ROLE } from './rules';

/**
 * Identifier rules shared by every SQL object name in the estate. Names are validated
 * here and quoted again by the SQL renderers: the estate is rejected before anything
 * could reach a statement, and the renderers never trust their input.
 *
 * Lower case only: PostgreSQL folds unquoted names to lower case and Redshift does so
 * for quoted ones too unless enable_case_sensitive_identifier is on, so a mixed-case
 * name would mean different objects on the two engines.
 */
export const SQL_IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_$]*$/;
/** PostgreSQL truncates identifiers at 63 bytes (NAMEDATALEN - 1); Redshift allows 127. */
export const SQL_IDENTIFIER_MAX_LENGTH = 63;

/** AWS region codes, including GovCloud and ISO partitions (us-gov-west-1, us-iso-east-1). */
export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
/**
 * Redshift cluster identifiers (CreateCluster): 1-63 lower-case letters, digits and hyphens,
 * starting with a letter, never two hyphens in a row nor a hyphen at the end. They also
 * become parts of IAM, output and variable names.
 */
export const CLUSTER_ID_PATTERN = /^(?!.*--)[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const CLUSTER_ID_RULE = 'must be a Redshift cluster identifier: 1-63 lower-case letters, digits and hyphens, starting with a letter, with no two hyphens in a row and no hyphen at the end';
/** PostgreSQL server ids follow the same rule, shorter: they prefix IAM names (64 characters at most). */
export const SERVER_ID_MAX_LENGTH = 41;
export const SERVER_ID_PATTERN = /^(?!.*--)[a-z](?:[a-z0-9-]{0,39}[a-z0-9])?$/;

/** A PostgreSQL grant stack's group name: it ends a stack name, a folder and a state key. */
export const GRANT_GROUP_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
export const GRANT_GROUP_RULE = 'must be 1-63 lower-case letters, digits and underscores, not starting with a digit (it ends the grant stack\'s name)';

/** Databases the engines keep for themselves: granting on them or dropping them breaks the server. */
const RESERVED_DATABASES = new Set(['template0', 'template1', 'rdsadmin', 'padb_harvest']);
/** Schemas that hold the system catalog. */
const RESERVED_SCHEMAS = new Set(['information_schema', 'catalog_history']);

/** Role and user names the engines or AWS reserve for themselves. */
const RESERVED_ROLE_NAMES = new Set(['public', 'postgres', 'rdsadmin', 'rds_superuser', 'rds_iam', 'rdsdb', 'current_user', 'session_user', 'current_role', 'none']);
const RESERVED_ROLE_PREFIXES = ['pg_', 'rds_', 'sys_', 'sys:', 'aws_'];


export function sqlIdentifier(what: string) {
  return z
    .string({ required_error: `${what} is required`, invalid_type_error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(SQL_IDENTIFIER_MAX_LENGTH, `${what} must be at most ${SQL_IDENTIFIER_MAX_LENGTH} characters`)
    .regex(SQL_IDENTIFIER_PATTERN, `${what} must be a lower-case SQL identifier: a letter or _ followed by letters, digits, _ or $ (no quotes, spaces, dots or semicolons)`);
}

/** A role or user the stacks create or grant to: an identifier that is not reserved. */
export function roleName(what: string) {
  return sqlIdentifier(what)
    .refine(
      (n) => !RESERVED_ROLE_NAMES.has(n) && !RESERVED_ROLE_PREFIXES.some((p) => n.startsWith(p)),
      { message: `${what} is reserved by PostgreSQL, Redshift or AWS (public, postgres, rds_iam, names starting with pg_, rds_, sys_, aws_)` },
    )
    .refine((n) => n !== IMMUTA_EXEMPTION_ROLE, { message: `${what} must not be ${IMMUTA_EXEMPTION_ROLE}, the role the Redshift plane creates for exempt users` });
}

/** A database the stacks grant on or create: not one the engine keeps for itself. */
export function databaseName(what: string) {
  return sqlIdentifier(what).refine(
    (n) => !RESERVED_DATABASES.has(n) && !n.startsWith('pg_'),
    { message: `${what} is a system database (${[...RESERVED_DATABASES].join(', ')}, names starting with pg_)` },
  );
}

/** A schema the stacks grant on: not the system catalog. */
export function schemaName(what: string) {
  return sqlIdentifier(what).refine(
    (n) => !RESERVED_SCHEMAS.has(n) && !n.startsWith('pg_'),
    { message: `${what} is a system catalog schema (${[...RESERVED_SCHEMAS].join(', ')}, names starting with pg_)` },
  );
}

/** Redshift database-user ARNs: arn:aws:redshift:region:account-id:dbuser:cluster-name/user-name. */
export const DBUSER_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov):redshift:([a-z0-9-]+):(\d{12}):dbuser:([a-z][a-z0-9-]{0,62})\/([a-z_][a-z0-9_$.@+-]{0,127})$/;

/**
 * A role that owns tables (default privileges are per owner): any login, the admin
 * included, but not PUBLIC or a predefined pg_ role, which never create tables.
 */
export function ownerName(what: string) {
  return sqlIdentifier(what).refine(
    (n) => n !== 'public' && !n.startsWith('pg_'),
    { message: `${what} must be a role that creates tables, not public or a predefined pg_ role` },
  );
}

/** A name's shape and the words that explain it: one definition for the estate schema and the constructs. */
export interface NameRule {
  readonly pattern: RegExp;
  readonly rule: string;
}

export const S3_BUCKET_NAME: NameRule = {
  pattern: /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  rule: 'must be an S3 bucket name: 3-63 lower-case letters, digits and hyphens, no dots (dots break TLS virtual-host addressing)',
};
export const RDS_RESOURCE_ID: NameRule = {
  pattern: /^(db|cluster)-[A-Z0-9]{1,64}$/,
  rule: 'must be an RDS resource id (DbiResourceId) such as db-ABCDEFGHIJKL0123456789 or cluster-...',
};
export const EXTERNAL_ID: NameRule = {
  pattern: /^[A-Za-z0-9+=,.@:/-]{2,1224}$/,
  rule: 'must be 2-1224 characters of letters, digits and +=,.@:/- (sts:ExternalId)',
};
export const MANAGED_POLICY_NAME: NameRule = {
  pattern: /^[A-Za-z0-9+=,.@_-]+(\/[A-Za-z0-9+=,.@_-]+)*$/,
  rule: 'must be an AWS managed policy name or path/name',
};
