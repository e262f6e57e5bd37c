/**
 * The Redshift plane's lifecycle with a real engine (Terraform or OpenTofu) and aws provider,
 * on the plane's stacks as the workflow deploys them: the runner stack, then the cluster's
 * stack, then the stack of each protected database (dependencies first); a removed stack
 * destroyed from the synth before removal, dependents first. moto
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
  /** The example's stacks, in the synth's order: dependencies before dependents. */
  const RUNNER = 'dev-redshift';
  const CLUSTER = 'dev-redshift-analytics-dev';
  const MARKETING = 'dev-redshift-analytics-dev-marketing';
  const SALES = 'dev-redshift-analytics-dev-sales';
  const DATABASES = [MARKETING, SALES];
  const ALL = [RUNNER, CLUSTER, ...DATABASES];
  /** Each stack's folder: its cdk.tf.json, assets, overrides and local state. */
  const dirOf = (stack: string) => path.join(work, stack);
  const stateFile = (stack: string) => path.join(dirOf(stack), 'terraform.tfstate');
  const synthesized = (stack: string) => fs.readFileSync(path.join(dirOf(stack), 'cdk.tf.json'), 'utf8');
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

  /** The units of each stack of the cluster: its own stack's, then each database group's. */
  function unitsByStack(environment: Environment): Map<string, readonly RedshiftUnit[]> {
    const plan = clusterPlan(environment)!;
    return new Map([[CLUSTER, plan.clusterUnits], ...plan.databaseGroups.map((g) => [`${CLUSTER}-${g.group}`, g.units] as const)]);
  }

  /** The stack that holds a unit. */
  const stackOf = (environment: Environment, key: string) => [...unitsByStack(environment)].find(([, units]) => units.some((u) => u.key === key))![0];

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
      const json = JSON.parse(synthesized(stack));
      const endpoints = { iam: moto.endpoint, sts: moto.endpoint, secretsmanager: moto.endpoint, logs: moto.endpoint, lambda: lambda.endpoint };
      const providers = (json.provider.aws as { alias?: string }[]).map((p) => ({
        ...(p.alias ? { alias: p.alias } : {}),
        access_key: 'test', secret_key: 'test', skip_credentials_validation: true, skip_metadata_api_check: true, endpoints: [endpoints],
      }));
      fs.writeFileSync(path.join(dir, 'provider_override.tf.json'), JSON.stringify({ provider: { aws: providers } }));
      fs.writeFileSync(path.join(dir, 'backend_override.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: stateFile(stack) } } } }));
    }
    fs.rmSync(outdir, { recursive: true, force: true });
    matchCatalog(environment);
    return stacks;
  }

  /** A catalog that holds exactly what the environment's units grant. */
  function matchCatalog(environment: Environment): void {
    const plan = clusterPlan(environment);
    catalog = catalogMatching(plan ? redshiftExpectation('dev/analytics-dev', plan.adminDatabase, plan.units) : emptyExpectation(), TABLES);
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

  /** Plans the stacks side by side: each has no change and no check warning. */
  async function expectClean(...stacks: string[]): Promise<void> {
    const results = await Promise.all(stacks.map((stack) => tf(stack, 'plan', '-detailed-exitcode')));
    const dirty = (r: { status: number | null; output: string }) => r.status !== 0 || r.output.includes('Check block assertion failed');
    expect(results.map((r, i) => ({ stack: stacks[i], status: r.status, output: dirty(r) ? r.output : '' })))
      .toEqual(stacks.map((stack) => ({ stack, status: 0, output: '' })));
  }

  /** Applies or destroys the stacks one at a time, in the order given, as the workflow does; returns what each sent. */
  async function each(command: 'apply' | 'destroy', stacks: string[]): Promise<Map<string, [string, string[]][]>> {
    const logs = new Map<string, [string, string[]][]>();
    for (const stack of stacks) {
      const from = dataApi.requests.length;
      await ok(stack, command, '-auto-approve');
      logs.set(stack, sent(from));
    }
    return logs;
  }

  const resourcesIn = (stack: string) => JSON.parse(fs.readFileSync(stateFile(stack), 'utf8')).resources as unknown[];

  /** Statements sent since `from`, without the catalog queries: [unit key, SQL]. */
  function sent(from: number): [string, string[]][] {
    return dataApi.requests.slice(from)
      .filter((r: DataApiRequest) => !r.sqls[0].startsWith('SELECT '))
      .map((r) => [r.statementName!.replace(/^terraform:/, ''), r.sqls]);
  }

  /**
   * What each unit sends, keyed by unit key: its steps, the password slot filled. All the
   * cluster's units, or those of the stacks named.
   */
  function expected(environment: Environment, direction: 'apply' | 'revoke', stacks?: string[]): Map<string, string[]> {
    const byStack = unitsByStack(environment);
    const units = stacks ? stacks.flatMap((st) => byStack.get(st) ?? []) : clusterPlan(environment)!.units;
    return new Map(units.map((u: RedshiftUnit) => [u.key, unitSteps(u[direction]).map((s) => s.sql.replace(PASSWORD_SLOT, u.passwordUser ? md5Form(passwords[u.passwordUser], u.passwordUser) : PASSWORD_SLOT))]));
  }

  const tierOf = (environment: Environment) => {
    const tiers = new Map(clusterPlan(environment)!.units.map((u) => [u.key, REDSHIFT_TIERS.indexOf(u.tier)]));
    return ([key]: [string, string[]]) => tiers.get(key)!;
  };

  /**
   * Each stack sent exactly its own units' statements, each unit once, tier after tier:
   * ascending to apply, descending to revoke.
   */
  function expectStackLogs(environment: Environment, direction: 'apply' | 'revoke', logs: Map<string, [string, string[]][]>): void {
    for (const [stack, log] of logs) {
      const want = expected(environment, direction, [stack]);
      expect({ stack, units: new Map(log), count: log.length }).toEqual({ stack, units: want, count: want.size });
      const tiers = log.map(tierOf(environment));
      expect({ stack, tiers }).toEqual({ stack, tiers: [...tiers].sort((a, b) => (direction === 'apply' ? a - b : b - a)) });
    }
  }

  const flat = (text: string) => text.replace(/\s+/g, ' ');

  /** The addresses a plan or apply output says it updates in place, sorted. */
  const updatedInPlace = (output: string) => [...output.matchAll(/# (\S+) will be updated in-place/g)].map((m) => m[1]).sort();

  /** The cluster's policy on the runner's role, as the emulator holds it. */
  const runnerPolicy = () => JSON.stringify(awsCli(moto, REGION, ['iam', 'get-role-policy', '--role-name', 'dev-redshift-runner-us-east-1', '--policy-name', 'redshift-analytics-dev']));

  /** Applies the cluster stack after a protected database left or came back: two updates in place, no statement. */
  async function expectInputUpdatesOnly(): Promise<void> {
    const from = dataApi.requests.length;
    const output = await ok(CLUSTER, 'apply', '-auto-approve');
    expect(sent(from)).toEqual([]);
    expect(updatedInPlace(output)).toEqual(['aws_iam_role_policy.analytics-dev_runner-policy_29D000A9', 'aws_lambda_invocation.analytics-dev_principals_immuta["user/immuta_system"]']);
    expect(flat(output)).toContain('Resources: 0 added, 2 changed, 0 destroyed.');
  }

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
    const withoutCluster = devEnvironment((e) => { e.redshift = []; });

    test('deploying the runner stack, the cluster stack, then each database stack sends every unit once, from the stack that holds it, tier after tier; the cluster\'s units before any database\'s', async () => {
      expect(synth(original)).toEqual(ALL);
      // Each stack has its own folder and providers from the read-only mirror: init side by side.
      await Promise.all(ALL.map((stack) => ok(stack, 'init')));
      await ok(RUNNER, 'apply', '-auto-approve');
      // The runner stack alone sends nothing to the cluster; the function exists in the emulator, from the synthesized archive.
      expect(dataApi.requests).toEqual([]);
      const fn = awsCli(moto, REGION, ['lambda', 'get-function', '--function-name', 'dev-redshift-runner-us-east-1']) as { Configuration: { Runtime: string; Handler: string } };
      expect(fn.Configuration).toMatchObject({ Runtime: 'nodejs20.x', Handler: 'functions/redshift-runner/handler.handler' });
      const logs = await each('apply', [CLUSTER, ...DATABASES]);
      expectStackLogs(original, 'apply', logs);
      // The database stacks hold exactly Immuta's grants and masking on their own database.
      expect(DATABASES.map((st) => [...logs.get(st)!.map(([key]) => key)].sort())).toEqual([
        ['immuta/marketing/campaigns', 'masking/marketing/campaigns'],
        ['immuta/sales/finance', 'immuta/sales/public', 'masking/sales/finance', 'masking/sales/public'],
      ]);
      // Over the whole deploy: every unit of the cluster exactly once, every tier, the cluster's stack first.
      const log = sent(0);
      const want = expected(original, 'apply');
      expect(new Map(log)).toEqual(want);
      expect(log).toHaveLength(want.size);
      expect(new Set(log.map(tierOf(original)))).toEqual(new Set([0, 1, 2, 3]));
      expect(log.slice(0, logs.get(CLUSTER)!.length)).toEqual(logs.get(CLUSTER));
      for (const r of dataApi.requests) expect(r).toMatchObject({ clusterIdentifier: 'analytics-dev', dbUser: 'awsuser' });
      const byKey = (key: string) => dataApi.requests.filter((r) => r.statementName === `terraform:${key}` && !r.sqls[0].startsWith('SELECT '));
      expect(byKey('database/immuta')[0]).toMatchObject({ operation: 'ExecuteStatement', database: 'dev' });
      expect(byKey('immuta/sales/public')[0]).toMatchObject({ operation: 'BatchExecuteStatement', database: 'sales' });
      expect(dataApi.users).toEqual(new Set(['awsuser', 'etl_admin', 'dq_service', 'alice', 'bob_analyst', 'immuta_system', 'informatica_loader']));
      // The cluster's policy sits on the runner's role, attached by name from the other stack, and reaches every protected database.
      const policies = awsCli(moto, REGION, ['iam', 'list-role-policies', '--role-name', 'dev-redshift-runner-us-east-1']) as { PolicyNames: string[] };
      expect([...policies.PolicyNames].sort()).toEqual(['logs', 'own-statements', 'redshift-analytics-dev']);
      for (const db of ['dev', 'sales', 'marketing']) expect(runnerPolicy()).toContain(`dbname:analytics-dev/${db}`);
    }, TIMEOUT);

    test('re-plan of every stack is clean: no change, and each stack\'s drift check ran once (cluster and two databases) and found nothing', async () => {
      const before = lambda.invocations.length;
      await expectClean(...ALL);
      const audits = lambda.invocations.slice(before).filter((i) => JSON.parse(i.payload).mode === 'audit');
      expect(audits).toHaveLength(3);
      expect(audits.map((a) => a.error)).toEqual([undefined, undefined, undefined]);
      // Each check reads its own stack's part: the cluster's users, the sales and the marketing masking.
      const expectations = audits.map((a) => JSON.parse(a.payload).expected as { users: string[]; masking: { database: string }[] });
      expect(expectations.map((e) => [e.users.length > 0, [...new Set(e.masking.map((m) => m.database))]]).sort()).toEqual([
        [false, ['marketing']], [false, ['sales']], [true, []],
      ]);
    }, TIMEOUT);

    test('no password or md5 form in any stack\'s state, in plan JSON or invocation inputs; the Data API gets the md5 form only in ALTER USER', async () => {
      // Only the cluster stack declares the password variables: no password can reach the other stacks' plans.
      expect(ALL.filter((st) => JSON.parse(synthesized(st)).variable !== undefined)).toEqual([CLUSTER]);
      await ok(CLUSTER, 'plan', '-out=scan.tfplan');
      const planJson = await ok(CLUSTER, 'show', '-json', 'scan.tfplan');
      const state = ALL.map((st) => fs.readFileSync(stateFile(st), 'utf8')).join('\n');
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

    test('removing one exempt user sends exactly its revoke, from the cluster stack\'s own state; the runner and database stacks do not change', async () => {
      const from = dataApi.requests.length;
      synth(devEnvironment((e) => { e.redshift[0].immuta!.exemptUsers = ['etl_admin']; }));
      await expectClean(RUNNER, ...DATABASES);
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

    test('a change whose old revoke FAILED fails the sales stack\'s apply, and the next apply revokes and grants', async () => {
      const reduced = devEnvironment((e) => { e.redshift[0].immuta!.protect[0].schemas[1].tables = ['invoices']; });
      synth(reduced);
      expect(stackOf(reduced, 'immuta/sales/finance')).toBe(SALES);
      dataApi.failWhen = (sql) => (sql.startsWith('REVOKE') && sql.includes('"payments"') ? 'ERROR: injected: could not revoke' : undefined);
      const from = dataApi.requests.length;
      const res = await tf(SALES, 'apply', '-auto-approve');
      expect(res.status).not.toBe(0);
      expect(flat(res.output)).toContain('unit immuta/sales/finance (revoke) on cluster analytics-dev: Redshift Data API statement');
      dataApi.failWhen = () => undefined;
      await ok(SALES, 'apply', '-auto-approve');
      const finance = sent(from).filter(([k]) => k === 'immuta/sales/finance').map(([, sqls]) => sqls);
      const old = expected(original, 'revoke').get('immuta/sales/finance')!;
      expect(finance).toEqual([old, old, expected(reduced, 'apply').get('immuta/sales/finance')]);
      expect((await tf(SALES, 'plan', '-detailed-exitcode')).status).toBe(0);
      synth(original);
      await ok(SALES, 'apply', '-auto-approve');
    }, TIMEOUT);

    // Every drift below is on the cluster's stack or the sales stack: both are planned, and
    // only the one holding the drifted object's unit warns.
    test.each(DRIFTS.map((d) => [d.name, d] as const))('%s makes the plan of the stack that holds its unit print a check warning naming it; the other stack plans clean', async (_, drift) => {
      matchCatalog(original);
      drift.apply(catalog);
      const owner = stackOf(original, drift.unit);
      const other = owner === CLUSTER ? SALES : CLUSTER;
      const [res] = await Promise.all([tf(owner, 'plan', '-detailed-exitcode'), expectClean(other)]);
      expect(res.status).toBe(0);
      expect(res.output).toContain('Warning: Check block assertion failed');
      expect(flat(res.output)).toContain('Redshift cluster analytics-dev differs from the estate');
      expect(flat(res.output)).toContain(drift.names);
    }, TIMEOUT);

    test('removing one protected database: destroying its stack from the synth before removal sends exactly its revokes, masking first; the cluster stack then only updates inputs, with no statement; every remaining stack plans clean; adding it back sends only its units', async () => {
      matchCatalog(original);
      const withoutMarketing = devEnvironment((e) => { e.redshift[0].immuta!.protect = e.redshift[0].immuta!.protect.filter((p) => p.database !== 'marketing'); });
      expect(synth(withoutMarketing)).toEqual([RUNNER, CLUSTER, SALES]);
      const removed = await each('destroy', [MARKETING]);
      expect(removed.get(MARKETING)).toEqual([
        ['masking/marketing/campaigns', expected(original, 'revoke').get('masking/marketing/campaigns')],
        ['immuta/marketing/campaigns', expected(original, 'revoke').get('immuta/marketing/campaigns')],
      ]);
      expect(resourcesIn(MARKETING)).toEqual([]);
      // The cluster stack: the system user's preflight no longer looks in marketing, the runner no longer reaches it.
      await expectInputUpdatesOnly();
      expect(runnerPolicy()).not.toContain('dbname:analytics-dev/marketing');
      await expectClean(RUNNER, CLUSTER, SALES);
      // Added back: the cluster stack first (the same two updates back), then the new database stack, which sends only its units.
      expect(synth(original)).toEqual(ALL);
      await expectInputUpdatesOnly();
      expect(runnerPolicy()).toContain('dbname:analytics-dev/marketing');
      expectStackLogs(original, 'apply', await each('apply', [MARKETING]));
      await expectClean(MARKETING);
    }, TIMEOUT);

    test('without allowDestroy, removing the cluster: the workflow plans every removed stack as a destroy first; the cluster stack\'s plan is refused, so nothing is destroyed and no statement is sent', async () => {
      // The cluster leaves the estate: its three stacks leave the synth, their folders keep the synth before removal.
      expect(synth(withoutCluster)).toEqual([RUNNER]);
      const from = dataApi.requests.length;
      // The workflow's destroy step: `plan -destroy` of each removed stack, dependents first, before any destroy.
      // The database stacks create nothing and need no consent: their destroy plans.
      for (const stack of [...DATABASES].reverse()) await ok(stack, 'plan', '-destroy', '-lock=false');
      const res = await tf(CLUSTER, 'plan', '-destroy', '-lock=false');
      expect(res.status).not.toBe(0);
      // Terraform: "Instance cannot be destroyed ... lifecycle.prevent_destroy"; OpenTofu: "Resource instance cannot be destroyed ... has prevent_destroy set".
      expect(flat(res.output)).toMatch(/instance cannot be destroyed.*prevent_destroy/i);
      // The step stops there: no destroy ran, the grants and masking of the database stacks included.
      expect(sent(from)).toEqual([]);
      expect(ALL.filter((stack) => stack !== RUNNER).map((stack) => resourcesIn(stack).length > 0)).toEqual([true, true, true]);
      expect(dataApi.users.has('immuta_system') && dataApi.users.has('informatica_loader') && dataApi.databases.has('immuta')).toBe(true);
      // Put back, nothing has changed.
      synth(original);
      await expectClean(CLUSTER, ...DATABASES);
    }, TIMEOUT);

    const consenting = devEnvironment((e) => { e.redshift[0].immuta!.allowDestroy = true; e.redshift[0].informatica!.connectorUser!.allowDestroy = true; });

    test('setting allowDestroy is an in-place update of the cluster stack that sends no SQL; the database stacks, which need no consent, do not change', async () => {
      const before = DATABASES.map(synthesized);
      synth(consenting);
      expect(DATABASES.map(synthesized)).toEqual(before);
      const from = dataApi.requests.length;
      const plan = await ok(CLUSTER, 'plan');
      expect(plan).toMatch(/Plan: 0 to add, \d+ to change, 0 to destroy\./);
      await ok(CLUSTER, 'apply', '-auto-approve');
      expect(dataApi.requests.slice(from).filter((r) => !r.sqls[0].startsWith('SELECT '))).toEqual([]);
    }, TIMEOUT);

    test('removing a block within the cluster (informatica) revokes its units through the cluster stack\'s own state, the connector user last; the database stacks do not change', async () => {
      const withoutInformatica = devEnvironment((e) => { e.redshift[0].immuta!.allowDestroy = true; e.redshift[0].informatica = undefined; });
      const before = DATABASES.map(synthesized);
      synth(withoutInformatica);
      expect(DATABASES.map(synthesized)).toEqual(before);
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

    test('removing the whole cluster: destroying the database stacks, then the cluster stack, from the synth before removal sends every revoke, masking first and databases last; the new runner stack then removes the function', async () => {
      expect(synth(withoutCluster)).toEqual([RUNNER]);
      const logs = await each('destroy', [...DATABASES].reverse().concat(CLUSTER));
      expectStackLogs(consenting, 'revoke', logs);
      const log = [...logs.values()].flat();
      const want = expected(consenting, 'revoke');
      expect(new Map(log)).toEqual(want);
      expect(log).toHaveLength(want.size);
      expect(log[0][0]).toMatch(/^masking\//);
      expect(log[log.length - 1]).toEqual(['database/immuta', want.get('database/immuta')]);
      expect(dataApi.users.has('immuta_system') || dataApi.users.has('informatica_loader') || dataApi.databases.has('immuta')).toBe(false);
      expect([CLUSTER, ...DATABASES].map(resourcesIn)).toEqual([[], [], []]);
      // Then the rest of the new synth deploys: the runner stack, now empty.
      await ok(RUNNER, 'apply', '-auto-approve');
      const functions = awsCli(moto, REGION, ['lambda', 'list-functions']) as { Functions: unknown[] };
      expect(functions.Functions).toEqual([]);
      expect(resourcesIn(RUNNER)).toEqual([]);
    }, TIMEOUT);

    // Eight engine runs one after another, the longest test (4 minutes on a loaded machine), so twice the bound of one run.
    test('destroy of the environment (database stacks, cluster stack, then runner stack) revokes everything, each stack in reverse tier order', async () => {
      expect(synth(consenting)).toEqual(ALL);
      await each('apply', ALL);
      const logs = await each('destroy', [...ALL].reverse());
      expectStackLogs(consenting, 'revoke', logs);
      const log = [...logs.values()].flat();
      expect(new Map(log)).toEqual(expected(consenting, 'revoke'));
      expect(log).toHaveLength(expected(consenting, 'revoke').size);
      expect(ALL.map(resourcesIn)).toEqual([[], [], [], []]);
    }, 2 * TIMEOUT);
  });
}
