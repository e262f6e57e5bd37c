import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { Fn, Op, TerraformProvider, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { terraformName } from '../../../model/terraform-names';
import { redshiftPasswordSecretName } from '../../../model/redshift/plan';

export interface RedshiftPasswordSecretProps {
  readonly envName: string;
  readonly clusterId: string;
  /** The Redshift user whose password this is. */
  readonly user: string;
  /** Estate field the user comes from, for the variable's description. */
  readonly field: string;
  /** The provider of the cluster's region. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/**
 * A password user's password: an ephemeral, sensitive variable written to a Secrets
 * Manager secret through the write-only `secret_string_wo`, so it is in neither state nor
 * plan. The runner function reads the secret and sends Redshift only the md5 form. A
 * second variable is the write-only version: increasing it writes the new password, and
 * the password unit (whose input carries the version) runs again: that is rotation.
 */
export class RedshiftPasswordSecret extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly version: SecretsmanagerSecretVersion;
  /** The version variable's value, part of the password unit's input. */
  readonly versionNumber: number;

  constructor(scope: Construct, id: string, props: RedshiftPasswordSecretProps) {
    super(scope, id);
    const name = passwordVariableName(props.clusterId, props.user);
    const password = new TerraformVariable(this, 'password', {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: `Password of Redshift user ${props.user} on cluster ${props.clusterId} (${props.field}). Written only to a Secrets Manager secret (write-only argument); Redshift receives only its md5 form. Needed on every run; change it together with ${name}_version.`,
    });
    password.overrideLogicalId(name);
    const pw = password.stringValue;
    // Redshift's password rules (CREATE USER): 8-64 characters with upper, lower case and a digit.
    password.addValidation({
      condition: [Op.gte(Fn.lengthOf(pw), 8), Op.lte(Fn.lengthOf(pw), 64), ...['[A-Z]', '[a-z]', '[0-9]'].map((re) => Fn.can(Fn.regex(re, pw)))].reduce((a, b) => Op.and(a, b)),
      errorMessage: 'The password must be 8 to 64 characters with at least one upper-case letter, one lower-case letter and one digit (Redshift CREATE USER).',
    });
    // cdktf 0.21 predates ephemeral variables (Terraform 1.10): never saved in a plan file.
    password.addOverride('ephemeral', true);
    const version = new TerraformVariable(this, 'version', {
      type: 'number',
      default: 1,
      nullable: false,
      description: `Increase to write a new ${name} to its secret and set it in Redshift (rotation).`,
    });
    version.overrideLogicalId(`${name}_version`);
    this.versionNumber = version.numberValue;

    this.secret = new SecretsmanagerSecret(this, 'secret', {
      provider: props.provider,
      name: redshiftPasswordSecretName(props.envName, props.clusterId, props.user),
      description: `Password of Redshift user ${props.user} on cluster ${props.clusterId}, read by the Redshift runner function`,
      // The variable is the source of truth: nothing is lost, and a re-added user can reuse the name.
      recoveryWindowInDays: 0,
    });
    this.version = new SecretsmanagerSecretVersion(this, 'value', {
      provider: props.provider,
      secretId: this.secret.id,
      secretStringWo: password.stringValue,
      secretStringWoVersion: version.numberValue,
    });
  }
}

/** Terraform variable name, usable as TF_VAR_<name>: hyphens of the cluster id become underscores. */
export function passwordVariableName(clusterId: string, user: string): string {
  return terraformName('redshift', clusterId, user, 'password');
}
