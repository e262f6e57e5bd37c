import { EXAMPLE_ESTATE_FILE, loadEstateFile } from '../../estate/load';
import { RedshiftStatement } from '../../model/redshift/statements';
import { psqlPassword, redshiftSqlFiles, renderStatement, terraformPassword } from '../../sql/redshift';

const estate = loadEstateFile(EXAMPLE_ESTATE_FILE);

describe('Redshift SQL rendering', () => {
  // Golden files, reviewed against the Redshift SQL reference (docs/redshift-sql.md).
  test.each(['dev', 'prod'])('apply and revoke scripts for the example %s environment', (envName) => {
    const files = redshiftSqlFiles(envName, estate.environments[envName]);
    expect(files.map((f) => `${f.stack}/${f.name}`)).toEqual(envName === 'dev'
      ? ['dev-redshift/analytics-dev.apply.sql', 'dev-redshift/analytics-dev.revoke.sql']
      : ['prod-redshift/warehouse-prod.apply.sql', 'prod-redshift/warehouse-prod.revoke.sql']);
    for (const f of files) expect(f.content).toMatchSnapshot(f.name);
  });

  test('each statement in Redshift syntax', () => {
    const user = { user: 'immuta_system' };
    const cases: [RedshiftStatement, string][] = [
      [{ kind: 'createUser', user: 'immuta_system', createdb: true }, 'CREATE USER "immuta_system" PASSWORD DISABLE CREATEDB'],
      [{ kind: 'createUser', user: 'loader', createdb: false }, 'CREATE USER "loader" PASSWORD DISABLE'],
      [{ kind: 'userPassword', user: 'loader', password: 'variable' }, `ALTER USER "loader" PASSWORD 'md5@@PASSWORD_MD5@@'`],
      [{ kind: 'userPassword', user: 'loader', password: 'disabled' }, 'ALTER USER "loader" PASSWORD DISABLE'],
      [{ kind: 'systemPrivileges', action: 'revoke', privileges: ['CREATE USER', 'CREATE ROLE'], role: 'r' }, 'REVOKE CREATE USER, CREATE ROLE FROM ROLE "r"'],
      [{ kind: 'roleMembership', action: 'grant', role: { system: 'sys:secadmin' }, user: 'u' }, 'GRANT ROLE sys:secadmin TO "u"'],
      [{ kind: 'tablePrivileges', action: 'grant', privileges: ['SELECT', 'TRUNCATE'], schema: 's', tables: { tables: ['a', 'b'] }, grantee: user, grantOption: true },
        'GRANT SELECT, TRUNCATE ON TABLE "s"."a", "s"."b" TO "immuta_system" WITH GRANT OPTION'],
      [{ kind: 'tablePrivileges', action: 'revoke', privileges: ['SELECT'], schema: 's', tables: { all: true }, grantee: user, grantOption: true },
        'REVOKE SELECT ON ALL TABLES IN SCHEMA "s" FROM "immuta_system"'],
      [{ kind: 'defaultPrivileges', action: 'grant', privileges: ['SELECT'], owners: ['etl', 'dbt'], schema: 's', grantee: user, grantOption: true },
        'ALTER DEFAULT PRIVILEGES FOR USER "etl", "dbt" IN SCHEMA "s" GRANT SELECT ON TABLES TO "immuta_system" WITH GRANT OPTION'],
      [{ kind: 'databaseTemp', action: 'revoke', database: 'sales', grantee: { public: true } }, 'REVOKE TEMP ON DATABASE "sales" FROM PUBLIC'],
      [{ kind: 'databaseTemp', action: 'grant', database: 'sales', grantee: { group: 'etl' } }, 'GRANT TEMP ON DATABASE "sales" TO GROUP "etl"'],
      [{ kind: 'schemaPrivileges', action: 'grant', privileges: ['USAGE'], schema: 's', grantee: { role: 'r' } }, 'GRANT USAGE ON SCHEMA "s" TO ROLE "r"'],
      [{ kind: 'masking', on: true, schema: 's', tables: { tables: ['t'] } }, 'ALTER TABLE "s"."t" MASKING ON FOR DATASHARES'],
    ];
    for (const [statement, sql] of cases) expect(renderStatement(statement)).toEqual([sql]);
  });

  test('whole-schema masking creates, calls and drops a procedure whose body takes no estate text', () => {
    const sqls = renderStatement({ kind: 'masking', on: false, schema: 'sales', tables: { all: true } });
    expect(sqls).toHaveLength(3);
    expect(sqls[0]).toMatch(/^CREATE OR REPLACE PROCEDURE "sales"\."tf_immuta_masking_switch"\(schema_name VARCHAR, clause VARCHAR\)/);
    expect(sqls[0].slice(sqls[0].indexOf('$$'))).not.toContain('sales');
    expect(sqls[1]).toBe(`CALL "sales"."tf_immuta_masking_switch"('sales', 'MASKING OFF FOR DATASHARES')`);
    expect(sqls[2]).toBe('DROP PROCEDURE "sales"."tf_immuta_masking_switch"(VARCHAR, VARCHAR)');
  });

  test('passwords: the Terraform token or a psql variable, never a value', () => {
    expect(terraformPassword('u')).toBe(`'md5@@PASSWORD_MD5@@'`);
    expect(psqlPassword('u')).toBe(`:'u_password_md5'`);
    expect(renderStatement({ kind: 'userPassword', user: 'immuta_system', password: 'variable' }, psqlPassword))
      .toEqual([`ALTER USER "immuta_system" PASSWORD :'immuta_system_password_md5'`]);
  });

  test('a whole-schema masking unit says in its apply header that it covers existing tables only, with the re-run command', () => {
    const [apply, revoke] = redshiftSqlFiles('dev', estate.environments.dev).map((f) => f.content);
    const note = (key: string) => `-- Masks only the tables that exist when it runs; after adding tables run again: terraform apply -replace='aws_lambda_invocation.analytics-dev_masking["${key}"]'`;
    expect(apply).toContain(`-- masking/sales/public (masking) -- run in database sales\n${note('masking/sales/public')}\nBEGIN;`);
    expect(apply).toContain(note('masking/marketing/campaigns'));
    // Listed tables are named, so they need no note; the revoke script switches off whatever exists.
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
      { kind: 'defaultPrivileges', action: 'grant', privileges: ['SELECT'], owners: [name], schema: 's', grantee: { user: 'u' }, grantOption: true },
      { kind: 'databaseTemp', action: 'grant', database: 's', grantee: { group: name } },
      { kind: 'masking', on: true, schema: name, tables: { all: true } },
    ];
    for (const s of statements) expect(() => renderStatement(s)).toThrow(/refusing to quote SQL identifier/);
  });

  test('only the sys:secadmin system role is rendered unquoted', () => {
    expect(() => renderStatement({ kind: 'roleMembership', action: 'grant', role: { system: 'sys:superuser' as 'sys:secadmin' }, user: 'u' })).toThrow(/unknown Redshift system role/);
  });
});
