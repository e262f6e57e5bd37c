import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { PostgresqlProvider } from '@cdktf/provider-postgresql/lib/provider';
import { PostgresAdminConnection } from '../../model/postgres/connection';

export interface PostgresAdminProviderProps {
  /** The server's id from the estate: the provider's alias. */
  readonly serverId: string;
  /** How Terraform logs in (PostgresServerPlan.connection). */
  readonly connection: PostgresAdminConnection;
}

/**
 * A cyrilgdn/postgresql provider configuration for one server, logged in as the estate's
 * admin. Self-managed and Neon servers (and RDS/Aurora without IAM login) take the
 * password from a sensitive variable; RDS/Aurora run in the provider's non-superuser
 * mode and, with adminIamAuth, log in with an RDS IAM token. Every stack of the server has
 * one, with the same variable name, so one TF_VAR_ serves them all.
 */
export class PostgresAdminProvider extends Construct {
  /** Pass to every postgresql_* resource of this server. */
  readonly provider: PostgresqlProvider;
  /** The admin password variable, when the login uses a password. */
  readonly adminPassword?: TerraformVariable;

  constructor(scope: Construct, id: string, props: PostgresAdminProviderProps) {
    super(scope, id);
    const conn = props.connection;
    if (conn.passwordVariable) {
      this.adminPassword = new TerraformVariable(this, 'admin_password', {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: `Password of ${conn.username} on PostgreSQL server ${props.serverId}`,
      });
      this.adminPassword.overrideLogicalId(conn.passwordVariable);
    }
    this.provider = new PostgresqlProvider(this, 'provider', {
      alias: props.serverId,
      host: conn.host,
      port: conn.port,
      database: conn.database,
      username: conn.username,
      password: this.adminPassword?.stringValue,
      sslmode: conn.sslmode,
      expectedVersion: conn.expectedVersion,
      superuser: conn.superuser,
      ...(conn.rdsIamRegion ? { awsRdsIamAuth: true, awsRdsIamRegion: conn.rdsIamRegion } : {}),
      connectTimeout: conn.connectTimeout,
    });
  }
}
