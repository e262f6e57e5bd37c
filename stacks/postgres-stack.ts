import { EstateStack } from './estate-stack';
import { Construct } from 'constructs';
import { ImmutaPostgresAccount } from '../constructs/postgres/immuta-postgres-account';
import { ImmutaPostgresConnectionOutputs } from '../constructs/postgres/immuta-postgres-connection-outputs';
import { ImmutaPostgresGrants } from '../constructs/postgres/immuta-postgres-grants';
import { PostgresAdminProvider } from '../constructs/postgres/postgres-admin-provider';
import { Environment } from '../estate/schema';

export interface PostgresStackProps {
  /** Environment name from the estate (dev, prod, ...). */
  readonly envName: string;
  /** The validated environment. */
  readonly environment: Environment;
  /**
   * ARN of the IAM role Immuta assumes, per server id, from the environment's AWS access
   * stack. A cross-stack reference: cdktf reads it from that stack's state.
   */
  readonly immutaRoleArns?: Readonly<Record<string, string>>;
}

/** Seed 001 inside PostgreSQL, for every server of the environment that has an immuta section. */
export class PostgresStack extends EstateStack {
  constructor(scope: Construct, id: string, props: PostgresStackProps) {
    super(scope, id);
    const servers = props.environment.postgres.filter((s) => s.immuta).sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const server of servers) {
      const scopeOf = new Construct(this, server.id);
      const { provider } = new PostgresAdminProvider(scopeOf, 'admin', { server, defaultRegion: props.environment.aws.region });
      const account = new ImmutaPostgresAccount(scopeOf, 'account', { server, provider });
      new ImmutaPostgresGrants(scopeOf, 'grants', { server, provider, roleName: account.role.name, dependsOn: [account.database] });
      new ImmutaPostgresConnectionOutputs(scopeOf, 'outputs', { server, roleArn: props.immutaRoleArns?.[server.id] });
    }
  }
}
