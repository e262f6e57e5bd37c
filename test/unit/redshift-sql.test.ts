import { exampleEstate } from '../support/example';
import { RedshiftStatement } from '../../model/redshift/statements';
import { planEnvironment } from '../../model/environment-plan';
import { psqlPassword, redshiftSqlFiles, renderPreflight, renderStatement } from '../../sql/redshift';

const estate = exampleEstate();
const devFiles = () => redshiftSqlFiles(planEnvironment('dev', estate.environments.dev));
/** Any password renderer: statements without a password must not call it. */
const render = (s: RedshiftStatement) => renderStatement(s, psqlPassword);

describe('Redshift SQL rendering', () => {
  // Golden files, reviewed against the Redshift SQL reference (docs/redshift-sql.md).
  test.each(['dev', 'prod'])('apply and revoke scripts for the example %s environment', (envName) => {
    const files = redshiftSqlFiles(planEnvironment(envName, estate.environments[envName]));
    expect(files.map((f) => `${f.stack}/${f.name}`)).toEqual(envName === 'dev'
      ? ['dev-redshift-analytics-dev/analytics-dev.apply.sql', 'dev-redshift-analytics-dev/analytics-dev.revoke.sql']
      : ['prod-redshift-warehouse-prod/warehouse-prod.apply.sql', 'prod-redshift-warehouse-prod/warehouse-prod.revoke.sql']);
    for (const f of files) expect(f.content).toMatchSnapshot(f.name);
  });

  test('each statement in Redshift syntax', () => {
    const user = { user: 'immuta_system' };
    const cases: [RedshiftStatement, string][] = [
      [{ kind: 'createUser', user: 'immuta_system', createdb: true }, 'CREATE USER "immuta_system" PASSWORD DISABLE CREATEDB'],
      [{ kind: 'createUser', user: 'loader', createdb: false }, 'CREATE USER "loader" PASSWORD DISABLE'],
      [{ kind: 'userPassword', user: 'loader', password: 'variable' }, `ALTER USER "loader" PASSWORD :'loader_password_md5'`],
      [{ kind: 'userPassword', user: 'loader', password: 'disabled' }, 'ALTER USER "loader" PASSWORD DISABLE'],
      [{ kind: 'dropUser', user: 'loader' }, 'DROP USER IF EXISTS "loader"'],
      [{ kind: 'dropRole', role: 'immuta_exemption' }, 'DROP ROLE "immuta_exemption" RESTRICT'],
      [{ kind: 'dropDatabase', database: 'immuta', force: true }, 'DROP DATABASE "immuta" FORCE'],
      [{ kind: 'dropDatabase', database: 'scratch', force: false }, 'DROP DATABASE "scratch"'],
      [{ kind: 'roleMembership', action: 'grant', role: { system: 'sys:secadmin' }, user: 'u' }, 'GRANT ROLE sys:secadmin TO "u"'],
      [{ kind: 'tablePrivileges', action: 'grant', privileges: ['SELECT', 'TRUNCATE'], schema: 's', tables: { tables: ['a', 'b'] }, grantee: user, grantOption: true },
        'GRANT SELECT, TRUNCATE ON TABLE "s"."a", "s"."b" TO "immuta_system" WITH GRANT OPTION'],
      // Scoped permissions: every current and future table of the schema, whoever creates it; no owner, no admin named.
      [{ kind: 'scopedTablePrivileges', action: 'grant', privileges: ['DELETE', 'SELECT'], database: 'sales', schema: 's', grantee: user, grantOption: true },
        'GRANT DELETE, SELECT FOR TABLES IN SCHEMA "s" DATABASE "sales" TO "immuta_system" WITH GRANT OPTION'],
      [{ kind: 'scopedTablePrivileges', action: 'revoke', privileges: ['SELECT'], database: 'sales', schema: 's', grantee: user, grantOption: true },
        'REVOKE SELECT FOR TABLES IN SCHEMA "s" DATABASE "sales" FROM "immuta_system"'],
      [{ kind: 'scopedTablePrivileges', action: 'grant', privileges: ['SELECT'], database: 'sales', schema: 's', grantee: { role: 'r' }, grantOption: false },
        'GRANT SELECT FOR TABLES IN SCHEMA "s" DATABASE "sales" TO ROLE "r"'],
      [{ kind: 'databaseTemp', action: 'revoke', database: 'sales', grantee: { public: true } }, 'REVOKE TEMP ON DATABASE "sales" FROM PUBLIC'],
      [{ kind: 'databaseTemp', action: 'grant', database: 'sales', grantee: { group: 'etl' } }, 'GRANT TEMP ON DATABASE "sales" TO GROUP "etl"'],
      [{ kind: 'schemaPrivileges', action: 'grant', privileges: ['USAGE'], schema: 's', grantee: { role: 'r' } }, 'GRANT USAGE ON SCHEMA "s" TO ROLE "r"'],
      [{ kind: 'masking', on: true, schema: 's', tables: { tables: ['t'] } }, 'ALTER TABLE "s"."t" MASKING ON FOR DATASHARES'],
    ];
    for (const [statement, sql] of cases) expect(render(statement)).toEqual([sql]);
  });

  test('whole-schema masking records what it switches on and switches off only what it recorded, with no estate text in the procedure', () => {
    const on = render({ kind: 'masking', on: true, schema: 'sales', tables: { all: true } });
    const off = render({ kind: 'masking', on: false, schema: 'sales', tables: { all: true } });
    expect(on).toHaveLength(5);
    expect(on.slice(0, 2)).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "tf_immuta_state"',
      'CREATE TABLE IF NOT EXISTS "tf_immuta_state"."masking_switched" (schema_name VARCHAR(127) NOT NULL, table_name VARCHAR(127) NOT NULL)',
    ]);
    expect(on[2]).toMatch(/^CREATE OR REPLACE PROCEDURE "tf_immuta_state"\."tf_immuta_masking_switch"\(p_schema VARCHAR, p_on BOOLEAN\)/);
    expect(on[2].slice(on[2].indexOf('$$'))).not.toContain('sales');
    // The same procedure both ways: only the call differs.
    expect(off.filter((sql, i) => sql !== on[i])).toEqual([`CALL "tf_immuta_state"."tf_immuta_masking_switch"('sales', FALSE)`]);
    expect(on[3]).toBe(`CALL "tf_immuta_state"."tf_immuta_masking_switch"('sales', TRUE)`);
    expect(on[4]).toBe('DROP PROCEDURE "tf_immuta_state"."tf_immuta_masking_switch"(VARCHAR, BOOLEAN)');
    const body = on[2];
    const [switchOn, switchOff] = body.split('  ELSE\n');
    // On: every table of the schema not yet recorded is switched on and recorded.
    expect(switchOn).toContain('FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = p_schema');
    expect(switchOn).toContain(`' MASKING ON FOR DATASHARES'`);
    expect(switchOn).toContain('INSERT INTO "tf_immuta_state"."masking_switched" VALUES (p_schema, t.tablename)');
    expect(switchOn).not.toContain('MASKING OFF');
    // Off: only the recorded tables (that still exist), then the record is cleared; never a pg_tables loop.
    expect(switchOff).toContain('FOR t IN SELECT table_name FROM "tf_immuta_state"."masking_switched" WHERE schema_name = p_schema');
    expect(switchOff).toContain(`' MASKING OFF FOR DATASHARES'`);
    expect(switchOff).not.toContain('FOR t IN SELECT tablename FROM pg_tables');
    expect(switchOff).toContain('DELETE FROM "tf_immuta_state"."masking_switched" WHERE schema_name = p_schema');
    // Catalog and user-table queries are never joined (Redshift runs them on different nodes).
    expect(body).not.toMatch(/JOIN/i);
  });

  test('preflight checks: catalog queries with every name quoted, and a message naming what blocks the revoke', () => {
    const owned = renderPreflight({ kind: 'ownedObjects', user: 'informatica_loader', database: 'sales' });
    expect(owned.database).toBe('sales');
    expect(owned.sql).toContain(`WHERE usename = 'informatica_loader'`);
    expect(owned.sql).toMatch(/FROM pg_namespace n WHERE n\.nspowner = /);
    expect(owned.sql).toMatch(/c\.relowner = .* AND c\.relkind IN \('r', 'v'\)/);
    expect(owned.sql).toMatch(/p\.proowner = /);
    expect(owned.message).toMatch(/^user informatica_loader still owns the objects listed in database sales; DROP USER would leave them to an owner named unknown/);
    const connect = renderPreflight({ kind: 'ownedObjects', user: 'u' });
    expect(connect.database).toBeUndefined();
    expect(connect.message).toContain('in the connect database');

    const holders = renderPreflight({ kind: 'roleHolders', role: 'immuta_exemption' });
    expect(holders.database).toBeUndefined();
    expect(holders.sql).toContain(`FROM svv_user_grants WHERE role_name = 'immuta_exemption'`);
    expect(holders.sql).toContain(`FROM svv_role_grants WHERE granted_role_name = 'immuta_exemption'`);
    expect(holders.message).toMatch(/role immuta_exemption is still held .* immuta\.exemptUsers/);

    const all = renderPreflight({ kind: 'grantsBy', grantor: 'immuta_system', database: 'sales', schema: 'public', tables: { all: true } });
    expect(all.database).toBe('sales');
    expect(all.sql).toContain(`WHERE n.nspname = 'public' AND strpos(',' || array_to_string(c.relacl, ',') || ',', '/immuta_system,') > 0`);
    expect(all.message).toMatch(/^immuta_system granted privileges on the tables listed in sales\.public .* REVOKE has no CASCADE/);
    const listed = renderPreflight({ kind: 'grantsBy', grantor: 'immuta_system', database: 'sales', schema: 'finance', tables: { tables: ['invoices', 'payments'] } });
    expect(listed.sql).toContain(`AND c.relname IN ('invoices', 'payments') AND strpos(`);
    // Names reach the queries only as literals through sql/quote.ts, and only when they are valid identifiers.
    for (const check of [
      { kind: 'roleHolders', role: "o'neil" }, { kind: 'ownedObjects', user: 'a b' },
      { kind: 'grantsBy', grantor: 'x.y', database: 'd', schema: 's', tables: { all: true } },
      { kind: 'grantsBy', grantor: 'g', database: 'd', schema: 'S', tables: { all: true } },
      { kind: 'grantsBy', grantor: 'g', database: 'd', schema: 's', tables: { tables: ["t'"] } },
    ] as const) expect(() => renderPreflight(check)).toThrow(/refusing to quote SQL identifier/);
  });

  test('passwords: a psql variable in the scripts, never a value', () => {
    expect(psqlPassword('u')).toBe(`:'u_password_md5'`);
    expect(renderStatement({ kind: 'userPassword', user: 'immuta_system', password: 'variable' }, psqlPassword))
      .toEqual([`ALTER USER "immuta_system" PASSWORD :'immuta_system_password_md5'`]);
  });

  test('a whole-schema masking unit says in its apply header that it covers existing tables only, with the re-run command and the stack that holds the unit', () => {
    const [apply, revoke] = devFiles().map((f) => f.content);
    const note = (key: string) => `-- Masks only the tables that exist when it runs; after adding tables run again, in stack dev-redshift-analytics-dev-${key.split('/')[1]}: terraform apply -replace='aws_lambda_invocation.analytics-dev_masking["${key}"]'`;
    expect(apply).toContain(`-- masking/sales/public (masking) -- runs in database sales\n${note('masking/sales/public')}\n\\connect "sales"\nBEGIN;`);
    expect(apply).toContain(note('masking/marketing/campaigns'));
    // Listed tables are named, so they need no note; the revoke switches off what the apply recorded.
    expect(apply).not.toContain(note('masking/sales/finance'));
    expect(revoke).not.toContain('-replace=');
  });

  const bad = ['Robert"; DROP TABLE x; --', 'a b', 'x.y', "o'neil", 'UPPER', '', 'a;b', 'sys:secadmin', `${'a'.repeat(64)}`];
  test.each(bad)('rejects the identifier %j in every position', (name) => {
    const statements: RedshiftStatement[] = [
      { kind: 'createDatabase', database: name },
      { kind: 'createUser', user: name, createdb: false },
      { kind: 'userPassword', user: name, password: 'variable' },
      { kind: 'createRole', role: name },
      { kind: 'dropUser', user: name },
      { kind: 'roleMembership', action: 'grant', role: 'immuta_exemption', user: name },
      { kind: 'roleMembership', action: 'grant', role: name, user: 'u' },
      { kind: 'schemaPrivileges', action: 'grant', privileges: ['USAGE'], schema: name, grantee: { user: 'u' } },
      { kind: 'tablePrivileges', action: 'grant', privileges: ['SELECT'], schema: 's', tables: { tables: [name] }, grantee: { user: 'u' }, grantOption: true },
      { kind: 'scopedTablePrivileges', action: 'grant', privileges: ['SELECT'], database: name, schema: 's', grantee: { user: 'u' }, grantOption: true },
      { kind: 'scopedTablePrivileges', action: 'grant', privileges: ['SELECT'], database: 'd', schema: name, grantee: { user: 'u' }, grantOption: true },
      { kind: 'dropDatabase', database: name, force: true },
      { kind: 'dropRole', role: name },
      { kind: 'databaseTemp', action: 'grant', database: 's', grantee: { group: name } },
      { kind: 'masking', on: true, schema: name, tables: { all: true } },
    ];
    for (const s of statements) expect(() => render(s)).toThrow(/refusing to quote SQL identifier/);
  });

  test('the DBA scripts connect to each block\'s database and guard what Redshift cannot make conditional', () => {
    const [apply, revoke] = devFiles().map((f) => f.content);
    expect(apply).toContain('--   psql -X -v ON_ERROR_STOP=1 -h <endpoint> -p <port> -U <admin> -d dev -v <user>_password_md5=md5... -f analytics-dev.apply.sql');
    expect(apply).toContain([
      '-- database/immuta (databases) -- runs in database dev, outside a transaction',
      '\\connect "dev"',
      `SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'immuta') AS tf_run \\gset`,
      '\\if :tf_run',
      'CREATE DATABASE "immuta";',
      '\\endif',
    ].join('\n'));
    expect(apply).toContain(`SELECT NOT EXISTS (SELECT 1 FROM pg_user WHERE usename = 'immuta_system') AS tf_run \\gset\n\\if :tf_run\nCREATE USER "immuta_system" PASSWORD DISABLE CREATEDB;\n\\endif`);
    expect(apply).toContain(`SELECT NOT EXISTS (SELECT 1 FROM svv_roles WHERE role_name = 'immuta_exemption') AS tf_run \\gset\n\\if :tf_run\nCREATE ROLE "immuta_exemption";\n\\endif`);
    expect(revoke).toContain(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'immuta') AS tf_run \\gset\n\\if :tf_run\nDROP DATABASE "immuta" FORCE;\n\\endif`);
    expect(revoke).toContain('DROP USER IF EXISTS "informatica_loader";');
    // Every block names its database in a \connect before its statements.
    const blocks = apply.split('\n\n').slice(1);
    for (const b of blocks) expect(b).toMatch(/^-- \S+ \(\w+\) -- runs in database (\S+?)(,.*)?\n(--.*\n)?\\connect "\1"\n/);
  });

  test('the revoke script checks each preflight in its database and stops, printing the reason, before the block', () => {
    const revoke = devFiles()[1].content;
    const userBlock = revoke.slice(revoke.indexOf('-- user/informatica_loader (principals)'));
    const firstCheck = userBlock.slice(0, userBlock.indexOf('\\endif') + '\\endif'.length);
    expect(firstCheck.split('\n').slice(1, 4)).toEqual([
      '\\connect "dev"',
      expect.stringMatching(/^SELECT COUNT\(\*\) > 0 AS tf_blocked FROM \(SELECT 'schema' AS object_type.*/),
      expect.stringContaining(`WHERE usename = 'informatica_loader'`),
    ]);
    expect(firstCheck).toContain(`\\if :tf_blocked\n\\echo 'user informatica_loader still owns the objects listed in the connect database;`);
    expect(firstCheck).toMatch(/\nORDER BY 1, 2, 3;\nSELECT CAST\('preflight check failed: see the message and rows above' AS INTEGER\);\n\\quit\n\\endif$/);
    // Then the connector's own database, then the block itself.
    expect(userBlock.indexOf('\\connect "sales"')).toBeGreaterThan(0);
    expect(userBlock.indexOf('\\connect "sales"')).toBeLessThan(userBlock.indexOf('DROP USER IF EXISTS "informatica_loader";'));
    expect(revoke).toMatch(/-- role\/immuta_exemption \(principals\).*\n\\connect "dev"\nSELECT COUNT\(\*\) > 0 AS tf_blocked FROM \(SELECT 'user' AS holder_type/);
    expect(revoke).toMatch(/-- immuta\/sales\/public \(grants\).*\n\\connect "sales"\nSELECT COUNT\(\*\) > 0 AS tf_blocked FROM \(SELECT n\.nspname AS schema_name, c\.relname AS table_name/);
    // The apply script runs no preflight.
    expect(devFiles()[0].content).not.toContain('tf_blocked');
  });

  test('only the sys:secadmin system role is rendered unquoted', () => {
    expect(() => render({ kind: 'roleMembership', action: 'grant', role: { system: 'sys:superuser' as 'sys:secadmin' }, user: 'u' })).toThrow(/unknown Redshift system role/);
  });
});
