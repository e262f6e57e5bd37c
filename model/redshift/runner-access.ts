import { Partition } from '../aws/partition';
import { PolicyDocument, PolicyStatement, policyDocument } from '../aws/policy-document';
import { RedshiftAdminAuth, runnerFunctionName } from './plan';

/**
 * IAM's quota on the inline policies of one role taken together, in characters without
 * whitespace (IAM and AWS STS quotas, "Role policy size").
 */
export const ROLE_INLINE_POLICY_QUOTA = 10240;

/** What the runner function of the cluster's region may do on one cluster. */
export interface RunnerClusterAccess {
  readonly clusterId: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: Partition;
  readonly auth: RedshiftAdminAuth;
  /** Every database the units run in (temporary credentials are per database). */
  readonly databases: readonly string[];
  /** ARNs of the password secrets the function reads (tokens allowed). */
  readonly passwordSecretArns: readonly string[];
}

/**
 * Least privilege on one cluster: submit statements to it only; temporary credentials for
 * the admin database user in the databases the units use, or the admin secret; the
 * cluster's password secrets. The cluster's stack attaches it to the runner's role.
 */
export function runnerClusterPolicy(p: RunnerClusterAccess): PolicyDocument {
  const redshift = (resource: string) => `arn:${p.partition}:redshift:${p.region}:${p.accountId}:${resource}`;
  const statements: PolicyStatement[] = [
    { Sid: 'SubmitToCluster', Effect: 'Allow', Action: ['redshift-data:BatchExecuteStatement', 'redshift-data:ExecuteStatement'], Resource: redshift(`cluster:${p.clusterId}`) },
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

/** The runner's own log group: its streams and events, nothing else. */
export function runnerLogsPolicy(logGroupArn: string): PolicyDocument {
  return policyDocument({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroupArn}:*` });
}

/** Characters IAM counts in a policy: its JSON without whitespace. */
export function policySize(doc: PolicyDocument): number {
  return JSON.stringify(doc).replace(/\s/g, '').length;
}

/**
 * What the inline policies of one region's runner role add up to: its log and own-statements
 * policies and one policy per cluster of the region (`clusters`, their secret ARNs at their
 * longest: see `secretArnAtLongest`). The log group's ARN and the role's unique id are known
 * only at apply, so they are counted at their longest too. With an admin `dbUser`, every
 * database the units run in is a resource of its own, so this grows with the databases.
 */
export function runnerRolePolicySize(envName: string, region: string, accountId: string, partition: Partition, clusters: readonly RunnerClusterAccess[]): number {
  const logGroupArn = `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/lambda/${runnerFunctionName(envName, region)}`;
  // A role's unique id: AROA and 17 more characters.
  const roleUniqueId = `AROA${'X'.repeat(17)}`;
  return [runnerLogsPolicy(logGroupArn), runnerOwnStatementsPolicy(roleUniqueId), ...clusters.map(runnerClusterPolicy)].reduce((n, doc) => n + policySize(doc), 0);
}

/** A secret's ARN before it exists: Secrets Manager appends a hyphen and 6 characters to the name. */
export function secretArnAtLongest(partition: Partition, region: string, accountId: string, name: string): string {
  return `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}-XXXXXX`;
}

/**
 * The status and results of the statements the runner's role submitted, whatever the
 * cluster: those Data API calls take no cluster, so the Data API's ownership condition is
 * what limits them. Part of the runner's own role, not of any cluster's policy.
 */
export function runnerOwnStatementsPolicy(roleUniqueId: string): PolicyDocument {
  return policyDocument({
    Sid: 'OwnStatements', Effect: 'Allow', Action: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult'], Resource: '*',
    // aws:userid of a Lambda execution role is "<role unique id>:<function name>".
    Condition: { StringLike: { 'redshift-data:statement-owner-iam-userid': `${roleUniqueId}:*` } },
  });
}
