import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { PostgresqlProvider } from '@cdktf/provider-postgresql/lib/provider';
import { PostgresServer } from '../../estate/schema';
import { assertPostgresServer } from '../../model/postgres/checks';
import { postgresAdminConnection } from '../../model/postgres/connection';

export interface PostgresAdminProviderProps {
  /** The PostgreSQL server from the estate; its id becomes the provider alias. */
  readonly server: PostgresServer;
  /** The environment's AWS region: RDS IAM login uses it when the server names no region. */
  readonly defaultRegion: string;
}

/**
 * A cyrilgdn/postgresql provider configuration for one server, logged in as the estate's
 * admin. Self-managed and Neon servers (and RDS/Aurora without IAM login) take the
 * password from a sensitive variable; RDS/Aurora run in the provider's non-superuser
 * mode and, with adminIamAuth, log in with an RDS IAM token.
 */
export class PostgresAdminProvider extends Construct {
  /** Pass to every postgresql_* resource of this server. */
  readonly provider: PostgresqlProvider;
  /** The admin password variable, when the login uses a password. */
  readonly adminPassword?: TerraformVariable;

  constructor(scope: Construct, id: string, props: PostgresAdminProviderProps) {
    super(scope, id);
    assertPostgresServer(props.server, 'PostgresAdminProvider', 'props.server');
    const conn = postgresAdminConnection(props.server, props.defaultRegion);
    if (conn.passwordVariable) {
      this.adminPassword = new TerraformVariable(this, 'admin_password', {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: `Password of ${conn.username} on PostgreSQL server ${props.server.id}`,
      });
      this.adminPassword.overrideLogicalId(conn.passwordVariable);
    }
    this.provider = new PostgresqlProvider(this, 'provider', {
      alias: props.server.id,
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
