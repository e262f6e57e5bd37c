import { Partition } from '../aws/partition';
import { PolicyDocument, PolicyStatement, policyDocument } from '../aws/policy-document';
import { RedshiftAdminAuth } from './plan';

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
