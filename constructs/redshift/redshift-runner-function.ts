import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AssetType, TerraformAsset, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { REGION_PATTERN } from '../../estate/names';
import { policyDocument, policyJson } from '../../model/aws/policy-document';
import { runnerFunctionName } from '../../model/redshift/plan';
import { runnerLogsPolicy, runnerOwnStatementsPolicy } from '../../model/redshift/runner-access';
import { RUNNER_HANDLER, runnerArchive } from './private/runner-archive';

export interface RedshiftRunnerFunctionProps {
  /** Environment name: part of the function, role and log group names. */
  readonly envName: string;
  readonly region: string;
  /** The provider of `region`. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
  /** Days CloudWatch keeps the function's log. @default 90 */
  readonly logRetentionDays?: number;
}

/** Lambda allows 15 minutes; the Data API poll gives up a minute earlier (functions/redshift-runner/data-api.ts). */
const TIMEOUT_SECONDS = 900;

/**
 * The Lambda function that runs the Redshift units of one environment and region through
 * the Redshift Data API, with its execution role and log group. The code is the
 * deterministic archive of functions/redshift-runner (constructs/redshift/private/runner-archive.ts),
 * so its source_code_hash changes only with the code. Function and role are both named
 * `runnerFunctionName(envName, region)`: each cluster's stack invokes the function and
 * attaches its cluster policy to the role by that name (RedshiftClusterGrants), so the
 * units of a cluster depend on exactly their policy and are revoked before it goes.
 */
export class RedshiftRunnerFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: RedshiftRunnerFunctionProps) {
    super(scope, id);
    if (!REGION_PATTERN.test(props.region)) throw new Error(`RedshiftRunnerFunction.region ${JSON.stringify(props.region)} must be an AWS region code`);
    const { provider } = props;
    this.functionName = runnerFunctionName(props.envName, props.region);

    const logGroup = new CloudwatchLogGroup(this, 'log-group', {
      provider,
      name: `/aws/lambda/${this.functionName}`,
      retentionInDays: props.logRetentionDays ?? 90,
    });
    this.role = new IamRole(this, 'role', {
      provider,
      name: this.functionName,
      description: `Runs the Redshift units of environment ${props.envName} in ${props.region} through the Redshift Data API`,
      assumeRolePolicy: policyJson(policyDocument({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' })),
    });
    const logs = new IamRolePolicy(this, 'logs', {
      provider,
      name: 'logs',
      role: this.role.id,
      policy: policyJson(runnerLogsPolicy(logGroup.arn)),
    });
    const statements = new IamRolePolicy(this, 'own-statements', {
      provider,
      name: 'own-statements',
      role: this.role.id,
      policy: policyJson(runnerOwnStatementsPolicy(this.role.uniqueId)),
    });

    const archive = runnerArchive();
    const asset = new TerraformAsset(this, 'code', { path: archiveFile(archive.zip, archive.sha256), type: AssetType.FILE });
    this.function = new LambdaFunction(this, 'function', {
      provider,
      functionName: this.functionName,
      description: `Redshift units and drift check of environment ${props.envName} (governance-estate)`,
      role: this.role.arn,
      runtime: 'nodejs20.x',
      handler: RUNNER_HANDLER,
      filename: asset.path,
      sourceCodeHash: archive.sha256,
      timeout: TIMEOUT_SECONDS,
      memorySize: 256,
      dependsOn: [logGroup, logs, statements],
    });
  }
}

/** The archive as a file cdktf can copy into the stack's assets: content-addressed, written once. */
function archiveFile(zip: Buffer, sha256: string): string {
  const dir = path.join(os.tmpdir(), `governance-estate-redshift-runner-${sha256.replace(/[^A-Za-z0-9]/g, '').slice(0, 32)}`);
  const file = path.join(dir, 'redshift-runner.zip');
  if (!fs.existsSync(file) || !fs.readFileSync(file).equals(zip)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, zip);
  }
  return file;
}
