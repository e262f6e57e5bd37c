import { IResolvable, TerraformElement, Tokenization } from 'cdktf';
import { Intrinsic } from 'cdktf/lib/tokens/private/intrinsic';
import { IConstruct } from 'constructs';
import { escapeTemplateText } from '../../model/terraform-text';

/**
 * The one boundary where text becomes Terraform text. Every element's configuration is
 * walked before cdktf resolves it: literal text, in values and in object keys, is escaped
 * against template evaluation; cdktf tokens (references, functions, iterators) stay live,
 * because they are the only way this project writes an expression. Estate text therefore
 * never turns into code, whichever field carries it and whichever construct writes it.
 */

/** cdktf's encoding of a string token: `${TfToken[TOKEN.<n>]}`. */
const STRING_TOKEN = /\$\{TfToken\[[A-Za-z0-9_.]+\]\}/g;
const wrapped = new WeakSet<TerraformElement>();

/** Makes every element under `scope` emit escaped literals; idempotent. */
export function escapeLiteralsBelow(scope: IConstruct): void {
  for (const node of scope.node.findAll()) {
    if (!(node instanceof TerraformElement) || wrapped.has(node)) continue;
    wrapped.add(node);
    const element = node as TerraformElement & { toTerraform(): unknown };
    const toTerraform = element.toTerraform.bind(element);
    element.toTerraform = () => escapeLiterals(toTerraform());
  }
}

/** A copy of `value` with all literal text escaped; tokens are kept. Exported for tests. */
export function escapeLiterals(value: unknown): any {
  if (typeof value === 'string') return escapeString(value);
  if (Array.isArray(value)) return value.map(escapeLiterals);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeString(k), escapeLiterals(v)]));
  }
  // Numbers, booleans, null, and tokens held as objects (IResolvable) pass unchanged.
  return value;
}

function escapeString(text: string): any {
  const tokens = text.match(STRING_TOKEN) ?? [];
  const literals = text.split(STRING_TOKEN);
  // A string that is one token wrapping plain data (cdktf's Token.asString of a map, as in
  // for_each) is that data: inline it so its text is escaped too.
  if (tokens.length === 1 && literals.every((l) => l === '')) {
    const data = plainData(tokens[0]);
    if (data !== undefined) return escapeLiterals(data);
  }
  return literals.map((lit, i) => escapeTemplateText(lit) + (tokens[i] ?? '')).join('');
}

function plainData(token: string): unknown {
  const [resolvable] = Tokenization.reverseString(token).tokens as IResolvable[];
  // Only cdktf's plain wrapper; its subclasses (references, function calls) are expressions.
  if (!resolvable || Object.getPrototypeOf(resolvable) !== Intrinsic.prototype) return undefined;
  const data = (resolvable as unknown as { value: unknown }).value;
  return typeof data === 'string' || Array.isArray(data) || isPlainObject(data) ? data : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
