import { z } from 'zod';

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
/** Redshift cluster identifiers; they also become parts of IAM and output names. */
export const CLUSTER_ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

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
  return sqlIdentifier(what).refine(
    (n) => !RESERVED_ROLE_NAMES.has(n) && !RESERVED_ROLE_PREFIXES.some((p) => n.startsWith(p)),
    { message: `${what} is reserved by PostgreSQL, Redshift or AWS (public, postgres, rds_iam, names starting with pg_, rds_, sys_, aws_)` },
  );
}
