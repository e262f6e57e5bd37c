import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { ImmutaPostgresConnectionForm, ImmutaPostgresUserMapping, serverSlug } from '../../model/postgres/connection';

export interface ImmutaPostgresConnectionOutputsProps {
  /** The server's id from the estate: it names the outputs. */
  readonly serverId: string;
  /** The values of Immuta's connection form (PostgresServerPlan.form). */
  readonly form: ImmutaPostgresConnectionForm;
  /** Each Immuta user's External User Mapping (PostgresServerPlan.userMappings). */
  readonly userMappings: readonly ImmutaPostgresUserMapping[];
  /**
   * aws-assumed-role authentication: the Role ARN (the role the AWS access stack creates) and
   * external id the form also asks for.
   * @default none: password or access-key authentication
   */
  readonly assumedRole?: { readonly roleArn: string; readonly externalId?: string };
}

/**
 * What a person types into Immuta after `cdktf deploy` (Immuta's PostgreSQL requirements): the
 * connection form (display name, hostname, port, database, username) and the External User
 * Mapping of each Immuta user. No secrets: the password stays in the variable it came from.
 */
export class ImmutaPostgresConnectionOutputs extends Construct {
  constructor(scope: Construct, id: string, props: ImmutaPostgresConnectionOutputsProps) {
    super(scope, id);
    const slug = serverSlug(props.serverId);
    new TerraformOutput(this, 'connection', {
      description: `Immuta "Add Connection" form for PostgreSQL server ${props.serverId} (Immuta's PostgreSQL requirements)`,
      value: props.assumedRole ? { ...props.form, ...props.assumedRole } : props.form,
    }).overrideLogicalId(`${slug}_immuta_connection`);
    new TerraformOutput(this, 'user_mapping', {
      description: `Immuta External User Mapping for ${props.serverId}, as JSON (Immuta's PostgreSQL requirements, "Map users")`,
      value: JSON.stringify(props.userMappings, null, 2),
    }).overrideLogicalId(`${slug}_immuta_user_mapping`);
  }
}
