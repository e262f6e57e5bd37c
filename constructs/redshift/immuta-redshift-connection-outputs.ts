import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { terraformName } from '../../model/terraform-names';
import { CLUSTER_ID_PATTERN } from '../../estate/names';
import { ImmutaRedshiftConnection } from '../../model/redshift/plan';

export interface ImmutaRedshiftConnectionOutputsProps {
  /** Cluster identifier, used in the output names. */
  readonly clusterId: string;
  /** What Immuta's "Add Connection" form and user mapping need (Immuta's Redshift requirements). */
  readonly connection: ImmutaRedshiftConnection;
}

/**
 * Outputs for Immuta's Amazon Redshift connection form (display name, hostname, port,
 * database, username) and the External User Mapping (Immuta user to Redshift username).
 * The password is not an output: whoever fills the form already holds the variable.
 */
export class ImmutaRedshiftConnectionOutputs extends Construct {
  constructor(scope: Construct, id: string, props: ImmutaRedshiftConnectionOutputsProps) {
    super(scope, id);
    const c = props.connection;
    if (!CLUSTER_ID_PATTERN.test(props.clusterId)) throw new Error(`ImmutaRedshiftConnectionOutputs.clusterId ${JSON.stringify(props.clusterId)} must be a Redshift cluster identifier`);
    if (c.displayName.includes('.')) throw new Error('ImmutaRedshiftConnectionOutputs.connection.displayName must not contain a period (Immuta\'s Redshift requirements)');
    const prefix = terraformName('redshift', props.clusterId);
    new TerraformOutput(this, 'connection', {
      staticId: true,
      description: `Immuta connection form for Redshift cluster ${props.clusterId} (Immuta's Redshift requirements, "Register the connection")`,
      value: { display_name: c.displayName, hostname: c.hostname, port: c.port, database: c.database, username: c.username, authentication: c.authentication },
    }).overrideLogicalId(`${prefix}_immuta_connection`);
    new TerraformOutput(this, 'user_mapping', {
      staticId: true,
      description: `Immuta External User Mapping, Redshift User row, for cluster ${props.clusterId} (Immuta's Redshift requirements, "Map users")`,
      value: Object.fromEntries(c.userMappings.map((m) => [m.immutaUser, m.redshiftUser])),
    }).overrideLogicalId(`${prefix}_immuta_user_mapping`);
  }
}
