import { spawnSync } from 'child_process';
import type { ConnectionOptions } from 'tls';
import { Client } from 'pg';
import { PostgresAdminConnection } from '../model/postgres/connection';
import { CatalogQuery } from './postgres-catalog';

/**
 * How the audit logs in to a PostgreSQL server: as the estate's admin, with the same
 * credentials the server's stacks read (TF_VAR_<server>_admin_password, or an RDS
 * IAM token for adminIamAuth), on connections that the server itself keeps read-only.
 */

/** application_name of the audit's sessions, so a server log shows what the audit ran. */
export const AUDIT_APPLICATION_NAME = 'governance-audit';

/** Startup options, not statements: every transaction is READ ONLY and a stuck query ends. */
const SESSION_OPTIONS = '-c default_transaction_read_only=on -c statement_timeout=60000';

export class AuditConnectionError extends Error {}

function ssl(mode: string): boolean | ConnectionOptions {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    default:
      return { rejectUnauthorized: true };
  }
}

/** An RDS IAM token from the AWS CLI (the credential chain the stack's provider uses). */
function rdsIamToken(conn: PostgresAdminConnection, env: NodeJS.ProcessEnv): string {
  const res = spawnSync('aws', ['rds', 'generate-db-auth-token', '--hostname', conn.host, '--port', String(conn.port),
    '--username', conn.username, '--region', conn.rdsIamRegion!], { env, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  if (res.status !== 0) {
    throw new AuditConnectionError(`could not get an RDS IAM token for ${conn.username}@${conn.host} with the AWS CLI: ${res.error?.message ?? res.stderr.trim()}`);
  }
  return res.stdout.trim();
}

function adminPassword(conn: PostgresAdminConnection, env: NodeJS.ProcessEnv): string {
  if (conn.rdsIamRegion) return rdsIamToken(conn, env);
  const name = `TF_VAR_${conn.passwordVariable}`;
  const value = env[name];
  if (!value) throw new AuditConnectionError(`${name} is not set: the audit logs in as ${conn.username} with the password the stack reads`);
  return value;
}

export interface PostgresAuditSession {
  readonly maintenanceDatabase: string;
  readonly query: CatalogQuery;
  /** Closes every connection opened. */
  close(): Promise<void>;
}

/**
 * A query function that opens one read-only connection per database on first use.
 * Fails with AuditConnectionError naming the server, host and user when it cannot log in.
 */
export function openPostgresAuditSession(target: string, conn: PostgresAdminConnection, env: NodeJS.ProcessEnv): PostgresAuditSession {
  const password = adminPassword(conn, env);
  const clients = new Map<string, Promise<Client>>();
  const connect = (database: string) => {
    let client = clients.get(database);
    if (!client) {
      const c = new Client({
        host: conn.host, port: conn.port, database, user: conn.username, password, ssl: ssl(conn.sslmode),
        connectionTimeoutMillis: conn.connectTimeout * 1000, application_name: AUDIT_APPLICATION_NAME, options: SESSION_OPTIONS,
      });
      client = c.connect().then(() => c, async (e: Error) => {
        await c.end().catch(() => undefined);
        throw new AuditConnectionError(`cannot reach PostgreSQL server ${target} at ${conn.host}:${conn.port}, database ${database}, as ${conn.username}: ${e.message}`);
      });
      clients.set(database, client);
    }
    return client;
  };
  return {
    maintenanceDatabase: conn.database,
    query: async (database, sql, params) => (await (await connect(database)).query(sql, [...params])).rows,
    close: async () => {
      for (const c of clients.values()) await c.then((x) => x.end(), () => undefined).catch(() => undefined);
    },
  };
}
