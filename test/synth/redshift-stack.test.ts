import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { EXAMPLE_ESTATE_FILE, loadEstateFile } from '../../estate/load';
import { Environment } from '../../estate/schema';
import { RedshiftUnitInvocations, unitSteps } from '../../constructs/redshift/private/redshift-unit-invocations';
import { deterministicZip, runnerArchive } from '../../constructs/redshift/private/runner-archive';
import { PASSWORD_SLOT, UnitInput } from '../../functions/redshift-runner/contract';
import { planEnvironment } from '../../model/environment-plan';
import { redshiftPlans } from '../../model/redshift/plan';
import { renderPreflight } from '../../sql/redshift';
import { buildApp } from '../../stacks/app';
import { RedshiftClusterStack } from '../../stacks/redshift-cluster-stack';
import { RedshiftDatabaseStack } from '../../stacks/redshift-database-stack';
import { addRedshiftStacks } from '../../stacks/redshift-stacks';
import { tempDir } from '../support/synth';

interface InvocationBlock {
  for_each: Record<string, { input: UnitInput; triggers: Record<string, string> }>;
  triggers: string;
  depends_on?: string[];
  input: string;
  lifecycle_scope: string;
  function_name: string;
  lifecycle?: { prevent_destroy?: boolean };
}
interface Synthesized {
  resource: Record<string, Record<string, Record<string, unknown>>> & { aws_lambda_invocation: Record<string, InvocationBlock> };
  variable?: Record<string, { sensitive?: boolean; ephemeral?: boolean; default?: unknown; type: string }>;
  output?: Record<string, { value: unknown }>;
  data?: { aws_lambda_invocation: Record<string, { input: string; depends_on: string[]; function_name: string }> };
  check?: Record<string, { assert: { condition: string; error_message: string }[] }>;
}

const estate = () => loadEstateFile(EXAMPLE_ESTATE_FILE);
type SynthesizedStack = { name: string; text: string; json: Synthesized };
/** The environment's Redshift stacks, synthesized: the runner stack, the clusters' stacks and their databases' stacks. */
function synthAll(envName: string, environment: Environment): { runner: SynthesizedStack; clusters: SynthesizedStack[]; databases: SynthesizedStack[] } {
  const [runner, ...rest] = addRedshiftStacks(Testing.app(), planEnvironment(envName, environment));
  const synthOne = (stack: TerraformStack) => {
    const text = Testing.synth(stack);
    return { name: stack.node.id, text, json: JSON.parse(text) as Synthesized };
  };
  return {
    runner: synthOne(runner),
    clusters: rest.filter((st) => st instanceof RedshiftClusterStack).map(synthOne),
    databases: rest.filter((st) => st instanceof RedshiftDatabaseStack).map(synthOne),
  };
}
/** The stack of the environment's (only) cluster. */
const synth = (envName: string, environment: Environment) => synthAll(envName, environment).clusters[0];
/** The stack of one protected database of the environment's cluster. */
const databaseStack = (envName: string, environment: Environment, name: string) => synthAll(envName, environment).databases.find((d) => d.name === name)!;
const SALES = 'dev-redshift-analytics-dev-sales';
const blocksOf = (json: Synthesized) => json.resource.aws_lambda_invocation;
const policies = (json: Synthesized) => Object.values(json.resource.aws_iam_role_policy).map((p) => JSON.parse(p.policy as string));

describe('RedshiftRunnerStack, RedshiftClusterStack and RedshiftDatabaseStack', () => {
  test.each(['dev', 'prod'])('the %s runner stack, cluster stack and database stacks match their snapshots', (envName) => {
    const { runner, clusters, databases } = synthAll(envName, estate().environments[envName]);
    expect(runner.text).toMatchSnapshot(`${envName}-redshift`);
    expect(clusters.map((c) => c.name)).toEqual([`${envName}-redshift-${envName === 'dev' ? 'analytics-dev' : 'warehouse-prod'}`]);
    expect(databases.map((c) => c.name)).toEqual(envName === 'dev' ? ['dev-redshift-analytics-dev-marketing', SALES] : ['prod-redshift-warehouse-prod-warehouse']);
    for (const c of [...clusters, ...databases]) expect(c.text).toMatchSnapshot(c.name);
  });

  test('the cluster and database stacks name the runner function and its role, and read nothing from another stack', () => {
    const { runner, clusters: [cluster], databases } = synthAll('dev', estate().environments.dev);
    const [fn] = Object.values(runner.json.resource.aws_lambda_function);
    const [role] = Object.values(runner.json.resource.aws_iam_role);
    expect([fn.function_name, role.name]).toEqual(['dev-redshift-runner-us-east-1', 'dev-redshift-runner-us-east-1']);
    for (const stack of [cluster, ...databases]) {
      for (const b of Object.values(blocksOf(stack.json))) expect(b.function_name).toBe(fn.function_name);
      expect(stack.json.data!.aws_lambda_invocation['analytics-dev_audit'].function_name).toBe(fn.function_name);
      expect(stack.text).not.toMatch(/terraform_remote_state|aws_lambda_function\.|aws_iam_role\./);
    }
    expect(Object.values(cluster.json.resource.aws_iam_role_policy).map((p) => p.role)).toEqual([role.name]);
    // A database stack holds its units and their drift check, nothing else.
    for (const d of databases) expect(Object.keys(d.json.resource)).toEqual(['aws_lambda_invocation']);
    // The runner holds no cluster's units, secrets or outputs.
    expect(Object.keys(runner.json.resource).sort()).toEqual(['aws_cloudwatch_log_group', 'aws_iam_role', 'aws_iam_role_policy', 'aws_lambda_function']);
    expect(runner.json.output).toBeUndefined();
  });

  test('a cluster in another region: its stack\'s provider is that region; the runner stack adds a provider and a function there', () => {
    const env = estate().environments.dev;
    env.redshift.push({ ...env.redshift[0], id: 'eu-copy', region: 'eu-west-1', endpoint: 'eu-copy.c1abc2def3gh.eu-west-1.redshift.amazonaws.com', immuta: { ...env.redshift[0].immuta!, displayName: 'eu_copy' } });
    const { runner, clusters } = synthAll('dev', env);
    expect(clusters.map((c) => c.name)).toEqual(['dev-redshift-analytics-dev', 'dev-redshift-eu-copy']);
    const provider = (json: Synthesized) => (json as unknown as { provider: { aws: { region: string; alias?: string }[] } }).provider.aws.map((p) => [p.region, p.alias]);
    expect(provider(clusters[1].json)).toEqual([['eu-west-1', undefined]]);
    expect(provider(clusters[0].json)).toEqual([['us-east-1', undefined]]);
    expect(provider(runner.json)).toEqual([['us-east-1', undefined], ['eu-west-1', 'eu_west_1']]);
    expect(Object.values(runner.json.resource.aws_lambda_function).map((f) => [f.function_name, f.provider])).toEqual([
      ['dev-redshift-runner-eu-west-1', 'aws.eu_west_1'], ['dev-redshift-runner-us-east-1', undefined],
    ]);
    expect(new Set(Object.values(blocksOf(clusters[1].json)).map((b) => b.function_name))).toEqual(new Set(['dev-redshift-runner-eu-west-1']));
  });

  test('unit blocks per tier and consent, chained databases -> principals -> grants in the cluster stack and grants -> masking in a database stack, all CRUD invocations of the runner', () => {
    const blocks = blocksOf(synth('dev', estate().environments.dev).json);
    expect(Object.keys(blocks).sort()).toEqual([
      'analytics-dev_databases_immuta', 'analytics-dev_grants', 'analytics-dev_principals_connector_user', 'analytics-dev_principals_immuta',
    ]);
    const policy = expect.stringMatching(/^aws_iam_role_policy\.analytics-dev_runner-policy_[0-9A-F]{8}$/);
    expect(blocks['analytics-dev_databases_immuta'].depends_on).toEqual([policy]);
    expect(blocks['analytics-dev_principals_immuta'].depends_on).toEqual(['aws_lambda_invocation.analytics-dev_databases_immuta', policy]);
    expect(blocks['analytics-dev_grants'].depends_on).toEqual([
      'aws_lambda_invocation.analytics-dev_principals_connector_user', 'aws_lambda_invocation.analytics-dev_principals_immuta', policy,
      expect.stringMatching(/^aws_secretsmanager_secret_version\.analytics-dev_immuta_system-password_value_/),
      expect.stringMatching(/^aws_secretsmanager_secret_version\.analytics-dev_informatica_loader-password_value_/),
    ]);
    // The cluster stack's grants tier: memberships, passwords, TEMP and the connector's schema; none on a protected database.
    expect(Object.keys(blocks['analytics-dev_grants'].for_each)).toEqual([
      'exempt/dq_service', 'exempt/etl_admin', 'informatica/sales/staging', 'password/immuta_system', 'password/informatica_loader',
      'system/immuta_system', 'temp/sales/group/etl', 'temp/sales/public', 'temp/sales/user/informatica_loader',
    ]);
    // A database stack: Immuta's grants, then masking, on its own database's schemas; the cluster stack is deployed first.
    const sales = blocksOf(databaseStack('dev', estate().environments.dev, SALES).json);
    expect(Object.fromEntries(Object.entries(sales).map(([n, b]) => [n, [Object.keys(b.for_each), b.depends_on]]))).toEqual({
      'analytics-dev_grants': [['immuta/sales/finance', 'immuta/sales/public'], undefined],
      'analytics-dev_masking': [['masking/sales/finance', 'masking/sales/public'], ['aws_lambda_invocation.analytics-dev_grants']],
    });
    for (const b of [...Object.values(blocks), ...Object.values(sales)]) {
      expect(b).toMatchObject({ lifecycle_scope: 'CRUD', input: '${jsonencode(each.value.input)}', triggers: '${each.value.triggers}', function_name: 'dev-redshift-runner-us-east-1' });
    }
  });

  test('a stack per protected database; databases naming one `stack` share it; the unit addresses are those of the single cluster stack', () => {
    const env = estate().environments.dev;
    const keys = (d: SynthesizedStack) => Object.values(blocksOf(d.json)).flatMap((b) => Object.keys(b.for_each));
    const apart = synthAll('dev', env).databases;
    expect(apart.map((d) => [d.name, keys(d)])).toEqual([
      ['dev-redshift-analytics-dev-marketing', ['immuta/marketing/campaigns', 'masking/marketing/campaigns']],
      [SALES, ['immuta/sales/finance', 'immuta/sales/public', 'masking/sales/finance', 'masking/sales/public']],
    ]);
    env.redshift[0].immuta!.protect.forEach((db) => { db.stack = 'shared'; });
    const together = synthAll('dev', env).databases;
    expect(together.map((d) => d.name)).toEqual(['dev-redshift-analytics-dev-shared']);
    expect(new Set(keys(together[0]))).toEqual(new Set(apart.flatMap(keys)));
    expect(Object.keys(blocksOf(together[0].json)).sort()).toEqual(['analytics-dev_grants', 'analytics-dev_masking']);
  });

  test('nothing runs on the terraform runner: no provisioner, no terraform_data, only the aws provider', () => {
    for (const envName of ['dev', 'prod']) {
      const { runner, clusters, databases } = synthAll(envName, estate().environments[envName]);
      for (const { text, json } of [runner, ...clusters, ...databases]) {
        expect(text).not.toMatch(/provisioner|local-exec|terraform_data/);
        expect(Object.keys((json as unknown as { provider: object }).provider)).toEqual(['aws']);
      }
    }
  });

  test('what the stack creates refuses destroy without consent; allowDestroy lifts it per field; grants never need it', () => {
    const guarded = (env: Environment) => Object.fromEntries([synth('dev', env), databaseStack('dev', env, SALES)].flatMap((st) => Object.entries(blocksOf(st.json)).map(([n, b]) => [`${st.name === SALES ? 'sales:' : ''}${n}`, {
      preventDestroy: b.lifecycle?.prevent_destroy ?? false,
      consent: [...new Set(Object.values(b.for_each).map((i) => JSON.stringify(i.input.consent ?? null)))],
    }])));
    const field = (f: string, allowDestroy: boolean) => [JSON.stringify({ allowDestroy, field: f })]; // synth sorts keys
    expect(guarded(estate().environments.dev)).toEqual({
      'analytics-dev_databases_immuta': { preventDestroy: true, consent: field('immuta.allowDestroy', false) },
      'analytics-dev_principals_immuta': { preventDestroy: true, consent: field('immuta.allowDestroy', false) },
      'analytics-dev_principals_connector_user': { preventDestroy: true, consent: field('informatica.connectorUser.allowDestroy', false) },
      'analytics-dev_grants': { preventDestroy: false, consent: ['null'] },
      'sales:analytics-dev_grants': { preventDestroy: false, consent: ['null'] },
      'sales:analytics-dev_masking': { preventDestroy: false, consent: ['null'] },
    });
    const env = estate().environments.dev;
    env.redshift[0].immuta!.allowDestroy = true;
    const g = guarded(env);
    expect(g['analytics-dev_principals_immuta']).toEqual({ preventDestroy: false, consent: field('immuta.allowDestroy', true) });
    expect(g['analytics-dev_principals_connector_user'].preventDestroy).toBe(true);
    expect(Object.keys(blocksOf(synth('dev', estate().environments.dev).json)['analytics-dev_principals_immuta'].for_each).sort())
      .toEqual(['role/immuta_exemption', 'user/immuta_system']);
  });

  test('each unit input holds the connection, the steps with catalog checks, the revoke\'s checks, and nothing else', () => {
    const [plan] = redshiftPlans(estate().environments.dev);
    const blocks = blocksOf(synth('dev', estate().environments.dev).json);
    const user = blocks['analytics-dev_principals_immuta'].for_each['user/immuta_system'].input;
    expect(user).toEqual({
      mode: 'unit',
      connection: { clusterId: 'analytics-dev', adminDatabase: 'dev', dbUser: 'awsuser' },
      unit: {
        key: 'user/immuta_system', transactional: true,
        apply: [{ sql: 'CREATE USER "immuta_system" PASSWORD DISABLE CREATEDB', unlessExists: { type: 'user', name: 'immuta_system' } }],
        revoke: [{ sql: 'DROP USER IF EXISTS "immuta_system"', ifExists: { type: 'user', name: 'immuta_system' } }],
      },
      consent: { field: 'immuta.allowDestroy', allowDestroy: false },
      // Objects the user still owns, in the connect database and every database it works in.
      preflight: plan.units.find((u) => u.key === 'user/immuta_system')!.preflight!.map(renderPreflight),
    });
    expect(user.preflight?.map((p) => p.database ?? 'dev')).toEqual(['dev', 'marketing', 'sales']);
    const schema = blocksOf(databaseStack('dev', estate().environments.dev, SALES).json)['analytics-dev_grants'].for_each['immuta/sales/public'].input;
    expect(schema.unit).toMatchObject({ database: 'sales', apply: unitSteps(plan.units.find((u) => u.key === 'immuta/sales/public')!.apply) });
    expect(blocks['analytics-dev_databases_immuta'].for_each['database/immuta'].input.unit).toMatchObject({ transactional: false });
  });

  test('triggers (replace on change) are what the unit does and the password version; connection and consent are not in them', () => {
    const triggers = (env: Environment) => {
      const { clusters, databases } = synthAll('dev', env);
      return Object.fromEntries([...clusters, ...databases].flatMap((st) => Object.values(blocksOf(st.json))).flatMap((b) => Object.entries(b.for_each).map(([k, v]) => [k, v.triggers])));
    };
    const before = triggers(estate().environments.dev);
    expect(before['password/immuta_system']).toEqual({ unit: expect.stringMatching(/^[0-9a-f]{64}$/), password_version: '${var.redshift_analytics_dev_immuta_system_password_version}' });
    expect(before['user/immuta_system']).toEqual({ unit: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const edited = (edit: (e: Environment) => void) => {
      const env = estate().environments.dev;
      edit(env);
      const after = triggers(env);
      return Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
    };
    expect(edited((e) => { e.redshift[0].admin = { secretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:redshift/admin-XyZ123' }; })).toEqual([]);
    expect(edited((e) => { e.redshift[0].database = 'analytics'; })).toEqual([]);
    expect(edited((e) => { e.redshift[0].immuta!.allowDestroy = true; })).toEqual([]);
    expect(edited((e) => { e.redshift[0].immuta!.protect[0].schemas[1].tables = ['invoices']; })).toEqual(['immuta/sales/finance', 'masking/sales/finance']);
  });

  test('no password or hash in the configuration: ephemeral sensitive variables, a secret written write-only, a slot in the SQL', () => {
    const { text, json } = synth('dev', estate().environments.dev);
    const vars = json.variable!;
    expect(Object.keys(vars).sort()).toEqual([
      'redshift_analytics_dev_immuta_system_password', 'redshift_analytics_dev_immuta_system_password_version',
      'redshift_analytics_dev_informatica_loader_password', 'redshift_analytics_dev_informatica_loader_password_version',
    ]);
    expect(vars.redshift_analytics_dev_immuta_system_password).toMatchObject({ sensitive: true, ephemeral: true, type: 'string' });
    expect(vars.redshift_analytics_dev_immuta_system_password.default).toBeUndefined();
    expect(vars.redshift_analytics_dev_immuta_system_password_version).toMatchObject({ default: 1, type: 'number' });
    const versions = Object.values(json.resource.aws_secretsmanager_secret_version);
    expect(versions.map((v) => [v.secret_string_wo, v.secret_string_wo_version, v.secret_string])).toEqual([
      ['${var.redshift_analytics_dev_immuta_system_password}', '${var.redshift_analytics_dev_immuta_system_password_version}', undefined],
      ['${var.redshift_analytics_dev_informatica_loader_password}', '${var.redshift_analytics_dev_informatica_loader_password_version}', undefined],
    ]);
    const pw = blocksOf(json)['analytics-dev_grants'].for_each['password/immuta_system'].input;
    expect(pw.unit.apply).toEqual([{ sql: `ALTER USER "immuta_system" PASSWORD '${PASSWORD_SLOT}'` }]);
    expect(pw.password).toEqual({ user: 'immuta_system', secretArn: expect.stringMatching(/^\$\{aws_secretsmanager_secret\.analytics-dev_immuta_system-password_secret_[0-9A-F]+\.arn\}$/), version: '${var.redshift_analytics_dev_immuta_system_password_version}' });
    expect(text).not.toMatch(/md5[0-9a-f]{32}|@@PASSWORD_MD5@@/);
    // The password variables reach only the write-only arguments (and their own validation).
    const uses = text.split('\n').filter((l) => /var\.redshift_analytics_dev_[a-z_]+_password\b(?!_version)/.test(l));
    expect(uses.every((l) => /secret_string_wo"|"condition"/.test(l))).toBe(true);
  });

  test('prod authenticates the Data API with the admin secret and has no password variable', () => {
    const { json } = synth('prod', estate().environments.prod);
    expect(json.variable).toBeUndefined();
    expect(blocksOf(json)['warehouse-prod_principals_immuta'].for_each['user/immuta_system'].input.connection).toEqual({
      clusterId: 'warehouse-prod', adminDatabase: 'warehouse', secretArn: 'arn:aws:secretsmanager:eu-west-1:999988887777:secret:redshift/warehouse-prod/admin-AbCdEf',
    });
  });

  test('the runner: Node.js 20, the deterministic archive, 15 minutes, its own log group', () => {
    const { json } = synthAll('dev', estate().environments.dev).runner;
    const [fn] = Object.values(json.resource.aws_lambda_function);
    expect(fn).toMatchObject({
      function_name: 'dev-redshift-runner-us-east-1', runtime: 'nodejs20.x', handler: 'functions/redshift-runner/handler.handler',
      timeout: 900, source_code_hash: runnerArchive().sha256, filename: expect.stringMatching(/^assets\/.+\/redshift-runner\.zip$/),
    });
    expect(Object.values(json.resource.aws_cloudwatch_log_group).map((g) => g.name)).toEqual(['/aws/lambda/dev-redshift-runner-us-east-1']);
  });

  test('least privilege: Data API on the cluster only, own statements only, credentials for the admin user and its databases, the password secrets', () => {
    const dev = synthAll('dev', estate().environments.dev);
    // The runner's own role: its log, and the statements it submitted (those calls take no cluster).
    expect(policies(dev.runner.json)).toEqual([
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '${aws_cloudwatch_log_group.runner-us-east-1_log-group_7691085A.arn}:*' }] },
      { Version: '2012-10-17', Statement: [{
        Sid: 'OwnStatements', Effect: 'Allow', Action: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult'], Resource: '*',
        Condition: { StringLike: { 'redshift-data:statement-owner-iam-userid': '${aws_iam_role.runner-us-east-1_role_4BAAC61C.unique_id}:*' } },
      }] },
    ]);
    // The cluster's stack: the cluster's own policy on the runner's role.
    const [cluster] = policies(dev.clusters[0].json);
    expect(cluster.Statement).toEqual([
      { Sid: 'SubmitToCluster', Effect: 'Allow', Action: ['redshift-data:BatchExecuteStatement', 'redshift-data:ExecuteStatement'], Resource: 'arn:aws:redshift:us-east-1:111122223333:cluster:analytics-dev' },
      {
        Sid: 'AdminCredentials', Effect: 'Allow', Action: 'redshift:GetClusterCredentials',
        Resource: ['arn:aws:redshift:us-east-1:111122223333:dbuser:analytics-dev/awsuser', ...['dev', 'marketing', 'sales'].map((d) => `arn:aws:redshift:us-east-1:111122223333:dbname:analytics-dev/${d}`)],
      },
      { Sid: 'Secrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [expect.stringMatching(/immuta_system-password_secret_.*\.arn\}$/), expect.stringMatching(/informatica_loader-password_secret_.*\.arn\}$/)] },
    ]);
    const prod = policies(synth('prod', estate().environments.prod).json).find((p) => p.Statement.some((s: { Sid?: string }) => s.Sid === 'Secrets'));
    expect(prod.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['SubmitToCluster', 'Secrets']);
    expect(prod.Statement[1].Resource).toEqual(['arn:aws:secretsmanager:eu-west-1:999988887777:secret:redshift/warehouse-prod/admin-AbCdEf']);
  });

  test('one drift check per stack with units: an audit invocation of its own units after them, warning with the report', () => {
    const { clusters: [cluster], databases } = synthAll('dev', estate().environments.dev);
    const sales = databases.find((d) => d.name === SALES)!;
    for (const { json } of [cluster, ...databases]) {
      expect(Object.keys(json.check!)).toEqual(['analytics-dev_drift']);
      const data = json.data!.aws_lambda_invocation['analytics-dev_audit'];
      expect([...data.depends_on].sort()).toEqual(Object.keys(blocksOf(json)).map((b) => `aws_lambda_invocation.${b}`).sort());
      expect(json.check!['analytics-dev_drift'].assert).toEqual([{
        condition: '${(length(jsondecode(data.aws_lambda_invocation.analytics-dev_audit.result).report) < 1)}',
        error_message: 'Redshift cluster analytics-dev differs from the estate (audit/redshift.ts):\n${jsondecode(data.aws_lambda_invocation.analytics-dev_audit.result).report}',
      }]);
    }
    const expected = (json: Synthesized) => JSON.parse(json.data!.aws_lambda_invocation['analytics-dev_audit'].input);
    // The cluster's check reads users, roles, memberships, TEMP and the connector's schema; a database's, its own schemas.
    expect(expected(cluster.json)).toMatchObject({ mode: 'audit', connection: { clusterId: 'analytics-dev' }, expected: { target: 'dev/analytics-dev', users: ['immuta_system', 'informatica_loader'], masking: [] } });
    expect(expected(cluster.json).expected.tablePrivileges.map((t: { database: string; schema: string }) => `${t.database}.${t.schema}`)).toEqual(['sales.staging']);
    expect(expected(sales.json).expected).toMatchObject({ target: 'dev/analytics-dev', databases: [], users: [], roles: [], memberships: [], temp: [] });
    expect(expected(sales.json).expected.masking.map((m: { database: string; schema: string }) => `${m.database}.${m.schema}`)).toEqual(['sales.finance', 'sales.public']);
  });

  test('outputs for the Immuta connection form and the user mapping', () => {
    const outputs = synth('dev', estate().environments.dev).json.output!;
    expect(outputs.redshift_analytics_dev_immuta_connection.value).toEqual({
      display_name: 'analytics_dev_redshift', hostname: 'analytics-dev.c1abc2def3gh.us-east-1.redshift.amazonaws.com',
      port: 5439, database: 'immuta', username: 'immuta_system', authentication: 'password',
    });
    expect(outputs.redshift_analytics_dev_immuta_user_mapping.value).toEqual({ 'alice@example.com': 'alice', 'bob@example.com': 'bob_analyst' });
  });

  test('every environment gets its runner stack, empty when it declares no cluster for the plane, a stack per cluster that depends on it, and a stack per protected database that depends on its cluster\'s', () => {
    const e = estate();
    e.environments.dev.redshift = [];
    const outdir = tempDir('redshift-app');
    const app = new App({ outdir });
    buildApp(app, e);
    app.synth();
    const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'dev-redshift', 'cdk.tf.json'), 'utf8')) as Synthesized;
    expect(json.resource).toBeUndefined();
    expect(json.check).toBeUndefined();
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { dependencies: string[] }> };
    expect(Object.keys(manifest.stacks).filter((n) => n.includes('-redshift')).sort()).toEqual(['dev-redshift', 'prod-redshift', 'prod-redshift-warehouse-prod', 'prod-redshift-warehouse-prod-warehouse']);
    expect(manifest.stacks['prod-redshift-warehouse-prod'].dependencies).toEqual(['prod-redshift']);
    expect(manifest.stacks['prod-redshift-warehouse-prod-warehouse'].dependencies).toEqual(['prod-redshift-warehouse-prod']);
    expect(manifest.stacks['prod-redshift'].dependencies).toEqual([]);
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('constructor validation names the prop and the rule', () => {
    const [plan] = redshiftPlans(estate().environments.dev);
    const stack = () => new TerraformStack(Testing.app(), 's');
    const base = { functionName: 'f', connection: { clusterId: 'analytics-dev', adminDatabase: 'dev', dbUser: 'awsuser' } };
    expect(() => new RedshiftUnitInvocations(stack(), 'u', { ...base, units: [] })).toThrow(/RedshiftUnitInvocations\.units must not be empty/);
    expect(() => new RedshiftUnitInvocations(stack(), 'u', { ...base, units: [{ ...plan.units[0], key: 'a b' }] })).toThrow(/RedshiftUnitInvocations\.units: key "a b"/);
    expect(() => new RedshiftUnitInvocations(stack(), 'u', { ...base, units: [plan.units[0], plan.units[0]] })).toThrow(/appears twice/);
    const pwUnit = plan.units.find((u) => u.passwordUser)!;
    expect(() => new RedshiftUnitInvocations(stack(), 'u', { ...base, units: [pwUnit] })).toThrow(/RedshiftUnitInvocations\.passwords has no secret for user immuta_system/);
  });
});

describe('the runner archive', () => {
  const python = (script: string, ...args: string[]) => {
    const res = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8', timeout: 30000 });
    if (res.status !== 0) throw new Error(`python3 (needed to read the zip independently) failed: ${res.error?.message ?? res.stderr}`);
    return res.stdout;
  };

  test('is byte-identical from one synth to the next', () => {
    const read = () => {
      const outdir = tempDir('redshift-archive');
      const app = new App({ outdir });
      addRedshiftStacks(app, planEnvironment('dev', estate().environments.dev));
      app.synth();
      const dir = path.join(outdir, 'stacks', 'dev-redshift');
      const fn = Object.values(JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')).resource.aws_lambda_function)[0] as { filename: string };
      const bytes = fs.readFileSync(path.join(dir, fn.filename));
      fs.rmSync(outdir, { recursive: true, force: true });
      return { filename: fn.filename, bytes };
    };
    const a = read();
    const b = read();
    expect(b.filename).toBe(a.filename);
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(deterministicZip([{ name: 'a.js', data: Buffer.from('x') }]).equals(deterministicZip([{ name: 'a.js', data: Buffer.from('x') }]))).toBe(true);
  });

  test('holds the handler and only the repository modules it needs, with fixed timestamps, and loads without anything but the runtime SDK', () => {
    const dir = tempDir('redshift-archive-unzip');
    const zipFile = path.join(dir, 'runner.zip');
    fs.writeFileSync(zipFile, runnerArchive().zip);
    const listing = JSON.parse(python(
      'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nz.extractall(sys.argv[2])\nprint(json.dumps([[i.filename,list(i.date_time),oct(i.external_attr>>16)] for i in z.infolist()]))',
      zipFile, path.join(dir, 'x'),
    )) as [string, number[], string][];
    expect(listing.map(([name]) => name)).toEqual([
      'audit/redshift.js', 'functions/redshift-runner/contract.js', 'functions/redshift-runner/data-api.js',
      'functions/redshift-runner/handler.js', 'functions/redshift-runner/unit-lifecycle.js',
    ]);
    for (const [, date, mode] of listing) {
      expect(date).toEqual([1980, 1, 1, 0, 0, 0]);
      expect(mode).toBe('0o100644');
    }
    // NODE_PATH stands in for the Lambda runtime's bundled AWS SDK v3; nothing else is reachable.
    const res = spawnSync(process.execPath, ['-e', `const h = require(${JSON.stringify(path.join(dir, 'x', 'functions/redshift-runner/handler.js'))}); process.stdout.write(typeof h.handler)`], {
      cwd: dir, encoding: 'utf8', timeout: 30000, env: { PATH: process.env.PATH, NODE_PATH: path.resolve(__dirname, '../../node_modules') },
    });
    expect({ status: res.status, stdout: res.stdout, stderr: res.stderr }).toEqual({ status: 0, stdout: 'function', stderr: '' });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
