/**
 * `npm run diff` (scripts/plan-diff.ts): the pure comparison on hand-written cdk.tf.json
 * fixtures with golden reports, then the script end to end against real synths of the
 * example estate (--base-dir) and against a temporary git repository (--base, merge base).
 *
 * Golden files: test/unit/__fixtures__/plan-diff/<case>.txt and .md. After an intended
 * change to the report format, regenerate them with UPDATE_GOLDEN=1 and review the diff.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { AppDiff, AppJson, EntryDiff, JsonObject, countEntries, diffApps, exitCodeFor } from '../../scripts/lib/plan-diff-core';
import { removalWarnings } from '../../scripts/lib/plan-diff-removals';
import { Synth, backendOf, dependenciesFirst, dependentsFirst, stackLayout, stacksToRun } from '../../scripts/lib/plan-diff-stacks';
import { formatMarkdown, formatText, lineDiff } from '../../scripts/lib/plan-diff-format';

const REPO_ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(__dirname, '__fixtures__', 'plan-diff');
const BASE_LABEL = 'main (0123456789ab)';

function load(name: string): { base: AppJson; head: AppJson } {
  const read = (side: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.${side}.json`), 'utf8')) as AppJson;
  return { base: read('base'), head: read('head') };
}

function expectGolden(file: string, actual: string): void {
  const golden = path.join(FIXTURES, file);
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, actual);
  expect(actual).toBe(fs.readFileSync(golden, 'utf8'));
}

/** Diffs a fixture and checks both reports against their golden files. */
function golden(name: string): { diff: AppDiff; text: string; markdown: string } {
  const { base, head } = load(name);
  const diff = diffApps(base, head);
  const text = formatText(diff);
  const markdown = formatMarkdown(diff, { baseLabel: BASE_LABEL });
  expectGolden(`${name}.txt`, text);
  expectGolden(`${name}.md`, markdown);
  return { diff, text, markdown };
}

const summary = (diff: AppDiff) => diff.stacks.flatMap((s) => s.entries.map((e) => `${s.name} ${e.action} ${e.address}`));
const entry = (diff: AppDiff, address: string): EntryDiff => {
  const found = diff.stacks.flatMap((s) => s.entries).find((e) => e.address === address);
  if (!found) throw new Error(`no entry ${address} in ${summary(diff).join(', ')}`);
  return found;
};

describe('plan diff: comparison and reports (golden files)', () => {
  test('a rename is a removal plus an addition; moved construct paths are not changes', () => {
    const { diff, text } = golden('rename');
    expect(summary(diff)).toEqual([
      'dev-aws-access remove aws_iam_role.immuta_connector',
      'dev-aws-access add aws_iam_role.immuta_connector_role',
    ]);
    expect(text).not.toContain('redshift_copy_unload');
    expect(exitCodeFor(diff)).toBe(2);
  });

  test('an attribute change names each changed path with its old and new value', () => {
    const { diff, text } = golden('attribute-change');
    expect(entry(diff, 'aws_iam_role.immuta_connector').attributes).toEqual([
      {
        path: 'managed_policy_arns',
        before: { sensitive: false, value: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] },
        after: { sensitive: false, value: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess', 'arn:aws:iam::aws:policy/AWSGlueConsoleFullAccess'] },
      },
      { path: 'max_session_duration', before: { sensitive: false, value: 3600 }, after: { sensitive: false, value: 7200 } },
      { path: 'tags.team', before: { sensitive: false, value: 'data' }, after: { sensitive: false, value: 'platform' } },
    ]);
    // A JSON policy document is compared structurally, not as one long string.
    expect(text).toContain('~ policy(json).Statement[0].Action: ["s3:GetObject"] → ["s3:GetObject","s3:PutObject"]');
    // A script shows only its changed lines, with context.
    expect(text).toContain('- sleep 2\n');
    expect(text).toContain('+ sleep 5\n');
    expect(text).not.toContain('owner');
  });

  test('a removed grant is its for_each key removed, and nothing else', () => {
    const { diff, text } = golden('removed-grant');
    expect(summary(diff)).toEqual(['dev-postgres remove postgresql_grant.schema_usage["orders/sales"]']);
    expect(text).not.toContain('billing/ledger');
  });

  test('for_each keys added and changed, and a change to the shared body, each under its own address', () => {
    const { diff, text } = golden('for-each-changes');
    // The role of a postgresql_grant is ForceNew: every existing instance is replaced.
    expect(summary(diff)).toEqual([
      'dev-postgres replace postgresql_grant.table_select',
      'dev-postgres replace postgresql_grant.table_select["orders/public"]',
      'dev-postgres add postgresql_grant.table_select["orders/returns"]',
    ]);
    expect(entry(diff, 'postgresql_grant.table_select["orders/public"]').attributes).toEqual([
      {
        path: 'each.value.privileges',
        before: { sensitive: false, value: ['SELECT'] },
        after: { sensitive: false, value: ['SELECT', 'UPDATE'] },
        forcesReplacement: true,
      },
    ]);
    expect(entry(diff, 'postgresql_grant.table_select').attributes.map((a) => a.path)).toEqual(['role']);
    // orders/sales has no change of its own: it is counted through the shared entry.
    expect(entry(diff, 'postgresql_grant.table_select').instances).toBe(1);
    expect(countEntries(diff.stacks[0].entries).resources).toEqual({ add: 3, change: 0, remove: 2, replace: 2, noop: 0 });
    expect(text).toContain('Stack dev-postgres: changed (resources: 3 to add, 2 to destroy, 2 of them replaced)');
    expect(text).toContain('-/+ postgresql_grant.table_select["orders/public"]');
  });

  test('Redshift units: a changed statement list replaces the unit, each statement is shown once as SQL', () => {
    const { diff, text } = golden('redshift-units');
    expect(summary(diff)).toEqual([
      'dev-redshift change aws_lambda_invocation.units["immuta/sales/sales"]',
      'dev-redshift remove terraform_data.grants["immuta/sales/finance"]',
      'dev-redshift replace terraform_data.grants["immuta/sales/sales"]',
    ]);
    // triggers_replace reads each.value.unit: its change is the one that forces replacement.
    const unit = entry(diff, 'terraform_data.grants["immuta/sales/sales"]').attributes;
    expect(unit.find((a) => a.path === 'each.value.unit.apply')).toMatchObject({ forcesReplacement: true });
    expect(unit.find((a) => a.path === 'each.value.apply_request(json).Sqls')).toMatchObject({ sameAs: 'each.value.unit.apply' });
    // The Lambda shape: input is decoded from JSON and its statement list read as SQL; input updates in place.
    expect(entry(diff, 'aws_lambda_invocation.units["immuta/sales/sales"]').attributes.map((a) => a.path)).toEqual(['each.value.input(json).apply']);
    const added = 'GRANT SELECT ON ALL TABLES IN SCHEMA "sales" TO "immuta_system" WITH GRANT OPTION;';
    // Once per resource shape, as SQL text: no escaped JSON copy of it anywhere.
    expect(text.split(added)).toHaveLength(3);
    expect(text).not.toContain('\\"sales\\"');
    expect(text).toContain('Stack dev-redshift: changed (resources: 1 to add, 1 to change, 2 to destroy, 1 of them replaced)');
  });

  test('SQL lists are SQL text in additions too, and a masking procedure appears once per list', () => {
    const { head } = load('redshift-units');
    const text = formatText(diffApps({}, head));
    expect(text).toContain('+ each.value.unit.apply = <<SQL');
    expect(text).toMatch(/\+ each\.value\.apply_request\(json\)\.Sqls: the same SQL as each\.value\.unit\.apply/);
    const procedure = 'CREATE OR REPLACE PROCEDURE "sales"."immuta_masking"';
    // apply and revoke each hold it, in the terraform_data unit and in the Lambda input: four lists.
    expect(text.split(procedure)).toHaveLength(5);
  });

  test('a ForceNew change replaces the resource and what reads its new id; a literal reference stays known', () => {
    const { diff, text } = golden('replacements');
    expect(summary(diff)).toEqual([
      'dev-aws-access replace aws_iam_role.connector',
      'dev-aws-access change aws_iam_user.agent',
      'dev-aws-access replace aws_iam_user_policy_attachment.agent',
      'dev-aws-access replace aws_s3_bucket.staging',
      'dev-aws-access replace aws_s3_bucket_policy.tls_only',
    ]);
    // The attachment reads the role's name, set literally and unchanged: no change, as terraform plans it.
    expect(text).not.toContain('aws_iam_role_policy_attachment');
    expect(entry(diff, 'aws_s3_bucket_policy.tls_only').attributes[0]).toMatchObject({
      path: 'bucket',
      after: { afterApply: true },
      forcesReplacement: true,
    });
    expect(text).toContain('~ bucket: "${aws_s3_bucket.staging.id}" → (known after apply)  # forces replacement');
    // A user renamed in place: the attachment reads the new name, known now, and is replaced.
    expect(text).toContain('~ user: "informatica-agent" → "informatica-agent-2"  # forces replacement');
  });

  test('sensitive values are masked in the diff itself, the text and the markdown', () => {
    const { diff, text, markdown } = golden('sensitive');
    const secrets = ['hunter2', 'tfe-token', 'pg-admin', 'wo-OLD', 'wo-NEW', 'api-OLD', 'api-NEW', 'ssm-OLD', 'ssm-NEW'];
    for (const rendered of [JSON.stringify(diff), text, markdown]) {
      for (const secret of secrets) expect(rendered).not.toContain(secret);
    }
    // Masked, yet still reported as changed, so a rotated secret is not invisible.
    expect(text).toContain('~ default: (sensitive) → (sensitive)');
    expect(text).toContain('~ value.password: (sensitive) → (sensitive)');
    expect(text).toContain('~ password_wo: (sensitive) → (sensitive)');
    expect(text).toContain('~ value_wo: (sensitive) → (sensitive)');
    expect(text).toContain('~ input.request(json).MasterPassword: (sensitive) → (sensitive)');
    expect(text).toContain('~ token: (sensitive) → (sensitive)');
    expect(markdown).toContain('(sensitive) → (sensitive)');
    // A non-sensitive output next to them still shows its values.
    expect(text).toContain('+ value["bob@example.com"] = "bob"');
  });

  test('no change (only cdktf metadata moved): empty report and exit code 0', () => {
    const { diff, text, markdown } = golden('no-change');
    expect(diff.stacks).toEqual([]);
    expect(text).toBe('');
    expect(exitCodeFor(diff)).toBe(0);
    expect(markdown).toContain('No changes');
  });

  test('stacks added and removed, backends and providers compared', () => {
    const { diff } = golden('stacks-and-settings');
    expect(diff.stacks.map((s) => `${s.name}:${s.status}`)).toEqual(['dev-aws-access:changed', 'dev-legacy:removed', 'prod-postgres:added']);
    expect(summary(diff).filter((s) => s.startsWith('dev-aws-access'))).toEqual([
      'dev-aws-access change provider.aws',
      'dev-aws-access change required_providers.aws',
      'dev-aws-access remove backend.local',
      'dev-aws-access add backend.s3',
    ]);
    expect(entry(diff, 'cloud').action).toBe('add');
  });

  test('markdown stays under the comment size limit by cutting details, not stacks', () => {
    const { base, head } = load('attribute-change');
    const markdown = formatMarkdown(diffApps(base, head), { baseLabel: BASE_LABEL, maxChars: 700 });
    expect(markdown.length).toBeLessThanOrEqual(700);
    expect(markdown).toContain('dev-aws-access');
    expect(markdown).toContain('more line(s) not shown');
  });

  test('line diff keeps common lines and orders a replacement as removal then addition', () => {
    expect(lineDiff(['a', 'b', 'c'], ['a', 'x', 'c'])).toEqual([[' ', 'a'], ['-', 'b'], ['+', 'x'], [' ', 'c']]);
  });
});

describe('plan diff: removed stacks and environments', () => {
  const stackWith = (backend: string, extra: JsonObject = {}): JsonObject => ({ terraform: { backend: { [backend]: { path: 'x' } } }, ...extra });
  const entry = (name: string, environment: string, dependsOn: string[] = []) => ({ name, environment, plane: 'x', dependsOn });
  /** A synth as main.ts writes it: stacks.json lists each stack after its dependencies. */
  const synthOf = (stacks: AppJson, entries: ReturnType<typeof entry>[]): Synth => ({
    stacks,
    layout: stackLayout({ stacks: Object.fromEntries(Object.keys(stacks).map((n) => [n, {}])) }, { stacks: entries.filter((e) => e.name in stacks) }),
  });
  const lambdaUnits = { aws_lambda_invocation: { units: { function_name: 'f', input: '{}', lifecycle_scope: 'CRUD' } } };
  // Environment names with hyphens, a server whose id ends like a plane: nothing here parses names.
  const ENTRIES = [
    entry('dev-eu-aws-access', 'dev-eu'),
    entry('dev-eu-postgres-main', 'dev-eu'),
    entry('dev-eu-postgres-main-sales', 'dev-eu', ['dev-eu-postgres-main']),
    entry('dev-eu-postgres-main-hr', 'dev-eu', ['dev-eu-postgres-main']),
    entry('dev-eu-redshift', 'dev-eu'),
    entry('dev-eu-redshift-warehouse', 'dev-eu', ['dev-eu-redshift']),
    entry('prod-aws-access', 'prod'),
    entry('prod-postgres-redshift', 'prod'),
    entry('prod-postgres-redshift-orders', 'prod', ['prod-postgres-redshift']),
    entry('prod-redshift', 'prod'),
  ];
  const baseStacks: AppJson = {
    'dev-eu-aws-access': stackWith('s3', { resource: { aws_iam_role: { r: { name: 'r' } } } }),
    'dev-eu-postgres-main': stackWith('s3'),
    'dev-eu-postgres-main-sales': stackWith('s3', { resource: { postgresql_grant: { g: { role: 'immuta' } } } }),
    'dev-eu-postgres-main-hr': stackWith('s3'),
    'dev-eu-redshift': stackWith('s3'),
    'dev-eu-redshift-warehouse': stackWith('s3', { resource: lambdaUnits }),
    'prod-aws-access': stackWith('local'),
    'prod-postgres-redshift': stackWith('local'),
    'prod-postgres-redshift-orders': stackWith('local'),
    'prod-redshift': stackWith('local'),
  };
  const base = synthOf(baseStacks, ENTRIES);
  const headWithout = (...removed: string[]) => synthOf(Object.fromEntries(Object.entries(baseStacks).filter(([n]) => !removed.includes(n))), ENTRIES);
  const warningsFor = (head: Synth) => removalWarnings(diffApps(base.stacks, head.stacks), base, head);

  test('a removed environment: one warning, its stacks destroyed dependents first, the revoking stack first of all', () => {
    const head = headWithout(...Object.keys(baseStacks).filter((n) => n.startsWith('dev-eu-')));
    const warnings = warningsFor(head);
    expect(warnings.map((w) => [w.environment, w.stacks])).toEqual([[
      'dev-eu',
      ['dev-eu-redshift-warehouse', 'dev-eu-aws-access', 'dev-eu-postgres-main-hr', 'dev-eu-postgres-main-sales', 'dev-eu-postgres-main', 'dev-eu-redshift'],
    ]]);
    const text = warnings[0].lines.join('\n');
    expect(text).toContain('Environment dev-eu is removed');
    expect(text).toContain('The GitOps workflow destroys them, in this order, from the previous commit before deploying the rest');
    // The server and runner stacks are still in the baseline's synth with their dependents: cdktf must not look for them.
    expect(text).toContain('npx cdktf destroy dev-eu-postgres-main-sales && npx cdktf destroy dev-eu-postgres-main --ignore-missing-stack-dependencies && npx cdktf destroy dev-eu-redshift --ignore-missing-stack-dependencies');
    expect(text).toMatch(/dev-eu-redshift-warehouse revokes SQL when destroyed.*still deployed/);
    expect(text).not.toContain('dev-eu-aws-access revokes');
  });

  test('a removed grant stack in a remaining environment: its own warning with the command to run first, in the text and the markdown', () => {
    const head = headWithout('dev-eu-postgres-main-sales');
    const diff = diffApps(base.stacks, head.stacks);
    const warnings = removalWarnings(diff, base, head);
    expect(warnings.map((w) => [w.environment, w.stacks])).toEqual([[undefined, ['dev-eu-postgres-main-sales']]]);
    const text = formatText(diff, warnings);
    expect(text.startsWith('!! Stack dev-eu-postgres-main-sales is removed')).toBe(true);
    expect(text).toContain('run: npx cdktf destroy dev-eu-postgres-main-sales\n');
    const markdown = formatMarkdown(diff, { baseLabel: BASE_LABEL, warnings });
    expect(markdown).toContain('> [!WARNING]\n> Stack dev-eu-postgres-main-sales is removed');
  });

  test('a removed cluster stack: the revoke warning names it; the runner stack it depends on stays', () => {
    const warnings = warningsFor(headWithout('dev-eu-redshift-warehouse'));
    expect(warnings.map((w) => w.stacks)).toEqual([['dev-eu-redshift-warehouse']]);
    expect(warnings[0].lines.join('\n')).toContain('dev-eu-redshift-warehouse revokes SQL when destroyed');
  });

  test('nothing removed: no warning', () => {
    expect(warningsFor(base)).toEqual([]);
  });

  test('--stacks-json: changed stacks dependencies first, removed ones dependents first, each with its environment and backend', () => {
    const head = headWithout('dev-eu-postgres-main', 'dev-eu-postgres-main-sales', 'dev-eu-postgres-main-hr', 'prod-postgres-redshift-orders');
    // A changed grant stack and a changed server stack it depends on (listed here after it).
    head.stacks['prod-postgres-redshift-payments'] = stackWith('local');
    head.layout['prod-postgres-redshift-payments'] = { name: 'prod-postgres-redshift-payments', environment: 'prod', dependsOn: ['prod-postgres-redshift'] };
    head.stacks['prod-postgres-redshift'] = stackWith('local', { output: { host: { value: 'h2' } } });
    head.stacks['dev-eu-redshift-warehouse'] = stackWith('s3', { resource: { aws_lambda_invocation: { units: { function_name: 'g', input: '{}', lifecycle_scope: 'CRUD' } } } });
    const run = stacksToRun(diffApps(base.stacks, head.stacks), base, head);
    expect(run.plan).toEqual([
      { name: 'dev-eu-redshift-warehouse', environment: 'dev-eu', backend: 's3' },
      { name: 'prod-postgres-redshift', environment: 'prod', backend: 'local' },
      { name: 'prod-postgres-redshift-payments', environment: 'prod', backend: 'local' },
    ]);
    expect(run.destroy).toEqual([
      { name: 'dev-eu-postgres-main-hr', environment: 'dev-eu', backend: 's3' },
      { name: 'dev-eu-postgres-main-sales', environment: 'dev-eu', backend: 's3' },
      { name: 'dev-eu-postgres-main', environment: 'dev-eu', backend: 's3' },
      { name: 'prod-postgres-redshift-orders', environment: 'prod', backend: 'local' },
    ]);
  });

  test('dependency order reaches through stacks that are not listed, and ignores name order', () => {
    const layout = stackLayout(undefined, { stacks: [entry('z', 'e'), entry('b', 'e', ['z']), entry('a', 'e', ['b'])] });
    expect(dependenciesFirst(['a', 'z'], layout)).toEqual(['z', 'a']);
    expect(dependentsFirst(['z', 'a'], { stacks: {}, layout })).toEqual(['a', 'z']);
  });

  test('a synth from before stacks.json: dependencies from the manifest, the environment from the old <env>-<plane> names only', () => {
    const layout = stackLayout({ stacks: { 'dev-eu-postgres': { dependencies: ['dev-eu-aws-access'] }, 'dev-eu-aws-access': {}, other: {} } }, undefined);
    expect(layout['dev-eu-postgres']).toEqual({ name: 'dev-eu-postgres', environment: 'dev-eu', dependsOn: ['dev-eu-aws-access'] });
    expect(layout.other.environment).toBeUndefined();
    const head: Synth = { stacks: { other: {} }, layout };
    expect(() => stacksToRun(diffApps({}, head.stacks), { stacks: {}, layout: {} }, head)).toThrow(/cannot tell the environment of stack other/);
  });

  test('backends as Terraform reads them: none set is local; cloud blocks count', () => {
    expect(backendOf({ terraform: {} })).toBe('local');
    expect(backendOf({ terraform: { cloud: { organization: 'o' } } })).toBe('cloud');
    expect(backendOf(stackWith('s3'))).toBe('s3');
  });
});

// ---------------------------------------------------------------- the script itself

const TS_NODE = require.resolve('ts-node/dist/bin.js', { paths: [REPO_ROOT] });
const SCRIPT_TIMEOUT_MS = 150_000;

function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', ...extra };
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

function runNode(cwd: string, args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [TS_NODE, '--transpile-only', ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: SCRIPT_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

const planDiff = (cwd: string, args: string[], env: Record<string, string | undefined> = {}) =>
  runNode(cwd, ['scripts/plan-diff.ts', ...args], cleanEnv(env));

function synth(estateFile: string | undefined, outdir: string): void {
  const res = runNode(REPO_ROOT, ['main.ts'], cleanEnv({ CDKTF_OUTDIR: outdir, ESTATE_FILE: estateFile }));
  if (res.status !== 0) throw new Error(`synth failed: ${res.stderr}`);
}

/** The example estate with the `finance` schema no longer protected in dev's Redshift. */
function estateWithoutFinance(): string {
  const doc = parseDocument(fs.readFileSync(path.join(REPO_ROOT, 'examples', 'estate.yaml'), 'utf8'));
  const schemas = doc.getIn(['environments', 'dev', 'redshift', 0, 'immuta', 'protect', 0, 'schemas']) as { items: { toJSON(): unknown }[] };
  const before = schemas.items.length;
  schemas.items = schemas.items.filter((s) => JSON.stringify(s.toJSON()).indexOf('finance') < 0);
  if (schemas.items.length !== before - 1) throw new Error('the example estate no longer protects sales.finance in dev');
  return doc.toString();
}

/** The example estate without dev's protected PostgreSQL database `billing` (its own grant stack). */
function estateWithoutBilling(): string {
  const doc = parseDocument(fs.readFileSync(path.join(REPO_ROOT, 'examples', 'estate.yaml'), 'utf8'));
  const protect = doc.getIn(['environments', 'dev', 'postgres', 0, 'immuta', 'protect']) as { items: { toJSON(): { database: string } }[] };
  const before = protect.items.length;
  protect.items = protect.items.filter((p) => p.toJSON().database !== 'billing');
  if (protect.items.length !== before - 1) throw new Error('the example estate no longer protects the billing database in dev');
  return doc.toString();
}

/**
 * The stack of Immuta's grants and masking on the dev cluster's protected database `sales`
 * (model/stack-layout.ts): a schema of that database changes it and nothing else.
 */
const DEV_UNITS_STACK = /^dev-redshift-analytics-dev-sales$/;

const stacksIn = (report: string) => [...report.matchAll(/^Stack (\S+):/gm)].map((m) => m[1]);

describe('plan diff: the script against synths of the example estate (--base-dir)', () => {
  let tmp: string;
  let exampleOut: string;
  let modifiedEstate: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-diff-test-'));
    exampleOut = path.join(tmp, 'example.out');
    modifiedEstate = path.join(tmp, 'estate.yaml');
    fs.writeFileSync(modifiedEstate, estateWithoutFinance());
    synth(undefined, exampleOut);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('a protected schema removed: exit 2, and only the affected stack is reported', () => {
    const res = planDiff(REPO_ROOT, ['--base-dir', exampleOut], { ESTATE_FILE: modifiedEstate });
    expect(res.stderr).toContain('stack(s) differ');
    expect(res.status).toBe(2);
    expect(stacksIn(res.stdout)).toEqual([expect.stringMatching(DEV_UNITS_STACK)]);
    expect(res.stdout).toContain('finance');
    expect(res.stdout).toMatch(/^- /m);
  });

  test('--stacks-json: a removed PostgreSQL database is its grant stack destroyed, with the warning; the rest of the example is untouched', () => {
    const withoutBilling = path.join(tmp, 'without-billing.yaml');
    fs.writeFileSync(withoutBilling, estateWithoutBilling());
    const stacksJson = path.join(tmp, 'stacks-to-run.json');
    const res = planDiff(REPO_ROOT, ['--base-dir', exampleOut, '--stacks-json', stacksJson], { ESTATE_FILE: withoutBilling });
    expect(res.status).toBe(2);
    const layout = JSON.parse(fs.readFileSync(path.join(exampleOut, 'stacks.json'), 'utf8')) as { stacks: { name: string; dependsOn: string[] }[] };
    const removed = 'dev-postgres-orders-pg-billing';
    expect(layout.stacks.find((e) => e.name === removed)?.dependsOn).toEqual(['dev-postgres-orders-pg']);
    const run = JSON.parse(fs.readFileSync(stacksJson, 'utf8')) as { plan: { name: string }[]; destroy: unknown[] };
    expect(run.destroy).toEqual([{ name: removed, environment: 'dev', backend: 'local' }]);
    // Whatever else the server's stack reports is planned; nothing in prod is.
    expect(run.plan.map((s) => s.name)).toEqual(stacksIn(res.stdout).filter((n) => n !== removed));
    expect(run.plan.map((s) => s.name).filter((n) => !n.startsWith('dev-'))).toEqual([]);
    expect(res.stderr).toContain(`WARNING: Stack ${removed} is removed`);
    expect(res.stdout).toContain(`npx cdktf destroy ${removed}`);
  });

  test('--stacks-json of a diff against an empty synth: every stack to plan, in stacks.json order (the workflow\'s full deploy)', () => {
    const nothing = path.join(tmp, 'nothing');
    fs.mkdirSync(nothing);
    fs.writeFileSync(path.join(nothing, 'manifest.json'), '{"stacks": {}}');
    const stacksJson = path.join(tmp, 'every-stack.json');
    const res = planDiff(REPO_ROOT, ['--base-dir', nothing, '--head-dir', exampleOut, '--stacks-json', stacksJson]);
    expect(res.status).toBe(2);
    const layout = JSON.parse(fs.readFileSync(path.join(exampleOut, 'stacks.json'), 'utf8')) as { stacks: { name: string; environment: string }[] };
    const synthesized = fs.readdirSync(path.join(exampleOut, 'stacks'));
    const run = JSON.parse(fs.readFileSync(stacksJson, 'utf8')) as { plan: { name: string; environment: string }[]; destroy: unknown[] };
    expect(run.plan.map((s) => [s.name, s.environment])).toEqual(layout.stacks.filter((e) => synthesized.includes(e.name)).map((e) => [e.name, e.environment]));
    expect(run.destroy).toEqual([]);
  });

  test('the markdown form of the same change has a table and folded details', () => {
    const modifiedOut = path.join(tmp, 'modified.out');
    synth(modifiedEstate, modifiedOut);
    const res = planDiff(REPO_ROOT, ['--base-dir', exampleOut, '--head-dir', modifiedOut, '--markdown']);
    expect(res.status).toBe(2);
    expect(res.stdout).toMatch(/^#### <code>dev-redshift-analytics-dev-sales<\/code>: changed$/m);
    expect(res.stdout).toContain('| --- | ---: | ---: | ---: |');
    expect(res.stdout).toMatch(/<details><summary>[^]*```diff[^]*<\/details>/);
  });

  test('no change: exit 0 and an empty report', () => {
    const res = planDiff(REPO_ROOT, ['--base-dir', exampleOut], { ESTATE_FILE: undefined });
    expect(res.stderr).toContain('no changes');
    expect(res.status).toBe(0);
    expect(res.stdout).toBe('');
  });

  test('errors exit 1: a baseline folder that is not a synth, an unknown flag', () => {
    const missing = planDiff(REPO_ROOT, ['--head-dir', exampleOut, '--base-dir', path.join(tmp, 'nope')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('is not a synthesized cdktf output');
    const unknown = planDiff(REPO_ROOT, ['--head-dir', exampleOut, '--frobnicate']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('unknown argument --frobnicate');
  });
});

describe('plan diff: the script against git refs of a temporary repository (--base)', () => {
  let repo: string;
  const git = (...args: string[]) => {
    const res = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    if (res.error || res.status !== 0) throw new Error(`git ${args.join(' ')}: ${res.error?.message ?? res.stderr}`);
    return res.stdout.trim();
  };

  beforeAll(() => {
    // A copy of the project as it is now (others' uncommitted work included), in its own repo.
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-diff-repo-'));
    const skip = new Set(['node_modules', '.git', 'cdktf.out', '.providers', '.gen', 'coverage', 'test', '.tsbuildinfo']);
    for (const name of fs.readdirSync(REPO_ROOT)) {
      if (!skip.has(name)) fs.cpSync(path.join(REPO_ROOT, name), path.join(repo, name), { recursive: true });
    }
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(repo, 'node_modules'), 'dir');
    fs.mkdirSync(path.join(repo, 'estates'));
    fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'estate.yaml'), path.join(repo, 'estates', 'team.yaml'));
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'baseline');
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  test('--base HEAD on a clean tree: exit 0, nothing reported', () => {
    const res = planDiff(repo, ['--base', 'HEAD'], { ESTATE_FILE: undefined });
    expect(res.stderr).toContain('baseline HEAD (');
    expect(res.status).toBe(0);
    expect(res.stdout).toBe('');
  });

  test('default base is the merge base with main, and an in-repo estate is read from the baseline tree', () => {
    git('checkout', '-q', '-b', 'feature');
    fs.writeFileSync(path.join(repo, 'estates', 'team.yaml'), estateWithoutFinance());
    git('commit', '-q', '-am', 'stop protecting sales.finance');
    // Were the baseline synthesized from the working tree's estate, this would report nothing.
    const res = planDiff(repo, [], { ESTATE_FILE: path.join(repo, 'estates', 'team.yaml') });
    expect(res.stderr).toContain('baseline merge-base HEAD main (');
    expect(res.status).toBe(2);
    expect(stacksIn(res.stdout)).toEqual([expect.stringMatching(DEV_UNITS_STACK)]);
    // git archive leaves the repository's worktrees untouched.
    expect(git('worktree', 'list').split('\n')).toHaveLength(1);
    // Progress while the two synths run, on stderr so the report stays clean.
    expect(res.stderr).toMatch(/^plan-diff: \[\d+s\] synthesizing .*team\.yaml with the working tree\.\.\.$/m);
    expect(res.stderr).toMatch(/^plan-diff: \[\d+s\] synthesizing .*team\.yaml with the baseline's code\.\.\.$/m);
  });

  test('an estate outside the repository is refused with the reason, before any synth; --base-estate names its baseline', () => {
    const outside = path.join(os.tmpdir(), `plan-diff-outside-${process.pid}.yaml`);
    fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'estate.yaml'), outside);
    try {
      const refused = planDiff(repo, ['--base', 'HEAD'], { ESTATE_FILE: outside });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(`ESTATE_FILE ${outside} is outside the repository`);
      expect(refused.stderr).toContain('--base-estate <file>');
      expect(refused.stderr).not.toContain('synthesizing');
      // The baseline's estate given explicitly: the estate without sales.finance against the example.
      fs.writeFileSync(outside, estateWithoutFinance());
      const compared = planDiff(repo, ['--base', 'HEAD', '--base-estate', path.join(REPO_ROOT, 'examples', 'estate.yaml')], { ESTATE_FILE: outside });
      expect(compared.status).toBe(2);
      expect(stacksIn(compared.stdout)).toEqual([expect.stringMatching(DEV_UNITS_STACK)]);
    } finally {
      fs.rmSync(outside, { force: true });
    }
  });
});
