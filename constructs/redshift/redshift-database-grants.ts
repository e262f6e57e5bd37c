import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { redshiftAuditInput } from '../../audit/redshift';
import { RedshiftClusterPlan, RedshiftDatabaseGroup, runnerFunctionName } from '../../model/redshift/plan';
import { RedshiftDriftCheck } from './private/redshift-drift-check';
import { RedshiftUnitInvocations } from './private/redshift-unit-invocations';
import { addRedshiftUnitTiers } from './private/redshift-unit-tiers';

export interface RedshiftDatabaseGrantsProps {
  /** Environment name: with the cluster's region, it names the runner function the units invoke. */
  readonly envName: string;
  /** The cluster's plan: its connection and region. */
  readonly plan: RedshiftClusterPlan;
  /** The group of protected databases, one of `plan.databaseGroups`. */
  readonly group: RedshiftDatabaseGroup;
  /** The provider of the cluster's region. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/**
 * Immuta's grants WITH GRANT OPTION and masking on one group of a cluster's protected
 * databases (Immuta's Redshift requirements), as unit invocations: the grants tier, then
 * masking; revokes in reverse. A check block reads these databases' part of the catalog
 * back on every plan. The system user these grants go to, and the runner policy that lets
 * the function reach these databases, are in the cluster's stack (RedshiftClusterGrants),
 * deployed first and destroyed last. Nothing here creates anything, so no destroy consent.
 */
export class RedshiftDatabaseGrants extends Construct {
  /** The unit blocks, by Terraform name (`<cluster>_<tier>`). */
  readonly blocks: Readonly<Record<string, RedshiftUnitInvocations>>;
  readonly driftCheck: RedshiftDriftCheck;

  constructor(scope: Construct, id: string, props: RedshiftDatabaseGrantsProps) {
    super(scope, id);
    const { plan, group, provider } = props;
    if (group.units.length === 0) throw new Error(`RedshiftDatabaseGrants.group ${group.group} of ${plan.clusterId} has no units`);
    const functionName = runnerFunctionName(props.envName, plan.region);
    const audit = redshiftAuditInput(props.envName, plan, group.units);
    this.blocks = addRedshiftUnitTiers(this, { clusterId: plan.clusterId, functionName, connection: audit.connection, units: group.units, consent: plan.consent, provider });
    this.driftCheck = new RedshiftDriftCheck(this, 'drift', {
      functionName,
      connection: audit.connection,
      expected: audit.expected,
      dependsOn: Object.values(this.blocks).map((b) => b.resource),
      provider,
    });
  }
}
