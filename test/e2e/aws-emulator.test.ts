/**
 * The AWS stacks of the example estate, applied for real by terraform and the aws
 * provider against moto: apply, a second plan without changes, the objects as the
 * emulator's own API reports them, destroy, and nothing left behind.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { awsCli, MotoServer, startMoto } from '../support/moto';
import { copyStack, synthExampleEstate, tempDir, TerraformJson } from '../support/synth';
import { runTerraform, terraformEnv, writeCliConfig } from '../support/terraform-env';

/**
 * Resource types moto cannot serve; they are covered by terraform validate and the
 * snapshot instead (README, "Tests").
 */
const EMULATOR_CANNOT_SERVE: Readonly<Record<string, string>> = {
  aws_redshift_cluster_iam_roles: 'moto has no ModifyClusterIamRoles and the provider retries it until killed',
};
const SERVICES = ['iam', 'sts', 'kms', 's3', 'secretsmanager', 'redshift'];
const MINUTES = 60 * 1000;

const app = synthExampleEstate();
const awsStacks = app.stacks.filter((s) => s.endsWith('-aws-access'));
const cliConfig = writeCliConfig(tempDir('tf-cli'));
afterAll(() => fs.rmSync(app.outdir, { recursive: true, force: true }));

type Resources = NonNullable<TerraformJson['resource']>;
const resourcesOf = (json: TerraformJson, type: string) => Object.values(json.resource?.[type] ?? {});
const namesOf = (json: TerraformJson, type: string) => resourcesOf(json, type).map((r) => (r.name ?? r.bucket) as string).sort();
const accountOf = (json: TerraformJson) => (json.provider!.aws[0].allowed_account_ids as string[])[0];
const regionOf = (json: TerraformJson) => json.provider!.aws[0].region as string;

/** Every resource block as a -target address, except the types the emulator cannot serve. */
function targets(resources: Resources): string[] {
  return Object.entries(resources)
    .filter(([type]) => !(type in EMULATOR_CANNOT_SERVE))
    .flatMap(([type, blocks]) => Object.keys(blocks).map((name) => `${type}.${name}`))
    .sort();
}

/**
 * Override files (terraform merges *_override.tf.json over the stack): every aws provider
 * block, aliases included, talks to the emulator with static credentials; state is local.
 * The account id is still asked of the emulator's STS, so allowed_account_ids is checked.
 */
function pointAtEmulator(dir: string, json: TerraformJson, endpoint: string): void {
  const providers = json.provider!.aws.map((p) => ({
    ...(p.alias ? { alias: p.alias } : {}),
    access_key: 'test',
    secret_key: 'test',
    skip_credentials_validation: true,
    skip_metadata_api_check: true,
    s3_use_path_style: true,
    endpoints: [Object.fromEntries(SERVICES.map((s) => [s, endpoint]))],
  }));
  fs.writeFileSync(path.join(dir, 'provider_override.tf.json'), JSON.stringify({ provider: { aws: providers } }, null, 2));
  fs.writeFileSync(path.join(dir, 'backend_override.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: 'terraform.tfstate' } } } }, null, 2));
}

/** Values for the stack's required variables: only master keys are expected, given as `openssl rand -base64 32` would. */
function requiredVariables(json: TerraformJson): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, v] of Object.entries(json.variable ?? {})) {
    if ('default' in v) continue;
    if (!name.endsWith('_master_key')) throw new Error(`the e2e test does not know how to supply required variable ${name}`);
    vars[`TF_VAR_${name}`] = randomBytes(32).toString('base64');
  }
  return vars;
}

/** Commands that read input get -input=false: nothing may wait for a prompt. */
function terraform(dir: string, env: NodeJS.ProcessEnv, args: string[], timeoutMs = 5 * MINUTES) {
  const interactive = ['init', 'plan', 'apply', 'destroy'].includes(args[0]);
  const res = runTerraform([...args, ...(interactive ? ['-input=false', '-no-color'] : [])], { cwd: dir, env, timeoutMs });
  return { ...res, output: `${res.stdout}\n${res.stderr}` };
}

test('the example estate brings every resource type of the AWS plane to the emulator', () => {
  // Generic checks below find nothing to check in a stack without, say, a KMS key; this keeps the run covering all of them.
  const types = new Set(awsStacks.flatMap((s) => Object.keys(app.stackJson(s).resource ?? {})));
  expect([...types].sort()).toEqual([
    'aws_iam_access_key', 'aws_iam_instance_profile', 'aws_iam_policy', 'aws_iam_role', 'aws_iam_role_policy_attachment',
    'aws_iam_user', 'aws_iam_user_policy_attachment', 'aws_kms_alias', 'aws_kms_key', 'aws_redshift_cluster_iam_roles',
    'aws_s3_bucket', 'aws_s3_bucket_lifecycle_configuration', 'aws_s3_bucket_ownership_controls', 'aws_s3_bucket_policy',
    'aws_s3_bucket_public_access_block', 'aws_s3_bucket_server_side_encryption_configuration',
    'aws_secretsmanager_secret', 'aws_secretsmanager_secret_version',
  ]);
});

describe.each(awsStacks)('%s on the AWS emulator', (stack) => {
  const json = app.stackJson(stack);
  const region = regionOf(json);
  const vars = requiredVariables(json);
  const targetArgs = targets(json.resource ?? {}).map((t) => `-target=${t}`);
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => awsCli(moto, region, args);

  beforeAll(async () => {
    moto = await startMoto(accountOf(json));
    dir = copyStack(app, stack);
    pointAtEmulator(dir, json, moto.endpoint);
    env = { ...terraformEnv(cliConfig), ...vars };
    const init = terraform(dir, env, ['init']);
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.output}`);
  }, 2 * MINUTES);

  afterAll(async () => {
    await moto?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, MINUTES);

  test('only the types the emulator cannot serve are left out', () => {
    const left = Object.keys(json.resource ?? {}).filter((t) => t in EMULATOR_CANNOT_SERVE);
    expect(left).toEqual(['aws_redshift_cluster_iam_roles']);
    expect(targetArgs.length).toBeGreaterThan(10);
  });

  test('apply creates every other resource', () => {
    const apply = terraform(dir, env, ['apply', '-auto-approve', ...targetArgs], 6 * MINUTES);
    expect({ status: apply.status, output: apply.status === 0 ? '' : apply.output }).toEqual({ status: 0, output: '' });
    const state = terraform(dir, env, ['state', 'list']).stdout.trim().split('\n').map((a) => a.replace(/\[.*\]$/, ''));
    expect([...new Set(state)].sort()).toEqual(targets(json.resource ?? {}));
  }, 7 * MINUTES);

  test('a second plan shows no changes', () => {
    const plan = terraform(dir, env, ['plan', '-detailed-exitcode', ...targetArgs]);
    expect({ status: plan.status, output: plan.status === 0 ? '' : plan.output }).toEqual({ status: 0, output: '' });
  }, 6 * MINUTES);

  test('roles carry the synthesized trust policies and attachments', () => {
    for (const [id, role] of Object.entries(json.resource?.aws_iam_role ?? {})) {
      const got = cli('iam', 'get-role', '--role-name', role.name as string) as { Role: { AssumeRolePolicyDocument: unknown } };
      expect([role.name, got.Role.AssumeRolePolicyDocument]).toEqual([role.name, JSON.parse(role.assume_role_policy as string)]);
      const attached = cli('iam', 'list-attached-role-policies', '--role-name', role.name as string) as { AttachedPolicies: unknown[] };
      const declared = resourcesOf(json, 'aws_iam_role_policy_attachment')
        .filter((a) => a.role === `\${aws_iam_role.${id}.name}`)
        .reduce((n, a) => n + (a.for_each ? Object.keys(a.for_each as object).length : 1), 0);
      expect([role.name, attached.AttachedPolicies.length]).toEqual([role.name, declared]);
    }
    for (const user of namesOf(json, 'aws_iam_user')) {
      const attached = cli('iam', 'list-attached-user-policies', '--user-name', user) as { AttachedPolicies: unknown[] };
      expect([user, attached.AttachedPolicies.length]).toEqual([user, 1]);
    }
  });

  test('staging buckets block public access, require TLS and encrypt by default', () => {
    const buckets = namesOf(json, 'aws_s3_bucket');
    expect(buckets.length).toBeGreaterThan(0);
    for (const bucket of buckets) {
      const block = cli('s3api', 'get-public-access-block', '--bucket', bucket) as { PublicAccessBlockConfiguration: Record<string, boolean> };
      expect(block.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
      const policy = cli('s3api', 'get-bucket-policy', '--bucket', bucket) as { Policy: string };
      expect(JSON.parse(policy.Policy).Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
      const enc = cli('s3api', 'get-bucket-encryption', '--bucket', bucket) as { ServerSideEncryptionConfiguration: { Rules: Array<{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: string } }> } };
      const algorithm = enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm;
      expect(algorithm).toBe(resourcesOf(json, 'aws_kms_key').length > 0 ? 'aws:kms' : 'AES256');
    }
  });

  test('customer managed keys rotate', () => {
    const keys = cli('kms', 'list-aliases') as { Aliases: Array<{ AliasName: string; TargetKeyId?: string }> };
    for (const alias of namesOf(json, 'aws_kms_alias')) {
      const keyId = keys.Aliases.find((a) => a.AliasName === alias)?.TargetKeyId;
      expect([alias, typeof keyId]).toEqual([alias, 'string']);
      expect(cli('kms', 'get-key-rotation-status', '--key-id', keyId!)).toMatchObject({ KeyRotationEnabled: true });
    }
  });

  test('the master key reaches Secrets Manager but never the state', () => {
    const versions = resourcesOf(json, 'aws_secretsmanager_secret_version');
    expect(versions.length).toBe(Object.keys(vars).length);
    const state = fs.readFileSync(path.join(dir, 'terraform.tfstate'), 'utf8');
    for (const version of versions) {
      const secretId = /^\$\{aws_secretsmanager_secret\.([^.]+)\.id\}$/.exec(version.secret_id as string)![1];
      const variable = /^\$\{var\.([^}]+)\}$/.exec(version.secret_string_wo as string)![1];
      const key = vars[`TF_VAR_${variable}`];
      const secret = json.resource!.aws_secretsmanager_secret[secretId].name as string;
      expect(cli('secretsmanager', 'get-secret-value', '--secret-id', secret)).toMatchObject({ SecretString: key });
      expect(state).not.toContain(key);
    }
  });

  test('outputs: every declared output, the JDBC URL with ssl=true, access keys sensitive', () => {
    // A targeted apply stores only outputs that depend on targeted resources; a refresh-only run stores them all.
    const refresh = terraform(dir, env, ['apply', '-refresh-only', '-auto-approve']);
    expect({ status: refresh.status, output: refresh.status === 0 ? '' : refresh.output }).toEqual({ status: 0, output: '' });
    const outputs = JSON.parse(terraform(dir, env, ['output', '-json']).stdout) as Record<string, { sensitive: boolean; value: string }>;
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(json.output ?? {}).sort());
    const jdbc = Object.entries(outputs).filter(([name]) => name.endsWith('_jdbc_url'));
    expect(jdbc.length).toBeGreaterThan(0);
    for (const [, o] of jdbc) expect(o.value).toMatch(/^jdbc:redshift:\/\/.+:\d+\/.+\?ssl=true$/);
    for (const [name, o] of Object.entries(outputs)) {
      if (/_(access_key_id|secret_access_key)$/.test(name)) expect([name, o.sensitive]).toEqual([name, true]);
    }
  });

  test('destroy leaves nothing of ours in the emulator', () => {
    const destroy = terraform(dir, env, ['destroy', '-auto-approve'], 5 * MINUTES);
    expect({ status: destroy.status, output: destroy.status === 0 ? '' : destroy.output }).toEqual({ status: 0, output: '' });
    const ours = (listed: string[], type: string) => listed.filter((n) => namesOf(json, type).includes(n));

    const roles = (cli('iam', 'list-roles') as { Roles: Array<{ RoleName: string }> }).Roles.map((r) => r.RoleName);
    const users = (cli('iam', 'list-users') as { Users: Array<{ UserName: string }> }).Users.map((u) => u.UserName);
    const policies = (cli('iam', 'list-policies', '--scope', 'Local') as { Policies: Array<{ PolicyName: string }> }).Policies.map((p) => p.PolicyName);
    const profiles = (cli('iam', 'list-instance-profiles') as { InstanceProfiles: Array<{ InstanceProfileName: string }> }).InstanceProfiles.map((p) => p.InstanceProfileName);
    const buckets = ((cli('s3api', 'list-buckets') as { Buckets?: Array<{ Name: string }> }).Buckets ?? []).map((b) => b.Name);
    const aliases = (cli('kms', 'list-aliases') as { Aliases: Array<{ AliasName: string }> }).Aliases.map((a) => a.AliasName);
    const secrets = (cli('secretsmanager', 'list-secrets') as { SecretList: Array<{ Name: string }> }).SecretList.map((s) => s.Name);
    expect({
      roles: ours(roles, 'aws_iam_role'),
      users: ours(users, 'aws_iam_user'),
      policies: ours(policies, 'aws_iam_policy'),
      profiles: ours(profiles, 'aws_iam_instance_profile'),
      buckets: ours(buckets, 'aws_s3_bucket'),
      aliases: ours(aliases, 'aws_kms_alias'),
      secrets: ours(secrets, 'aws_secretsmanager_secret'),
    }).toEqual({ roles: [], users: [], policies: [], profiles: [], buckets: [], aliases: [], secrets: [] });

    // KMS keys cannot be deleted at once: destroy schedules deletion, the most AWS allows.
    const keys = (cli('kms', 'list-keys') as { Keys: Array<{ KeyId: string }> }).Keys;
    const customerKeys = keys
      .map((k) => (cli('kms', 'describe-key', '--key-id', k.KeyId) as { KeyMetadata: { KeyManager: string; KeyState: string } }).KeyMetadata)
      .filter((m) => m.KeyManager === 'CUSTOMER');
    expect(customerKeys.length).toBe(resourcesOf(json, 'aws_kms_key').length);
    for (const key of customerKeys) expect(key.KeyState).toBe('PendingDeletion');
  }, 6 * MINUTES);
});

describe('the account guard', () => {
  let moto: MotoServer | undefined;
  afterAll(async () => {
    await moto?.stop();
  }, MINUTES);

  test('the provider refuses an account other than the estate\'s (allowed_account_ids)', async () => {
    const json = app.stackJson('dev-aws-access');
    moto = await startMoto('123456789012');
    const dir = copyStack(app, 'dev-aws-access');
    pointAtEmulator(dir, json, moto.endpoint);
    const env = { ...terraformEnv(cliConfig), ...requiredVariables(json) };
    expect(terraform(dir, env, ['init']).status).toBe(0);
    const plan = terraform(dir, env, ['plan']);
    expect(plan.status).toBe(1);
    expect(plan.output).toMatch(/account ID not allowed[\s\S]*123456789012/i);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 3 * MINUTES);
});
