import { TerraformProvider, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { Database } from '@cdktf/provider-postgresql/lib/database';
import { Role } from '@cdktf/provider-postgresql/lib/role';
import { postgresVariableNames, serverSlug } from '../../model/postgres/connection';
import { PostgresSystemRole } from '../../model/postgres/privileges';

export interface ImmutaPostgresAccountProps {
  /** The server's id from the estate: it names the variables and logical ids. */
  readonly serverId: string;
  /** The Immuta system role to create (PostgresPrivilegePlan.systemRole). */
  readonly systemRole: PostgresSystemRole;
  /** Name of the dedicated Immuta database to create. */
  readonly immutaDatabase: string;
  /** The postgresql provider configured for this server (PostgresAdminProvider). */
  readonly provider: TerraformProvider;
  /**
   * Consent to destroy the role and the database (the estate's immuta.allowDestroy).
   * @default false: both carry prevent_destroy
   */
  readonly allowDestroy?: boolean;
}

/**
 * The Immuta system role (LOGIN, CREATEROLE) and the dedicated Immuta database of Immuta's
 * PostgreSQL requirements. With password authentication the password comes from a sensitive
 * variable through the provider's write-only attribute, so it is in neither cdk.tf.json nor
 * the state; bump the version variable to rotate it. With RDS/Aurora IAM authentication the
 * role is a member of rds_iam and has no password.
 *
 * Both refuse to be destroyed (prevent_destroy) without consent: a rename in the estate would
 * otherwise drop the database or the role on the next apply.
 */
export class ImmutaPostgresAccount extends Construct {
  readonly role: Role;
  readonly database: Database;

  constructor(scope: Construct, id: string, props: ImmutaPostgresAccountProps) {
    super(scope, id);
    const slug = serverSlug(props.serverId);
    const names = postgresVariableNames(props.serverId);
    const role = props.systemRole;
    const lifecycle = { preventDestroy: !props.allowDestroy };

    let password: { passwordWo: string; passwordWoVersion: string } | undefined;
    if (role.credential === 'password') {
      const value = new TerraformVariable(this, 'immuta_password', {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: `Password of the Immuta system role ${role.name} on ${props.serverId}; typed into Immuta's connection form`,
      });
      value.overrideLogicalId(names.immutaPassword);
      const version = new TerraformVariable(this, 'immuta_password_version', {
        type: 'string',
        default: '1',
        description: `Change to set ${names.immutaPassword} again (the password is write-only: Terraform cannot see it change)`,
      });
      version.overrideLogicalId(names.immutaPasswordVersion);
      password = { passwordWo: value.stringValue, passwordWoVersion: version.stringValue };
    }

    this.role = new Role(this, 'role', {
      provider: props.provider,
      name: role.name,
      login: role.login,
      createRole: role.createRole,
      ...(role.memberOf.length > 0 ? { roles: [...role.memberOf] } : {}),
      ...password,
      lifecycle,
    });
    this.role.overrideLogicalId(`${slug}_immuta_role`);

    this.database = new Database(this, 'database', {
      provider: props.provider,
      name: props.immutaDatabase,
      lifecycle,
    });
    this.database.overrideLogicalId(`${slug}_immuta_database`);
  }
}
