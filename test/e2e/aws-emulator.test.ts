/**
 * The AWS stacks of the example estate, applied for real by each engine (Terraform and
 * OpenTofu) and the aws provider against moto: apply, a second plan without changes, the
 * objects as the emulator's own API reports them, destroy, and nothing left behind.
 *
 * Every stack runs on every engine at once, each pair on its own moto server and folder:
 * most of the time is the provider waiting (the S3 lifecycle configuration alone holds a
 * create for about 55 s), so side by side the suite pays it once, not four times.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { planEstate } from '../../model/environment-plan';
import { awsAccessStackName } from '../../model/stack-layout';
import { exampleEstate } from '../support/example';
import { awsCliAsync, MotoServer, startMoto } from '../support/moto';
import { copyStack, synthExampleEstate, TerraformJson } from '../support/synth';
import { Engine, ENGINES, engineEnv, engineTitle, runEngineAsync, sideBySide } from '../support/terraform-env';

/**
 * Resource types moto cannot serve; they are covered by terraform validate and the
 * snapshot instead (docs/testing.md).
 */
const EMULATOR_CANNOT_SERVE: Readonly<Record<string, string>> = {
  aws_redshift_cluster_iam_roles: 'moto has no ModifyClusterIamRoles and the provider retries it until killed',
};
const SERVICES = ['iam', 'sts', 'kms', 's3', 'secretsmanager', 'redshift'];
const MINUTES = 60 * 1000;

const app = synthExampleEstate();
const awsStacks = app.stacks.filter((s) => s.endsWith('-aws-access'));
const plans = planEstate(exampleEstate());
/** The Informatica plans of an AWS stack's environment: what the estate asks of KMS and Secrets Manager. */
const informaticaOf = (stack: string) => plans.find((p) => awsAccessStackName(p.envName) === stack)!.aws.clusters
  .flatMap((c) => (c.informatica ? [c.informatica] : []));
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
async function run(engine: Engine, dir: string, env: NodeJS.ProcessEnv, args: string[], timeoutMs = 5 * MINUTES) {
  const interactive = ['init', 'plan', 'apply', 'destroy'].includes(args[0]);
  const res = await runEngineAsync(engine, [...args, ...(interactive ? ['-input=false', '-no-color'] : [])], { cwd: dir, env, timeoutMs });
  return { ...res, output: `${res.stdout}\n${res.stderr}` };
}

/** Succeeds, or fails showing the command's whole output. */
function expectSuccess(res: { status: number; output: string }): void {
  expect({ status: res.status, output: res.status === 0 ? '' : res.output }).toEqual({ status: 0, output: '' });
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

/** One stack on one engine: its own emulator and working folder. */
interface Run {
  readonly stack: string;
  readonly engine: Engine;
  readonly json: TerraformJson;
  readonly vars: Record<string, string>;
  readonly targetArgs: string[];
  moto?: MotoServer;
  dir?: string;
}

const runs: Run[] = awsStacks.flatMap((stack) => {
  const json = app.stackJson(stack);
  const targetArgs = targets(json.resource ?? {}).map((t) => `-target=${t}`);
  return ENGINES.map((engine) => ({ stack, engine, json, vars: requiredVariables(json), targetArgs }));
});

/** `fn` on every run side by side; a failure names the engine and the stack. */
const onEachRun = (fn: (r: Required<Run> & { env: NodeJS.ProcessEnv; cli: (...args: string[]) => Promise<unknown> }) => Promise<void>) =>
  sideBySide(runs, (r) => `${engineTitle(r.engine)}, ${r.stack}`, (r) => {
    if (!r.moto || !r.dir) throw new Error('not set up: see the first failure of this file');
    const region = regionOf(r.json);
    const moto = r.moto;
    return fn({ ...r, moto, dir: r.dir, env: engineEnv(r.engine, r.vars), cli: (...args) => awsCliAsync(moto, region, args) });
  });

test.each(awsStacks)('%s: only the types the emulator cannot serve are left out', (stack) => {
  const json = app.stackJson(stack);
  const left = Object.keys(json.resource ?? {}).filter((t) => t in EMULATOR_CANNOT_SERVE);
  expect(left).toEqual(['aws_redshift_cluster_iam_roles']);
  expect(targets(json.resource ?? {}).length).toBeGreaterThan(10);
});

describe(`the AWS stacks on the emulator, on ${ENGINES.map(engineTitle).join(' and ')}`, () => {
  beforeAll(async () => {
    await sideBySide(runs, (r) => `${engineTitle(r.engine)}, ${r.stack}`, async (r) => {
      r.moto = await startMoto(accountOf(r.json));
      r.dir = copyStack(app, r.stack, `${r.stack}-${r.engine}`);
      pointAtEmulator(r.dir, r.json, r.moto.endpoint);
      const init = await run(r.engine, r.dir, engineEnv(r.engine, r.vars), ['init']);
      if (init.status !== 0) throw new Error(`init failed:\n${init.output}`);
    });
  }, 3 * MINUTES);

  afterAll(async () => {
    await Promise.all(runs.map((r) => r.moto?.stop()));
    for (const r of runs) if (r.dir) fs.rmSync(r.dir, { recursive: true, force: true });
  }, MINUTES);

  test('every stack runs on every engine', () => {
    expect(runs.map((r) => `${r.stack}/${r.engine}`).sort()).toEqual(awsStacks.flatMap((s) => ENGINES.map((e) => `${s}/${e}`)).sort());
  });

  test('apply creates every other resource', () =>
    onEachRun(async ({ engine, json, dir, env, targetArgs }) => {
      expectSuccess(await run(engine, dir, env, ['apply', '-auto-approve', ...targetArgs], 6 * MINUTES));
      const listed = (await run(engine, dir, env, ['state', 'list'])).stdout.trim().split('\n').map((a) => a.replace(/\[.*\]$/, ''));
      expect([...new Set(listed)].sort()).toEqual(targets(json.resource ?? {}));
    }), 7 * MINUTES);

  test('a second plan shows no changes', () =>
    onEachRun(async ({ engine, dir, env, targetArgs }) => {
      expectSuccess(await run(engine, dir, env, ['plan', '-detailed-exitcode', ...targetArgs]));
    }), 6 * MINUTES);

  test('roles and users carry the synthesized trust policies and attachments, and are all the emulator holds', () =>
    onEachRun(async ({ json, cli }) => {
      // One call for every role and user: each AWS CLI start costs about a second.
      const details = (await cli('iam', 'get-account-authorization-details', '--filter', 'Role', 'User')) as {
        RoleDetailList: Array<{ RoleName: string; AssumeRolePolicyDocument: unknown; AttachedManagedPolicies: unknown[] }>;
        UserDetailList: Array<{ UserName: string; AttachedManagedPolicies: unknown[] }>;
      };
      const roles = Object.entries(json.resource?.aws_iam_role ?? {});
      expect(roles.length).toBeGreaterThan(0);
      expect(details.RoleDetailList.map((r) => r.RoleName).sort()).toEqual(namesOf(json, 'aws_iam_role'));
      for (const [id, role] of roles) {
        const got = details.RoleDetailList.find((r) => r.RoleName === role.name)!;
        expect([role.name, got.AssumeRolePolicyDocument]).toEqual([role.name, JSON.parse(role.assume_role_policy as string)]);
        const declared = resourcesOf(json, 'aws_iam_role_policy_attachment')
          .filter((a) => a.role === `\${aws_iam_role.${id}.name}`)
          .reduce((n, a) => n + (a.for_each ? Object.keys(a.for_each as object).length : 1), 0);
        expect([role.name, got.AttachedManagedPolicies.length]).toEqual([role.name, declared]);
      }
      expect(details.UserDetailList.map((u) => u.UserName).sort()).toEqual(namesOf(json, 'aws_iam_user'));
      for (const user of details.UserDetailList) expect([user.UserName, user.AttachedManagedPolicies.length]).toEqual([user.UserName, 1]);
    }), 3 * MINUTES);

  test('staging buckets block public access, require TLS and encrypt by default', () =>
    onEachRun(async ({ json, cli }) => {
      const buckets = namesOf(json, 'aws_s3_bucket');
      expect(buckets.length).toBeGreaterThan(0);
      for (const bucket of buckets) {
        const block = (await cli('s3api', 'get-public-access-block', '--bucket', bucket)) as { PublicAccessBlockConfiguration: Record<string, boolean> };
        expect(block.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
        const policy = (await cli('s3api', 'get-bucket-policy', '--bucket', bucket)) as { Policy: string };
        expect(JSON.parse(policy.Policy).Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
        const enc = (await cli('s3api', 'get-bucket-encryption', '--bucket', bucket)) as { ServerSideEncryptionConfiguration: { Rules: Array<{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: string } }> } };
        const algorithm = enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm;
        expect(algorithm).toBe(resourcesOf(json, 'aws_kms_key').length > 0 ? 'aws:kms' : 'AES256');
      }
    }), 3 * MINUTES);

  test('customer managed keys rotate, and the emulator holds exactly the aliases the estate asks for', async () => {
    const checked: string[] = [];
    await onEachRun(async ({ stack, json, cli }) => {
      const declared = namesOf(json, 'aws_kms_alias');
      // From the estate, not from the synthesized JSON: a stack whose encryption is s3 (prod) must make no key.
      expect(declared).toEqual(informaticaOf(stack).filter((i) => i.serverSideEncryption === 'kms').map((i) => `alias/${i.names.keyAlias}`).sort());
      expect(declared.length).toBe(resourcesOf(json, 'aws_kms_key').length);
      const aliases = ((await cli('kms', 'list-aliases')) as { Aliases: Array<{ AliasName: string; TargetKeyId?: string }> }).Aliases
        .filter((a) => !a.AliasName.startsWith('alias/aws/'));
      // The emulator's own list, so a stack without keys checks that none were made.
      expect(aliases.map((a) => a.AliasName).sort()).toEqual(declared);
      for (const alias of aliases) {
        expect([alias.AliasName, typeof alias.TargetKeyId]).toEqual([alias.AliasName, 'string']);
        expect(await cli('kms', 'get-key-rotation-status', '--key-id', alias.TargetKeyId!)).toMatchObject({ KeyRotationEnabled: true });
        checked.push(alias.AliasName);
      }
    });
    // Some stack must have had a key to check, on every engine: the loop above is not over nothing.
    expect(checked.length).toBeGreaterThanOrEqual(ENGINES.length);
  }, 3 * MINUTES);

  test('the master keys reach Secrets Manager but never the state; the emulator holds exactly the secrets the estate asks for', async () => {
    const checked: string[] = [];
    await onEachRun(async ({ stack, json, dir, vars, cli }) => {
      const versions = resourcesOf(json, 'aws_secretsmanager_secret_version');
      const secrets = namesOf(json, 'aws_secretsmanager_secret');
      expect(secrets).toEqual(informaticaOf(stack).filter((i) => i.clientSideEncryption).map((i) => i.names.secret).sort());
      expect([versions.length, Object.keys(vars).length]).toEqual([secrets.length, secrets.length]);
      const listed = ((await cli('secretsmanager', 'list-secrets')) as { SecretList: Array<{ Name: string }> }).SecretList.map((s) => s.Name).sort();
      expect(listed).toEqual(secrets);
      const state = fs.readFileSync(path.join(dir, 'terraform.tfstate'), 'utf8');
      for (const key of Object.values(vars)) expect(state).not.toContain(key);
      for (const version of versions) {
        const secretId = /^\$\{aws_secretsmanager_secret\.([^.]+)\.id\}$/.exec(version.secret_id as string)![1];
        const variable = /^\$\{var\.([^}]+)\}$/.exec(version.secret_string_wo as string)![1];
        const secret = json.resource!.aws_secretsmanager_secret[secretId].name as string;
        expect(await cli('secretsmanager', 'get-secret-value', '--secret-id', secret)).toMatchObject({ SecretString: vars[`TF_VAR_${variable}`] });
        checked.push(secret);
      }
    });
    // Some stack must have had a secret version to read back, on every engine.
    expect(checked.length).toBeGreaterThanOrEqual(ENGINES.length);
  }, 3 * MINUTES);

  test('outputs: every declared output, the JDBC URL with ssl=true, access keys sensitive', () =>
    onEachRun(async ({ engine, json, dir, env }) => {
      // A targeted apply stores only outputs that depend on targeted resources; a refresh-only run stores them all.
      expectSuccess(await run(engine, dir, env, ['apply', '-refresh-only', '-auto-approve']));
      const outputs = JSON.parse((await run(engine, dir, env, ['output', '-json'])).stdout) as Record<string, { sensitive: boolean; value: string }>;
      expect(Object.keys(outputs).sort()).toEqual(Object.keys(json.output ?? {}).sort());
      const jdbc = Object.entries(outputs).filter(([name]) => name.endsWith('_jdbc_url'));
      expect(jdbc.length).toBeGreaterThan(0);
      for (const [, o] of jdbc) expect(o.value).toMatch(/^jdbc:redshift:\/\/.+:\d+\/.+\?ssl=true$/);
      for (const [name, o] of Object.entries(outputs)) {
        if (/_(access_key_id|secret_access_key)$/.test(name)) expect([name, o.sensitive]).toEqual([name, true]);
      }
    }), 6 * MINUTES);

  test('destroy leaves nothing of ours in the emulator', () =>
    onEachRun(async ({ engine, json, dir, env, cli }) => {
      expectSuccess(await run(engine, dir, env, ['destroy', '-auto-approve'], 5 * MINUTES));
      const ours = (listed: string[], type: string) => listed.filter((n) => namesOf(json, type).includes(n));
      const iam = (await cli('iam', 'get-account-authorization-details', '--filter', 'Role', 'User')) as { RoleDetailList: Array<{ RoleName: string }>; UserDetailList: Array<{ UserName: string }> };
      const roles = iam.RoleDetailList.map((r) => r.RoleName);
      const users = iam.UserDetailList.map((u) => u.UserName);
      // Not the LocalManagedPolicy filter of the call above: moto answers it with an empty list.
      const policies = ((await cli('iam', 'list-policies', '--scope', 'Local')) as { Policies: Array<{ PolicyName: string }> }).Policies.map((p) => p.PolicyName);
      const profiles = ((await cli('iam', 'list-instance-profiles')) as { InstanceProfiles: Array<{ InstanceProfileName: string }> }).InstanceProfiles.map((p) => p.InstanceProfileName);
      const buckets = (((await cli('s3api', 'list-buckets')) as { Buckets?: Array<{ Name: string }> }).Buckets ?? []).map((b) => b.Name);
      const aliases = ((await cli('kms', 'list-aliases')) as { Aliases: Array<{ AliasName: string }> }).Aliases.map((a) => a.AliasName);
      const secrets = ((await cli('secretsmanager', 'list-secrets')) as { SecretList: Array<{ Name: string }> }).SecretList.map((s) => s.Name);
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
      const keys = ((await cli('kms', 'list-keys')) as { Keys: Array<{ KeyId: string }> }).Keys;
      const metadata = await Promise.all(keys.map(async (k) => ((await cli('kms', 'describe-key', '--key-id', k.KeyId)) as { KeyMetadata: { KeyManager: string; KeyState: string } }).KeyMetadata));
      const customerKeys = metadata.filter((m) => m.KeyManager === 'CUSTOMER');
      expect(customerKeys.length).toBe(resourcesOf(json, 'aws_kms_key').length);
      for (const key of customerKeys) expect(key.KeyState).toBe('PendingDeletion');
    }), 6 * MINUTES);
});

describe('the account guard', () => {
  const motos: MotoServer[] = [];
  afterAll(async () => {
    await Promise.all(motos.map((m) => m.stop()));
  }, MINUTES);

  test('the provider refuses an account other than the estate\'s (allowed_account_ids), on every engine', () =>
    sideBySide(ENGINES, engineTitle, async (engine) => {
      const json = app.stackJson('dev-aws-access');
      const moto = await startMoto('123456789012');
      motos.push(moto);
      const dir = copyStack(app, 'dev-aws-access', `account-guard-${engine}`);
      try {
        pointAtEmulator(dir, json, moto.endpoint);
        const env = engineEnv(engine, requiredVariables(json));
        expectSuccess(await run(engine, dir, env, ['init']));
        const plan = await run(engine, dir, env, ['plan']);
        expect(plan.status).toBe(1);
        expect(plan.output).toMatch(/account ID not allowed[\s\S]*123456789012/i);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }), 3 * MINUTES);
});
