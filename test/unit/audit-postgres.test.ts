/**
 * The PostgreSQL audit's comparison, catalog rows in, findings out: a catalog that holds
 * exactly the plan gives no finding; each kind of out-of-band change gives exactly its
 * finding. The real-server proof is test/e2e/postgres-audit.test.ts.
 */
import { CatalogPrivilege, PostgresCatalog, auditPostgresServer } from '../../audit/postgres';
import { POSTGRES_CATALOG_SQL } from '../../audit/postgres-catalog';
import { postgresPrivilegePlan } from '../../model/postgres/privileges';
import { singleServerEnvironment } from '../support/postgres-estates';

const TARGET = 't/pg';
const server = singleServerEnvironment({
  adminUsername: 'admin',
  immuta: {
    displayName: 'pg_conn', systemRole: 'immuta_system', database: 'immuta',
    protect: [{ database: 'app', schemas: ['public', { name: 'fin', tables: ['ledger'] }], tableOwners: ['admin', 'app_owner'] }],
  },
}).postgres[0];
const plan = postgresPrivilegePlan(server);
const TABLES = [{ database: 'app', schema: 'public', name: 'orders' }, { database: 'app', schema: 'public', name: 'customers' }];

/** The catalog of a server that holds exactly the plan. */
function matchingCatalog(): PostgresCatalog {
  const privileges: CatalogPrivilege[] = [];
  const acl = (e: Omit<CatalogPrivilege, 'privilege' | 'grantee' | 'grantor' | 'grantable' | 'owner'>, privs: readonly string[], grantable: boolean, owner = 'admin') => {
    for (const privilege of privs) privileges.push({ ...e, owner, grantor: owner, grantee: 'immuta_system', privilege, grantable });
  };
  for (const g of plan.grants) {
    if (g.objectType === 'database') acl({ kind: 'database', database: g.database }, g.privileges, g.withGrantOption);
    else if (g.objectType === 'schema') acl({ kind: 'schema', database: g.database, schema: g.schema }, g.privileges, g.withGrantOption);
    else {
      const names = g.objects ?? TABLES.filter((t) => t.schema === g.schema).map((t) => t.name);
      for (const object of names) acl({ kind: 'table', database: g.database, schema: g.schema, object }, g.privileges, g.withGrantOption);
    }
  }
  for (const d of plan.defaultPrivileges) acl({ kind: 'default', database: d.database, schema: d.schema, object: d.owner }, d.privileges, d.withGrantOption, d.owner);
  return {
    role: { name: 'immuta_system', login: true, createRole: true, createDb: false, superuser: false },
    memberships: [],
    databases: ['app', 'immuta', 'postgres'],
    privileges,
    tables: TABLES,
  };
}

const audit = (c: PostgresCatalog) => auditPostgresServer(TARGET, plan, c);
const without = (c: PostgresCatalog, drop: (p: CatalogPrivilege) => boolean): PostgresCatalog => ({ ...c, privileges: c.privileges.filter((p) => !drop(p)) });

describe('auditPostgresServer', () => {
  test('a catalog holding exactly the plan: no finding', () => {
    expect(matchingCatalog().privileges.length).toBe(4 + 2 + 3 * 5 + 2 * 5);
    expect(audit(matchingCatalog())).toEqual([]);
  });

  test('a revoked privilege: missing, on that table only', () => {
    const c = without(matchingCatalog(), (p) => p.object === 'orders' && p.privilege === 'DELETE');
    expect(audit(c)).toEqual([{
      kind: 'missing', target: TARGET, object: 'table app.public.orders', grantee: 'immuta_system', detail: 'expected DELETE WITH GRANT OPTION, not granted',
    }]);
  });

  test('a revoked grant option: grant-option-missing, which the provider\'s plan cannot see', () => {
    const c = matchingCatalog();
    const changed = { ...c, privileges: c.privileges.map((p) => (p.kind === 'schema' && p.schema === 'public' ? { ...p, grantable: false } : p)) };
    expect(audit(changed)).toEqual([{
      kind: 'grant-option-missing', target: TARGET, object: 'schema app.public', grantee: 'immuta_system', detail: 'expected USAGE WITH GRANT OPTION, granted without it',
    }]);
  });

  test('a dropped default privilege: missing, per owner', () => {
    const c = without(matchingCatalog(), (p) => p.kind === 'default' && p.object === 'app_owner');
    expect(audit(c)).toEqual([expect.objectContaining({
      kind: 'missing', object: 'default privileges in app.public for tables of app_owner', detail: 'expected DELETE, INSERT, SELECT, TRUNCATE, UPDATE WITH GRANT OPTION, not granted',
    })]);
  });

  test('a table created later by an owner the estate does not list: missing on that table', () => {
    const c = { ...matchingCatalog(), tables: [...TABLES, { database: 'app', schema: 'public', name: 'late' }] };
    expect(audit(c).map((f) => [f.kind, f.object])).toEqual([['missing', 'table app.public.late']]);
  });

  test('a removed rds_iam membership; memberships that confer nothing are not extra', () => {
    const iam = singleServerEnvironment({
      deployment: 'rds', resourceId: 'db-ABC', immuta: {
        displayName: 'pg_conn', authentication: 'aws-assumed-role', immutaAwsAccountId: '444455556666', externalId: 'ext-id',
        protect: [{ database: 'app', schemas: ['public'] }],
      },
    }).postgres[0];
    const iamPlan = postgresPrivilegePlan(iam);
    const base = { ...matchingCatalog(), privileges: [], tables: [] };
    const findings = auditPostgresServer(TARGET, iamPlan, { ...base, memberships: [{ role: 'created_by_immuta', confersPrivileges: false }] });
    expect(findings.filter((f) => f.object.startsWith('membership'))).toEqual([{
      kind: 'missing', target: TARGET, object: 'membership in rds_iam', grantee: 'immuta_system', detail: 'expected immuta_system to be a member of rds_iam, it is not',
    }]);
    const ok = auditPostgresServer(TARGET, iamPlan, { ...base, memberships: [{ role: 'rds_iam', confersPrivileges: true }] });
    expect(ok.filter((f) => f.object.startsWith('membership'))).toEqual([]);
  });

  test('role attributes: CREATEROLE lost, CREATEDB gained; a missing role is one finding', () => {
    const c = matchingCatalog();
    expect(audit({ ...c, role: { ...c.role!, createRole: false, createDb: true } }).map((f) => [f.kind, f.object, f.detail])).toEqual([
      ['attribute', 'role immuta_system', 'expected CREATEROLE, found NOCREATEROLE'],
      ['attribute', 'role immuta_system', 'expected NOCREATEDB, found CREATEDB'],
    ]);
    expect(audit({ ...c, role: undefined, privileges: [] }).map((f) => [f.kind, f.object])).toEqual([['missing', 'role immuta_system']]);
  });

  test('the Immuta database missing', () => {
    expect(audit({ ...matchingCatalog(), databases: ['app', 'postgres'] })).toEqual([{
      kind: 'missing', target: TARGET, object: 'database immuta', detail: 'the Immuta database immuta does not exist',
    }]);
  });

  test('extra privileges: on an object outside the plan, beyond the plan on a planned object, an extra membership', () => {
    const c = matchingCatalog();
    const extra: CatalogPrivilege[] = [
      { kind: 'table', database: 'app', schema: 'hr', object: 'salaries', owner: 'admin', grantor: 'admin', grantee: 'immuta_system', privilege: 'SELECT', grantable: false },
      { kind: 'table', database: 'app', schema: 'public', object: 'orders', owner: 'admin', grantor: 'admin', grantee: 'immuta_system', privilege: 'REFERENCES', grantable: false },
      { kind: 'database', database: 'immuta', owner: 'admin', grantor: 'admin', grantee: 'immuta_system', privilege: 'CONNECT', grantable: true },
    ];
    expect(audit({ ...c, privileges: [...c.privileges, ...extra], memberships: [{ role: 'pg_read_all_data', confersPrivileges: true }] }).map((f) => [f.kind, f.object, f.detail])).toEqual([
      ['extra', 'database immuta', 'holds the grant option on CONNECT, which the model does not give'],
      ['extra', 'membership in pg_read_all_data', 'immuta_system is a member of pg_read_all_data, which the model does not grant'],
      ['extra', 'table app.hr.salaries', 'holds SELECT, which the model does not grant'],
      ['extra', 'table app.public.orders', 'holds REFERENCES beyond the model'],
    ]);
  });

  test('objects the Immuta role owns are its own: neither extra nor dependent', () => {
    const c = matchingCatalog();
    const own: CatalogPrivilege[] = [
      { kind: 'table', database: 'immuta', schema: 'state', object: 'sync', owner: 'immuta_system', grantor: 'immuta_system', grantee: 'immuta_system', privilege: 'SELECT', grantable: false },
      { kind: 'table', database: 'immuta', schema: 'state', object: 'sync', owner: 'immuta_system', grantor: 'immuta_system', grantee: 'reader', privilege: 'SELECT', grantable: false },
    ];
    expect(audit({ ...c, privileges: [...c.privileges, ...own] })).toEqual([]);
  });

  test('a grant made onward by the Immuta role: dependent-grant, naming who received it', () => {
    const c = matchingCatalog();
    const onward: CatalogPrivilege[] = ['SELECT', 'UPDATE'].map((privilege) => ({
      kind: 'table', database: 'app', schema: 'public', object: 'orders', owner: 'admin', grantor: 'immuta_system', grantee: 'immuta_reader', privilege, grantable: false,
    }));
    expect(audit({ ...c, privileges: [...c.privileges, ...onward] })).toEqual([{
      kind: 'dependent-grant', target: TARGET, object: 'table app.public.orders', grantee: 'immuta_reader',
      detail: "immuta_system granted SELECT, UPDATE to immuta_reader: revoking immuta_system's privilege needs CASCADE, which revokes this too",
    }]);
  });

  test('findings are sorted and stable', () => {
    const c = without(matchingCatalog(), (p) => p.privilege === 'SELECT');
    const once = audit(c);
    expect(audit({ ...c, privileges: [...c.privileges].reverse() })).toEqual(once);
    expect(once.map((f) => f.object)).toEqual([...once.map((f) => f.object)].sort());
  });
});

describe('the catalog queries', () => {
  test('are SELECTs on pg_catalog with the role as a bound parameter, nothing else', () => {
    for (const [name, sql] of Object.entries(POSTGRES_CATALOG_SQL)) {
      const statements = sql.split(';').filter((s) => s.trim());
      expect({ name, statements: statements.length }).toEqual({ name, statements: 1 });
      expect({ name, head: sql.trim().split(/\s+/)[0] }).toEqual({ name, head: 'SELECT' });
      expect(sql).not.toMatch(/\b(INSERT|UPDATE|DELETE|GRANT|REVOKE|ALTER|CREATE|DROP|SET|TRUNCATE)\b(?![_a-z])/);
      expect(sql).not.toMatch(/immuta/i);
    }
  });
});
