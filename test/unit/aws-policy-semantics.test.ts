/**
 * Evaluates the policy documents the example estate actually synthesizes (not the model's
 * inputs) with an IAM policy simulator: what each principal may and may not do.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import * as fs from 'fs';
import { synthExampleEstate, TerraformJson } from '../support/synth';

type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';
type Doc = Record<string, unknown>;

const app = synthExampleEstate();
afterAll(() => fs.rmSync(app.outdir, { recursive: true, force: true }));
const DEV = '111122223333';
const PROD = '999988887777';
const IMMUTA = '444455556666';
const KEY_ARN = `arn:aws:kms:us-east-1:${DEV}:key/0f9b7c1e-1111-2222-3333-444455556666`;

/** Replaces the ARN references Terraform resolves at apply time with the ARNs they will have. */
function resolveArns(text: string, json: TerraformJson, accountId: string): string {
  return text.replace(/\$\{(aws_[a-z_]+)\.([^.}]+)\.arn\}/g, (ref, type: string, id: string) => {
    const name = json.resource?.[type]?.[id]?.name as string | undefined;
    if (type === 'aws_kms_key') return KEY_ARN;
    if (type === 'aws_iam_role' && name) return `arn:aws:iam::${accountId}:role/${name}`;
    if (type === 'aws_iam_user' && name) return `arn:aws:iam::${accountId}:user/${name}`;
    throw new Error(`no ARN for ${ref}`);
  });
}

/** The policy in `attribute` of the one resource of `type` whose `field` is `value`. */
function policyOf(stack: string, type: string, attribute: string, match: (r: Record<string, unknown>) => boolean): Doc {
  const json = app.stackJson(stack);
  const found = Object.values(json.resource?.[type] ?? {}).filter(match);
  if (found.length !== 1) throw new Error(`${stack}: expected one ${type} matching, found ${found.length}`);
  const account = (json.provider?.aws?.[0]?.allowed_account_ids as string[])[0];
  return JSON.parse(resolveArns(found[0][attribute] as string, json, account)) as Doc;
}
const named = (name: string) => (r: Record<string, unknown>) => r.name === name;
const any = () => true;

interface Request {
  principal: string;
  action: string;
  resource: string;
  account: string;
  context?: Record<string, string>;
  identity?: Doc;
  resourcePolicy?: Doc;
}

async function decide(r: Request): Promise<Decision> {
  const result = await runSimulation({
    request: { principal: r.principal, action: r.action, resource: { resource: r.resource, accountId: r.account }, contextVariables: r.context ?? {} },
    identityPolicies: r.identity ? [{ name: 'identity', policy: r.identity }] : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: r.resourcePolicy,
  }, {});
  if (result.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

/** A caller in another account also needs its own permission to call sts:AssumeRole. */
const mayAssumeAnyRole: Doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };

describe('the Redshift IAM role guide: who may assume the Redshift service role', () => {
  const devTrust = policyOf('dev-aws-access', 'aws_iam_role', 'assume_role_policy', named('RedshiftCopyUnloadDev'));
  const prodTrust = policyOf('prod-aws-access', 'aws_iam_role', 'assume_role_policy', named('RedshiftCopyUnload'));
  const devRole = `arn:aws:iam::${DEV}:role/RedshiftCopyUnloadDev`;
  const etlLoader = `arn:aws:redshift:us-east-1:${DEV}:dbuser:analytics-dev/etl_loader`;
  const reporting = `arn:aws:redshift:us-west-2:${DEV}:dbuser:analytics-dev/reporting`;
  const assume = (principal: string, externalId: string | undefined, resourcePolicy = devTrust, resource = devRole) =>
    decide({ principal, action: 'sts:AssumeRole', resource, account: DEV, resourcePolicy, context: externalId ? { 'sts:ExternalId': externalId } : {} });

  test.each([
    ['redshift.us-east-1.amazonaws.com', etlLoader],
    ['redshift.us-west-2.amazonaws.com', reporting],
  ])('%s for a listed database user may assume it', async (principal, user) => {
    expect(await assume(principal, user)).toBe('Allowed');
  });

  test('Redshift in a region outside the list may not (redshift.eu-west-1)', async () => {
    expect(await assume('redshift.eu-west-1.amazonaws.com', etlLoader)).toBe('ImplicitlyDenied');
  });

  test('the unrestricted principal redshift.amazonaws.com may not when regions are listed', async () => {
    expect(await assume('redshift.amazonaws.com', etlLoader)).toBe('ImplicitlyDenied');
  });

  test('a database user not listed may not, nor a request without a user', async () => {
    expect(await assume('redshift.us-east-1.amazonaws.com', `arn:aws:redshift:us-east-1:${DEV}:dbuser:analytics-dev/intruder`)).toBe('ImplicitlyDenied');
    expect(await assume('redshift.us-east-1.amazonaws.com', undefined)).toBe('ImplicitlyDenied');
  });

  test('without restrictions (prod) Redshift anywhere may assume it, and no other service', async () => {
    const role = `arn:aws:iam::${PROD}:role/RedshiftCopyUnload`;
    expect(await decide({ principal: 'redshift.amazonaws.com', action: 'sts:AssumeRole', resource: role, account: PROD, resourcePolicy: prodTrust })).toBe('Allowed');
    expect(await decide({ principal: 'ec2.amazonaws.com', action: 'sts:AssumeRole', resource: role, account: PROD, resourcePolicy: prodTrust })).toBe('ImplicitlyDenied');
  });
});

describe('Immuta\'s PostgreSQL requirements: Immuta\'s role and rds-db:connect', () => {
  const trust = policyOf('dev-aws-access', 'aws_iam_role', 'assume_role_policy', named('immuta_rds_connector'));
  const role = `arn:aws:iam::${DEV}:role/immuta_rds_connector`;
  const assume = (principal: string, context: Record<string, string>) =>
    decide({ principal, action: 'sts:AssumeRole', resource: role, account: DEV, resourcePolicy: trust, identity: mayAssumeAnyRole, context });

  test('Immuta\'s account with the right external id may assume the role', async () => {
    expect(await assume(`arn:aws:iam::${IMMUTA}:role/immuta-connector`, { 'sts:ExternalId': 'immuta-tenant-7f3a9c' })).toBe('Allowed');
  });

  test('a wrong or missing external id may not', async () => {
    expect(await assume(`arn:aws:iam::${IMMUTA}:role/immuta-connector`, { 'sts:ExternalId': 'another-tenant' })).toBe('ImplicitlyDenied');
    expect(await assume(`arn:aws:iam::${IMMUTA}:role/immuta-connector`, {})).toBe('ImplicitlyDenied');
  });

  test('another account with the right external id may not', async () => {
    expect(await assume('arn:aws:iam::777788889999:role/impostor', { 'sts:ExternalId': 'immuta-tenant-7f3a9c' })).toBe('ImplicitlyDenied');
  });

  const connect = (stack: string, policyName: string, account: string, resource: string) =>
    decide({ principal: `arn:aws:iam::${account}:role/immuta`, action: 'rds-db:connect', resource, account, identity: policyOf(stack, 'aws_iam_policy', 'policy', named(policyName)) });

  test('rds-db:connect is allowed as the system role on that database only', async () => {
    const dbuser = (resourceId: string, user: string, region = 'us-east-1') => `arn:aws:rds-db:${region}:${DEV}:dbuser:${resourceId}/${user}`;
    const allowed = (r: string) => connect('dev-aws-access', 'customers-rds-immuta-rds-connect', DEV, r);
    expect(await allowed(dbuser('db-ABCDEFGHIJKLMNOPQRSTUVWXY1', 'immuta_rds_connector'))).toBe('Allowed');
    expect(await allowed(dbuser('db-ABCDEFGHIJKLMNOPQRSTUVWXY1', 'dbadmin'))).toBe('ImplicitlyDenied');
    expect(await allowed(dbuser('db-ZZZZZZZZZZZZZZZZZZZZZZZZZ9', 'immuta_rds_connector'))).toBe('ImplicitlyDenied');
    expect(await allowed(dbuser('db-ABCDEFGHIJKLMNOPQRSTUVWXY1', 'immuta_rds_connector', 'us-west-2'))).toBe('ImplicitlyDenied');
  });

  test('the access-key variant (prod, Aurora) grants the same single dbuser', async () => {
    const dbuser = (user: string) => `arn:aws:rds-db:eu-west-1:${PROD}:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXY2/${user}`;
    expect(await connect('prod-aws-access', 'payments-aurora-immuta-rds-connect', PROD, dbuser('immuta_system'))).toBe('Allowed');
    expect(await connect('prod-aws-access', 'payments-aurora-immuta-rds-connect', PROD, dbuser('postgres'))).toBe('ImplicitlyDenied');
  });
});

describe('Informatica\'s Redshift connector requirements: the Informatica staging policy', () => {
  const devPolicy = policyOf('dev-aws-access', 'aws_iam_policy', 'policy', named('analytics-dev-informatica-staging'));
  const prodPolicy = policyOf('prod-aws-access', 'aws_iam_policy', 'policy', named('warehouse-prod-informatica-staging'));
  const bucket = 'example-dev-informatica-staging';
  const agent = `arn:aws:iam::${DEV}:role/analytics-dev-informatica-agent`;
  const asAgent = (action: string, resource: string, identity = devPolicy) => decide({ principal: agent, action, resource, account: DEV, identity });

  test.each([
    ['s3:PutObject', `arn:aws:s3:::${bucket}/stage/part-0001.csv`],
    ['s3:GetObject', `arn:aws:s3:::${bucket}/stage/part-0001.csv`],
    ['s3:DeleteObject', `arn:aws:s3:::${bucket}/stage/part-0001.csv`],
    ['s3:ListBucket', `arn:aws:s3:::${bucket}`],
    ['s3:GetBucketPolicy', `arn:aws:s3:::${bucket}`],
  ])('%s is allowed on the staging bucket', async (action, resource) => {
    expect(await asAgent(action, resource)).toBe('Allowed');
  });

  test.each([
    ['s3:PutObject', 'arn:aws:s3:::some-other-bucket/stage/part-0001.csv'],
    ['s3:GetObject', 'arn:aws:s3:::some-other-bucket/secret.csv'],
    ['s3:ListBucket', 'arn:aws:s3:::some-other-bucket'],
    ['s3:PutBucketPolicy', `arn:aws:s3:::${bucket}`],
    ['s3:DeleteBucket', `arn:aws:s3:::${bucket}`],
    ['s3:DeleteObjectVersion', `arn:aws:s3:::${bucket}/stage/part-0001.csv`],
    ['s3:PutObjectAcl', `arn:aws:s3:::${bucket}/stage/part-0001.csv`],
  ])('%s on %s is denied', async (action, resource) => {
    expect(await asAgent(action, resource)).toBe('ImplicitlyDenied');
  });

  // KMS honours IAM policies only where the key policy delegates to the account: AWS's default key policy does.
  const defaultKeyPolicy: Doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: 'kms:*', Resource: '*' }] };
  const withKey = (action: string, key: string, identity = devPolicy) =>
    decide({ principal: agent, action, resource: key, account: DEV, identity, resourcePolicy: defaultKeyPolicy });

  test('the minimal policy grants no KMS use of its own: even a key delegating to the account is refused', async () => {
    expect(await withKey('kms:GenerateDataKey', KEY_ARN)).toBe('ImplicitlyDenied');
    expect(await withKey('kms:Decrypt', KEY_ARN)).toBe('ImplicitlyDenied');
  });

  test('with SSE-S3 (prod) the policy grants no KMS use at all', async () => {
    expect(await withKey('kms:Decrypt', KEY_ARN, prodPolicy)).toBe('ImplicitlyDenied');
    expect(await asAgent('s3:GetObject', 'arn:aws:s3:::example-prod-informatica-staging/x.csv', prodPolicy)).toBe('Allowed');
  });
});

describe('Informatica\'s Redshift connector requirements: the staging bucket accepts TLS only', () => {
  const bucketPolicy = policyOf('dev-aws-access', 'aws_s3_bucket_policy', 'policy', any);
  const identity = policyOf('dev-aws-access', 'aws_iam_policy', 'policy', named('analytics-dev-informatica-staging'));
  const request = (action: string, resource: string, secure: string) => decide({
    principal: `arn:aws:iam::${DEV}:role/analytics-dev-informatica-agent`,
    action,
    resource,
    account: DEV,
    identity,
    resourcePolicy: bucketPolicy,
    context: { 'aws:SecureTransport': secure },
  });

  test.each([
    ['s3:GetObject', 'arn:aws:s3:::example-dev-informatica-staging/x.csv'],
    ['s3:ListBucket', 'arn:aws:s3:::example-dev-informatica-staging'],
  ])('%s over TLS is allowed, without TLS explicitly denied', async (action, resource) => {
    expect(await request(action, resource, 'true')).toBe('Allowed');
    expect(await request(action, resource, 'false')).toBe('ExplicitlyDenied');
  });
});

describe('Informatica\'s Redshift connector requirements: the staging key\'s policy', () => {
  const keyPolicy = policyOf('dev-aws-access', 'aws_kms_key', 'policy', any);
  const use = (roleName: string, action: string) =>
    decide({ principal: `arn:aws:iam::${DEV}:role/${roleName}`, action, resource: KEY_ARN, account: DEV, resourcePolicy: keyPolicy });

  test.each(['analytics-dev-informatica-agent', 'analytics-dev-informatica-redshift'])('%s may use the key through the key policy alone', async (role) => {
    expect(await use(role, 'kms:GenerateDataKey')).toBe('Allowed');
    expect(await use(role, 'kms:Decrypt')).toBe('Allowed');
  });

  test('the Informatica roles may not administer the key', async () => {
    expect(await use('analytics-dev-informatica-agent', 'kms:ScheduleKeyDeletion')).toBe('ImplicitlyDenied');
    expect(await use('analytics-dev-informatica-agent', 'kms:PutKeyPolicy')).toBe('ImplicitlyDenied');
  });

  test('another role of the account gets nothing from the key policy itself', async () => {
    expect(await use('RedshiftCopyUnloadDev', 'kms:Decrypt')).toBe('ImplicitlyDenied');
  });
});
