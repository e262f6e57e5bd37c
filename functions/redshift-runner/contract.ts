/**
 * What the Redshift runner function receives and returns. The constructs build these
 * objects at synth time and Terraform passes them as the `input` of aws_lambda_invocation
 * (or of the audit data source); the handler reads them. Plain data, no imports: this
 * file is bundled into the function.
 */
import type { RedshiftExpectation } from '../../audit/redshift';

/** The catalog object a step creates or drops; the handler checks it first (Redshift has no IF [NOT] EXISTS for these). */
export interface CatalogObject {
  readonly type: 'user' | 'role' | 'database';
  readonly name: string;
}

/** One SQL statement of a unit. */
export interface Step {
  readonly sql: string;
  /** Skip the step when the object already exists (CREATE USER/ROLE/DATABASE). */
  readonly unlessExists?: CatalogObject;
  /** Skip the step when the object is already gone (DROP USER/ROLE/DATABASE). */
  readonly ifExists?: CatalogObject;
}

/** How the Data API reaches the cluster: connection settings, not part of what a unit does. */
export interface ClusterConnection {
  readonly clusterId: string;
  /** Where statements without a protected database run. */
  readonly adminDatabase: string;
  /** Admin database user (temporary credentials) or the admin secret's ARN. */
  readonly dbUser?: string;
  readonly secretArn?: string;
}

/** What a unit does: a change here runs the old revoke and the new apply. */
export interface UnitContent {
  readonly key: string;
  /** The protected database the statements run in; absent: the connect database. */
  readonly database?: string;
  /** false: every statement runs on its own, outside a transaction (CREATE/DROP DATABASE). */
  readonly transactional: boolean;
  readonly apply: readonly Step[];
  readonly revoke: readonly Step[];
}

/**
 * A read-only catalog query that must return no rows before a unit's revoke runs (objects a
 * user still owns, grants Immuta made onward, holders of a role outside the estate). Not part
 * of what the unit does: a change of the check alone runs no SQL.
 */
export interface Preflight {
  /** Where the query runs; absent: the connect database. */
  readonly database?: string;
  readonly sql: string;
  /** What blocks the revoke and what to do, shown with the rows found. */
  readonly message: string;
}

/** The secret holding a password user's password; the function sends only its md5 form. */
export interface PasswordSource {
  readonly user: string;
  readonly secretArn: string;
  /** The secret's write-only version: a bump re-runs the unit's apply (rotation). */
  readonly version: number;
}

/** Consent to run the revoke of a unit that drops what the stack created. */
export interface DestroyConsent {
  /** The estate field, e.g. `immuta.allowDestroy`. */
  readonly field: string;
  readonly allowDestroy: boolean;
}

/** The input of one unit's aws_lambda_invocation; Terraform adds the `tf` key. */
export interface UnitInput {
  readonly mode: 'unit';
  readonly connection: ClusterConnection;
  readonly unit: UnitContent;
  readonly password?: PasswordSource;
  readonly consent?: DestroyConsent;
  /** Checks that must find nothing before the revoke runs. */
  readonly preflight?: readonly Preflight[];
}

/** The key aws_lambda_invocation adds with lifecycle_scope = "CRUD". */
export interface TerraformLifecycle {
  readonly action: 'create' | 'update' | 'delete';
  /** The previous input (update): an object, or its JSON text. */
  readonly prev_input?: unknown;
}

export interface AuditInput {
  readonly mode: 'audit';
  readonly connection: ClusterConnection;
  readonly expected: RedshiftExpectation;
}

/** The slot a password statement carries in place of the md5 form; only the function fills it. */
export const PASSWORD_SLOT = '{{password_md5}}';

/** Data API limits (Redshift Data API reference). */
export const MAX_BATCH_STATEMENTS = 40;
export const MAX_STATEMENT_BYTES = 100 * 1024;
