/**
 * `npm run diff` counts against real `terraform plan` (terraform 1.11 with the offline
 * hashicorp/aws 5.100.0 mirror): a base configuration is applied to the AWS emulator, then
 * the head configuration is planned against that state without refresh. The diff, computed
 * from the two configurations alone, must count what terraform plans: the same adds,
 * in-place changes and destroys, and the same addresses replaced (`-/+`). The pair changes
 * one ForceNew argument of each AWS type in the diff's FORCE_NEW table that the emulator
 * can create, updatable arguments beside them, references to replaced resources, and
 * terraform_data units whose triggers_replace changes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AppJson, JsonObject, countEntries, diffApps } from '../../scripts/lib/plan-diff-core';
import { MotoServer, startMoto } from '../support/moto';
import { runTerraform, terraformEnv, writeCliConfig } from '../support/terraform-env';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const SERVICES = ['iam', 'sts', 's3', 'kms', 'secretsmanager'];

interface Side {
  roleName: string;
  rolePath: string;
  sessionHours: number;
  policyDescription: string;
  policyActions: string[];
  userName: string;
  profileName: string;
  bucket: string;
  taggedBucketTeam: string;
  keyDescription: string;
  aliasName: string;
  secretName: string;
  secretDescription: string;
  secretValue: string;
  units: Record<string, { unit: { apply: string[]; revoke: string[] }; request: string }>;
}

const BASE: Side = {
  roleName: 'connector',
  rolePath: '/',
  sessionHours: 1,
  policyDescription: 'staging access',
  policyActions: ['s3:GetObject'],
  userName: 'agent',
  profileName: 'agent-profile',
  bucket: 'plan-diff-staging',
  taggedBucketTeam: 'data',
  keyDescription: 'staging key',
  aliasName: 'alias/plan-diff-staging',
  secretName: 'plan-diff/master-key',
  secretDescription: 'master key',
  secretValue: 'v1',
  units: {
    'immuta/sales': { unit: { apply: ['GRANT USAGE ON SCHEMA "sales" TO "immuta"'], revoke: ['REVOKE USAGE ON SCHEMA "sales" FROM "immuta"'] }, request: 'r1' },
    'immuta/finance': { unit: { apply: ['GRANT USAGE ON SCHEMA "finance" TO "immuta"'], revoke: ['REVOKE USAGE ON SCHEMA "finance" FROM "immuta"'] }, request: 'r2' },
    'immuta/hr': { unit: { apply: ['GRANT USAGE ON SCHEMA "hr" TO "immuta"'], revoke: ['REVOKE USAGE ON SCHEMA "hr" FROM "immuta"'] }, request: 'r3' },
  },
};

const HEAD: Side = {
  ...BASE,
  roleName: 'connector-2', // ForceNew
  sessionHours: 2, // in place
  policyDescription: 'staging access, v2', // ForceNew on aws_iam_policy
  policyActions: ['s3:GetObject', 's3:PutObject'], // in place
  userName: 'agent-2', // in place: IAM users are renamed
  profileName: 'agent-profile-2', // ForceNew
  bucket: 'plan-diff-staging-2', // ForceNew, and the access block reads its id
  taggedBucketTeam: 'platform', // in place
  keyDescription: 'staging key, v2', // in place
  aliasName: 'alias/plan-diff-staging-2', // ForceNew
  secretDescription: 'master key, v2', // in place
  secretValue: 'v2',
  units: {
    // triggers_replace changes: replaced.
    'immuta/sales': { unit: { apply: ['GRANT USAGE ON SCHEMA "sales" TO "immuta" WITH GRANT OPTION'], revoke: BASE.units['immuta/sales'].unit.revoke }, request: 'r1' },
    // input only: in place.
    'immuta/finance': { unit: BASE.units['immuta/finance'].unit, request: 'r2-changed' },
    // immuta/hr removed, immuta/ops added.
    'immuta/ops': { unit: { apply: ['GRANT USAGE ON SCHEMA "ops" TO "immuta"'], revoke: ['REVOKE USAGE ON SCHEMA "ops" FROM "immuta"'] }, request: 'r4' },
  },
};

function stack(side: Side, endpoint: string): JsonObject {
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'redshift.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  return {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } },
    provider: {
      aws: [{
        region: REGION,
        access_key: 'test',
        secret_key: 'test',
        skip_credentials_validation: true,
        skip_metadata_api_check: true,
        skip_requesting_account_id: true,
        s3_use_path_style: true,
        endpoints: [Object.fromEntries(SERVICES.map((s) => [s, endpoint]))],
      }],
    },
    resource: {
      aws_iam_role: {
        connector: { name: side.roleName, path: side.rolePath, assume_role_policy: trust },
        service: { name: 'service', assume_role_policy: trust, max_session_duration: side.sessionHours * 3600 },
      },
      aws_iam_policy: {
        reader: { name: 'reader', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: '*' }] }) },
        staging: {
          name: 'staging',
          description: side.policyDescription,
          policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: side.policyActions, Resource: 'arn:aws:s3:::plan-diff-staging/*' }] }),
        },
      },
      // Reads a replaced policy's arn (ForceNew here): replaced too. Reads the service role's
      // name, set literally and unchanged: no change from that.
      aws_iam_role_policy_attachment: { staging: { role: '${aws_iam_role.service.name}', policy_arn: '${aws_iam_policy.staging.arn}' } },
      aws_iam_user: { agent: { name: side.userName } },
      // Read the user's name, renamed in place: both replaced (user is ForceNew for them).
      aws_iam_user_policy_attachment: { agent: { user: '${aws_iam_user.agent.name}', policy_arn: '${aws_iam_policy.reader.arn}' } },
      aws_iam_access_key: { agent: { user: '${aws_iam_user.agent.name}' } },
      aws_iam_instance_profile: { agent: { name: side.profileName, role: '${aws_iam_role.service.name}' } },
      aws_s3_bucket: {
        staging: { bucket: side.bucket, force_destroy: true },
        logs: { bucket: 'plan-diff-logs', force_destroy: true, tags: { team: side.taggedBucketTeam } },
      },
      aws_s3_bucket_public_access_block: {
        staging: { bucket: '${aws_s3_bucket.staging.id}', block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
      },
      aws_kms_key: { staging: { description: side.keyDescription, deletion_window_in_days: 7 } },
      aws_kms_alias: { staging: { name: side.aliasName, target_key_id: '${aws_kms_key.staging.key_id}' } },
      aws_secretsmanager_secret: { master: { name: side.secretName, description: side.secretDescription, recovery_window_in_days: 0 } },
      aws_secretsmanager_secret_version: { master: { secret_id: '${aws_secretsmanager_secret.master.id}', secret_string: side.secretValue } },
      terraform_data: {
        units: {
          for_each: Object.fromEntries(Object.entries(side.units).map(([k, v]) => [k, { unit: v.unit, request: v.request }])),
          input: { request: '${each.value.request}' },
          triggers_replace: '${each.value.unit}',
        },
      },
    },
  } as unknown as JsonObject;
}

type TfAction = 'add' | 'change' | 'remove' | 'replace';

/** Resource address -> what terraform plans for it, from `terraform show -json <plan>`. */
function plannedActions(planJson: { resource_changes?: { address: string; mode: string; change: { actions: string[] } }[] }): Map<string, TfAction> {
  const out = new Map<string, TfAction>();
  for (const rc of planJson.resource_changes ?? []) {
    if (rc.mode !== 'managed') continue;
    const a = rc.change.actions.join(',');
    const action: TfAction | undefined =
      a === 'create' ? 'add' : a === 'update' ? 'change' : a === 'delete' ? 'remove' : a === 'delete,create' || a === 'create,delete' ? 'replace' : undefined;
    if (action) out.set(rc.address, action);
  }
  return out;
}

describe('plan diff counts match terraform plan (terraform 1.11, aws 5.100.0, moto)', () => {
  let moto: MotoServer;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const tf = (args: string[]) => {
    const res = runTerraform(args, { cwd: work, env, timeoutMs: 180_000 });
    if (res.status !== 0) throw new Error(`terraform ${args.join(' ')} failed (${res.status}):\n${res.stderr}\n${res.stdout.slice(-4000)}\nmoto log: ${moto.logFile}`);
    return res.stdout;
  };

  beforeAll(async () => {
    moto = await startMoto(ACCOUNT);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-diff-tf-'));
    env = terraformEnv(writeCliConfig(path.join(work, '.cli')));
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('adds, changes, destroys and replacements are the ones terraform plans', () => {
    const base = stack(BASE, moto.endpoint);
    const head = stack(HEAD, moto.endpoint);
    const config = path.join(work, 'main.tf.json');

    fs.writeFileSync(config, JSON.stringify(base, null, 2));
    tf(['init', '-input=false', '-no-color']);
    tf(['apply', '-auto-approve', '-input=false', '-no-color', '-parallelism=4']);

    fs.writeFileSync(config, JSON.stringify(head, null, 2));
    tf(['plan', '-refresh=false', '-input=false', '-no-color', '-out=head.plan']);
    const planned = plannedActions(JSON.parse(tf(['show', '-json', 'head.plan'])));

    const apps: [AppJson, AppJson] = [{ s: base }, { s: head }];
    const diff = diffApps(...apps);
    const entries = diff.stacks.flatMap((s) => s.entries).filter((e) => e.section === 'resources');
    const counts = countEntries(entries).resources;
    const tfCount = (a: TfAction) => [...planned.values()].filter((x) => x === a).length;
    expect({ add: counts.add, change: counts.change, remove: counts.remove, replace: counts.replace }).toEqual({
      add: tfCount('add') + tfCount('replace'),
      change: tfCount('change'),
      remove: tfCount('remove') + tfCount('replace'),
      replace: tfCount('replace'),
    });

    // Address by address: every planned action is the diff's, for the instance or for the
    // entry shared by all instances of its for_each.
    const ours = new Map(entries.map((e) => [e.address, e.action]));
    const mismatches = [...planned].filter(([address, action]) => (ours.get(address) ?? ours.get(address.replace(/\[.*\]$/, ''))) !== action);
    expect(mismatches).toEqual([]);
    // The pair exercises every kind of action.
    expect(new Set(planned.values())).toEqual(new Set(['add', 'change', 'remove', 'replace']));
  }, 420_000);
});
