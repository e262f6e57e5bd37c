import { ITerraformDependable, TerraformIterator, TerraformProvider, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { DefaultPrivileges } from '@cdktf/provider-postgresql/lib/default-privileges';
import { Grant } from '@cdktf/provider-postgresql/lib/grant';
import { serverSlug } from '../../model/postgres/connection';
import { PostgresDefaultPrivilege, PostgresGrant, PostgresGrantObjectType } from '../../model/postgres/privileges';

export interface ImmutaPostgresGrantsProps {
  /** The server's id from the estate: it prefixes the logical ids. */
  readonly serverId: string;
  /** Database, schema and table grants, in plan order (a slice of PostgresPrivilegePlan.grants). */
  readonly grants: readonly PostgresGrant[];
  /**
   * Default privileges for tables created later.
   * @default none
   */
  readonly defaultPrivileges?: readonly PostgresDefaultPrivilege[];
  /** The postgresql provider configured for this server (PostgresAdminProvider). */
  readonly provider: TerraformProvider;
  /** Name of the role that receives the grants: the role resource's name in the same stack, else the plain name. */
  readonly roleName: string;
  /**
   * Resources that must exist before the first grant (the Immuta database).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The privileges of Immuta's PostgreSQL requirements WITH GRANT OPTION as one for_each resource per object type,
 * keyed `db` and `db/schema`: the resource count grows with databases and schemas, never
 * with tables. The blocks run one after another (database, schema, table, default
 * privileges); inside a block the provider's advisory lock on the grantee serialises
 * grants on one database. Reasoning: docs/postgres-grant-ordering.md.
 */
export class ImmutaPostgresGrants extends Construct {
  constructor(scope: Construct, id: string, props: ImmutaPostgresGrantsProps) {
    super(scope, id);
    if (!props.roleName) throw new Error('ImmutaPostgresGrants: props.roleName must not be empty');
    const slug = serverSlug(props.serverId);
    const defaultPrivileges = props.defaultPrivileges ?? [];
    let previous: ITerraformDependable[] = props.dependsOn ?? [];
    const chain = (block: TerraformResource, logicalId: string) => {
      block.overrideLogicalId(`${slug}_${logicalId}`);
      previous = [block];
    };

    const grantBlocks: [PostgresGrantObjectType, string][] = [['database', 'database_grants'], ['schema', 'schema_grants'], ['table', 'table_grants']];
    for (const [objectType, logicalId] of grantBlocks) {
      const grants = props.grants.filter((g) => g.objectType === objectType);
      if (grants.length === 0) continue;
      const each = TerraformIterator.fromMap(Object.fromEntries(grants.map((g) => [g.key, grantValue(g)])));
      chain(new Grant(this, logicalId, {
        provider: props.provider,
        forEach: each,
        ...(previous.length > 0 ? { dependsOn: previous } : {}),
        role: props.roleName,
        objectType,
        database: each.getString('database'),
        ...(objectType === 'database' ? {} : { schema: each.getString('schema') }),
        ...(objectType === 'table' ? { objects: each.getList('objects') } : {}),
        privileges: each.getList('privileges'),
        withGrantOption: each.getBoolean('with_grant_option'),
      }), logicalId);
    }

    if (defaultPrivileges.length > 0) {
      const each = TerraformIterator.fromMap(Object.fromEntries(defaultPrivileges.map((d) => [d.key, {
        database: d.database, schema: d.schema, owner: d.owner, privileges: [...d.privileges], with_grant_option: d.withGrantOption,
      }])));
      chain(new DefaultPrivileges(this, 'default_privileges', {
        provider: props.provider,
        forEach: each,
        ...(previous.length > 0 ? { dependsOn: previous } : {}),
        role: props.roleName,
        objectType: 'table',
        database: each.getString('database'),
        schema: each.getString('schema'),
        owner: each.getString('owner'),
        privileges: each.getList('privileges'),
        withGrantOption: each.getBoolean('with_grant_option'),
      }), 'default_privileges');
    }
  }
}

/** The for_each value of one grant; objects is empty for "every table in the schema". */
function grantValue(g: PostgresGrant) {
  return {
    database: g.database,
    ...(g.schema ? { schema: g.schema } : {}),
    ...(g.objectType === 'table' ? { objects: [...(g.objects ?? [])] } : {}),
    privileges: [...g.privileges],
    with_grant_option: g.withGrantOption,
  };
}
