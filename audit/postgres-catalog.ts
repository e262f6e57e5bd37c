import { PostgresPrivilegePlan, grantsOfType, planDatabases } from '../model/postgres/privileges';
import { CatalogMembership, CatalogPrivilege, CatalogTable, PostgresCatalog } from './postgres';

/**
 * The catalog queries of the PostgreSQL audit: SELECTs on pg_catalog only, with the role
 * name as a bound parameter. `query` runs one statement in one database of the server
 * (the CLI gives it a read-only connection per database).
 */
export type CatalogQuery = (database: string, sql: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>;

// PUBLIC is grantee 0; pg_get_userbyid names a dropped role "unknown (OID=n)".
const roleName = (col: string) => `CASE WHEN ${col} = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(${col}) END`;
const ROLE_OID = '(SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1)';
const INVOLVES_ROLE = `(a.grantee = ${ROLE_OID} OR a.grantor = ${ROLE_OID})`;
const USER_SCHEMA = `n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;
/** Relations GRANT ... ON ALL TABLES IN SCHEMA covers: tables, partitioned tables, views, materialized views, foreign tables. */
const TABLE_KINDS = `c.relkind IN ('r', 'p', 'v', 'm', 'f')`;
const ACL_COLUMNS = `${roleName('a.grantor')} AS grantor, ${roleName('a.grantee')} AS grantee, a.privilege_type AS privilege, a.is_grantable AS grantable`;

/** Every statement the audit runs, by purpose: all are SELECTs (test/unit/audit-postgres.test.ts checks). */
export const POSTGRES_CATALOG_SQL = {
  role: `SELECT rolname, rolcanlogin, rolcreaterole, rolcreatedb, rolsuper FROM pg_catalog.pg_roles WHERE rolname = $1`,
  memberships: `SELECT r.rolname AS role, (m.inherit_option OR m.set_option) AS confers
  FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
  WHERE m.member = ${ROLE_OID}`,
  databases: `SELECT datname FROM pg_catalog.pg_database WHERE NOT datistemplate ORDER BY datname`,
  databaseAcl: `SELECT d.datname AS database, pg_catalog.pg_get_userbyid(d.datdba) AS owner, ${ACL_COLUMNS}
  FROM pg_catalog.pg_database d, pg_catalog.aclexplode(d.datacl) a
  WHERE NOT d.datistemplate AND ${INVOLVES_ROLE}`,
  objectAcl: `SELECT 'schema' AS kind, n.nspname AS schema, NULL AS object, pg_catalog.pg_get_userbyid(n.nspowner) AS owner, ${ACL_COLUMNS}
  FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a WHERE ${USER_SCHEMA} AND ${INVOLVES_ROLE}
UNION ALL
SELECT 'table', n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner), ${ACL_COLUMNS}
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, pg_catalog.aclexplode(c.relacl) a
  WHERE ${USER_SCHEMA} AND ${TABLE_KINDS} AND ${INVOLVES_ROLE}
UNION ALL
SELECT 'default', n.nspname, pg_catalog.pg_get_userbyid(d.defaclrole), pg_catalog.pg_get_userbyid(d.defaclrole), ${ACL_COLUMNS}
  FROM pg_catalog.pg_default_acl d JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace, pg_catalog.aclexplode(d.defaclacl) a
  WHERE d.defaclobjtype = 'r' AND ${INVOLVES_ROLE}`,
  tables: `SELECT n.nspname AS schema, c.relname AS name
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE ${TABLE_KINDS} AND n.nspname = ANY($1::text[])`,
} as const;

const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));

/**
 * Reads what the audit compares from one server. `maintenanceDatabase` is where the admin
 * connects first (postgres, or a protected database on Neon); schema, table and default
 * privileges are read in each database of the plan that exists.
 */
export async function readPostgresCatalog(query: CatalogQuery, plan: PostgresPrivilegePlan, maintenanceDatabase: string): Promise<PostgresCatalog> {
  const role = plan.systemRole.name;
  const [roleRow] = await query(maintenanceDatabase, POSTGRES_CATALOG_SQL.role, [role]);
  const memberships: CatalogMembership[] = (await query(maintenanceDatabase, POSTGRES_CATALOG_SQL.memberships, [role]))
    .map((r) => ({ role: String(r.role), confersPrivileges: r.confers === true }));
  const databases = (await query(maintenanceDatabase, POSTGRES_CATALOG_SQL.databases, [])).map((r) => String(r.datname));
  const privileges: CatalogPrivilege[] = (await query(maintenanceDatabase, POSTGRES_CATALOG_SQL.databaseAcl, [role])).map((r) => ({
    kind: 'database', database: String(r.database), owner: String(r.owner),
    grantor: String(r.grantor), grantee: String(r.grantee), privilege: String(r.privilege), grantable: r.grantable === true,
  }));
  const tables: CatalogTable[] = [];
  for (const database of planDatabases(plan).filter((d) => databases.includes(d))) {
    for (const r of await query(database, POSTGRES_CATALOG_SQL.objectAcl, [role])) {
      privileges.push({
        kind: r.kind as CatalogPrivilege['kind'], database, schema: str(r.schema), object: str(r.object), owner: String(r.owner),
        grantor: String(r.grantor), grantee: String(r.grantee), privilege: String(r.privilege), grantable: r.grantable === true,
      });
    }
    const schemas = [...new Set(grantsOfType(plan, 'table').filter((g) => g.database === database && !g.objects).map((g) => g.schema!))];
    if (schemas.length === 0) continue;
    for (const r of await query(database, POSTGRES_CATALOG_SQL.tables, [schemas])) {
      tables.push({ database, schema: String(r.schema), name: String(r.name) });
    }
  }
  return {
    ...(roleRow ? {
      role: {
        name: String(roleRow.rolname), login: roleRow.rolcanlogin === true, createRole: roleRow.rolcreaterole === true,
        createDb: roleRow.rolcreatedb === true, superuser: roleRow.rolsuper === true,
      },
    } : {}),
    memberships,
    databases,
    privileges,
    tables,
  };
}
