import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AssetType, TerraformAsset, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { CLUSTER_ID_PATTERN, REGION_PATTERN } from '../../estate/names';
import { Partition } from '../../model/aws/partition';
import { PolicyDocument, PolicyStatement, policyDocument, policyJson } from '../../model/aws/policy-document';
import { RedshiftAdminAuth } from '../../model/redshift/plan';
import { RUNNER_HANDLER, runnerArchive } from './runner-archive';

export interface RedshiftRunnerFunctionProps {
  /** Environment name: part of the function, role and log group names. */
  readonly envName: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: Partition;
  /** The provider of `region`; @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
  /** Days CloudWatch keeps the function's log. @default 90 */
  readonly logRetentionDays?: number;
}

/** What the function may do on one cluster. */
export interface RunnerClusterAccess {
  readonly clusterId: string;
  readonly auth: RedshiftAdminAuth;
  /** Every database the units run in (temporary credentials are per database). */
  readonly databases: readonly string[];
  /** ARNs of the password secrets the function reads (tokens allowed). */
  readonly passwordSecretArns: readonly string[];
}

/** Lambda allows 15 minutes; the Data API poll gives up a minute earlier (functions/redshift-runner/data-api.ts). */
const TIMEOUT_SECONDS = 900;

/**
 * The Lambda function that runs the Redshift units of one environment and region through
 * the Redshift Data API, with its execution role and log group. The code is the
 * deterministic archive of functions/redshift-runner (constructs/redshift/runner-archive.ts),
 * so its source_code_hash changes only with the code. Cluster permissions are added per
 * cluster with `allowCluster`, one inline policy each, so the units of a cluster can
 * depend on exactly their policy and are revoked before it goes.
 */
export class RedshiftRunnerFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly functionName: string;
  private readonly props: RedshiftRunnerFunctionProps;

  constructor(scope: Construct, id: string, props: RedshiftRunnerFunctionProps) {
    super(scope, id);
    if (!REGION_PATTERN.test(props.region)) throw new Error(`RedshiftRunnerFunction.region ${JSON.stringify(props.region)} must be an AWS region code`);
    this.props = props;
    const { provider } = props;
    // 64 characters at most: env (20) + region (14) + the fixed words.
    this.functionName = `${props.envName}-redshift-runner-${props.region}`;

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
      policy: policyJson(policyDocument({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroup.arn}:*` })),
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
      dependsOn: [logGroup, logs],
    });
  }

  /** Grants the function what it needs on one cluster; returns the policy for depends_on. */
  allowCluster(access: RunnerClusterAccess): IamRolePolicy {
    if (!CLUSTER_ID_PATTERN.test(access.clusterId)) throw new Error(`RedshiftRunnerFunction.allowCluster: clusterId ${JSON.stringify(access.clusterId)} must be a Redshift cluster identifier`);
    return new IamRolePolicy(this, `cluster-${access.clusterId}`, {
      provider: this.props.provider,
      name: `redshift-${access.clusterId}`,
      role: this.role.id,
      policy: policyJson(runnerClusterPolicy({ ...this.props, roleUniqueId: this.role.uniqueId, ...access })),
    });
  }
}

/**
 * Least privilege on one cluster: submit statements to it only; read the status and results
 * of statements this role submitted only (the Data API's ownership condition, since those
 * calls take no cluster); temporary credentials for the admin database user in the
 * databases the units use, or the admin secret; the cluster's password secrets.
 */
export function runnerClusterPolicy(p: RunnerClusterAccess & { region: string; accountId: string; partition: Partition; roleUniqueId: string }): PolicyDocument {
  const redshift = (resource: string) => `arn:${p.partition}:redshift:${p.region}:${p.accountId}:${resource}`;
  const statements: PolicyStatement[] = [
    { Sid: 'SubmitToCluster', Effect: 'Allow', Action: ['redshift-data:BatchExecuteStatement', 'redshift-data:ExecuteStatement'], Resource: redshift(`cluster:${p.clusterId}`) },
    {
      Sid: 'OwnStatements', Effect: 'Allow', Action: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult'], Resource: '*',
      // aws:userid of a Lambda execution role is "<role unique id>:<function name>".
      Condition: { StringLike: { 'redshift-data:statement-owner-iam-userid': `${p.roleUniqueId}:*` } },
    },
  ];
  if ('dbUser' in p.auth) {
    statements.push({
      Sid: 'AdminCredentials', Effect: 'Allow', Action: 'redshift:GetClusterCredentials',
      Resource: [redshift(`dbuser:${p.clusterId}/${p.auth.dbUser}`), ...[...new Set(p.databases)].sort().map((d) => redshift(`dbname:${p.clusterId}/${d}`))],
    });
  }
  const secrets = [...('secretArn' in p.auth ? [p.auth.secretArn] : []), ...p.passwordSecretArns];
  if (secrets.length) statements.push({ Sid: 'Secrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secrets });
  return policyDocument(...statements);
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
