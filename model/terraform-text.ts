/**
 * Terraform reads `${` and `%{` in any string of a configuration as the start of an
 * interpolation or a directive, and `$${` / `%%{` as the literal text. This is the escape
 * every literal string gets on its way into cdk.tf.json (stacks/private/literal-boundary.ts).
 * Applied exactly once: `$${x}` as estate text becomes `$$${x}` and reads back as `$${x}`.
 */
export function escapeTemplateText(text: string): string {
  return text.replace(/([$%])\{/g, '$1$1{');
}
