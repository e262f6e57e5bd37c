/**
 * Redshift statements as data. The model decides which privilege goes to whom; the
 * renderers in sql/redshift.ts turn each statement into text, quoting every name.
 * Keeping statements structured lets the tests check privilege sets without parsing SQL.
 */

export type GrantAction = 'grant' | 'revoke';

/** Seed 000: the table privileges Immuta needs WITH GRANT OPTION, in Redshift's spelling. */
export type TablePrivilege = 'DELETE' | 'INSERT' | 'SELECT' | 'TRUNCATE' | 'UPDATE';
export type SchemaPrivilege = 'USAGE' | 'CREATE';
/** System permissions for RBAC: grantable to roles only (r_roles-system-privileges). */
export type SystemPrivilege = 'CREATE USER' | 'CREATE ROLE';
/** Roles Redshift defines itself; names with a colon that no estate value may produce. */
export type SystemRole = 'sys:secadmin';

/** Who receives a privilege. */
export type Grantee =
  | { readonly user: string }
  | { readonly role: string }
  | { readonly group: string }
  | { readonly public: true };

/** Which tables of a schema a statement covers. */
export type TableSet = { readonly all: true } | { readonly tables: readonly string[] };

export type RedshiftStatement =
  | { readonly kind: 'createDatabase'; readonly database: string }
  | { readonly kind: 'dropDatabase'; readonly database: string }
  /**
   * Always PASSWORD DISABLE: how the user authenticates is a separate statement
   * (userPassword), so switching authentication never recreates the user.
   */
  | { readonly kind: 'createUser'; readonly user: string; readonly createdb: boolean }
  /** ALTER USER ... PASSWORD: 'variable' takes the md5 form from a sensitive Terraform variable at apply time. */
  | { readonly kind: 'userPassword'; readonly user: string; readonly password: 'variable' | 'disabled' }
  | { readonly kind: 'dropUser'; readonly user: string }
  | { readonly kind: 'createRole'; readonly role: string }
  | { readonly kind: 'dropRole'; readonly role: string }
  | { readonly kind: 'systemPrivileges'; readonly action: GrantAction; readonly privileges: readonly SystemPrivilege[]; readonly role: string }
  | { readonly kind: 'roleMembership'; readonly action: GrantAction; readonly role: string | { readonly system: SystemRole }; readonly user: string }
  | { readonly kind: 'schemaPrivileges'; readonly action: GrantAction; readonly privileges: readonly SchemaPrivilege[]; readonly schema: string; readonly grantee: Grantee }
  | {
    readonly kind: 'tablePrivileges'; readonly action: GrantAction; readonly privileges: readonly TablePrivilege[];
    readonly schema: string; readonly tables: TableSet; readonly grantee: Grantee; readonly grantOption: boolean;
  }
  | {
    /** owners: the creators whose future tables are covered; 'current' is the admin that runs the statement. */
    readonly kind: 'defaultPrivileges'; readonly action: GrantAction; readonly privileges: readonly TablePrivilege[];
    readonly owners: readonly string[] | 'current'; readonly schema: string; readonly grantee: Grantee; readonly grantOption: boolean;
  }
  | { readonly kind: 'databaseTemp'; readonly action: GrantAction; readonly database: string; readonly grantee: Grantee }
  | { readonly kind: 'masking'; readonly on: boolean; readonly schema: string; readonly tables: TableSet };
