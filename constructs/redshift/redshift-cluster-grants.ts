import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { ITerraformDependable, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { redshiftAuditInput } from '../../audit/redshift';
import { PasswordSource } from '../../functions/redshift-runner/contract';
import { partitionOf } from '../../model/aws/partition';
import { policyJson } from '../../model/aws/policy-document';
import { RedshiftClusterPlan, runnerFunctionName } from '../../model/redshift/plan';
import { runnerClusterPolicy } from '../../model/redshift/runner-access';
import { CLUSTER_ID_PATTERN } from '../../estate/names';
import { RedshiftDriftCheck } from './private/redshift-drift-check';
import { RedshiftPasswordSecret } from './private/redshift-password-secret';
import { RedshiftUnitInvocations } from './private/redshift-unit-invocations';
import { addRedshiftUnitTiers } from './private/redshift-unit-tiers';

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
 * What the cluster's own stack declares inside one Redshift cluster: the Immuta database,
 * users and roles, memberships, passwords, TEMP and the Informatica connector's schemas, as
 * unit invocations in tiers that run in order (databases, principals, grants; revokes run in
 * reverse). Units that create a database, user or role sit in blocks of their own per consent
 * field, so that prevent_destroy guards exactly them. Passwords live in Secrets Manager; a
 * check block reads these units' part of the catalog back on every plan. Immuta's grants and
 * masking on protected databases are in the database stacks (RedshiftDatabaseGrants),
 * deployed after this one; the runner policy here covers their databases too. The runner function of the cluster's region
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
    if (plan.clusterUnits.length === 0) throw new Error(`RedshiftClusterGrants.plan for ${plan.clusterId} has no units: the cluster has nothing for this plane`);

    const secrets: Record<string, RedshiftPasswordSecret> = {};
    const passwords: Record<string, { source: PasswordSource; ready: ITerraformDependable }> = {};
    for (const p of plan.passwordUsers) {
      const secret = new RedshiftPasswordSecret(this, `${p.user}-password`, { envName: props.envName, clusterId: plan.clusterId, user: p.user, field: p.field, provider });
      secrets[p.user] = secret;
      passwords[p.user] = { source: { user: p.user, secretArn: secret.secret.arn, version: secret.versionNumber }, ready: secret.version };
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
        databases: plan.databases,
        passwordSecretArns: Object.values(passwords).map((p) => p.source.secretArn),
      })),
    });
    this.runnerPolicy = policy;
    const audit = redshiftAuditInput(props.envName, plan, plan.clusterUnits);
    const { connection } = audit;

    const blocks = addRedshiftUnitTiers(this, {
      clusterId: plan.clusterId,
      functionName,
      connection,
      units: plan.clusterUnits,
      consent: plan.consent,
      passwords,
      // The cluster's policy is revoked only after every unit.
      dependsOn: [policy],
      provider,
    });
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
