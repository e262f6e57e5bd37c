/**
 * The Redshift runner: the Lambda function behind every Redshift unit's
 * aws_lambda_invocation (lifecycle_scope = "CRUD") and behind each cluster's drift check.
 * The AWS SDK v3 clients come with the Node.js 20 runtime; the region is the function's.
 * It logs nothing of its input: the SQL is in the plan already and a password's md5 form
 * must not reach the logs.
 */
import { BatchExecuteStatementCommand, DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { auditRedshiftCluster, findingLines } from '../../audit/redshift';
import { Finding } from '../../audit/findings';
import { AuditInput } from './contract';
import { DataApi, DataApiCalls } from './data-api';
import { UnitDeps, UnitEvent, UnitResult, runUnit } from './unit-lifecycle';

export interface AuditResult {
  readonly findings: readonly Finding[];
  /** One line per finding (or why the catalog could not be read), for the check block's message; empty when the cluster matches. */
  readonly report: string;
}

export async function handle(event: UnitEvent | AuditInput, deps: UnitDeps): Promise<UnitResult | AuditResult> {
  if (event.mode === 'audit') {
    try {
      const findings = await auditThroughDataApi(event, deps.dataApi, 'terraform:audit');
      return { findings, report: findingLines(findings).join('\n') };
    } catch (e) {
      // A plan must still succeed (and warn) when the catalog cannot be read.
      return { findings: [], report: `the drift check could not read the catalog: ${(e as Error).message}` };
    }
  }
  if (event.mode === 'unit') return runUnit(event, deps);
  throw new Error(`unexpected input: mode must be "unit" or "audit", got ${JSON.stringify((event as { mode?: unknown }).mode)}`);
}

/** The drift audit of one cluster through the Data API: the check block's and `npm run audit`'s one code path. */
export function auditThroughDataApi(input: AuditInput, dataApi: DataApi, statementName: string): Promise<Finding[]> {
  const c = input.connection;
  return auditRedshiftCluster(
    (sql, database) => dataApi.query({ connection: c, database: database ?? c.adminDatabase, statementName, label: `drift check of cluster ${c.clusterId}` }, sql),
    input.expected,
  );
}

/**
 * The SDK clients: made once per container in the function (its own region), and by
 * `npm run audit` for a cluster's region. Endpoints follow the SDK's usual settings
 * (AWS_ENDPOINT_URL_REDSHIFT_DATA and the like).
 */
export function sdkDeps(region?: string): UnitDeps {
  const data = new RedshiftDataClient(region ? { region } : {});
  const secrets = new SecretsManagerClient(region ? { region } : {});
  const calls: DataApiCalls = {
    executeStatement: (req) => data.send(new ExecuteStatementCommand({ ...req, Sql: req.Sql! })),
    batchExecuteStatement: (req) => data.send(new BatchExecuteStatementCommand({ ...req, Sqls: req.Sqls! })),
    describeStatement: (Id) => data.send(new DescribeStatementCommand({ Id })),
    getStatementResult: (Id, NextToken) => data.send(new GetStatementResultCommand({ Id, NextToken })),
  };
  return {
    dataApi: new DataApi(calls),
    readSecret: async (SecretId) => {
      const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId }));
      if (!SecretString) throw new Error(`secret ${SecretId} has no string value`);
      return SecretString;
    },
  };
}

let deps: UnitDeps | undefined;

/** The Lambda entry point (`handler.handler`). */
export async function handler(event: UnitEvent | AuditInput): Promise<UnitResult | AuditResult> {
  deps ??= sdkDeps();
  return handle(event, deps);
}
