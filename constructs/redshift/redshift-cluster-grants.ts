import { Fn, ITerraformDependable, ref, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { terraformName } from '../../model/terraform-names';
import { REDSHIFT_TIERS, RedshiftClusterPlan, RedshiftTier, tierResourceName } from '../../model/redshift/plan';
import { RedshiftStatementUnits } from './redshift-statement-units';

export interface RedshiftClusterGrantsProps {
  /** The cluster's plan from model/redshift: units of privilege, auth, region. */
  readonly plan: RedshiftClusterPlan;
}

/**
 * Everything the stack declares inside one Redshift cluster: the Immuta database, users
 * and roles, grants, TEMP, and masking, as four tiers that run in order (users and roles
 * before grants, grants before masking; destroy runs in reverse). Passwords come from
 * sensitive variables, one per user that needs one.
 */
export class RedshiftClusterGrants extends Construct {
  /** The sensitive password variable per user name. */
  readonly passwordVariables: Readonly<Record<string, TerraformVariable>>;
  /** The statement units of each tier. */
  readonly tiers: Readonly<Record<RedshiftTier, RedshiftStatementUnits>>;

  constructor(scope: Construct, id: string, props: RedshiftClusterGrantsProps) {
    super(scope, id);
    const { plan } = props;
    if (plan.units.length === 0) throw new Error(`RedshiftClusterGrants.plan for ${plan.clusterId} has no units: the cluster has nothing for this plane`);

    const variables: Record<string, TerraformVariable> = {};
    for (const p of plan.passwordUsers) {
      const name = variableName(plan.clusterId, p.user);
      const v = `var.${name}`;
      variables[p.user] = new TerraformVariable(this, `${p.user}_password`, {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: `Password of Redshift user ${p.user} on cluster ${plan.clusterId} (${p.field}). Sent to Redshift only as 'md5' || md5(password || username); never stored in state.`,
        validation: [{
          // Redshift's password rules (CREATE USER): 8-64 characters with upper, lower case and a digit.
          condition: Token.asString(ref(`length(${v}) >= 8 && length(${v}) <= 64 && can(regex("[A-Z]", ${v})) && can(regex("[a-z]", ${v})) && can(regex("[0-9]", ${v}))`)),
          errorMessage: 'The password must be 8 to 64 characters with at least one upper-case letter, one lower-case letter and one digit (Redshift CREATE USER).',
        }],
      });
      variables[p.user].overrideLogicalId(name);
    }
    this.passwordVariables = variables;

    const tiers = {} as Record<RedshiftTier, RedshiftStatementUnits>;
    let previous: ITerraformDependable | undefined;
    for (const tier of REDSHIFT_TIERS) {
      const units = plan.units.filter((u) => u.tier === tier);
      const passwordMd5: Record<string, string> = {};
      for (const u of units) {
        if (u.passwordUser) passwordMd5[u.key] = Fn.md5(Fn.join('', [variables[u.passwordUser].stringValue, u.passwordUser]));
      }
      tiers[tier] = new RedshiftStatementUnits(this, tier, {
        clusterId: plan.clusterId,
        region: plan.region,
        auth: plan.auth,
        adminDatabase: plan.adminDatabase,
        units,
        passwordMd5,
        dependsOn: previous ? [previous] : undefined,
      });
      // Readable addresses: terraform_data.<cluster>_<tier>["<unit key>"].
      tiers[tier].resource.overrideLogicalId(tierResourceName(plan.clusterId, tier));
      previous = tiers[tier].resource;
    }
    this.tiers = tiers;
  }
}

/** Terraform variable name, usable as TF_VAR_<name>: hyphens of the cluster id become underscores. */
export function variableName(clusterId: string, user: string): string {
  return terraformName('redshift', clusterId, user, 'password');
}
