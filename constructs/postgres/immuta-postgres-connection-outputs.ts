import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { PostgresServer } from '../../estate/schema';
import { assertPostgresServer } from '../../model/postgres/checks';
import { immutaConnectionForm, immutaUserMappings, serverSlug } from '../../model/postgres/connection';

export interface ImmutaPostgresConnectionOutputsProps {
  /** The PostgreSQL server from the estate, with its immuta section. */
  readonly server: PostgresServer;
  /**
   * The Role ARN field of the form, for aws-assumed-role authentication: the role the AWS
   * access stack creates (which outputs it too). Refused for the other authentications.
   */
  readonly roleArn?: string;
}

/**
 * What a person types into Immuta after `cdktf deploy` (Immuta's PostgreSQL requirements): the connection form
 * (display name, hostname, port, database, username) and the External User Mapping of
 * each Immuta user. No secrets: the password stays in the variable it came from.
 */
export class ImmutaPostgresConnectionOutputs extends Construct {
  constructor(scope: Construct, id: string, props: ImmutaPostgresConnectionOutputsProps) {
    super(scope, id);
    assertPostgresServer(props.server, 'ImmutaPostgresConnectionOutputs', 'props.server');
    const assumedRole = props.server.immuta?.authentication === 'aws-assumed-role';
    if (props.roleArn !== undefined && !assumedRole) {
      throw new Error(`ImmutaPostgresConnectionOutputs: props.roleArn is only for aws-assumed-role authentication (server ${props.server.id})`);
    }
    const slug = serverSlug(props.server.id);
    const form = immutaConnectionForm(props.server);
    new TerraformOutput(this, 'connection', {
      description: `Immuta "Add Connection" form for PostgreSQL server ${props.server.id} (Immuta's PostgreSQL requirements)`,
      value: assumedRole ? { ...form, roleArn: props.roleArn, externalId: props.server.immuta!.externalId } : form,
    }).overrideLogicalId(`${slug}_immuta_connection`);
    new TerraformOutput(this, 'user_mapping', {
      description: `Immuta External User Mapping for ${props.server.id}, as JSON (Immuta's PostgreSQL requirements, "Map users")`,
      value: JSON.stringify(immutaUserMappings(props.server), null, 2),
    }).overrideLogicalId(`${slug}_immuta_user_mapping`);
  }
}
