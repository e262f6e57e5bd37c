import { ITerraformDependable, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { ClusterConnection, PasswordSource } from '../../../functions/redshift-runner/contract';
import { consentGroups } from '../../../model/redshift/consent-groups';
import { REDSHIFT_TIERS, RedshiftDestroyConsent, RedshiftUnit, tierResourceName } from '../../../model/redshift/plan';
import { RedshiftUnitInvocations } from './redshift-unit-invocations';

export interface RedshiftUnitTiersProps {
  readonly clusterId: string;
  /** The runner function of the cluster's region, by name. */
  readonly functionName: string;
  readonly connection: ClusterConnection;
  /** The stack's units; at least one. */
  readonly units: readonly RedshiftUnit[];
  readonly consent: RedshiftDestroyConsent;
  /** Per password user, its secret and what must exist before its unit runs. @default none */
  readonly passwords?: Readonly<Record<string, { readonly source: PasswordSource; readonly ready: ITerraformDependable }>>;
  /** What every block needs first and is revoked after. @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
  readonly provider?: TerraformProvider;
}

/**
 * A stack's unit blocks, one per tier and consent group, each depending on the previous
 * tier's blocks so that tiers run in order (databases, principals, grants, masking) and are
 * revoked in reverse. Blocks keep readable addresses:
 * aws_lambda_invocation.<cluster>_<tier>[_<consent>]["<unit key>"], the same in whichever
 * stack holds them. Returns the blocks by that name.
 */
export function addRedshiftUnitTiers(scope: Construct, props: RedshiftUnitTiersProps): Record<string, RedshiftUnitInvocations> {
  const passwords = Object.fromEntries(Object.entries(props.passwords ?? {}).map(([user, p]) => [user, p.source]));
  const blocks: Record<string, RedshiftUnitInvocations> = {};
  let previous: ITerraformDependable[] = [];
  for (const tier of REDSHIFT_TIERS) {
    const current: ITerraformDependable[] = [];
    for (const [suffix, group] of consentGroups(props.units.filter((u) => u.tier === tier), props.consent)) {
      const name = tierResourceName(props.clusterId, tier) + suffix;
      const users = new Set(group.units.flatMap((u) => (u.passwordUser ? [u.passwordUser] : [])));
      // Password units need their secret's value.
      const dependsOn = [...previous, ...(props.dependsOn ?? []), ...[...users].map((u) => props.passwords![u].ready)];
      const block = new RedshiftUnitInvocations(scope, name, {
        functionName: props.functionName,
        connection: props.connection,
        units: group.units,
        passwords,
        consent: group.consent,
        provider: props.provider,
        dependsOn: dependsOn.length ? dependsOn : undefined,
      });
      block.resource.overrideLogicalId(name);
      blocks[name] = block;
      current.push(block.resource);
    }
    if (current.length) previous = current;
  }
  return blocks;
}
