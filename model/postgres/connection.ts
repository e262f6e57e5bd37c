import { PostgresServer } from '../../estate/schema';
import type { AwsAccessPlan } from '../aws/access-plan';
import { iamArn } from '../aws/partition';
import { requireImmuta } from './privileges';
import { terraformName } from '../terraform-names';

/**
 * How Terraform reaches a PostgreSQL server, and what a person types into Immuta's
 * connection form afterwards. Plain data: the constructs render it as a provider
 * block and outputs.
 */

/** Seconds the provider waits for a connection before failing the run. */
export const POSTGRES_CONNECT_TIMEOUT_SECONDS = 15;

export type PostgresDeployment = PostgresServer['deployment'];

export interface PostgresAdminConnection {
  readonly host: string;
  readonly port: number;
  /** Database the provider opens its first connection to. */
  readonly database: string;
  readonly username: string;
  readonly sslmode: string;
  /** The provider's expected_version: the estate's major version. */
  readonly expectedVersion: string;
  /**
   * Only self-managed servers give the admin a real superuser. RDS and Aurora master
   * users and Neon's database owner are not: the provider then borrows table owners'
   * roles for the duration of a grant.
   */
  readonly superuser: boolean;
  /** RDS/Aurora with adminIamAuth: the provider logs in with an IAM token for this region. */
  readonly rdsIamRegion?: string;
  /** Name of the sensitive variable holding the admin password; absent with IAM login. */
  readonly passwordVariable?: string;
  readonly connectTimeout: number;
}

/** Immuta's PostgreSQL requirements, step 6 and 7: the values of Immuta's connection form. */
export interface ImmutaPostgresConnectionForm {
  readonly deploymentType: 'Self-Managed' | 'RDS' | 'Aurora' | 'Neon';
  readonly displayName: string;
  readonly hostname: string;
  readonly port: number;
  readonly database: string;
  /** The Username field: the system role (for AWS Assumed Role also the IAM role's name). */
  readonly username: string;
  readonly authenticationMethod: 'Username and Password' | 'AWS Assumed Role' | 'AWS Access Key and Secret Access Key';
}

/** Immuta's PostgreSQL requirements, "Map users": one Immuta user's External User Mapping, in the form's words. */
export interface ImmutaPostgresUserMapping {
  readonly immutaUser: string;
  readonly postgres:
    | { readonly option: 'PostgreSQL Username'; readonly username: string }
    | { readonly option: 'Unset (fallback to Immuta username)' }
    | { readonly option: 'None (user does not exist in PostgreSQL)' };
  /** RDS/Aurora only: the AWS User row. */
  readonly aws?: { readonly userType: string; readonly value?: string };
}

const DEPLOYMENT_LABELS: Record<PostgresDeployment, ImmutaPostgresConnectionForm['deploymentType']> = {
  'self-managed': 'Self-Managed', rds: 'RDS', aurora: 'Aurora', neon: 'Neon',
};
const AUTH_LABELS: Record<string, ImmutaPostgresConnectionForm['authenticationMethod']> = {
  password: 'Username and Password',
  'aws-assumed-role': 'AWS Assumed Role',
  'aws-access-key': 'AWS Access Key and Secret Access Key',
};
const AWS_USER_TYPES: Record<string, string> = {
  'iam-role': 'AWS IAM role',
  'iam-user': 'AWS IAM user',
  'identity-center-user': 'AWS Identity Center user IDs',
  unset: 'Unset (fallback to Immuta username)',
};

export function isAwsDeployment(server: PostgresServer): boolean {
  return server.deployment === 'rds' || server.deployment === 'aurora';
}

/**
 * The Role ARN of Immuta's connection form, per aws-assumed-role server id: the role the AWS
 * access stack creates, named by the same plan (no path, so `role/<name>`). Computed, not
 * read from that stack's state, so the PostgreSQL stack plans before the AWS stack exists.
 */
export function immutaRoleArns(plan: AwsAccessPlan): Record<string, string> {
  return Object.fromEntries(plan.rdsIamAccess.flatMap((a) => (a.authentication.type === 'aws-assumed-role'
    ? [[a.serverId, iamArn(plan.partition, plan.accountId, `role/${a.authentication.roleName}`)]]
    : [])));
}

/** Deterministic names of a server's sensitive variables. */
export function postgresVariableNames(serverId: string) {
  const slug = terraformName(serverId);
  return {
    adminPassword: `${slug}_admin_password`,
    immutaPassword: `${slug}_immuta_password`,
    immutaPasswordVersion: `${slug}_immuta_password_version`,
  };
}

/**
 * Neon has no guaranteed `postgres` database; its projects always have the databases
 * the estate protects, so the provider starts from the first of those.
 */
function maintenanceDatabase(server: PostgresServer): string {
  if (server.deployment !== 'neon') return 'postgres';
  return [...requireImmuta(server).protect.map((p) => p.database)].sort()[0];
}

/** `defaultRegion`: the environment's AWS region, used when the server names none. */
export function postgresAdminConnection(server: PostgresServer, defaultRegion: string): PostgresAdminConnection {
  const iamLogin = isAwsDeployment(server) && server.adminIamAuth;
  return {
    host: server.host,
    port: server.port,
    database: maintenanceDatabase(server),
    username: server.adminUsername,
    sslmode: server.sslMode,
    expectedVersion: String(server.majorVersion),
    superuser: server.deployment === 'self-managed',
    ...(iamLogin ? { rdsIamRegion: server.region ?? defaultRegion } : { passwordVariable: postgresVariableNames(server.id).adminPassword }),
    connectTimeout: POSTGRES_CONNECT_TIMEOUT_SECONDS,
  };
}

export function immutaConnectionForm(server: PostgresServer): ImmutaPostgresConnectionForm {
  const im = requireImmuta(server);
  return {
    deploymentType: DEPLOYMENT_LABELS[server.deployment],
    displayName: im.displayName,
    hostname: server.host,
    port: server.port,
    database: im.database,
    username: im.systemRole,
    authenticationMethod: AUTH_LABELS[im.authentication],
  };
}

export function immutaUserMappings(server: PostgresServer): ImmutaPostgresUserMapping[] {
  return requireImmuta(server).userMappings.map((m) => ({
    immutaUser: m.immutaUser,
    postgres: m.postgres === 'unset'
      ? { option: 'Unset (fallback to Immuta username)' as const }
      : m.postgres === 'none'
        ? { option: 'None (user does not exist in PostgreSQL)' as const }
        : { option: 'PostgreSQL Username' as const, username: m.postgres.username },
    ...(m.aws ? { aws: { userType: AWS_USER_TYPES[m.aws.type], ...(m.aws.value ? { value: m.aws.value } : {}) } } : {}),
  })).sort((a, b) => (a.immutaUser < b.immutaUser ? -1 : a.immutaUser > b.immutaUser ? 1 : 0));
}
