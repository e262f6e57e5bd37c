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
