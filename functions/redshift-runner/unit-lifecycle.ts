/**
 * What one unit's invocation does for each Terraform action:
 *   create  the unit's apply steps;
 *   update  nothing when only connection settings or the consent flag changed; the apply
 *           steps when only the password's version changed (rotation); otherwise the old
 *           revoke steps, then the new apply steps;
 *   delete  the revoke steps, refused for a unit that drops what the stack created unless
 *           its consent flag (in the state's input) allows it.
 * Every step is safe to run twice: GRANT, REVOKE and ALTER are idempotent in Redshift,
 * and CREATE/DROP of users, roles and databases are checked against the catalog first.
 */
import { createHash } from 'crypto';
import { CatalogObject, PASSWORD_SLOT, PasswordSource, Step, TerraformLifecycle, UnitContent, UnitInput } from './contract';
import { DataApi, Target } from './data-api';

export interface UnitResult {
  readonly key: string;
  readonly action: TerraformLifecycle['action'];
  /** What ran: `apply`, `revoke`, both, or nothing. Deterministic, kept in state. */
  readonly ran: readonly ('revoke' | 'apply')[];
}

export interface UnitDeps {
  readonly dataApi: DataApi;
  /** The secret's current string: the password. */
  readonly readSecret: (secretArn: string) => Promise<string>;
}

export type UnitEvent = UnitInput & { readonly tf?: TerraformLifecycle };

export async function runUnit(event: UnitEvent, deps: UnitDeps): Promise<UnitResult> {
  const action = event.tf?.action;
  const key = event.unit.key;
  if (action === 'create') {
    await runSteps(event, 'apply', deps);
    return { key, action, ran: ['apply'] };
  }
  if (action === 'delete') {
    refuseWithoutConsent(event);
    await runSteps(event, 'revoke', deps);
    return { key, action, ran: ['revoke'] };
  }
  if (action === 'update') {
    const prev = previousInput(event);
    if (sameContent(prev.unit, event.unit)) {
      if (!passwordChanged(prev.password, event.password)) return { key, action, ran: [] };
      await runSteps(event, 'apply', deps);
      return { key, action, ran: ['apply'] };
    }
    // The old revoke runs with the current connection: the credentials that work now.
    refuseWithoutConsent(prev);
    await runSteps({ ...prev, connection: event.connection }, 'revoke', deps);
    await runSteps(event, 'apply', deps);
    return { key, action, ran: ['revoke', 'apply'] };
  }
  throw new Error(`unit ${key}: the invocation has no tf.action (expected create, update or delete): the aws_lambda_invocation must use lifecycle_scope = "CRUD"`);
}

function previousInput(event: UnitEvent): UnitInput {
  const raw = event.tf?.prev_input;
  const prev = (typeof raw === 'string' ? JSON.parse(raw) : raw) as UnitInput | undefined | null;
  if (!prev?.unit) throw new Error(`unit ${event.unit.key}: update without the previous input (tf.prev_input)`);
  return prev;
}

/** What the unit does; connection settings and the consent flag are not part of it. */
function sameContent(a: UnitContent, b: UnitContent): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(u: UnitContent) {
  return { key: u.key, database: u.database ?? null, transactional: u.transactional, apply: u.apply, revoke: u.revoke };
}

function passwordChanged(a: PasswordSource | undefined, b: PasswordSource | undefined): boolean {
  return JSON.stringify(a ?? null) !== JSON.stringify(b ?? null);
}

function refuseWithoutConsent(input: UnitInput): void {
  const c = input.consent;
  if (!c || c.allowDestroy) return;
  throw new Error(
    `unit ${input.unit.key} on cluster ${input.connection.clusterId} drops what the stack created and ${c.field} is false, so its revoke was refused. ` +
    `To remove it: put the block back as it was with ${c.field}: true, run the deploy (this runs no SQL), then remove it and deploy again.`,
  );
}

async function runSteps(input: UnitInput, direction: 'apply' | 'revoke', deps: UnitDeps): Promise<void> {
  const { unit, connection } = input;
  const label = `unit ${unit.key} (${direction}) on cluster ${connection.clusterId}`;
  const clusterTarget: Target = { connection, database: connection.adminDatabase, statementName: `terraform:${unit.key}`, label };
  if (direction === 'revoke') await preflight(input, clusterTarget, deps.dataApi);
  const steps = await pending(unit[direction], clusterTarget, deps.dataApi);
  if (steps.length === 0) return;

  let sqls = steps.map((s) => s.sql);
  let secretForm: string | undefined;
  if (sqls.some((s) => s.includes(PASSWORD_SLOT))) {
    if (!input.password) throw new Error(`${label}: a statement needs a password but the unit names no password secret`);
    secretForm = md5Form(await deps.readSecret(input.password.secretArn), input.password.user);
    sqls = sqls.map((s) => s.split(PASSWORD_SLOT).join(secretForm));
  }
  const redact = (text: string) => (secretForm ? text.split(secretForm).join('md5<redacted>') : text);
  const target: Target = { ...clusterTarget, database: unit.database ?? connection.adminDatabase };
  await deps.dataApi.run(target, sqls, unit.transactional, redact);
}

/**
 * Runs the unit's checks before a revoke: Redshift's REVOKE has no CASCADE and DROP USER
 * leaves objects in other databases orphaned, so what would block or orphan is named
 * instead of a bare Data API error, and nothing of the unit runs.
 */
async function preflight(input: UnitInput, target: Target, dataApi: DataApi): Promise<void> {
  for (const check of input.preflight ?? []) {
    const rows = await dataApi.query({ ...target, database: check.database ?? input.connection.adminDatabase }, check.sql);
    if (rows.length === 0) continue;
    const shown = rows.slice(0, 20).map((r) => `  ${Object.values(r).map((v) => (v === null ? '' : String(v))).join(' ')}`);
    throw new Error(`${target.label}: ${check.message}\n${shown.join('\n')}${rows.length > 20 ? `\n  ... ${rows.length - 20} more` : ''}`);
  }
}

/** Drops the steps whose catalog check says they are done already. */
async function pending(steps: readonly Step[], target: Target, dataApi: DataApi): Promise<Step[]> {
  const out: Step[] = [];
  for (const step of steps) {
    if (step.unlessExists && await exists(step.unlessExists, target, dataApi)) continue;
    if (step.ifExists && !await exists(step.ifExists, target, dataApi)) continue;
    out.push(step);
  }
  return out;
}

/** Catalog lookups with a bound parameter: no name is ever spliced into this SQL. */
export const EXISTS_SQL: Readonly<Record<CatalogObject['type'], string>> = {
  user: 'SELECT usename FROM pg_user WHERE usename = :name',
  role: 'SELECT role_name FROM svv_roles WHERE role_name = :name',
  database: 'SELECT datname FROM pg_database WHERE datname = :name',
};

async function exists(object: CatalogObject, target: Target, dataApi: DataApi): Promise<boolean> {
  return (await dataApi.query(target, EXISTS_SQL[object.type], { name: object.name })).length > 0;
}

/** Redshift's md5 password form: 'md5' || md5(password || username). */
export function md5Form(password: string, user: string): string {
  return `md5${createHash('md5').update(password + user).digest('hex')}`;
}
