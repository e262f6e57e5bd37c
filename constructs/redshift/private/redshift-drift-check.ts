import { DataAwsLambdaInvocation } from '@cdktf/provider-aws/lib/data-aws-lambda-invocation';
import { Fn, Op, TerraformProvider, TerraformResource, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { RedshiftExpectation } from '../../../audit/redshift';
import { AuditInput, ClusterConnection } from '../../../functions/redshift-runner/contract';

export interface RedshiftDriftCheckProps {
  /** The runner function's name (deployed first, by the runner stack). */
  readonly functionName: string;
  readonly connection: ClusterConnection;
  /** What the cluster's units put in place (audit/redshift.ts). */
  readonly expected: RedshiftExpectation;
  /** The unit blocks: the audit reads the catalog after they ran. */
  readonly dependsOn: readonly TerraformResource[];
  /** @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/**
 * A `check` block for one cluster: an `aws_lambda_invocation` data source runs the runner
 * function in audit mode on every plan and apply (one invocation per cluster), and the
 * assertion lists what the catalog lacks or holds beyond the units. A failed assertion is a
 * warning: the plan still succeeds, and Terraform Cloud's health checks show it.
 * The data source sits beside the check, not inside it: Terraform plans a check-scoped
 * data source for re-reading at every apply, so `plan -detailed-exitcode` would never say
 * "no changes". The function reports a catalog it cannot read in the report instead of
 * failing, so that the plan still only warns. cdktf 0.21 has no check construct: the block
 * is a stack override built from tokens.
 */
export class RedshiftDriftCheck extends Construct {
  /** The check block's name: `<cluster>_drift`. */
  readonly checkName: string;
  readonly audit: DataAwsLambdaInvocation;

  constructor(scope: Construct, id: string, props: RedshiftDriftCheckProps) {
    super(scope, id);
    const clusterId = props.connection.clusterId;
    this.checkName = `${clusterId}_drift`;
    const input: AuditInput = { mode: 'audit', connection: props.connection, expected: props.expected };
    this.audit = new DataAwsLambdaInvocation(this, 'audit', {
      provider: props.provider,
      functionName: props.functionName,
      input: JSON.stringify(input),
      dependsOn: [...props.dependsOn],
    });
    this.audit.overrideLogicalId(`${clusterId}_audit`);
    const report = Token.asString(Fn.lookup(Fn.jsondecode(this.audit.result), 'report'));
    TerraformStack.of(this).addOverride(`check.${this.checkName}`, {
      assert: [{
        condition: Op.lt(Fn.lengthOf(report), 1),
        error_message: `Redshift cluster ${clusterId} differs from the estate (audit/redshift.ts):\n${report}`,
      }],
    });
  }
}
