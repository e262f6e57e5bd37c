/**
 * The Redshift plane's lifecycle with the real terraform binary: a fake `aws` (first on
 * PATH) records each Data API request the provisioners send. Proves ordering, idempotent
 * re-apply, revocation of what leaves the estate, and revoke-all on destroy. What only a
 * real cluster can show is listed in docs/redshift-mechanism.md.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, LocalBackend } from 'cdktf';
import { EXAMPLE_ESTATE_FILE, loadEstateFile } from '../../estate/load';
import { Environment } from '../../estate/schema';
import { REDSHIFT_TIERS, RedshiftUnit, redshiftPlans } from '../../model/redshift/plan';
import { PASSWORD_MD5_TOKEN, renderStatements } from '../../sql/redshift';
import { RedshiftStack } from '../../stacks/redshift-stack';
import { FakeAwsRequest, readFakeAwsLog, writeFakeAwsCli } from '../support/fake-aws-cli';
import { runTerraform, terraformEnv, writeCliConfig } from '../support/terraform-env';

const TIMEOUT = 5 * 60 * 1000;
const PASSWORDS: Record<string, string> = { immuta_system: 'Immuta5ystemPw', informatica_loader: 'Inf0rmaticaPw' };

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'redshift-lifecycle-'));
const stackDir = path.join(work, 'stack');
const logFile = path.join(work, 'aws.log');
const STATE_FILE = path.join(work, 'terraform.tfstate');
let env: NodeJS.ProcessEnv;

function devEnvironment(edit?: (e: Environment) => void): Environment {
  const environment = loadEstateFile(EXAMPLE_ESTATE_FILE).environments.dev;
  edit?.(environment);
  return environment;
}

/** Synthesizes into a scratch dir and copies only cdk.tf.json, so the state stays put. */
function synth(environment: Environment): void {
  const outdir = fs.mkdtempSync(path.join(work, 'out-'));
  const app = new App({ outdir });
  const stack = new RedshiftStack(app, 'dev-redshift', { envName: 'dev', environment });
  // cdktf's default local backend writes next to process.cwd(): keep the state in the temp dir.
  new LocalBackend(stack, { path: STATE_FILE });
  app.synth();
  fs.mkdirSync(stackDir, { recursive: true });
  fs.copyFileSync(path.join(outdir, 'stacks', 'dev-redshift', 'cdk.tf.json'), path.join(stackDir, 'cdk.tf.json'));
}

function tf(...args: string[]): string {
  const res = runTerraform(args, { cwd: stackDir, env, timeoutMs: TIMEOUT });
  if (res.status !== 0) throw new Error(`terraform ${args.join(' ')} failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The SQL each unit sends, as the fake CLI logs it: keyed by unit key. */
function expected(environment: Environment, direction: 'apply' | 'revoke'): Map<string, string[]> {
  const [plan] = redshiftPlans(environment);
  return new Map(plan.units.map((u: RedshiftUnit) => {
    const sqls = renderStatements(direction === 'apply' ? u.apply : u.revoke);
    const pw = u.passwordUser ? md5(PASSWORDS[u.passwordUser] + u.passwordUser) : '';
    return [u.key, sqls.map((s) => s.replace(PASSWORD_MD5_TOKEN, pw))];
  }));
}

const keyOf = (r: FakeAwsRequest) => r.statementName!.replace(/^terraform:/, '');
const tierOf = (environment: Environment) => {
  const tiers = new Map(redshiftPlans(environment)[0].units.map((u) => [u.key, REDSHIFT_TIERS.indexOf(u.tier)]));
  return (r: FakeAwsRequest) => tiers.get(keyOf(r))!;
};
const isRevoke = (exp: Map<string, string[]>) => (r: FakeAwsRequest) => JSON.stringify(exp.get(keyOf(r))) === JSON.stringify(r.sqls);

beforeAll(() => {
  const bin = path.join(work, 'bin');
  writeFakeAwsCli(bin);
  env = {
    ...terraformEnv(writeCliConfig(path.join(work, 'cli'))),
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    FAKE_AWS_LOG: logFile,
    TF_VAR_redshift_analytics_dev_immuta_system_password: PASSWORDS.immuta_system,
    TF_VAR_redshift_analytics_dev_informatica_loader_password: PASSWORDS.informatica_loader,
  };
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('Redshift plane lifecycle through terraform and the Data API', () => {
  const original = devEnvironment();
  const reduce = (e: Environment) => {
    const im = e.redshift[0].immuta!;
    im.exemptUsers = im.exemptUsers.filter((u) => u !== 'dq_service');
    const finance = im.protect.find((p) => p.database === 'sales')!.schemas.find((s) => s.name === 'finance')!;
    finance.tables = finance.tables!.filter((t) => t !== 'payments');
  };
  const reduced = devEnvironment(reduce);
  // Then Immuta switches to IAM authentication...
  const toIam = (e: Environment) => { reduce(e); e.redshift[0].immuta!.authentication = 'iam'; };
  const iam = devEnvironment(toIam);
  // ...then the Data API authenticates with a secret instead of temporary credentials.
  const ADMIN_SECRET = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:redshift/analytics-dev/admin-Q1w2E3';
  const secretAdmin = devEnvironment((e) => { toIam(e); e.redshift[0].admin = { secretArn: ADMIN_SECRET }; });

  test('apply runs every unit once: users and roles before grants before masking', () => {
    synth(original);
    tf('init', '-input=false', '-no-color');
    tf('validate', '-no-color');
    tf('apply', '-auto-approve', '-input=false', '-no-color');

    const log = readFakeAwsLog(logFile);
    const want = expected(original, 'apply');
    expect(new Map(log.map((r) => [keyOf(r), r.sqls]))).toEqual(want);
    expect(log).toHaveLength(want.size);
    const tiers = log.map(tierOf(original));
    expect(tiers).toEqual([...tiers].sort((a, b) => a - b));
    expect(new Set(tiers)).toEqual(new Set([0, 1, 2, 3]));
    for (const r of log) {
      expect(r).toMatchObject({ clusterIdentifier: 'analytics-dev', region: 'us-east-1', dbUser: 'awsuser' });
      expect(r.operation).toBe(keyOf(r) === 'database/immuta' ? 'execute-statement' : 'batch-execute-statement');
    }
    expect(log.find((r) => keyOf(r) === 'immuta/sales/public')!.database).toBe('sales');
  }, TIMEOUT);

  test('passwords reach Redshift only as md5 and never the state', () => {
    const log = fs.readFileSync(logFile, 'utf8');
    const sqls = readFakeAwsLog(logFile).flatMap((r) => r.sqls);
    // Users are created without a password; the password unit sets it once they exist.
    expect(sqls).toContain('CREATE USER "immuta_system" PASSWORD DISABLE CREATEDB');
    expect(sqls).toContain('CREATE USER "informatica_loader" PASSWORD DISABLE');
    expect(sqls).toContain(`ALTER USER "immuta_system" PASSWORD 'md5${md5(PASSWORDS.immuta_system + 'immuta_system')}'`);
    const state = fs.readFileSync(STATE_FILE, 'utf8');
    expect(state).toContain('revoke_request');
    for (const [user, pw] of Object.entries(PASSWORDS)) {
      expect(log).toContain(`PASSWORD 'md5${md5(pw + user)}'`);
      expect(log).not.toContain(pw);
      expect(state).not.toContain(pw);
      expect(state).not.toContain(md5(pw + user));
    }
    expect(log).not.toContain(PASSWORD_MD5_TOKEN);
  });

  test('re-applying an unchanged estate sends nothing', () => {
    const before = readFakeAwsLog(logFile).length;
    synth(original);
    const res = runTerraform(['plan', '-detailed-exitcode', '-input=false', '-no-color'], { cwd: stackDir, env, timeoutMs: TIMEOUT });
    expect(res.status).toBe(0);
    tf('apply', '-auto-approve', '-input=false', '-no-color');
    expect(readFakeAwsLog(logFile)).toHaveLength(before);
  }, TIMEOUT);

  test('removing a table and an exempt user revokes exactly those units, then grants the rest again', () => {
    const before = readFakeAwsLog(logFile).length;
    synth(reduced);
    tf('apply', '-auto-approve', '-input=false', '-no-color');
    const sent = readFakeAwsLog(logFile).slice(before);

    const oldRevoke = expected(original, 'revoke');
    const newApply = expected(reduced, 'apply');
    const revokes = sent.filter(isRevoke(oldRevoke));
    const applies = sent.filter((r) => !isRevoke(oldRevoke)(r));
    expect(revokes.map(keyOf).sort()).toEqual(['exempt/dq_service', 'immuta/sales/finance', 'masking/sales/finance']);
    expect(applies.map(keyOf).sort()).toEqual(['immuta/sales/finance', 'masking/sales/finance']);
    for (const r of applies) expect(r.sqls).toEqual(newApply.get(keyOf(r)));

    expect(revokes.find((r) => keyOf(r) === 'exempt/dq_service')!.sqls).toEqual(['REVOKE ROLE "immuta_exemption" FROM "dq_service"']);
    expect(revokes.flatMap((r) => r.sqls)).toContain('ALTER TABLE "finance"."payments" MASKING OFF FOR DATASHARES');
    expect(revokes.flatMap((r) => r.sqls).join('\n')).toMatch(/REVOKE DELETE, INSERT, SELECT, TRUNCATE, UPDATE ON TABLE "finance"."invoices", "finance"."payments" FROM "immuta_system"/);
    expect(applies.flatMap((r) => r.sqls).join('\n')).not.toContain('payments');
    // Destroy order is the reverse of create: masking is switched off before grants go.
    const idx = (key: string, list: FakeAwsRequest[]) => sent.indexOf(list.find((r) => keyOf(r) === key)!);
    expect(idx('masking/sales/finance', revokes)).toBeLessThan(idx('immuta/sales/finance', revokes));
    expect(idx('immuta/sales/finance', revokes)).toBeLessThan(idx('immuta/sales/finance', applies));
    expect(idx('immuta/sales/finance', applies)).toBeLessThan(idx('masking/sales/finance', applies));
  }, TIMEOUT);

  test('switching Immuta from password to IAM authentication only disables the password: no DROP USER, no CREATE USER', () => {
    const before = readFakeAwsLog(logFile).length;
    synth(iam);
    const plan = tf('plan', '-input=false', '-no-color');
    expect(plan).toContain('Plan: 0 to add, 0 to change, 1 to destroy.');
    expect(plan).toContain('terraform_data.analytics-dev_grants["password/immuta_system"] will be destroyed');
    tf('apply', '-auto-approve', '-input=false', '-no-color');
    const sent = readFakeAwsLog(logFile).slice(before);
    expect(sent.map((r) => [keyOf(r), r.sqls])).toEqual([['password/immuta_system', ['ALTER USER "immuta_system" PASSWORD DISABLE']]]);
    expect(sent[0]).toMatchObject({ dbUser: 'awsuser', database: 'dev' });
  }, TIMEOUT);

  test('changing the admin credentials sends no SQL: every instance is updated in place, none replaced', () => {
    const before = readFakeAwsLog(logFile).length;
    synth(secretAdmin);
    const plan = tf('plan', '-input=false', '-no-color');
    const instances = redshiftPlans(secretAdmin)[0].units.length;
    expect(plan).toContain(`Plan: 0 to add, ${instances} to change, 0 to destroy.`);
    expect(plan.match(/ will be updated in-place$/gm)).toHaveLength(instances);
    expect(plan).not.toMatch(/must be replaced|will be destroyed|will be created/);
    tf('apply', '-auto-approve', '-input=false', '-no-color');
    expect(readFakeAwsLog(logFile)).toHaveLength(before);
    // The new connection is in the state (input), ready for the revokes.
    const state = fs.readFileSync(STATE_FILE, 'utf8');
    expect(state).toContain(ADMIN_SECRET);
    expect(state).not.toContain('awsuser');
  }, TIMEOUT);

  test('destroy revokes everything still granted, masking first and databases last, with the current admin credentials', () => {
    const before = readFakeAwsLog(logFile).length;
    tf('destroy', '-auto-approve', '-input=false', '-no-color');
    const sent = readFakeAwsLog(logFile).slice(before);
    const want = expected(secretAdmin, 'revoke');
    expect(new Map(sent.map((r) => [keyOf(r), r.sqls]))).toEqual(want);
    expect(sent).toHaveLength(want.size);
    for (const r of sent) {
      expect(r.secretArn).toBe(ADMIN_SECRET);
      expect(r.dbUser).toBeUndefined();
    }
    expect(sent.map(keyOf)).not.toContain('password/immuta_system');
    expect(sent.map(keyOf)).toContain('password/informatica_loader');
    const tiers = sent.map(tierOf(secretAdmin));
    expect(tiers).toEqual([...tiers].sort((a, b) => b - a));
    expect(sent.flatMap((r) => r.sqls)).toEqual(expect.arrayContaining([
      'GRANT TEMP ON DATABASE "sales" TO PUBLIC',
      'ALTER USER "informatica_loader" PASSWORD DISABLE',
      'DROP USER IF EXISTS "immuta_system"',
      'DROP DATABASE "immuta" FORCE',
      'REVOKE ROLE sys:secadmin FROM "immuta_system"',
    ]));
  }, TIMEOUT);
});

describe('terraform validate', () => {
  test.each(['dev', 'prod'])('the %s-redshift stack initialises without providers and validates', (envName) => {
    const outdir = fs.mkdtempSync(path.join(work, `validate-${envName}-`));
    const app = new App({ outdir });
    new RedshiftStack(app, `${envName}-redshift`, { envName, environment: loadEstateFile(EXAMPLE_ESTATE_FILE).environments[envName] });
    app.synth();
    const dir = path.join(outdir, 'stacks', `${envName}-redshift`);
    for (const args of [['init', '-backend=false', '-input=false', '-no-color'], ['validate', '-no-color']]) {
      const res = runTerraform(args, { cwd: dir, env, timeoutMs: TIMEOUT });
      expect({ args, status: res.status, stderr: res.stderr }).toEqual({ args, status: 0, stderr: '' });
    }
    // Only Terraform's built-in provider: nothing to install, works offline.
    expect(fs.existsSync(path.join(dir, '.terraform', 'providers'))).toBe(false);
  }, TIMEOUT);
});
