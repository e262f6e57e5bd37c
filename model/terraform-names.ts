/**
 * Terraform output and variable names are identifiers (usable as TF_VAR_<name>), built from
 * estate ids whose hyphens become underscores: orders-pg -> orders_pg. One rule for every
 * plane: every output, variable and provider alias name the project derives comes from here.
 */
export function terraformName(...parts: string[]): string {
  return parts.join('_').replace(/-/g, '_');
}

/** What Terraform accepts as a variable, output, resource or provider alias name. */
export const TERRAFORM_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The sensitive variable holding a Redshift user's password. */
export function redshiftPasswordVariable(clusterId: string, user: string): string {
  return terraformName('redshift', clusterId, user, 'password');
}
