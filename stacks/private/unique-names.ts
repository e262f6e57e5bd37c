import { TerraformDataSource, TerraformElement, TerraformOutput, TerraformResource, TerraformVariable } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * cdktf merges the JSON of every element, so two elements that end up with one Terraform
 * name (a variable, an output, a resource of one type) would silently become one. The
 * estate's consistency rules prevent the collisions they know of; this refuses any other.
 */
export function assertUniqueTerraformNames(stack: IConstruct): void {
  const seen = new Map<string, string>();
  for (const node of stack.node.findAll()) {
    const block = blockOf(node);
    if (!block) continue;
    const key = `${block} ${(node as TerraformElement).friendlyUniqueId}`;
    const first = seen.get(key);
    if (first) throw new Error(`stack ${stack.node.id}: ${first} and ${node.node.path} would both be ${key}`);
    seen.set(key, node.node.path);
  }
}

function blockOf(node: IConstruct): string | undefined {
  if (node instanceof TerraformVariable) return 'variable';
  if (node instanceof TerraformOutput) return 'output';
  if (node instanceof TerraformResource) return `resource ${node.terraformResourceType}`;
  if (node instanceof TerraformDataSource) return `data ${node.terraformResourceType}`;
  return undefined;
}
