import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { ITerraformDependable, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { redshiftAuditInput } from '../../audit/redshift';
import { DestroyConsent, PasswordSource } from '../../functions/redshift-runner/contract';
import { partitionOf } from '../../model/aws/partition';
import { policyJson } from '../../model/aws/policy-document';
import { REDSHIFT_TIERS, RedshiftClusterPlan, RedshiftDestroyConsent, RedshiftUnit, runnerFunctionName, tierResourceName } from '../../model/redshift/plan';
import { runnerClusterPolicy } from '../../model/redshift/runner-access';
import { CLUSTER_ID_PATTERN } from '../../estate/names';
import { RedshiftDriftCheck } from './private/redshift-drift-check';
import { RedshiftPasswordSecret } from './private/redshift-password-secret';
import { RedshiftUnitInvocations } from './private/redshift-unit-invocations';

export interface RedshiftClusterGrantsProps {
  /** Environment name: with the cluster's region, it names the runner function the units invoke. */
  readonly envName: string;
  /** The account of the cluster, for the ARNs of the runner's cluster policy. */
  readonly accountId: string;
  /** The cluster's plan from model/redshift: units of privilege, auth, region, destroy consent. */
  readonly plan: RedshiftClusterPlan;
  /** The provider of the cluster's region. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/**
 * Everything the stack declares inside one Redshift cluster: the Immuta database, users
 * and roles, grants, TEMP and masking, as unit invocations in four tiers that run in order
 * (databases, principals, grants, masking; revokes run in reverse). Units that create a
 * database, user or role sit in blocks of their own per consent field, so that
 * prevent_destroy guards exactly them. Passwords live in Secrets Manager; a check block
 * reads the catalog back on every plan. The runner function of the cluster's region
 * (RedshiftRunnerFunction, in another stack deployed first) is named, not referenced:
 * `runnerFunctionName(envName, region)` names the function the units invoke and the role
 * that gets this cluster's policy.
 */
export class RedshiftClusterGrants extends Construct {
  /** The unit blocks, by Terraform name (`<cluster>_<tier>[_<consent>]`). */
  readonly blocks: Readonly<Record<string, RedshiftUnitInvocations>>;
  readonly passwordSecrets: Readonly<Record<string, RedshiftPasswordSecret>>;
  readonly driftCheck: RedshiftDriftCheck;
  /** The runner role's policy for this cluster: units run after it exists and are revoked before it goes. */
  readonly runnerPolicy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: RedshiftClusterGrantsProps) {
    super(scope, id);
    const { plan, provider } = props;
    if (!CLUSTER_ID_PATTERN.test(plan.clusterId)) throw new Error(`RedshiftClusterGrants.plan.clusterId ${JSON.stringify(plan.clusterId)} must be a Redshift cluster identifier`);
    if (plan.units.length === 0) throw new Error(`RedshiftClusterGrants.plan for ${plan.clusterId} has no units: the cluster has nothing for this plane`);

    const secrets: Record<string, RedshiftPasswordSecret> = {};
    const passwords: Record<string, PasswordSource> = {};
    for (const p of plan.passwordUsers) {
      secrets[p.user] = new RedshiftPasswordSecret(this, `${p.user}-password`, { envName: props.envName, clusterId: plan.clusterId, user: p.user, field: p.field, provider });
      passwords[p.user] = { user: p.user, secretArn: secrets[p.user].secret.arn, version: secrets[p.user].versionNumber };
    }
    this.passwordSecrets = secrets;

    const functionName = runnerFunctionName(props.envName, plan.region);
    const policy = new IamRolePolicy(this, 'runner-policy', {
      provider,
      name: `redshift-${plan.clusterId}`,
      // The runner's role has the function's name (RedshiftRunnerFunction).
      role: functionName,
      policy: policyJson(runnerClusterPolicy({
        clusterId: plan.clusterId,
        region: plan.region,
        accountId: props.accountId,
        partition: partitionOf(plan.region),
        auth: plan.auth,
        databases: [plan.adminDatabase, ...plan.units.flatMap((u) => (u.database ? [u.database] : []))],
        passwordSecretArns: Object.values(passwords).map((p) => p.secretArn),
      })),
    });
    this.runnerPolicy = policy;
    const audit = redshiftAuditInput(props.envName, plan);
    const { connection } = audit;

    const blocks: Record<string, RedshiftUnitInvocations> = {};
    let previous: ITerraformDependable[] = [];
    for (const tier of REDSHIFT_TIERS) {
      const current: ITerraformDependable[] = [];
      for (const [suffix, group] of consentGroups(plan.units.filter((u) => u.tier === tier), plan.consent)) {
        const name = tierResourceName(plan.clusterId, tier) + suffix;
        const users = new Set(group.units.flatMap((u) => (u.passwordUser ? [u.passwordUser] : [])));
        const block = new RedshiftUnitInvocations(this, name, {
          functionName,
          connection,
          units: group.units,
          passwords,
          consent: group.consent,
          provider,
          // The cluster's policy is revoked only after every unit; password units need their secret's value.
          dependsOn: [...previous, policy, ...[...users].map((u) => secrets[u].version)],
        });
        // Readable addresses: aws_lambda_invocation.<cluster>_<tier>[_<consent>]["<unit key>"].
        block.resource.overrideLogicalId(name);
        blocks[name] = block;
        current.push(block.resource);
      }
      if (current.length) previous = current;
    }
    this.blocks = blocks;

    this.driftCheck = new RedshiftDriftCheck(this, 'drift', {
      functionName,
      connection,
      expected: audit.expected,
      dependsOn: Object.values(blocks).map((b) => b.resource),
      provider,
    });
  }
}

/**
 * Groups a tier's units by the consent their revoke needs: units that create a database,
 * user or role need `immuta.allowDestroy`, or `informatica.connectorUser.allowDestroy`
 * for the connector user. Returns [block name suffix, group], unguarded units first.
 */
export function consentGroups(units: readonly RedshiftUnit[], consent: RedshiftDestroyConsent): [string, { units: RedshiftUnit[]; consent?: DestroyConsent }][] {
  const groups = new Map<string, { units: RedshiftUnit[]; consent?: DestroyConsent }>();
  for (const u of units) {
    const creates = u.apply.filter((s) => s.kind === 'createDatabase' || s.kind === 'createUser' || s.kind === 'createRole');
    let suffix = '';
    let c: DestroyConsent | undefined;
    if (creates.some((s) => s.kind === 'createUser' && s.user === consent.connectorUser?.name)) {
      suffix = '_connector_user';
      c = { field: 'informatica.connectorUser.allowDestroy', allowDestroy: consent.connectorUser!.allowDestroy };
    } else if (creates.length) {
      suffix = '_immuta';
      c = { field: 'immuta.allowDestroy', allowDestroy: consent.immuta };
    }
    if (!groups.has(suffix)) groups.set(suffix, { units: [], ...(c ? { consent: c } : {}) });
    groups.get(suffix)!.units.push(u);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
