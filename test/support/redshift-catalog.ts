/**
 * Redshift catalog fixtures for the drift audit: the rows each query of audit/redshift.ts
 * returns on a cluster that holds exactly what an expectation asks for, as plain data a
 * test can then break in one place (a revoked grant, masking off, ...).
 */
import { CATALOG_SQL, CatalogRow, RedshiftExpectation } from '../../audit/redshift';

export interface CatalogState {
  databases: string[];
  users: string[];
  roles: string[];
  userGrants: CatalogRow[];
  databasePrivileges: CatalogRow[];
  /** Per database. */
  schemaPrivileges: Record<string, CatalogRow[]>;
  relationPrivileges: Record<string, CatalogRow[]>;
  tables: Record<string, CatalogRow[]>;
  masking: Record<string, CatalogRow[]>;
}

/** Tables per database and schema, for schemas protected without a table list. */
export type TableListing = Record<string, Record<string, string[]>>;

/** A catalog holding exactly `expected`, with `tables` as the schemas' tables. */
export function catalogMatching(expected: RedshiftExpectation, tables: TableListing): CatalogState {
  const perDb = () => Object.fromEntries(Object.keys(tables).map((d) => [d, [] as CatalogRow[]]));
  const state: CatalogState = {
    databases: [...Object.keys(tables), ...expected.databases],
    users: [...expected.users],
    roles: [...expected.roles],
    userGrants: expected.memberships.map((m) => ({ user_name: m.user, role_name: m.role })),
    databasePrivileges: expected.temp.filter((t) => t.granted).map((t) => ({ database_name: t.database, privilege_type: 'TEMP', identity_name: t.grantee.name, identity_type: t.grantee.type })),
    schemaPrivileges: perDb(),
    relationPrivileges: perDb(),
    tables: Object.fromEntries(Object.entries(tables).map(([d, schemas]) => [d, Object.entries(schemas).flatMap(([s, ts]) => ts.map((t) => ({ schemaname: s, tablename: t })))])),
    masking: perDb(),
  };
  const tablesOf = (database: string, schema: string, listed: readonly string[] | null) => listed ?? tables[database]?.[schema] ?? [];
  for (const s of expected.schemaPrivileges) {
    for (const p of s.privileges) state.schemaPrivileges[s.database].push({ namespace_name: s.schema, privilege_type: p, identity_name: s.grantee.name, identity_type: s.grantee.type });
  }
  for (const t of expected.tablePrivileges) {
    for (const table of tablesOf(t.database, t.schema, t.tables)) {
      for (const p of t.privileges) {
        state.relationPrivileges[t.database].push({ namespace_name: t.schema, relation_name: table, privilege_type: p, identity_name: t.grantee.name, identity_type: t.grantee.type, admin_option: t.grantOption });
      }
    }
  }
  for (const m of expected.masking) {
    for (const table of tablesOf(m.database, m.schema, m.tables)) state.masking[m.database].push({ schema_name: m.schema, table_name: table });
  }
  return state;
}

/** Answers the audit's queries from a state (read at query time, so later edits count). */
export function catalogAnswers(state: CatalogState): (sql: string, database?: string) => CatalogRow[] | undefined {
  return (sql, database = '') => {
    switch (sql) {
      case CATALOG_SQL.databases: return state.databases.map((datname) => ({ datname }));
      case CATALOG_SQL.users: return state.users.map((usename) => ({ usename }));
      case CATALOG_SQL.roles: return state.roles.map((role_name) => ({ role_name }));
      case CATALOG_SQL.userGrants: return state.userGrants;
      case CATALOG_SQL.databasePrivileges: return state.databasePrivileges;
      case CATALOG_SQL.schemaPrivileges: return state.schemaPrivileges[database] ?? [];
      case CATALOG_SQL.relationPrivileges: return state.relationPrivileges[database] ?? [];
      case CATALOG_SQL.tables: return state.tables[database] ?? [];
      case CATALOG_SQL.masking: return state.masking[database] ?? [];
      default: return undefined;
    }
  };
}

/**
 * The five drifts the issue names, each applied to a clean state; `names` is what a report
 * must mention; `unit` is the key of the example's unit that grants the drifted object (its
 * stack's drift check reports it).
 */
export const DRIFTS: readonly { readonly name: string; readonly apply: (s: CatalogState) => void; readonly names: string; readonly unit: string }[] = [
  {
    name: 'a missing grant',
    apply: (s) => { s.relationPrivileges.sales = s.relationPrivileges.sales.filter((r) => !(r.relation_name === 'invoices' && r.privilege_type === 'SELECT')); },
    names: 'missing: SELECT on table sales.finance.invoices is not granted to user immuta_system',
    unit: 'immuta/sales/finance',
  },
  {
    name: 'a grant option missing',
    apply: (s) => { s.relationPrivileges.sales = s.relationPrivileges.sales.map((r) => (r.relation_name === 'payments' && r.privilege_type === 'UPDATE' ? { ...r, admin_option: false } : r)); },
    names: 'grant-option-missing: UPDATE on table sales.finance.payments is granted to user immuta_system without the grant option',
    unit: 'immuta/sales/finance',
  },
  {
    name: 'masking off',
    apply: (s) => { s.masking.sales = s.masking.sales.filter((r) => r.table_name !== 'orders'); },
    names: 'attribute: masking is off on table sales.public.orders',
    unit: 'masking/sales/public',
  },
  {
    name: 'an exemption member missing',
    apply: (s) => { s.userGrants = s.userGrants.filter((g) => !(g.role_name === 'immuta_exemption' && g.user_name === 'etl_admin')); },
    names: 'missing: user etl_admin is not a member of role immuta_exemption',
    unit: 'exempt/etl_admin',
  },
  {
    name: 'TEMP granted to PUBLIC',
    apply: (s) => { s.databasePrivileges.push({ database_name: 'sales', privilege_type: 'TEMP', identity_name: 'public', identity_type: 'public' }); },
    names: 'attribute: TEMP on database sales is granted to PUBLIC; the estate revokes it',
    unit: 'temp/sales/public',
  },
];
