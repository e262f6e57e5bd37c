import { PostgresPrivilegePlan } from '../model/postgres/privileges';
import { Finding, FindingKind } from './findings';

/**
 * The PostgreSQL audit as a pure function: the privilege plan the constructs and the SQL
 * scripts render (model/postgres/privileges.ts), and the rows a server's catalog holds
 * (audit/postgres-catalog.ts reads them), in; findings out. Grant options count: the
 * provider's plan cannot see a revoked grant option, this can.
 */

/** The Immuta role's row of pg_roles (attributes the model decides). */
export interface CatalogRole {
  readonly name: string;
  readonly login: boolean;
  readonly createRole: boolean;
  readonly createDb: boolean;
  readonly superuser: boolean;
}

/** A pg_auth_members row whose member is the Immuta role. */
export interface CatalogMembership {
  /** The role the Immuta role is a member of. */
  readonly role: string;
  /**
   * Whether the membership lets the member use the role's privileges (INHERIT or SET).
   * PostgreSQL 16+ gives a CREATEROLE role an ADMIN-only membership in each role it
   * creates: that confers no privilege and is how Immuta manages its roles.
   */
  readonly confersPrivileges: boolean;
}

/** One ACL entry (aclexplode) of a database, schema, table or default-privilege set. */
export interface CatalogPrivilege {
  readonly kind: 'database' | 'schema' | 'table' | 'default';
  readonly database: string;
  /** Schema of a schema, table or default-privilege entry. */
  readonly schema?: string;
  /** Table name; for default privileges, the role whose future tables are covered. */
  readonly object?: string;
  /** Owner of the database, schema or table (for default privileges: the covered role). */
  readonly owner: string;
  readonly grantor: string;
  readonly grantee: string;
  readonly privilege: string;
  readonly grantable: boolean;
}

/** A table of a protected schema as the catalog lists it. */
export interface CatalogTable {
  readonly database: string;
  readonly schema: string;
  readonly name: string;
}

/** What audit/postgres-catalog.ts reads from one server. */
export interface PostgresCatalog {
  /** The Immuta role, or undefined when it does not exist. */
  readonly role?: CatalogRole;
  readonly memberships: readonly CatalogMembership[];
  /** Every database of the server (templates excluded). */
  readonly databases: readonly string[];
  /**
   * ACL entries granted to or by the Immuta role: database ACLs of every database; schema,
   * table and default-privilege ACLs of the databases the plan names.
   */
  readonly privileges: readonly CatalogPrivilege[];
  /** Tables (and views) in the protected schemas: "all tables" grants expand to these. */
  readonly tables: readonly CatalogTable[];
}

/** What the model expects the Immuta role to hold on one object. */
interface ExpectedEntry {
  readonly kind: CatalogPrivilege['kind'];
  readonly database: string;
  readonly schema?: string;
  readonly object?: string;
  readonly privileges: readonly string[];
  readonly grantable: boolean;
}

function objectLabel(e: { kind: CatalogPrivilege['kind']; database: string; schema?: string; object?: string }): string {
  switch (e.kind) {
    case 'database':
      return `database ${e.database}`;
    case 'schema':
      return `schema ${e.database}.${e.schema}`;
    case 'table':
      return `table ${e.database}.${e.schema}.${e.object}`;
    case 'default':
      return `default privileges in ${e.database}.${e.schema} for tables of ${e.object}`;
  }
}

/** The plan's grants, with "all tables of a schema" expanded to the tables the catalog lists. */
function expectedEntries(plan: PostgresPrivilegePlan, tables: readonly CatalogTable[]): ExpectedEntry[] {
  const out: ExpectedEntry[] = [];
  for (const g of plan.grants) {
    const base = { database: g.database, privileges: g.privileges, grantable: g.withGrantOption };
    if (g.objectType === 'database') out.push({ kind: 'database', ...base });
    else if (g.objectType === 'schema') out.push({ kind: 'schema', schema: g.schema, ...base });
    else {
      const names = g.objects ?? tables.filter((t) => t.database === g.database && t.schema === g.schema).map((t) => t.name);
      for (const object of names) out.push({ kind: 'table', schema: g.schema, object, ...base });
    }
  }
  for (const d of plan.defaultPrivileges) {
    out.push({ kind: 'default', database: d.database, schema: d.schema, object: d.owner, privileges: d.privileges, grantable: d.withGrantOption });
  }
  return out;
}

const entryKey = (e: { kind: string; database: string; schema?: string; object?: string }) =>
  [e.kind, e.database, e.schema ?? '', e.object ?? ''].join('\u0000');

/**
 * Compares one server's catalog with the plan. `target` is `<environment>/<server id>`.
 * Findings are sorted (object, kind, grantee) so two runs over the same state print the same.
 */
export function auditPostgresServer(target: string, plan: PostgresPrivilegePlan, catalog: PostgresCatalog): Finding[] {
  const roleName = plan.systemRole.name;
  const findings: Finding[] = [];
  // null: the finding concerns no grantee (a database that does not exist).
  const add = (kind: FindingKind, object: string, detail: string, grantee: string | null = roleName) =>
    findings.push({ kind, target, object, ...(grantee !== null ? { grantee } : {}), detail });

  if (!catalog.databases.includes(plan.immutaDatabase)) {
    add('missing', `database ${plan.immutaDatabase}`, `the Immuta database ${plan.immutaDatabase} does not exist`, null);
  }
  const role = catalog.role;
  if (!role) {
    add('missing', `role ${roleName}`, `the Immuta system role ${roleName} does not exist`);
    return sortFindings(findings);
  }
  const attributes: [string, boolean, boolean][] = [
    ['LOGIN', role.login, plan.systemRole.login],
    ['CREATEROLE', role.createRole, plan.systemRole.createRole],
    ['CREATEDB', role.createDb, false],
    ['SUPERUSER', role.superuser, false],
  ];
  for (const [name, actual, expected] of attributes) {
    if (actual !== expected) add('attribute', `role ${roleName}`, `expected ${expected ? name : `NO${name}`}, found ${actual ? name : `NO${name}`}`);
  }
  const memberOf = new Set(catalog.memberships.filter((m) => m.confersPrivileges).map((m) => m.role));
  for (const m of plan.systemRole.memberOf) {
    if (!memberOf.has(m)) add('missing', `membership in ${m}`, `expected ${roleName} to be a member of ${m}, it is not`);
  }
  for (const m of [...memberOf].filter((r) => !plan.systemRole.memberOf.includes(r))) {
    add('extra', `membership in ${m}`, `${roleName} is a member of ${m}, which the model does not grant`);
  }

  // Privileges the role holds, per object: privilege -> grantable. An owner's rights on its
  // own objects are inherent, not grants, so objects the Immuta role owns are not compared.
  const held = new Map<string, { entry: CatalogPrivilege; privileges: Map<string, boolean> }>();
  for (const p of catalog.privileges) {
    if (p.grantee !== roleName || p.owner === roleName) continue;
    const key = entryKey(p);
    const slot = held.get(key) ?? { entry: p, privileges: new Map<string, boolean>() };
    slot.privileges.set(p.privilege, (slot.privileges.get(p.privilege) ?? false) || p.grantable);
    held.set(key, slot);
  }

  const expected = expectedEntries(plan, catalog.tables);
  const expectedKeys = new Set<string>();
  for (const e of expected) {
    const key = entryKey(e);
    expectedKeys.add(key);
    const privileges = held.get(key)?.privileges ?? new Map<string, boolean>();
    const missing = e.privileges.filter((p) => !privileges.has(p));
    const noOption = e.grantable ? e.privileges.filter((p) => privileges.get(p) === false) : [];
    const extra = [...privileges.keys()].filter((p) => !e.privileges.includes(p)).sort();
    const extraOption = e.grantable ? [] : e.privileges.filter((p) => privileges.get(p) === true);
    const label = objectLabel(e);
    const option = e.grantable ? ' WITH GRANT OPTION' : '';
    if (missing.length) add('missing', label, `expected ${missing.join(', ')}${option}, not granted`);
    if (noOption.length) add('grant-option-missing', label, `expected ${noOption.join(', ')} WITH GRANT OPTION, granted without it`);
    if (extra.length) add('extra', label, `holds ${extra.join(', ')} beyond the model`);
    if (extraOption.length) add('extra', label, `holds the grant option on ${extraOption.join(', ')}, which the model does not give`);
  }
  for (const [key, { entry, privileges }] of held) {
    if (expectedKeys.has(key)) continue;
    const list = [...privileges].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, g]) => `${p}${g ? ' WITH GRANT OPTION' : ''}`);
    add('extra', objectLabel(entry), `holds ${list.join(', ')}, which the model does not grant`);
  }

  // Grants the role made onward: each blocks revoking the privilege it rests on.
  const onward = new Map<string, { entry: CatalogPrivilege; privileges: Set<string> }>();
  for (const p of catalog.privileges) {
    if (p.grantor !== roleName || p.grantee === roleName || p.owner === roleName || p.kind === 'default') continue;
    const key = `${entryKey(p)}\u0000${p.grantee}`;
    const slot = onward.get(key) ?? { entry: p, privileges: new Set<string>() };
    slot.privileges.add(p.privilege);
    onward.set(key, slot);
  }
  for (const { entry, privileges } of onward.values()) {
    add('dependent-grant', objectLabel(entry),
      `${roleName} granted ${[...privileges].sort().join(', ')} to ${entry.grantee}: revoking ${roleName}'s privilege needs CASCADE, which revokes this too`,
      entry.grantee);
  }
  return sortFindings(findings);
}

const KIND_ORDER: FindingKind[] = ['missing', 'grant-option-missing', 'attribute', 'extra', 'dependent-grant'];

export function sortFindings(findings: Finding[]): Finding[] {
  const key = (f: Finding) => [f.target, f.object, String(KIND_ORDER.indexOf(f.kind)), f.grantee ?? '', f.detail];
  return findings.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  });
}
