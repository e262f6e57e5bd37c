/**
 * Drift of one Redshift cluster: what its catalog holds against what the plan's units
 * grant. `redshiftExpectation` turns the units into plain data at synth time;
 * `auditRedshiftCluster` reads the catalog through any query function (the Data API in
 * the runner function, a direct connection elsewhere) and compares. Only type imports:
 * this file is bundled into the runner function.
 */
import type { Finding } from './findings';
import type { RedshiftClusterPlan, RedshiftUnit } from '../model/redshift/plan';
import type { AuditInput, ClusterConnection } from '../functions/redshift-runner/contract';
import type { Grantee, RedshiftStatement } from '../model/redshift/statements';

export interface GranteeRef {
  readonly type: 'user' | 'role' | 'group' | 'public';
  /** Lower-case name; `public` for PUBLIC. */
  readonly name: string;
}

/** What the units of one cluster put in place, as the catalog shows it. */
export interface RedshiftExpectation {
  /** `<environment>/<cluster id>`, the findings' target. */
  readonly target: string;
  readonly databases: readonly string[];
  readonly users: readonly string[];
  readonly roles: readonly string[];
  /** Role memberships of users; `sys:secadmin` included. */
  readonly memberships: readonly { readonly role: string; readonly user: string }[];
  /** Roles the stack creates: any other member is extra. */
  readonly exclusiveRoles: readonly string[];
  readonly schemaPrivileges: readonly { readonly database: string; readonly schema: string; readonly grantee: GranteeRef; readonly privileges: readonly string[] }[];
  /** tables null: every table of the schema. */
  readonly tablePrivileges: readonly {
    readonly database: string; readonly schema: string; readonly tables: readonly string[] | null;
    readonly grantee: GranteeRef; readonly privileges: readonly string[]; readonly grantOption: boolean;
  }[];
  /** TEMP on a database: granted to the grantee, or (granted false) revoked from it. */
  readonly temp: readonly { readonly database: string; readonly grantee: GranteeRef; readonly granted: boolean }[];
  readonly masking: readonly { readonly database: string; readonly schema: string; readonly tables: readonly string[] | null }[];
}

/** Pure: the expectation of a cluster's units (what their apply statements grant). */
export function redshiftExpectation(target: string, adminDatabase: string, units: readonly RedshiftUnit[]): RedshiftExpectation {
  const e = {
    target, databases: [] as string[], users: [] as string[], roles: [] as string[],
    memberships: [] as { role: string; user: string }[], exclusiveRoles: [] as string[],
    schemaPrivileges: [] as RedshiftExpectation['schemaPrivileges'][number][],
    tablePrivileges: [] as RedshiftExpectation['tablePrivileges'][number][],
    temp: [] as RedshiftExpectation['temp'][number][],
    masking: [] as RedshiftExpectation['masking'][number][],
  };
  for (const unit of units) {
    const database = unit.database ?? adminDatabase;
    for (const s of unit.apply as readonly RedshiftStatement[]) {
      switch (s.kind) {
        case 'createDatabase': e.databases.push(s.database); break;
        case 'createUser': e.users.push(s.user); break;
        case 'createRole': e.roles.push(s.role); e.exclusiveRoles.push(s.role); break;
        case 'roleMembership':
          if (s.action === 'grant') e.memberships.push({ role: typeof s.role === 'string' ? s.role : s.role.system, user: s.user });
          break;
        case 'schemaPrivileges':
          if (s.action === 'grant') e.schemaPrivileges.push({ database, schema: s.schema, grantee: granteeRef(s.grantee), privileges: [...s.privileges] });
          break;
        case 'tablePrivileges':
          if (s.action === 'grant') {
            e.tablePrivileges.push({
              database, schema: s.schema, tables: 'all' in s.tables ? null : [...s.tables.tables],
              grantee: granteeRef(s.grantee), privileges: [...s.privileges], grantOption: s.grantOption,
            });
          }
          break;
        // A scoped grant covers every table of the schema, now and later: the catalog is read
        // table by table, as for a grant on all tables (unconfirmed on a real cluster:
        // docs/redshift-mechanism.md, "Drift").
        case 'scopedTablePrivileges':
          if (s.action === 'grant') {
            e.tablePrivileges.push({
              database: s.database, schema: s.schema, tables: null,
              grantee: granteeRef(s.grantee), privileges: [...s.privileges], grantOption: s.grantOption,
            });
          }
          break;
        case 'databaseTemp': e.temp.push({ database: s.database, grantee: granteeRef(s.grantee), granted: s.action === 'grant' }); break;
        case 'masking': if (s.on) e.masking.push({ database, schema: s.schema, tables: 'all' in s.tables ? null : [...s.tables.tables] }); break;
        // Not read back (docs/redshift-mechanism.md, "Drift"): default privileges, system
        // permissions of roles, passwords, and the statements that undo something.
        default: break;
      }
    }
  }
  return e;
}

/** How the Data API reaches a cluster: the units', the drift check's and `npm run audit`'s connection. */
export function clusterConnection(plan: RedshiftClusterPlan): ClusterConnection {
  return {
    clusterId: plan.clusterId,
    adminDatabase: plan.adminDatabase,
    ...('dbUser' in plan.auth ? { dbUser: plan.auth.dbUser } : { secretArn: plan.auth.secretArn }),
  };
}

/**
 * The drift audit of a cluster's units: all of them for `npm run audit`, a stack's own for
 * that stack's check block.
 */
export function redshiftAuditInput(envName: string, plan: RedshiftClusterPlan, units: readonly RedshiftUnit[] = plan.units): AuditInput {
  return { mode: 'audit', connection: clusterConnection(plan), expected: redshiftExpectation(`${envName}/${plan.clusterId}`, plan.adminDatabase, units) };
}

function granteeRef(g: Grantee): GranteeRef {
  if ('user' in g) return { type: 'user', name: g.user };
  if ('role' in g) return { type: 'role', name: g.role };
  if ('group' in g) return { type: 'group', name: g.group };
  return { type: 'public', name: 'public' };
}

export type CatalogRow = Record<string, string | number | boolean | null>;
/** Runs a catalog query in a database (undefined: the cluster's connect database). */
export type CatalogQuery = (sql: string, database?: string) => Promise<CatalogRow[]>;

/** The catalog queries, constant text: nothing from the estate is spliced in. */
export const CATALOG_SQL = {
  databases: 'SELECT datname FROM pg_database',
  users: 'SELECT usename FROM pg_user',
  roles: 'SELECT role_name FROM svv_roles',
  userGrants: 'SELECT user_name, role_name FROM svv_user_grants',
  databasePrivileges: 'SELECT database_name, privilege_type, identity_name, identity_type FROM svv_database_privileges',
  schemaPrivileges: 'SELECT namespace_name, privilege_type, identity_name, identity_type FROM svv_schema_privileges',
  relationPrivileges: 'SELECT namespace_name, relation_name, privilege_type, identity_name, identity_type, admin_option FROM svv_relation_privileges',
  tables: "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
  /**
   * Tables with masking for datashares switched on. Not confirmed against a real cluster:
   * docs/redshift-mechanism.md, "Drift", says what to check.
   */
  masking: 'SELECT schema_name, table_name FROM svv_datashare_masking_tables',
} as const;

/** Reads the catalog and returns every difference from `expected`, sorted. */
export async function auditRedshiftCluster(query: CatalogQuery, expected: RedshiftExpectation): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (kind: Finding['kind'], object: string, detail: string, grantee?: string) =>
    findings.push({ kind, target: expected.target, object, ...(grantee ? { grantee } : {}), detail });
  const col = (rows: CatalogRow[], name: string) => new Set(rows.map((r) => String(r[name])));

  const databases = col(await query(CATALOG_SQL.databases), 'datname');
  for (const d of expected.databases) if (!databases.has(d)) add('missing', `database ${d}`, `database ${d} does not exist`);
  const users = col(await query(CATALOG_SQL.users), 'usename');
  for (const u of expected.users) if (!users.has(u)) add('missing', `user ${u}`, `user ${u} does not exist`);
  const roles = col(await query(CATALOG_SQL.roles), 'role_name');
  for (const r of expected.roles) if (!roles.has(r)) add('missing', `role ${r}`, `role ${r} does not exist`);

  const grants = await query(CATALOG_SQL.userGrants);
  const member = new Set(grants.map((g) => `${g.role_name}\0${g.user_name}`));
  for (const m of expected.memberships) {
    if (!member.has(`${m.role}\0${m.user}`)) add('missing', `role ${m.role}`, `user ${m.user} is not a member of role ${m.role}`, m.user);
  }
  const wanted = new Set(expected.memberships.map((m) => `${m.role}\0${m.user}`));
  for (const g of grants) {
    const role = String(g.role_name);
    if (expected.exclusiveRoles.includes(role) && !wanted.has(`${role}\0${g.user_name}`)) {
      add('extra', `role ${role}`, `user ${g.user_name} is a member of role ${role}, which the estate does not list`, String(g.user_name));
    }
  }

  const dbPrivs = await query(CATALOG_SQL.databasePrivileges);
  for (const t of expected.temp) {
    const held = dbPrivs.some((p) => p.database_name === t.database && String(p.privilege_type).toUpperCase() === 'TEMP' && sameGrantee(p, t.grantee));
    if (t.granted && !held) add('missing', `database ${t.database}`, `TEMP on database ${t.database} is not granted to ${show(t.grantee)}`, show(t.grantee));
    if (!t.granted && held) {
      add(t.grantee.type === 'public' ? 'attribute' : 'extra', `database ${t.database}`, `TEMP on database ${t.database} is granted to ${show(t.grantee)}; the estate revokes it`, show(t.grantee));
    }
  }

  for (const database of uniq([...expected.schemaPrivileges, ...expected.tablePrivileges, ...expected.masking].map((x) => x.database))) {
    const schemaPrivs = expected.schemaPrivileges.filter((s) => s.database === database);
    const tablePrivs = expected.tablePrivileges.filter((t) => t.database === database);
    const masking = expected.masking.filter((m) => m.database === database);
    const sp = schemaPrivs.length ? await query(CATALOG_SQL.schemaPrivileges, database) : [];
    for (const s of schemaPrivs) {
      for (const priv of s.privileges) {
        const held = sp.some((r) => r.namespace_name === s.schema && String(r.privilege_type).toUpperCase() === priv && sameGrantee(r, s.grantee));
        if (!held) add('missing', `schema ${database}.${s.schema}`, `${priv} on schema ${database}.${s.schema} is not granted to ${show(s.grantee)}`, show(s.grantee));
      }
    }
    const needTables = tablePrivs.some((t) => t.tables === null) || masking.some((m) => m.tables === null);
    const tables = needTables ? await query(CATALOG_SQL.tables, database) : [];
    const tablesOf = (schema: string, listed: readonly string[] | null) =>
      listed ?? tables.filter((t) => t.schemaname === schema).map((t) => String(t.tablename)).sort();
    const rp = tablePrivs.length ? await query(CATALOG_SQL.relationPrivileges, database) : [];
    for (const t of tablePrivs) {
      for (const table of tablesOf(t.schema, t.tables)) {
        const object = `table ${database}.${t.schema}.${table}`;
        const held = rp.filter((r) => r.namespace_name === t.schema && r.relation_name === table && sameGrantee(r, t.grantee));
        for (const priv of t.privileges) {
          const row = held.find((r) => String(r.privilege_type).toUpperCase() === priv);
          if (!row) add('missing', object, `${priv} on ${object} is not granted to ${show(t.grantee)}`, show(t.grantee));
          else if (t.grantOption && !truthy(row.admin_option)) add('grant-option-missing', object, `${priv} on ${object} is granted to ${show(t.grantee)} without the grant option`, show(t.grantee));
        }
        for (const r of held) {
          const priv = String(r.privilege_type).toUpperCase();
          if (!t.privileges.includes(priv)) add('extra', object, `${priv} on ${object} is granted to ${show(t.grantee)}, beyond what the estate grants`, show(t.grantee));
        }
      }
    }
    if (masking.length) {
      const masked = new Set((await query(CATALOG_SQL.masking, database)).map((r) => `${r.schema_name}.${r.table_name}`));
      for (const m of masking) {
        for (const table of tablesOf(m.schema, m.tables)) {
          if (!masked.has(`${m.schema}.${table}`)) add('attribute', `table ${database}.${m.schema}.${table}`, `masking is off on table ${database}.${m.schema}.${table}`);
        }
      }
    }
  }
  return findings.sort((a, b) => cmp(line(a), line(b)));
}

/** One readable line per finding, for the check block's message and reports. */
export function findingLines(findings: readonly Finding[]): string[] {
  return findings.map(line);
}

function line(f: Finding): string {
  return `${f.kind}: ${f.detail} (${f.target})`;
}

function sameGrantee(row: CatalogRow, g: GranteeRef): boolean {
  return String(row.identity_type).toLowerCase() === g.type && String(row.identity_name) === g.name;
}

function show(g: GranteeRef): string {
  return g.type === 'public' ? 'PUBLIC' : `${g.type} ${g.name}`;
}

const truthy = (v: CatalogRow[string]) => v === true || v === 't' || v === 'true' || v === 1;
const uniq = (xs: string[]) => [...new Set(xs)].sort();
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
