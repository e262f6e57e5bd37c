/**
 * Which attribute changes make Terraform replace a resource (`-/+`) instead of updating it
 * in place, for the resource types this project creates. One table, read from the
 * providers' schemas (ForceNew) for the pinned versions: hashicorp/aws 5.100.0,
 * cyrilgdn/postgresql 1.26.0 and Terraform's built-in terraform_data. The aws entries are
 * checked against real `terraform plan` in test/unit/plan-diff.test.ts.
 *
 * `'*'`: the resource has no update at all, so any argument change replaces it.
 * A type missing from the table is assumed to update in place, as most attributes do.
 */
export const FORCE_NEW: Readonly<Record<string, '*' | readonly string[]>> = {
  terraform_data: ['triggers_replace'],

  aws_iam_role: ['name', 'name_prefix', 'path'],
  aws_iam_policy: ['name', 'name_prefix', 'path', 'description'],
  aws_iam_role_policy: ['name', 'name_prefix', 'role'],
  aws_iam_role_policy_attachment: ['role', 'policy_arn'],
  aws_iam_instance_profile: ['name', 'name_prefix', 'path'],
  aws_iam_user_policy_attachment: ['user', 'policy_arn'],
  aws_iam_access_key: ['user', 'pgp_key'],
  // IAM users are renamed in place (UpdateUser): no ForceNew argument.
  aws_iam_user: [],
  aws_kms_key: ['customer_master_key_spec', 'key_usage', 'custom_key_store_id', 'xks_key_id', 'multi_region'],
  aws_kms_alias: ['name', 'name_prefix'],
  aws_s3_bucket: ['bucket', 'bucket_prefix', 'object_lock_enabled'],
  aws_s3_bucket_policy: ['bucket'],
  aws_s3_bucket_public_access_block: ['bucket'],
  aws_s3_bucket_ownership_controls: ['bucket'],
  aws_s3_bucket_lifecycle_configuration: ['bucket', 'expected_bucket_owner'],
  aws_s3_bucket_server_side_encryption_configuration: ['bucket', 'expected_bucket_owner'],
  aws_secretsmanager_secret: ['name', 'name_prefix'],
  aws_secretsmanager_secret_version: ['secret_id', 'secret_binary', 'secret_string'],
  aws_redshift_cluster_iam_roles: ['cluster_identifier'],
  aws_lambda_function: ['function_name'],
  aws_lambda_permission: '*',
  // `input` is updated in place (with lifecycle_scope CRUD the function sees action "update").
  aws_lambda_invocation: ['function_name', 'qualifier', 'triggers'],

  // cyrilgdn/postgresql: roles and databases are renamed in place (ALTER ... RENAME TO);
  // postgresql_grant has no update; default privileges update only their privilege list.
  postgresql_role: [],
  postgresql_database: ['template', 'encoding', 'lc_collate', 'lc_ctype'],
  postgresql_grant: '*',
  postgresql_default_privileges: ['role', 'database', 'owner', 'schema', 'object_type', 'with_grant_option'],
};

/** Does a change to top-level argument `attribute` of a `type` resource replace it? */
export function forcesReplacement(type: string, attribute: string): boolean {
  const entry = FORCE_NEW[type];
  return entry === '*' || (entry !== undefined && entry.includes(attribute));
}
