/**
 * The Redshift plane's lifecycle with a real engine (Terraform or OpenTofu) and aws provider,
 * on the plane's two stacks as the workflow deploys them: the runner stack first, then the
 * cluster's stack; a removed cluster's stack destroyed from the synth before removal. moto
 * serves IAM, Secrets Manager, CloudWatch Logs and Lambda function management; a local
 * invoke endpoint runs the real runner handler in-process for every Lambda invocation;
 * a recording fake serves the Redshift Data API. What only a real cluster can show is
 * listed in docs/redshift-mechanism.md. One jest file per engine calls redshiftLifecycleSuite:
 * each runs in its own worker process, so each has its own servers and handler environment.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { redshiftExpectation } from '../../audit/redshift';
import { unitSteps } from '../../constructs/redshift/private/redshift-unit-invocations';
import { EXAMPLE_ESTATE_FILE, loadEstateFile } from '../../estate/load';
import { Environment } from '../../estate/schema';
import { handler } from '../../functions/redshift-runner/handler';
import { PASSWORD_SLOT } from '../../functions/redshift-runner/contract';
import { md5Form } from '../../functions/redshift-runner/unit-lifecycle';
import { planEnvironment } from '../../model/environment-plan';
import { REDSHIFT_TIERS, RedshiftClusterPlan, RedshiftUnit } from '../../model/redshift/plan';
import { addRedshiftStacks } from '../../stacks/redshift-stacks';
import { DataApiRequest, FakeRedshiftData, startFakeRedshiftData } from './fake-redshift-data';
import { LambdaInvokeEndpoint, startLambdaInvokeEndpoint } from './lambda-invoke-endpoint';
import { MotoServer, awsCli, startMoto } from './moto';
import { CatalogState, DRIFTS, TableListing, catalogAnswers, catalogMatching } from './redshift-catalog';
import { tempDir } from './synth';
import { Engine, engineTitle, runEngineAsync, terraformEnv, writeCliConfig } from './terraform-env';

/** The whole lifecycle on one engine. */
export function redshiftLifecycleSuite(engine: Engine): void {
  const TIMEOUT = 5 * 60 * 1000;
  const ACCOUNT = '111122223333';
  const REGION = 'us-east-1';
  const PW = { immuta_system: 'Immuta5ystemPw', informatica_loader: 'Inf0rmaticaPw', rotated: 'R0tatedImmutaPw' };
  const TABLES: TableListing = { sales: { public: ['customers', 'orders'], finance: ['invoices', 'payments'], staging: ['stage_orders'] }, marketing: { campaigns: ['campaigns'] } };
  const VAR = (user: string) => `TF_VAR_redshift_analytics_dev_${user}_password`;

  const work = tempDir(`redshift-lifecycle-${engine}`);
  /** Each stack's folder: its cdk.tf.json, assets, overrides and local state. */
  const RUNNER = 'dev-redshift';
  const CLUSTER = 'dev-redshift-analytics-dev';
  const dirOf = (stack: string) => path.join(work, stack);
  const stateFile = (stack: string) => path.join(dirOf(stack), 'terraform.tfstate');
  let moto: MotoServer;
  let dataApi: FakeRedshiftData;
  let lambda: LambdaInvokeEndpoint;
  let env: NodeJS.ProcessEnv;
  let catalog: CatalogState;
  const passwords: Record<string, string> = { immuta_system: PW.immuta_system, informatica_loader: PW.informatica_loader };

  function devEnvironment(edit?: (e: Environment) => void): Environment {
    const environment = loadEstateFile(EXAMPLE_ESTATE_FILE).environments.dev;
    edit?.(environment);
    return environment;
  }

  /** The plan of the example's one cluster, absent when the environment has none. */
  const clusterPlan = (environment: Environment): RedshiftClusterPlan | undefined => planEnvironment('dev', environment).redshift[0];

  /**
   * Synthesizes the Redshift stacks and copies each one's cdk.tf.json and assets (the
   * function's zip) next to its state; override files point every aws provider at the harness
   * and keep state local. A stack that left the synth keeps its folder as the last synth
   * wrote it, as the workflow keeps the previous commit's synth to destroy it. Returns the
   * stacks synthesized. The catalog fixture follows the estate: the audit sees a cluster that
   * matches it.
   */
  function synth(environment: Environment): string[] {
    const outdir = tempDir('redshift-lifecycle-out');
    const app = new App({ outdir });
    const stacks = addRedshiftStacks(app, planEnvironment('dev', environment)).map((st) => st.node.id);
    app.synth();
    for (const stack of stacks) {
      const out = path.join(outdir, 'stacks', stack);
      const dir = dirOf(stack);
      fs.mkdirSync(dir, { recursive: true });
      fs.rmSync(path.join(dir, 'assets'), { recursive: true, force: true });
      fs.copyFileSync(path.join(out, 'cdk.tf.json'), path.join(dir, 'cdk.tf.json'));
      if (fs.existsSync(path.join(out, 'assets'))) fs.cpSync(path.join(out, 'assets'), path.join(dir, 'assets'), { recursive: true });
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'));
      const endpoints = { iam: moto.endpoint, sts: moto.endpoint, secretsmanager: moto.endpoint, logs: moto.endpoint, lambda: lambda.endpoint };
      const providers = (json.provider.aws as { alias?: string }[]).map((p) => ({
        ...(p.alias ? { alias: p.alias } : {}),
        access_key: 'test', secret_key: 'test', skip_credentials_validation: true, skip_metadata_api_check: true, endpoints: [endpoints],
      }));
      fs.writeFileSync(path.join(dir, 'provider_override.tf.json'), JSON.stringify({ provider: { aws: providers } }));
      fs.writeFileSync(path.join(dir, 'backend_override.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: stateFile(stack) } } } }));
    }
    fs.rmSync(outdir, { recursive: true, force: true });
    const plan = clusterPlan(environment);
    catalog = catalogMatching(plan ? redshiftExpectation('dev/analytics-dev', plan.adminDatabase, plan.units) : emptyExpectation(), TABLES);
    return stacks;
  }

  function emptyExpectation() {
    return { target: 'dev/analytics-dev', databases: [], users: [], roles: [], memberships: [], exclusiveRoles: [], schemaPrivileges: [], tablePrivileges: [], temp: [], masking: [] };
  }

  /** Runs the engine in one stack's folder. */
  async function tf(stack: string, ...args: string[]) {
    const interactive = ['init', 'plan', 'apply', 'destroy'].includes(args[0]);
    const res = await runEngineAsync(engine, [...args, ...(interactive ? ['-input=false'] : []), '-no-color'], { cwd: dirOf(stack), env: { ...env, ...Object.fromEntries(Object.entries(passwords).map(([u, p]) => [VAR(u), p])) }, timeoutMs: TIMEOUT });
    return { ...res, output: `${res.stdout}\n${res.stderr}` };
  }

  async function ok(stack: string, ...args: string[]): Promise<string> {
    const res = await tf(stack, ...args);
    if (res.status !== 0) throw new Error(`${engineTitle(engine)} ${args.join(' ')} in ${stack} failed (${res.status}):\n${res.output}`);
    return res.output;
  }

  /** The workflow's deploy: the runner stack, then the cluster's. */
  async function deploy(): Promise<void> {
    await ok(RUNNER, 'apply', '-auto-approve');
    await ok(CLUSTER, 'apply', '-auto-approve');
  }

  const resourcesIn = (stack: string) => JSON.parse(fs.readFileSync(stateFile(stack), 'utf8')).resources as unknown[];

  /** Statements sent since `from`, without the catalog queries: [unit key, SQL]. */
  function sent(from: number): [string, string[]][] {
    return dataApi.requests.slice(from)
      .filter((r: DataApiRequest) => !r.sqls[0].startsWith('SELECT '))
      .map((r) => [r.statementName!.replace(/^terraform:/, ''), r.sqls]);
  }

  /** What each unit sends, keyed by unit key: its steps, the password slot filled. */
  function expected(environment: Environment, direction: 'apply' | 'revoke', pw = passwords): Map<string, string[]> {
    const plan = clusterPlan(environment)!;
    return new Map(plan.units.map((u: RedshiftUnit) => [u.key, unitSteps(u[direction]).map((s) => s.sql.replace(PASSWORD_SLOT, u.passwordUser ? md5Form(pw[u.passwordUser], u.passwordUser) : PASSWORD_SLOT))]));
  }

  const tierOf = (environment: Environment) => {
    const tiers = new Map(clusterPlan(environment)!.units.map((u) => [u.key, REDSHIFT_TIERS.indexOf(u.tier)]));
    return ([key]: [string, string[]]) => tiers.get(key)!;
  };
  const flat = (text: string) => text.replace(/\s+/g, ' ');

  /** Every command line seen while a command runs: `ps` every 200 ms until stop(). */
  function sampleProcessList(): { stop: () => string[] } {
    const seen = new Set<string>();
    const timer = setInterval(() => {
      const res = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8', timeout: 5000 });
      if (res.status !== 0) throw new Error(`ps failed: ${res.error?.message ?? res.stderr}`);
      for (const line of res.stdout.split('\n')) seen.add(line);
    }, 200);
    return { stop: () => { clearInterval(timer); return [...seen]; } };
  }

  beforeAll(async () => {
    moto = await startMoto(ACCOUNT);
    dataApi = await startFakeRedshiftData({ databases: ['dev', 'sales', 'marketing'], users: ['awsuser', 'etl_admin', 'dq_service', 'alice', 'bob_analyst'] });
    dataApi.fixture = (sql, database) => catalogAnswers(catalog)(sql, database);
    // The in-process handler's SDK clients: the fake Data API, and moto for Secrets Manager.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_REDSHIFT_DATA: dataApi.endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
    });
    lambda = await startLambdaInvokeEndpoint(moto.endpoint, handler as (e: unknown) => Promise<unknown>);
    env = { ...terraformEnv(writeCliConfig(path.join(work, 'cli'), engine)), AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  }, 60000);

  afterAll(async () => {
    await lambda?.stop();
    await dataApi?.stop();
    await moto?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  describe(`Redshift plane lifecycle on ${engineTitle(engine)}: the engine, the runner function and the Data API`, () => {
    const original = devEnvironment();

    test('deploying the runner stack, then the cluster stack, sends every unit once, databases before principals before grants before masking', async () => {
      expect(synth(original)).toEqual([RUNNER, CLUSTER]);
      await ok(RUNNER, 'init');
      await ok(CLUSTER, 'init');
      await ok(RUNNER, 'apply', '-auto-approve');
      // The runner stack alone sends nothing to the cluster; the function exists in the emulator, from the synthesized archive.
      expect(dataApi.requests).toEqual([]);
      const fn = awsCli(moto, REGION, ['lambda', 'get-function', '--function-name', 'dev-redshift-runner-us-east-1']) as { Configuration: { Runtime: string; Handler: string } };
      expect(fn.Configuration).toMatchObject({ Runtime: 'nodejs20.x', Handler: 'functions/redshift-runner/handler.handler' });
      await ok(CLUSTER, 'apply', '-auto-approve');
      const log = sent(0);
      const want = expected(original, 'apply');
      expect(new Map(log)).toEqual(want);
      expect(log).toHaveLength(want.size);
      const tiers = log.map(tierOf(original));
      expect(tiers).toEqual([...tiers].sort((a, b) => a - b));
      expect(new Set(tiers)).toEqual(new Set([0, 1, 2, 3]));
      for (const r of dataApi.requests) expect(r).toMatchObject({ clusterIdentifier: 'analytics-dev', dbUser: 'awsuser' });
      const byKey = (key: string) => dataApi.requests.filter((r) => r.statementName === `terraform:${key}` && !r.sqls[0].startsWith('SELECT '));
      expect(byKey('database/immuta')[0]).toMatchObject({ operation: 'ExecuteStatement', database: 'dev' });
      expect(byKey('immuta/sales/public')[0]).toMatchObject({ operation: 'BatchExecuteStatement', database: 'sales' });
      expect(dataApi.users).toEqual(new Set(['awsuser', 'etl_admin', 'dq_service', 'alice', 'bob_analyst', 'immuta_system', 'informatica_loader']));
      // The cluster's policy sits on the runner's role, attached by name from the other stack.
      const policies = awsCli(moto, REGION, ['iam', 'list-role-policies', '--role-name', 'dev-redshift-runner-us-east-1']) as { PolicyNames: string[] };
      expect([...policies.PolicyNames].sort()).toEqual(['logs', 'own-statements', 'redshift-analytics-dev']);
    }, TIMEOUT);

    test('re-plan of both stacks is clean: no change, and the drift check ran once and found nothing', async () => {
      const before = lambda.invocations.length;
      for (const stack of [RUNNER, CLUSTER]) {
        const res = await tf(stack, 'plan', '-detailed-exitcode');
        expect({ stack, status: res.status, output: res.status === 0 ? '' : res.output }).toEqual({ stack, status: 0, output: '' });
        expect(res.output).not.toContain('Check block assertion failed');
      }
      const audits = lambda.invocations.slice(before).filter((i) => JSON.parse(i.payload).mode === 'audit');
      expect(audits).toHaveLength(1);
      expect(audits[0].error).toBeUndefined();
    }, TIMEOUT);

    test('no password or md5 form in state, plan JSON or invocation inputs; the Data API gets the md5 form only in ALTER USER', async () => {
      await ok(CLUSTER, 'plan', '-out=scan.tfplan');
      const planJson = await ok(CLUSTER, 'show', '-json', 'scan.tfplan');
      const state = [RUNNER, CLUSTER].map((st) => fs.readFileSync(stateFile(st), 'utf8')).join('\n');
      const inputs = lambda.invocations.map((i) => i.payload).join('\n');
      const requests = dataApi.requests.map((r) => JSON.stringify(r));
      for (const [user, pw] of Object.entries(passwords)) {
        const hash = md5Form(pw, user).slice(3);
        for (const [where, text] of [['state', state], ['plan JSON', planJson], ['invocation inputs', inputs]]) {
          expect({ where, password: text.includes(pw), md5: text.includes(hash) }).toEqual({ where, password: false, md5: false });
        }
        expect(requests.filter((r) => r.includes(pw))).toEqual([]);
        const withHash = requests.filter((r) => r.includes(hash));
        expect(withHash).toEqual([JSON.stringify(dataApi.requests.find((r) => r.statementName === `terraform:password/${user}`))]);
        expect(JSON.parse(withHash[0]).sqls).toEqual([`ALTER USER "${user}" PASSWORD '${md5Form(pw, user)}'`]);
      }
      expect(fs.readFileSync(stateFile(CLUSTER), 'utf8')).toContain('secretsmanager');
      fs.rmSync(path.join(dirOf(CLUSTER), 'scan.tfplan'));
    }, TIMEOUT);

    test('password rotation (new password, version bump) re-runs exactly the password unit, with no password or md5 form on any command line', async () => {
      const from = dataApi.requests.length;
      passwords.immuta_system = PW.rotated;
      env.TF_VAR_redshift_analytics_dev_immuta_system_password_version = '2';
      const processes = sampleProcessList();
      await ok(CLUSTER, 'apply', '-auto-approve');
      const commandLines = processes.stop();
      expect(commandLines.some((l) => l.includes(engine === 'terraform' ? 'terraform' : 'tofu'))).toBe(true);
      const hash = md5Form(PW.rotated, 'immuta_system').slice(3);
      expect(commandLines.filter((l) => l.includes(PW.rotated) || l.includes(hash))).toEqual([]);
      // A replacement: the old revoke, then the apply with the new password.
      expect(sent(from)).toEqual([
        ['password/immuta_system', ['ALTER USER "immuta_system" PASSWORD DISABLE']],
        ['password/immuta_system', [`ALTER USER "immuta_system" PASSWORD '${md5Form(PW.rotated, 'immuta_system')}'`]],
      ]);
      expect((await tf(CLUSTER, 'plan', '-detailed-exitcode')).status).toBe(0);
    }, TIMEOUT);

    test('removing one exempt user sends exactly its revoke, from the cluster stack\'s own state; the runner stack does not change', async () => {
      const from = dataApi.requests.length;
      synth(devEnvironment((e) => { e.redshift[0].immuta!.exemptUsers = ['etl_admin']; }));
      expect((await tf(RUNNER, 'plan', '-detailed-exitcode')).status).toBe(0);
      await ok(CLUSTER, 'apply', '-auto-approve');
      expect(sent(from)).toEqual([['exempt/dq_service', ['REVOKE ROLE "immuta_exemption" FROM "dq_service"']]]);
    }, TIMEOUT);

    test('a statement that FAILED fails the apply with the unit key and the Data API error, and the next apply converges', async () => {
      synth(original);
      dataApi.failWhen = (sql) => (sql.includes('TO "dq_service"') ? 'ERROR: injected: could not grant' : undefined);
      const from = dataApi.requests.length;
      const res = await tf(CLUSTER, 'apply', '-auto-approve');
      expect(res.status).not.toBe(0);
      expect(flat(res.output)).toContain('unit exempt/dq_service (apply) on cluster analytics-dev');
      expect(flat(res.output)).toContain('ERROR: injected: could not grant');
      dataApi.failWhen = () => undefined;
      await ok(CLUSTER, 'apply', '-auto-approve');
      expect(sent(from).filter(([k]) => k === 'exempt/dq_service')).toEqual([
        ['exempt/dq_service', ['GRANT ROLE "immuta_exemption" TO "dq_service"']],
        ['exempt/dq_service', ['GRANT ROLE "immuta_exemption" TO "dq_service"']],
      ]);
      expect((await tf(CLUSTER, 'plan', '-detailed-exitcode')).status).toBe(0);
    }, TIMEOUT);

    test('an invocation that errors after its statements finished fails the apply, and the next apply converges', async () => {
      const withBot = devEnvironment((e) => { e.redshift[0].immuta!.exemptUsers.push('audit_bot'); });
      synth(withBot);
      lambda.failAfterRun = (e) => (e as { unit?: { key: string } }).unit?.key === 'exempt/audit_bot';
      const from = dataApi.requests.length;
      const res = await tf(CLUSTER, 'apply', '-auto-approve');
      expect(res.status).not.toBe(0);
      expect(flat(res.output)).toContain('the invocation failed after its statements finished');
      lambda.failAfterRun = () => false;
      await ok(CLUSTER, 'apply', '-auto-approve');
      expect(sent(from)).toEqual([
        ['exempt/audit_bot', ['GRANT ROLE "immuta_exemption" TO "audit_bot"']],
        ['exempt/audit_bot', ['GRANT ROLE "immuta_exemption" TO "audit_bot"']],
      ]);
      expect((await tf(CLUSTER, 'plan', '-detailed-exitcode')).status).toBe(0);
      synth(original);
      await ok(CLUSTER, 'apply', '-auto-approve');
    }, TIMEOUT);

    test('a change whose old revoke FAILED fails the apply, and the next apply revokes and grants', async () => {
      const reduced = devEnvironment((e) => { e.redshift[0].immuta!.protect[0].schemas[1].tables = ['invoices']; });
      synth(reduced);
      dataApi.failWhen = (sql) => (sql.startsWith('REVOKE') && sql.includes('"payments"') ? 'ERROR: injected: could not revoke' : undefined);
      const from = dataApi.requests.length;
      const res = await tf(CLUSTER, 'apply', '-auto-approve');
      expect(res.status).not.toBe(0);
      expect(flat(res.output)).toContain('unit immuta/sales/finance (revoke) on cluster analytics-dev: Redshift Data API statement');
      dataApi.failWhen = () => undefined;
      await ok(CLUSTER, 'apply', '-auto-approve');
      const finance = sent(from).filter(([k]) => k === 'immuta/sales/finance').map(([, sqls]) => sqls);
      const old = expected(original, 'revoke').get('immuta/sales/finance')!;
      expect(finance).toEqual([old, old, expected(reduced, 'apply').get('immuta/sales/finance')]);
      expect((await tf(CLUSTER, 'plan', '-detailed-exitcode')).status).toBe(0);
      synth(original);
      await ok(CLUSTER, 'apply', '-auto-approve');
    }, TIMEOUT);

    test.each(DRIFTS.map((d) => [d.name, d] as const))('%s makes the cluster stack\'s plan print a check warning naming it', async (_, drift) => {
      synth(original);
      drift.apply(catalog);
      const res = await tf(CLUSTER, 'plan', '-detailed-exitcode');
      expect(res.status).toBe(0);
      expect(res.output).toContain('Warning: Check block assertion failed');
      expect(flat(res.output)).toContain('Redshift cluster analytics-dev differs from the estate');
      expect(flat(res.output)).toContain(drift.names);
    }, TIMEOUT);

    test('without allowDestroy, destroying the removed cluster\'s stack is refused before any statement: nothing is revoked or dropped', async () => {
      // The cluster leaves the estate: its stack leaves the synth, its folder keeps the synth before removal.
      expect(synth(devEnvironment((e) => { e.redshift = []; }))).toEqual([RUNNER]);
      const from = dataApi.requests.length;
      const res = await tf(CLUSTER, 'destroy', '-auto-approve');
      expect(res.status).not.toBe(0);
      // Terraform: "Instance cannot be destroyed ... lifecycle.prevent_destroy"; OpenTofu: "Resource instance cannot be destroyed ... has prevent_destroy set".
      expect(flat(res.output)).toMatch(/instance cannot be destroyed.*prevent_destroy/i);
      expect(sent(from)).toEqual([]);
      expect(dataApi.users.has('immuta_system') && dataApi.users.has('informatica_loader') && dataApi.databases.has('immuta')).toBe(true);
      // Put back, nothing has changed.
      synth(original);
      expect((await tf(CLUSTER, 'plan', '-detailed-exitcode')).status).toBe(0);
    }, TIMEOUT);

    const consenting = devEnvironment((e) => { e.redshift[0].immuta!.allowDestroy = true; e.redshift[0].informatica!.connectorUser!.allowDestroy = true; });

    test('setting allowDestroy is an in-place update that sends no SQL', async () => {
      synth(consenting);
      const from = dataApi.requests.length;
      const plan = await ok(CLUSTER, 'plan');
      expect(plan).toMatch(/Plan: 0 to add, \d+ to change, 0 to destroy\./);
      await ok(CLUSTER, 'apply', '-auto-approve');
      expect(dataApi.requests.slice(from).filter((r) => !r.sqls[0].startsWith('SELECT '))).toEqual([]);
    }, TIMEOUT);

    test('removing a block within the cluster (informatica) revokes its units through the cluster stack\'s own state, the connector user last', async () => {
      const withoutInformatica = devEnvironment((e) => { e.redshift[0].immuta!.allowDestroy = true; e.redshift[0].informatica = undefined; });
      synth(withoutInformatica);
      const from = dataApi.requests.length;
      await ok(CLUSTER, 'apply', '-auto-approve');
      const kept = new Set(clusterPlan(withoutInformatica)!.units.map((u) => u.key));
      const want = new Map([...expected(consenting, 'revoke')].filter(([key]) => !kept.has(key)));
      const log = sent(from);
      expect(new Map(log)).toEqual(want);
      expect(log).toHaveLength(want.size);
      expect(log[log.length - 1]).toEqual(['user/informatica_loader', ['DROP USER IF EXISTS "informatica_loader"']]);
      expect(dataApi.users.has('informatica_loader')).toBe(false);
      // Put back for the removal below.
      synth(consenting);
      await ok(CLUSTER, 'apply', '-auto-approve');
      expect((await tf(CLUSTER, 'plan', '-detailed-exitcode')).status).toBe(0);
    }, TIMEOUT);

    test('removing the whole cluster: destroying its stack from the synth before removal sends every revoke, masking first and databases last; the new runner stack then removes the function', async () => {
      expect(synth(devEnvironment((e) => { e.redshift = []; }))).toEqual([RUNNER]);
      const from = dataApi.requests.length;
      await ok(CLUSTER, 'destroy', '-auto-approve');
      const log = sent(from);
      const want = expected(consenting, 'revoke');
      expect(new Map(log)).toEqual(want);
      expect(log).toHaveLength(want.size);
      const tiers = log.map(tierOf(consenting));
      expect(tiers).toEqual([...tiers].sort((a, b) => b - a));
      expect(dataApi.users.has('immuta_system') || dataApi.users.has('informatica_loader') || dataApi.databases.has('immuta')).toBe(false);
      expect(resourcesIn(CLUSTER)).toEqual([]);
      // Then the rest of the new synth deploys: the runner stack, now empty.
      await ok(RUNNER, 'apply', '-auto-approve');
      const functions = awsCli(moto, REGION, ['lambda', 'list-functions']) as { Functions: unknown[] };
      expect(functions.Functions).toEqual([]);
      expect(resourcesIn(RUNNER)).toEqual([]);
    }, TIMEOUT);

    test('destroy of the environment (cluster stack, then runner stack) revokes everything, in reverse tier order', async () => {
      synth(consenting);
      await deploy();
      const from = dataApi.requests.length;
      await ok(CLUSTER, 'destroy', '-auto-approve');
      await ok(RUNNER, 'destroy', '-auto-approve');
      const log = sent(from);
      expect(new Map(log)).toEqual(expected(consenting, 'revoke'));
      const tiers = log.map(tierOf(consenting));
      expect(tiers).toEqual([...tiers].sort((a, b) => b - a));
      expect([resourcesIn(CLUSTER), resourcesIn(RUNNER)]).toEqual([[], []]);
    }, TIMEOUT);
  });
}
