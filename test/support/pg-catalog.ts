/**
 * What a PostgreSQL server reports about privileges, as comparable rows. Used to prove
 * what a rendering did (SQL scripts now, terraform apply later): every ACL entry of
 * databases, schemas, relations and default privileges, with role names resolved.
 */
import type { EmbeddedPostgres } from './embedded-postgres';

export interface PrivilegeRow {
  /** database | schema | table | default */
  kind: string;
  database: string;
  /** Schema of a schema, table or default-privilege entry. */
  schema: string | null;
  /** Table name; for default privileges, the role whose future objects are covered. */
  object: string | null;
  grantor: string;
  grantee: string;
  privilege: string;
  grantable: boolean;
}

const USER_SCHEMAS = `n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`;
// pg_get_userbyid names a dropped role "unknown (OID=n)", so leftovers stay visible.
const name = (col: string) => `CASE WHEN ${col} = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(${col}) END`;

const PER_DATABASE_SQL = `
SELECT 'schema' AS kind, n.nspname AS schema, NULL::text AS object, ${name('a.grantor')} AS grantor, ${name('a.grantee')} AS grantee, a.privilege_type AS privilege, a.is_grantable AS grantable
  FROM pg_catalog.pg_namespace n, aclexplode(n.nspacl) a WHERE ${USER_SCHEMAS}
UNION ALL
SELECT 'table', n.nspname, c.relname, ${name('a.grantor')}, ${name('a.grantee')}, a.privilege_type, a.is_grantable
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
  WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
UNION ALL
SELECT 'default', n.nspname, pg_catalog.pg_get_userbyid(d.defaclrole), ${name('a.grantor')}, ${name('a.grantee')}, a.privilege_type, a.is_grantable
  FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a`;

/** User databases of the server, sorted (templates excluded). */
export async function userDatabases(server: EmbeddedPostgres): Promise<string[]> {
  const c = await server.connect();
  try {
    const r = await c.query<{ datname: string }>('SELECT datname FROM pg_catalog.pg_database WHERE NOT datistemplate ORDER BY datname');
    return r.rows.map((x) => x.datname);
  } finally {
    await c.end();
  }
}

/** Every ACL entry on the server, sorted; `grantees` narrows to those roles. */
export async function privilegeRows(server: EmbeddedPostgres, grantees?: string[]): Promise<PrivilegeRow[]> {
  const rows: PrivilegeRow[] = [];
  const databases = await userDatabases(server);
  const c = await server.connect();
  try {
    const r = await c.query(`SELECT 'database' AS kind, d.datname AS database, NULL AS schema, NULL AS object, ${name('a.grantor')} AS grantor,
      ${name('a.grantee')} AS grantee, a.privilege_type AS privilege, a.is_grantable AS grantable
      FROM pg_catalog.pg_database d, aclexplode(d.datacl) a WHERE NOT d.datistemplate`);
    rows.push(...(r.rows as PrivilegeRow[]));
  } finally {
    await c.end();
  }
  for (const database of databases) {
    const dc = await server.connect(database);
    try {
      const r = await dc.query(PER_DATABASE_SQL);
      rows.push(...r.rows.map((x) => ({ ...x, database }) as PrivilegeRow));
    } finally {
      await dc.end();
    }
  }
  return rows
    .filter((r) => !grantees || grantees.includes(r.grantee))
    .map(({ kind, database, schema, object, grantor, grantee, privilege, grantable }) => ({ kind, database, schema, object, grantor, grantee, privilege, grantable }))
    .sort((a, b) => (rowKey(a) < rowKey(b) ? -1 : rowKey(a) > rowKey(b) ? 1 : 0));
}

export function rowKey(r: PrivilegeRow): string {
  return [r.kind, r.database, r.schema ?? '', r.object ?? '', r.grantee, r.privilege, r.grantable ? 'G' : '-', r.grantor].join('|');
}

/** Role attributes and memberships: everything about roles except password hashes. */
export async function roleRows(server: EmbeddedPostgres): Promise<string[]> {
  const c = await server.connect();
  try {
    const roles = await c.query(`SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit
      FROM pg_catalog.pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY rolname`);
    const members = await c.query(`SELECT pg_get_userbyid(roleid) AS role, pg_get_userbyid(member) AS member, pg_get_userbyid(grantor) AS grantor, admin_option
      FROM pg_catalog.pg_auth_members WHERE pg_get_userbyid(roleid) NOT LIKE 'pg\\_%' ORDER BY 1, 2, 3`);
    return [...roles.rows, ...members.rows].map((r) => JSON.stringify(r));
  } finally {
    await c.end();
  }
}
