import { TerraformStack, Testing } from 'cdktf';
import { EXAMPLE_ESTATE_FILE, loadEstateFile } from '../../estate/load';
import { Environment } from '../../estate/schema';
import { RedshiftClusterGrants } from '../../constructs/redshift/redshift-cluster-grants';
import { RedshiftStatementUnits, UnitInstance } from '../../constructs/redshift/redshift-statement-units';
import { redshiftPlans } from '../../model/redshift/plan';
import { RedshiftStack } from '../../stacks/redshift-stack';

interface DataBlock {
  for_each: Record<string, UnitInstance>;
  depends_on?: string[];
  input: Record<string, string>;
  triggers_replace: string;
  provisioner: { 'local-exec': { command: string; when?: string; environment: Record<string, string>; interpreter: string[] } }[];
}
interface Synthesized {
  resource: { terraform_data: Record<string, DataBlock> };
  variable?: Record<string, { sensitive?: boolean; default?: unknown }>;
  output?: Record<string, { value: unknown }>;
}

const estate = () => loadEstateFile(EXAMPLE_ESTATE_FILE);
function synth(envName: string, environment: Environment): { text: string; json: Synthesized } {
  const stack = new RedshiftStack(Testing.app(), `${envName}-redshift`, { envName, environment });
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as Synthesized };
}

describe('RedshiftStack', () => {
  test.each(['dev', 'prod'])('%s-redshift matches its snapshot', (envName) => {
    expect(synth(envName, estate().environments[envName]).text).toMatchSnapshot();
  });

  test('four terraform_data blocks per cluster, chained databases -> principals -> grants -> masking', () => {
    const blocks = synth('dev', estate().environments.dev).json.resource.terraform_data;
    expect(Object.keys(blocks).sort()).toEqual(['analytics-dev_databases', 'analytics-dev_grants', 'analytics-dev_masking', 'analytics-dev_principals']);
    expect(blocks['analytics-dev_databases'].depends_on).toBeUndefined();
    expect(blocks['analytics-dev_principals'].depends_on).toEqual(['terraform_data.analytics-dev_databases']);
    expect(blocks['analytics-dev_grants'].depends_on).toEqual(['terraform_data.analytics-dev_principals']);
    expect(blocks['analytics-dev_masking'].depends_on).toEqual(['terraform_data.analytics-dev_grants']);
  });

  test('every block is emitted with an empty map when its tier has no units', () => {
    const env = estate().environments.dev;
    env.redshift[0].immuta = undefined;
    env.redshift[0].informatica!.connectorUser = undefined;
    const blocks = synth('dev', env).json.resource.terraform_data;
    expect(Object.keys(blocks)).toHaveLength(4);
    expect(blocks['analytics-dev_databases'].for_each).toEqual({});
    expect(blocks['analytics-dev_principals'].for_each).toEqual({});
    expect(blocks['analytics-dev_masking'].for_each).toEqual({});
    expect(Object.keys(blocks['analytics-dev_grants'].for_each).sort()).toEqual(['temp/sales/group/etl', 'temp/sales/public', 'temp/sales/user/informatica_loader']);
  });

  test('the destroy provisioner reads only self; SQL reaches the shell through environment variables', () => {
    const blocks = synth('dev', estate().environments.dev).json.resource.terraform_data;
    for (const block of Object.values(blocks)) {
      const [create, destroy] = block.provisioner.map((p) => p['local-exec']);
      expect(create.when).toBeUndefined();
      expect(destroy.when).toBe('destroy');
      expect(Object.values(destroy.environment).every((v) => /^\$\{self\.input\.[a-z_]+\}$/.test(v))).toBe(true);
      for (const p of [create, destroy]) {
        expect(p.interpreter).toEqual(['/bin/sh', '-c']);
        expect(p.command).not.toContain('${');
        expect(p.command).toContain('--cli-input-json "$RS_REQUEST"');
      }
      expect(block.triggers_replace).toBe('${each.value.unit}');
      expect(block.input).toEqual({ region: 'us-east-1', revoke_operation: '${each.value.unit.operation}', revoke_request: '${each.value.revoke_request}' });
    }
  });

  test('no password or hash in the configuration: sensitive variables without defaults, md5 computed by Terraform', () => {
    const { text, json } = synth('dev', estate().environments.dev);
    expect(Object.keys(json.variable!).sort()).toEqual(['redshift_analytics_dev_immuta_system_password', 'redshift_analytics_dev_informatica_loader_password']);
    for (const v of Object.values(json.variable!)) {
      expect(v.sensitive).toBe(true);
      expect(v.default).toBeUndefined();
    }
    expect(text).not.toMatch(/PASSWORD '(?!md5@@PASSWORD_MD5@@')/);
    expect(text).not.toMatch(/md5[0-9a-f]{32}/);
    // The password units are in the grants tier; the user units no longer take a password.
    const grants = json.resource.terraform_data['analytics-dev_grants'];
    const rsRequest = grants.provisioner[0]['local-exec'].environment.RS_REQUEST;
    expect(rsRequest).toContain('md5(join("", [var.redshift_analytics_dev_immuta_system_password, "immuta_system"]))');
    expect(rsRequest).toContain('md5(join("", [var.redshift_analytics_dev_informatica_loader_password, "informatica_loader"]))');
    expect(grants.for_each['password/immuta_system'].unit.apply).toEqual([`ALTER USER "immuta_system" PASSWORD 'md5@@PASSWORD_MD5@@'`]);
    const principals = json.resource.terraform_data['analytics-dev_principals'];
    expect(principals.provisioner[0]['local-exec'].environment.RS_REQUEST).toBe('${each.value.apply_request}');
    // The state keeps input and triggers only: neither refers to a variable.
    for (const block of [grants, principals]) {
      expect(JSON.stringify([block.input, block.triggers_replace, block.for_each])).not.toContain('var.');
    }
  });

  test('prod authenticates the Data API with the admin secret and needs no password variable', () => {
    const { json } = synth('prod', estate().environments.prod);
    expect(json.variable).toBeUndefined();
    const req = JSON.parse(json.resource.terraform_data['warehouse-prod_principals'].for_each['user/immuta_system'].apply_request);
    expect(req).toEqual({
      ClusterIdentifier: 'warehouse-prod', Database: 'warehouse',
      SecretArn: 'arn:aws:secretsmanager:eu-west-1:999988887777:secret:redshift/warehouse-prod/admin-AbCdEf',
      Sqls: ['CREATE USER "immuta_system" PASSWORD DISABLE CREATEDB'], StatementName: 'terraform:user/immuta_system',
    });
  });

  test('outputs for the Immuta connection form and the user mapping', () => {
    const outputs = synth('dev', estate().environments.dev).json.output!;
    expect(outputs.redshift_analytics_dev_immuta_connection.value).toEqual({
      display_name: 'analytics_dev_redshift', hostname: 'analytics-dev.c1abc2def3gh.us-east-1.redshift.amazonaws.com',
      port: 5439, database: 'immuta', username: 'immuta_system', authentication: 'password',
    });
    expect(outputs.redshift_analytics_dev_immuta_user_mapping.value).toEqual({ 'alice@example.com': 'alice', 'bob@example.com': 'bob_analyst' });
  });

  test('removing a table from the estate changes the unit content, which triggers replacement', () => {
    const before = synth('dev', estate().environments.dev).json.resource.terraform_data['analytics-dev_grants'].for_each;
    const env = estate().environments.dev;
    env.redshift[0].immuta!.protect[0].schemas[1].tables = ['invoices'];
    const after = synth('dev', env).json.resource.terraform_data['analytics-dev_grants'].for_each;
    const changed = Object.keys(before).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    expect(changed).toEqual(['immuta/sales/finance']);
    expect(before['immuta/sales/finance'].revoke_request).toContain('payments');
  });

  /** Per block, per unit key: what triggers_replace (${each.value.unit}) evaluates to. */
  const triggers = (json: Synthesized) => Object.fromEntries(Object.entries(json.resource.terraform_data)
    .map(([block, b]) => [block, Object.fromEntries(Object.entries(b.for_each).map(([k, v]) => [k, v.unit]))]));

  test.each([
    ['admin dbUser -> secretArn', (e: Environment) => { e.redshift[0].admin = { secretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:redshift/admin-XyZ123' }; }],
    ['the cluster\'s connect database', (e: Environment) => { e.redshift[0].database = 'analytics'; }],
  ])('changing %s leaves every triggers_replace unchanged and changes only input and requests', (_, edit) => {
    const before = synth('dev', estate().environments.dev).json;
    const env = estate().environments.dev;
    edit(env);
    const after = synth('dev', env).json;
    expect(triggers(after)).toEqual(triggers(before));
    expect(Object.values(triggers(after)).reduce((n, t) => n + Object.keys(t).length, 0)).toBe(19);
    // The connection did change: it lives in the requests, which reach state only through input.
    const req = (j: Synthesized) => JSON.parse(j.resource.terraform_data['analytics-dev_principals'].for_each['user/immuta_system'].revoke_request);
    expect(req(after)).not.toEqual(req(before));
    expect(req(after).Sqls).toEqual(['DROP USER IF EXISTS "immuta_system"']);
    for (const block of Object.values(after.resource.terraform_data)) {
      expect(block.triggers_replace).toBe('${each.value.unit}');
      expect(block.input.revoke_request).toBe('${each.value.revoke_request}');
    }
    // No connection setting in any unit's triggers.
    expect(JSON.stringify(triggers(after))).not.toMatch(/ClusterIdentifier|DbUser|SecretArn|awsuser|secretsmanager|"database":"(dev|analytics)"/);
  });

  test('triggers name the database only for units that run in a protected database', () => {
    const t = triggers(synth('dev', estate().environments.dev).json);
    expect(t['analytics-dev_grants']['immuta/sales/public']).toMatchObject({ operation: 'batch-execute-statement', database: 'sales' });
    expect(t['analytics-dev_masking']['masking/marketing/campaigns']).toMatchObject({ database: 'marketing' });
    expect(t['analytics-dev_principals']['user/immuta_system']).toEqual({
      operation: 'batch-execute-statement', apply: ['CREATE USER "immuta_system" PASSWORD DISABLE CREATEDB'], revoke: ['DROP USER IF EXISTS "immuta_system"'],
    });
    expect(t['analytics-dev_databases']['database/immuta']).toEqual({ operation: 'execute-statement', apply: ['CREATE DATABASE "immuta"'], revoke: ['DROP DATABASE "immuta" FORCE'] });
  });

  test('switching immuta.authentication password -> iam removes only the password unit and its variable', () => {
    const before = synth('dev', estate().environments.dev).json;
    const env = estate().environments.dev;
    env.redshift[0].immuta!.authentication = 'iam';
    const after = synth('dev', env).json;
    const tb = triggers(before);
    const ta = triggers(after);
    expect(tb['analytics-dev_grants']['password/immuta_system']).toEqual({
      operation: 'batch-execute-statement',
      apply: [`ALTER USER "immuta_system" PASSWORD 'md5@@PASSWORD_MD5@@'`],
      revoke: ['ALTER USER "immuta_system" PASSWORD DISABLE'],
    });
    const { ['password/immuta_system']: removed, ...restGrants } = tb['analytics-dev_grants'];
    expect(removed).toBeDefined();
    expect(ta).toEqual({ ...tb, 'analytics-dev_grants': restGrants });
    expect(Object.keys(after.variable!)).toEqual(['redshift_analytics_dev_informatica_loader_password']);
    // The connector user keeps its password unit and the md5 substitution.
    expect(after.resource.terraform_data['analytics-dev_grants'].provisioner[0]['local-exec'].environment.RS_REQUEST)
      .toContain('var.redshift_analytics_dev_informatica_loader_password');
  });


  test('constructor validation names the prop and the rule', () => {
    const [plan] = redshiftPlans(estate().environments.dev);
    const stack = () => new TerraformStack(Testing.app(), 's');
    const base = { clusterId: 'analytics-dev', region: 'us-east-1', auth: { dbUser: 'awsuser' }, adminDatabase: 'dev', units: [] };
    expect(() => new RedshiftStatementUnits(stack(), 'u', { ...base, clusterId: 'Bad_Id' })).toThrow(/RedshiftStatementUnits\.clusterId .* cluster identifier/);
    expect(() => new RedshiftStatementUnits(stack(), 'u', { ...base, region: 'mars' })).toThrow(/RedshiftStatementUnits\.region .* region code/);
    expect(() => new RedshiftStatementUnits(stack(), 'u', { ...base, units: [{ ...plan.units[0], key: 'a b' }] })).toThrow(/RedshiftStatementUnits\.units: key "a b"/);
    expect(() => new RedshiftStatementUnits(stack(), 'u', { ...base, units: [plan.units[0], plan.units[0]] })).toThrow(/appears twice/);
    const pwUnit = plan.units.find((u) => u.passwordUser)!;
    expect(() => new RedshiftStatementUnits(stack(), 'u', { ...base, units: [pwUnit] })).toThrow(/RedshiftStatementUnits\.passwordMd5 has no entry for unit password\/immuta_system/);
    expect(() => new RedshiftClusterGrants(stack(), 'g', { plan: { ...plan, units: [] } })).toThrow(/RedshiftClusterGrants\.plan .* no units/);
  });
});
