import { Fn, ITerraformDependable, ref, TerraformIterator, TerraformResource, Token } from 'cdktf';
import { Construct } from 'constructs';
import { CLUSTER_ID_PATTERN, REGION_PATTERN } from '../../estate/names';
import { RedshiftAdminAuth, RedshiftUnit, unitDatabase } from '../../model/redshift/plan';
import { PASSWORD_MD5_TOKEN, renderStatements } from '../../sql/redshift';
import { DATA_API_RUNNER_INTERPRETER, DATA_API_RUNNER_SCRIPT } from './data-api-runner';

export interface RedshiftStatementUnitsProps {
  /** Cluster identifier the Data API targets. */
  readonly clusterId: string;
  /** Region of the cluster (the Data API endpoint). */
  readonly region: string;
  /** How the Data API authenticates: temporary credentials for a database user, or a secret. */
  readonly auth: RedshiftAdminAuth;
  /** The cluster's connect database: where units without a database of their own run. */
  readonly adminDatabase: string;
  /** The units of one tier; may be empty, and the resource block is emitted anyway. */
  readonly units: readonly RedshiftUnit[];
  /**
   * Per unit key, a Terraform expression giving the md5 password form for the unit's
   * `passwordUser`. Substituted at create time only, so it never reaches the state.
   */
  readonly passwordMd5?: Readonly<Record<string, string>>;
  /** Resources whose statements must run first (and be revoked last). */
  readonly dependsOn?: ITerraformDependable[];
}

const UNIT_KEY = /^[a-z0-9_$/-]{1,200}$/;
/** A nested attribute of each.value (cdktf's getString would index it as one key, "unit.operation"). */
const UNIT_OPERATION = Token.asString(ref('each.value.unit.operation'));
const self = (attribute: string) => Token.asString(ref(`self.input.${attribute}`));

/** What a unit does, and all it does: the instance's `triggers_replace`. */
export interface UnitTriggers {
  readonly operation: 'batch-execute-statement' | 'execute-statement';
  /** Only for units that run in a protected database; cluster-level units have none. */
  readonly database?: string;
  readonly apply: readonly string[];
  readonly revoke: readonly string[];
}

/** One for_each value: the triggers, and the Data API requests that carry the connection. */
export interface UnitInstance {
  readonly unit: UnitTriggers;
  readonly apply_request: string;
  readonly revoke_request: string;
}

/**
 * One `terraform_data` resource with one instance per unit (for_each keyed by the unit
 * key). Creating an instance runs the unit's apply SQL through the Redshift Data API;
 * destroying it runs the revoke SQL. `triggers_replace` holds what the unit does
 * (operation, protected database, apply and revoke SQL), so an edited unit is revoked and
 * granted again, and a unit dropped from the estate is revoked. How the Data API connects
 * (cluster, admin credentials, connect database, region) is only in `input`: changing it
 * updates every instance in place, runs no SQL, and the next revoke uses the new
 * connection. The block exists even with no units: Terraform runs destroy provisioners
 * only for resource blocks still in the configuration (docs/redshift-mechanism.md).
 */
export class RedshiftStatementUnits extends Construct {
  /** The resource, for depends_on of the next tier. */
  readonly resource: TerraformResource;

  constructor(scope: Construct, id: string, props: RedshiftStatementUnitsProps) {
    super(scope, id);
    if (!CLUSTER_ID_PATTERN.test(props.clusterId)) throw new Error(`RedshiftStatementUnits.clusterId ${JSON.stringify(props.clusterId)} must be a Redshift cluster identifier`);
    if (!REGION_PATTERN.test(props.region)) throw new Error(`RedshiftStatementUnits.region ${JSON.stringify(props.region)} must be an AWS region code`);
    const keys = new Set<string>();
    for (const u of props.units) {
      if (!UNIT_KEY.test(u.key)) throw new Error(`RedshiftStatementUnits.units: key ${JSON.stringify(u.key)} must be 1-200 of a-z 0-9 _ $ / -`);
      if (keys.has(u.key)) throw new Error(`RedshiftStatementUnits.units: key ${u.key} appears twice`);
      keys.add(u.key);
      if (u.passwordUser && !props.passwordMd5?.[u.key]) throw new Error(`RedshiftStatementUnits.passwordMd5 has no entry for unit ${u.key}, which sets the password of user ${u.passwordUser}`);
    }

    const map: Record<string, UnitInstance> = {};
    for (const u of props.units) {
      const apply = renderStatements(u.apply);
      const revoke = renderStatements(u.revoke);
      map[u.key] = {
        unit: {
          operation: u.transactional ? 'batch-execute-statement' : 'execute-statement',
          ...(u.database !== undefined ? { database: u.database } : {}),
          apply,
          revoke,
        },
        apply_request: dataApiRequest(props, u, apply),
        revoke_request: dataApiRequest(props, u, revoke),
      };
    }
    const each = TerraformIterator.fromMap(map);
    const applyRequest = props.units.some((u) => u.passwordUser)
      // Only password units are in the map, so adding or removing any other unit leaves this
      // expression (shared by every instance) unchanged. cdktf renders lookup() as an index
      // without its default; try() supplies it.
      ? Fn.replace(each.getString('apply_request'), PASSWORD_MD5_TOKEN, Fn.try([
        Fn.lookup(Object.fromEntries(props.units.filter((u) => u.passwordUser).map((u) => [u.key, props.passwordMd5![u.key]])), each.key, ''),
        '',
      ]))
      : each.getString('apply_request');
    const environment = (operation: string, req: string) => ({ RS_OPERATION: operation, RS_REGION: self('region'), RS_REQUEST: req });

    // A plain TerraformResource rather than cdktf's DataResource: that class runs
    // `terraform version` on every synth, which made synthesis need terraform on PATH.
    this.resource = new TerraformResource(this, 'units', {
      terraformResourceType: 'terraform_data',
      forEach: each,
      dependsOn: props.dependsOn,
      provisioners: [
        { type: 'local-exec', interpreter: DATA_API_RUNNER_INTERPRETER, command: DATA_API_RUNNER_SCRIPT, environment: environment(UNIT_OPERATION, applyRequest) },
        // Destroy-time provisioners may read only self: everything they need is in input.
        { type: 'local-exec', when: 'destroy', interpreter: DATA_API_RUNNER_INTERPRETER, command: DATA_API_RUNNER_SCRIPT, environment: environment(self('revoke_operation'), self('revoke_request')) },
      ],
    });
    // input: updated in place (no provisioner runs) when only the connection changes.
    this.resource.addOverride('input', { region: props.region, revoke_operation: UNIT_OPERATION, revoke_request: each.getString('revoke_request') });
    this.resource.addOverride('triggers_replace', each.getAny('unit'));
  }
}

/** The request body for --cli-input-json; StatementName shows the unit in the Data API history. */
function dataApiRequest(props: RedshiftStatementUnitsProps, unit: RedshiftUnit, sqls: string[]): string {
  const auth = 'dbUser' in props.auth ? { DbUser: props.auth.dbUser } : { SecretArn: props.auth.secretArn };
  const body = unit.transactional ? { Sqls: sqls } : { Sql: sqls[0] };
  return JSON.stringify({ ClusterIdentifier: props.clusterId, Database: unitDatabase(unit, props.adminDatabase), ...auth, ...body, StatementName: `terraform:${unit.key}` });
}
