/**
 * Terraform output and variable names are identifiers (usable as TF_VAR_<name>), built from
 * estate ids whose hyphens become underscores: orders-pg -> orders_pg. One rule for every plane.
 */
export function terraformName(...parts: string[]): string {
  return parts.join('_').replace(/-/g, '_');
}

/** The sensitive variable holding a Redshift user's password. */
export function redshiftPasswordVariable(clusterId: string, user: string): string {
  return terraformName('redshift', clusterId, user, 'password');
}
