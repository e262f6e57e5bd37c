import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';

/**
 * An output under a fixed name (not derived from the construct path), so the names users
 * script against (`terraform output -raw ...`) survive refactoring of the construct tree.
 */
export function namedOutput(scope: Construct, name: string, value: string, description: string, sensitive = false): TerraformOutput {
  return new TerraformOutput(scope, name, { staticId: true, value, description, sensitive });
}
