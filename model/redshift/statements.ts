/**
 * Redshift statements as data. The model decides which privilege goes to whom; the
 * renderers in sql/redshift.ts turn each statement into text, quoting every name.
 * Keeping statements structured lets the tests check privilege sets without parsing SQL.
 * The syntax each kind relies on is quoted in docs/redshift-sql.md.
 */

export type GrantAction = 'grant' | 'revoke';

/** Immuta's Redshift requirements: the table privileges Immuta needs WITH GRANT OPTION, in Redshift's spelling. */
export type TablePrivilege = 'DELETE' | 'INSERT' | 'SELECT' | 'TRUNCATE' | 'UPDATE';
export type SchemaPrivilege = 'USAGE' | 'CREATE';
/** Roles Redshift defines itself; names with a colon that no estate value may produce. */
export type SystemRole = 'sys:secadmin';

/** Who receives a privilege. */
export type Grantee =
  | { readonly user: string }
  | { readonly role: string }
  | { readonly group: string }
  | { readonly public: true };

/** Scoped permissions cannot be granted to groups or PUBLIC (t_scoped-permissions). */
export type ScopedGrantee = Extract<Grantee, { readonly user: string } | { readonly role: string }>;

/** Which tables of a schema a statement covers. */
export type TableSet = { readonly all: true } | { readonly tables: readonly string[] };

export type RedshiftStatement =
  | { readonly kind: 'createDatabase'; readonly database: string }
  /** force: terminate the sessions connected to the database first (Immuta stays connected to its database). */
  | { readonly kind: 'dropDatabase'; readonly database: string; readonly force: boolean }
  /**
   * Always PASSWORD DISABLE: how the user authenticates is a separate statement
   * (userPassword), so switching authentication never recreates the user.
   */
  | { readonly kind: 'createUser'; readonly user: string; readonly createdb: boolean }
  /** ALTER USER ... PASSWORD: 'variable' takes the md5 form from a sensitive Terraform variable at apply time. */
  | { readonly kind: 'userPassword'; readonly user: string; readonly password: 'variable' | 'disabled' }
  /** IF EXISTS: a revoke that already ran (or a user dropped by hand) is not an error. */
  | { readonly kind: 'dropUser'; readonly user: string }
  | { readonly kind: 'createRole'; readonly role: string }
  /** Always RESTRICT: a role still held by anyone is not dropped; the unit's preflight names the holders. */
  | { readonly kind: 'dropRole'; readonly role: string }
  | { readonly kind: 'roleMembership'; readonly action: GrantAction; readonly role: string | { readonly system: SystemRole }; readonly user: string }
  | { readonly kind: 'schemaPrivileges'; readonly action: GrantAction; readonly privileges: readonly SchemaPrivilege[]; readonly schema: string; readonly grantee: Grantee }
  /** Object-level privileges on the listed tables. */
  | {
    readonly kind: 'tablePrivileges'; readonly action: GrantAction; readonly privileges: readonly TablePrivilege[];
    readonly schema: string; readonly tables: { readonly tables: readonly string[] }; readonly grantee: Grantee; readonly grantOption: boolean;
  }
  /**
   * Scoped permissions: the privileges on every current and future table of the schema,
   * whoever creates it. `database` must be the database the statement runs in.
   */
  | {
    readonly kind: 'scopedTablePrivileges'; readonly action: GrantAction; readonly privileges: readonly TablePrivilege[];
    readonly database: string; readonly schema: string; readonly grantee: ScopedGrantee; readonly grantOption: boolean;
  }
  | { readonly kind: 'databaseTemp'; readonly action: GrantAction; readonly database: string; readonly grantee: Grantee }
  /**
   * ALTER TABLE ... MASKING { ON | OFF } FOR DATASHARES. For listed tables, on exactly those;
   * for a whole schema, on the tables that exist when it runs, each recorded on the cluster so
   * that switching off reaches only the tables this statement switched on.
   */
  | { readonly kind: 'masking'; readonly on: boolean; readonly schema: string; readonly tables: TableSet };

/**
 * A catalog check that must find nothing before a unit's revoke runs: Redshift's REVOKE has
 * no CASCADE, DROP USER looks only at the database it runs in, and DROP ROLE RESTRICT fails
 * while anyone holds the role. Each row the rendered query returns names what blocks the revoke.
 */
export type RedshiftPreflight =
  /** Schemas, tables, views and routines the user owns in `database` (absent: the connect database). */
  | { readonly kind: 'ownedObjects'; readonly user: string; readonly database?: string }
  /** Users and roles that hold the role. */
  | { readonly kind: 'roleHolders'; readonly role: string }
  /** Privileges on the schema's tables that `grantor` granted to others with its grant option. */
  | { readonly kind: 'grantsBy'; readonly grantor: string; readonly database: string; readonly schema: string; readonly tables: TableSet };
