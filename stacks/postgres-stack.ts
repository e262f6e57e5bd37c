import { EstateStack } from './estate-stack';
import { Construct } from 'constructs';
import { ImmutaPostgresAccount } from '../constructs/postgres/immuta-postgres-account';
import { ImmutaPostgresConnectionOutputs } from '../constructs/postgres/immuta-postgres-connection-outputs';
import { ImmutaPostgresGrants } from '../constructs/postgres/immuta-postgres-grants';
import { PostgresAdminProvider } from '../constructs/postgres/postgres-admin-provider';
import { Environment } from '../estate/schema';
import { immutaRoleArns } from '../model/postgres/connection';

export interface PostgresStackProps {
  /** Environment name from the estate (dev, prod, ...). */
  readonly envName: string;
  /** The validated environment. */
  readonly environment: Environment;
}

/** Immuta's PostgreSQL requirements inside PostgreSQL, for every server of the environment that has an immuta section. */
export class PostgresStack extends EstateStack {
  constructor(scope: Construct, id: string, props: PostgresStackProps) {
    super(scope, id);
    const servers = props.environment.postgres.filter((s) => s.immuta).sort((a, b) => (a.id < b.id ? -1 : 1));
    // The Role ARN is computed from the same AWS access plan that names the role, not read
    // from that stack's state: this stack plans before the AWS stack has any state (a new
    // environment's pull request), and the ARN is right as soon as the role exists.
    const roleArns = immutaRoleArns(props.envName, props.environment);
    for (const server of servers) {
      const scopeOf = new Construct(this, server.id);
      const { provider } = new PostgresAdminProvider(scopeOf, 'admin', { server, defaultRegion: props.environment.aws.region });
      const account = new ImmutaPostgresAccount(scopeOf, 'account', { server, provider });
      new ImmutaPostgresGrants(scopeOf, 'grants', { server, provider, roleName: account.role.name, dependsOn: [account.database] });
      new ImmutaPostgresConnectionOutputs(scopeOf, 'outputs', { server, roleArn: roleArns[server.id] });
    }
  }
}
