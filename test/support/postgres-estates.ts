/**
 * Estates for PostgreSQL plane tests: the example estate's servers, and small estates
 * built in code where a test needs one feature or one broken field.
 */
import { parseEstate } from '../../estate/load';
import { Environment, PostgresServer } from '../../estate/schema';
import { exampleEstate } from './example';

export { exampleEstate } from './example';

/** A server of the example estate by id. */
export function exampleServer(id: string): { server: PostgresServer; environment: Environment } {
  for (const environment of Object.values(exampleEstate().environments)) {
    const server = environment.postgres.find((s) => s.id === id);
    if (server) return { server, environment };
  }
  throw new Error(`example estate has no postgres server ${id}`);
}

/** A one-server environment validated by the estate schema; `server` overrides the defaults. */
export function singleServerEnvironment(server: Record<string, unknown>): Environment {
  return parseEstate({
    environments: {
      t: {
        aws: { accountId: '111122223333', region: 'us-east-1' },
        postgres: [{
          id: 'pg', deployment: 'self-managed', majorVersion: 17, host: 'pg.example.com',
          immuta: { displayName: 'pg_conn', protect: [{ database: 'app', schemas: ['public'] }] },
          ...server,
        }],
      },
    },
  }).environments.t;
}

/** A protected database as the estate file writes it. */
type ProtectedDatabaseField = Record<string, unknown> & { database: string };

/** One server of the local estate: its protected databases and any estate field over the defaults. */
type LocalServerFields = Record<string, unknown> & { protect: ProtectedDatabaseField[] };

export interface LocalPostgresEstate {
  readonly majorVersion: number;
  /** How the servers are reached: both stand on the one local instance. */
  readonly host: string;
  /** `local-pg`, self-managed, password authentication: Immuta database immuta, system role immuta_system. */
  readonly pg: LocalServerFields;
  /**
   * `local-rds`, RDS with aws-assumed-role authentication: Immuta database immuta_rds, system
   * role immuta_rds. It needs a resourceId.
   */
  readonly rds: LocalServerFields & { resourceId: string };
}

/**
 * The estate document (before validation) of the PostgreSQL e2e tests: environment e2e with
 * two servers, `local-pg` and `local-rds`, on one local instance without TLS. Validate it
 * with parseEstate, or write it with yaml's stringify where a command reads an estate file.
 */
export function localPostgresEstate(o: LocalPostgresEstate): { environments: Record<string, unknown> } {
  const { protect: pgProtect, ...pg } = o.pg;
  const { protect: rdsProtect, ...rds } = o.rds;
  const common = { majorVersion: o.majorVersion, host: o.host, sslMode: 'disable' };
  return {
    environments: {
      e2e: {
        aws: { accountId: '111122223333', region: 'us-east-1' },
        postgres: [
          {
            id: 'local-pg', deployment: 'self-managed', ...common, ...pg,
            immuta: { displayName: 'local_pg', database: 'immuta', systemRole: 'immuta_system', protect: pgProtect },
          },
          {
            id: 'local-rds', deployment: 'rds', ...common, ...rds,
            immuta: {
              displayName: 'local_rds', database: 'immuta_rds', systemRole: 'immuta_rds', authentication: 'aws-assumed-role',
              immutaAwsAccountId: '444455556666', externalId: 'e2e-external-id', protect: rdsProtect,
            },
          },
        ],
      },
    },
  };
}
