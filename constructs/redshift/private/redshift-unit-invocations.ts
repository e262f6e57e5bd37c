import { createHash } from 'crypto';
import { LambdaInvocation } from '@cdktf/provider-aws/lib/lambda-invocation';
import { Fn, ITerraformDependable, TerraformIterator, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { RedshiftUnit } from '../../../model/redshift/plan';
import { RedshiftStatement } from '../../../model/redshift/statements';
import { renderPreflight, renderStatement } from '../../../sql/redshift';
import { ClusterConnection, DestroyConsent, PASSWORD_SLOT, PasswordSource, Step, UnitContent, UnitInput } from '../../../functions/redshift-runner/contract';

export interface RedshiftUnitInvocationsProps {
  /** The runner function's name (deployed first, by the runner stack). */
  readonly functionName: string;
  readonly connection: ClusterConnection;
  /** The units of this block; at least one. */
  readonly units: readonly RedshiftUnit[];
  /** Per password user, the secret the function reads. Required for every unit with `passwordUser`. @default none: no unit sets a password */
  readonly passwords?: Readonly<Record<string, PasswordSource>>;
  /**
   * Consent to drop what these units create. When set, the block refuses destroy
   * (`prevent_destroy`) unless `allowDestroy`, and the function refuses the revoke of a
   * unit whose state says allowDestroy is false (the block may be gone).
   * @default no consent needed: the units only grant
   */
  readonly consent?: DestroyConsent;
  /** Blocks whose units must run first and be revoked last. @default none */
  readonly dependsOn?: ITerraformDependable[];
  /** @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

const UNIT_KEY = /^[a-z0-9_$/-]{1,200}$/;

/**
 * One aws_lambda_invocation block with one instance per unit (for_each keyed by the unit
 * key), lifecycle_scope = "CRUD": Terraform invokes the runner function with
 * `tf.action` create (apply SQL), update (only the connection or the consent changed: no
 * SQL) and delete (revoke SQL), also when the instance or the whole block leaves the
 * configuration, from the input kept in state. A change of what the unit does, or of its
 * password's version, replaces the instance (`triggers`): the old revoke, then the new apply.
 */
export class RedshiftUnitInvocations extends Construct {
  readonly resource: LambdaInvocation;

  constructor(scope: Construct, id: string, props: RedshiftUnitInvocationsProps) {
    super(scope, id);
    if (props.units.length === 0) throw new Error('RedshiftUnitInvocations.units must not be empty: emit no block instead');
    const instances: Record<string, { input: UnitInput; triggers: Record<string, string | number> }> = {};
    for (const u of props.units) {
      if (!UNIT_KEY.test(u.key)) throw new Error(`RedshiftUnitInvocations.units: key ${JSON.stringify(u.key)} must be 1-200 of a-z 0-9 _ $ / -`);
      if (u.key in instances) throw new Error(`RedshiftUnitInvocations.units: key ${u.key} appears twice`);
      const password = u.passwordUser ? props.passwords?.[u.passwordUser] : undefined;
      if (u.passwordUser && !password) throw new Error(`RedshiftUnitInvocations.passwords has no secret for user ${u.passwordUser} (unit ${u.key})`);
      const input = unitInput(u, props.connection, password, props.consent);
      instances[u.key] = {
        input,
        // What the unit does, and the password's version: a change replaces the instance
        // (delete runs the old revoke, create the new apply) instead of updating it, because a
        // failed update keeps the new input in state and would never run again; a failed create
        // or delete does run again. Connection and consent stay updates (no SQL).
        triggers: { unit: createHash('sha256').update(JSON.stringify(input.unit)).digest('hex'), ...(password ? { password_version: password.version } : {}) },
      };
    }
    const each = TerraformIterator.fromMap(instances);
    this.resource = new LambdaInvocation(this, 'units', {
      provider: props.provider,
      forEach: each,
      functionName: props.functionName,
      input: Fn.jsonencode(each.getAny('input')),
      triggers: each.getStringMap('triggers'),
      lifecycleScope: 'CRUD',
      dependsOn: props.dependsOn,
      lifecycle: props.consent && !props.consent.allowDestroy ? { preventDestroy: true } : undefined,
    });
  }
}

/** What one unit's invocation receives (Terraform adds the `tf` key). */
export function unitInput(u: RedshiftUnit, connection: ClusterConnection, password?: PasswordSource, consent?: DestroyConsent): UnitInput {
  const unit: UnitContent = {
    key: u.key,
    ...(u.database !== undefined ? { database: u.database } : {}),
    transactional: u.transactional,
    apply: unitSteps(u.apply),
    revoke: unitSteps(u.revoke),
  };
  return {
    mode: 'unit',
    connection,
    unit,
    ...(password ? { password } : {}),
    ...(consent ? { consent } : {}),
    ...(u.preflight?.length ? { preflight: u.preflight.map(renderPreflight) } : {}),
  };
}

/**
 * A unit's statements as runner steps: the SQL text (sql/redshift.ts renders it; a
 * password is a slot only the function fills) and, for CREATE/DROP of users, roles and
 * databases, the catalog check that makes the step safe to run again.
 */
export function unitSteps(statements: readonly RedshiftStatement[]): Step[] {
  return statements.flatMap((s) => renderStatement(s, () => `'${PASSWORD_SLOT}'`).map((sql) => ({ sql, ...guard(s) })));
}

function guard(s: RedshiftStatement): Pick<Step, 'unlessExists' | 'ifExists'> {
  switch (s.kind) {
    case 'createUser': return { unlessExists: { type: 'user', name: s.user } };
    case 'createRole': return { unlessExists: { type: 'role', name: s.role } };
    case 'createDatabase': return { unlessExists: { type: 'database', name: s.database } };
    case 'dropUser': return { ifExists: { type: 'user', name: s.user } };
    case 'dropRole': return { ifExists: { type: 'role', name: s.role } };
    case 'dropDatabase': return { ifExists: { type: 'database', name: s.database } };
    default: return {};
  }
}
