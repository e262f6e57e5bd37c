import { TerraformStack } from 'cdktf';
import { escapeLiteralsBelow } from './private/literal-boundary';
import { assertUniqueTerraformNames } from './private/unique-names';

/**
 * The base of every stack this project synthesizes. Its one job is the text boundary:
 * whatever constructs put into the stack, literal text reaches cdk.tf.json escaped against
 * Terraform template evaluation (stacks/private/literal-boundary.ts), so estate text is
 * always data, never an expression. Expressions are written only as cdktf tokens. It also
 * refuses two elements that would share one Terraform name, which cdktf would merge.
 */
export class EstateStack extends TerraformStack {
  public toTerraform(): any {
    assertUniqueTerraformNames(this);
    escapeLiteralsBelow(this);
    return super.toTerraform();
  }
}
