/**
 * The privileges a synthesized stack declares, read back from its cdk.tf.json: every
 * postgresql_grant and postgresql_default_privileges instance (for_each maps expanded,
 * each.value and role references resolved). Comparing these with what the server
 * reports proves the Terraform rendering and the SQL rendering agree.
 */

export interface DeclaredPrivilege {
  kind: 'database' | 'schema' | 'table' | 'default';
  database: string;
  schema: string | null;
  /** Table name, '*' for every table of the schema, or for default privileges the owner. */
  object: string | null;
  grantee: string;
  privilege: string;
  grantable: boolean;
}

type Json = Record<string, any>;

function resolver(tf: Json, eachValue: Json | undefined) {
  return (value: unknown): any => {
    if (typeof value !== 'string') return value;
    const each = /^\$\{each\.value\.(\w+)\}$/.exec(value);
    if (each) {
      if (!eachValue || !(each[1] in eachValue)) throw new Error(`${value} has no value in the for_each map`);
      return eachValue[each[1]];
    }
    const ref = /^\$\{(postgresql_\w+)\.(\w+)\.(\w+)\}$/.exec(value);
    if (ref) {
      const target = tf.resource?.[ref[1]]?.[ref[2]];
      if (!target || !(ref[3] in target)) throw new Error(`cannot resolve ${value}: not a literal attribute of the stack`);
      return target[ref[3]];
    }
    if (value.includes('${')) throw new Error(`unsupported expression ${value}`);
    return value;
  };
}

/** Instances of one resource type, with attributes resolved; `providerAlias` keeps one server's. */
export function resourceInstances(tf: Json, type: string, providerAlias?: string): Json[] {
  const out: Json[] = [];
  for (const block of Object.values<Json>(tf.resource?.[type] ?? {})) {
    if (providerAlias && block.provider !== `postgresql.${providerAlias}`) continue;
    const entries: [string | undefined, Json | undefined][] = block.for_each ? Object.entries(block.for_each) : [[undefined, undefined]];
    for (const [, eachValue] of entries) {
      const resolve = resolver(tf, eachValue);
      out.push(Object.fromEntries(
        Object.entries(block).filter(([k]) => !['//', 'for_each', 'depends_on', 'provider'].includes(k)).map(([k, v]) => [k, resolve(v)]),
      ));
    }
  }
  return out;
}

export function declaredPrivileges(tf: Json, providerAlias?: string): DeclaredPrivilege[] {
  const rows: DeclaredPrivilege[] = [];
  for (const g of resourceInstances(tf, 'postgresql_grant', providerAlias)) {
    const kind = g.object_type as DeclaredPrivilege['kind'];
    if (!['database', 'schema', 'table'].includes(kind)) throw new Error(`unexpected object_type ${kind}`);
    const objects: (string | null)[] = kind !== 'table' ? [null] : (g.objects?.length ? g.objects : ['*']);
    for (const object of objects) {
      for (const privilege of g.privileges) {
        rows.push({ kind, database: g.database, schema: kind === 'database' ? null : g.schema, object, grantee: g.role, privilege, grantable: g.with_grant_option === true });
      }
    }
  }
  for (const d of resourceInstances(tf, 'postgresql_default_privileges', providerAlias)) {
    if (d.object_type !== 'table') throw new Error(`unexpected default privilege object_type ${d.object_type}`);
    for (const privilege of d.privileges) {
      rows.push({ kind: 'default', database: d.database, schema: d.schema, object: d.owner, grantee: d.role, privilege, grantable: d.with_grant_option === true });
    }
  }
  return rows;
}
