import { Json, JsonObject, blocksOf, firstDifference, isObject, withoutMetadata } from './tf-json';

/**
 * A provider-free copy of synthesized stacks for timing Terraform's own graph work
 * (`plan -refresh=false`) where the real providers cannot run: the postgresql provider is not
 * on this machine, and the AWS stacks would need an account. Every resource and data source
 * becomes a `terraform_data` resource (built into Terraform) with the same for_each keys or
 * count, its attributes as `input` and its references and depends_on edges kept, so the graph
 * has the same nodes and edges. What a stand-in leaves out: provider blocks, the backend (state
 * is local), lifecycle, provisioners and check blocks (see STAND_IN_OMITS).
 */
export const STAND_IN_OMITS = 'providers, the backend, lifecycle, provisioners and check blocks';

/** Meta-arguments a stand-in keeps as they are; everything else but what it drops becomes `input`. */
const KEPT = new Set(['for_each', 'count']);
const DROPPED = new Set(['//', 'provider', 'lifecycle', 'provisioner', 'connection', 'depends_on']);

/** A stand-in resource name that says what it stands for: `<prefix><type>__<name>`, data sources `data__…`. */
function standInName(prefix: string, kind: 'resource' | 'data', type: string, name: string): string {
  return `${prefix}${kind === 'data' ? 'data__' : ''}${type}__${name}`;
}

/** A variable with a default of its type, so the stand-in plans without -var. */
function standInVariable(name: string, body: Json): JsonObject {
  const type = isObject(body) && typeof body.type === 'string' ? body.type : 'string';
  const defaults: Record<string, Json> = { string: 'stand-in', number: 0, bool: false };
  if (!(type in defaults)) throw new Error(`stand-in: variable ${name} has type ${type}; only string, number and bool get a default`);
  return { type, default: defaults[type], ...(isObject(body) && body.sensitive === true ? { sensitive: true } : {}) };
}

/**
 * Rewrites the references of one stack's expressions to its stand-ins: `T.N[k].attr…` and
 * `data.T.N.attr…` become `terraform_data.<stand-in>[k].id` (an attribute a stand-in has; the
 * edge is what matters), `var.X` becomes `var.<prefix>X`.
 */
export function referenceRewriter(doc: JsonObject, prefix: string): (text: string) => string {
  const names = new Map<string, string>();
  for (const [type, name] of blocksOf(doc.resource)) names.set(`${type}.${name}`, standInName(prefix, 'resource', type, name));
  for (const [type, name] of blocksOf(doc.data)) names.set(`data.${type}.${name}`, standInName(prefix, 'data', type, name));
  const ref = /(?<![\w.-])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*)((?:\[(?:"[^"]*"|[^\]]*)\])?)((?:\.[A-Za-z_][\w-]*|\[[^\]]*\])*)/g;
  const interpolation = /\$\{((?:[^{}]|\{[^{}]*\})*)\}/g;
  const inExpression = (expr: string) => expr.replace(ref, (m, address: string, index: string) => {
    const name = names.get(address);
    if (name) return `terraform_data.${name}${index}.id`;
    return address.startsWith('var.') ? `var.${prefix}${m.slice(4)}` : m;
  });
  return (text) => text.replace(interpolation, (_whole, expr: string) => `\${${inExpression(expr)}}`);
}

function mapStrings(value: Json, fn: (s: string) => string): Json {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}

/** `aws_iam_role.x` or `data.aws_x.y` in depends_on, as the stand-in's address. */
function dependsOnRewriter(doc: JsonObject, prefix: string): (address: string) => string {
  return (address) => {
    const parts = address.split('.');
    const isData = parts[0] === 'data';
    const [type, name] = isData ? parts.slice(1) : parts;
    const section = isData ? doc.data : doc.resource;
    if (!isObject(section) || !isObject(section[type]) || !isObject(section[type][name])) {
      throw new Error(`stand-in: depends_on names ${address}, which the stack does not define`);
    }
    return `terraform_data.${standInName(prefix, isData ? 'data' : 'resource', type, name)}`;
  };
}

/**
 * Two blocks of the same name from different stacks: one block if they are equal, or equal
 * apart from their for_each maps (united: the block as one stack per server wrote it).
 */
function folded(name: string, a: Json, b: Json): Json {
  if (isObject(a) && isObject(b) && isObject(a.for_each) && isObject(b.for_each)
    && firstDifference({ ...a, for_each: null }, { ...b, for_each: null }) === undefined) {
    const clash = Object.keys(b.for_each).find((k) => k in (a.for_each as JsonObject));
    if (clash === undefined) return { ...a, for_each: { ...a.for_each, ...b.for_each } };
    throw new Error(`stand-in: two blocks named ${name} both have the for_each key ${clash}`);
  }
  if (firstDifference(a, b) === undefined) return a;
  throw new Error(`stand-in: two different blocks are named ${name}`);
}

export interface StandInSource {
  /** The synthesized cdk.tf.json. */
  readonly doc: JsonObject;
  /**
   * Prepended to every block, variable and output name. Sources with the same prefix share
   * one namespace: same-named blocks are folded into one (see folded).
   */
  readonly prefix: string;
}

/**
 * One Terraform JSON document standing in for one or more stacks in one state. Pure; throws
 * when two blocks of one name cannot be folded.
 */
export function standInDocument(sources: readonly StandInSource[]): JsonObject {
  const resources: JsonObject = {};
  const variables: JsonObject = {};
  const outputs: JsonObject = {};
  const add = (into: JsonObject, name: string, body: Json) => {
    into[name] = name in into ? folded(name, into[name], body) : body;
  };
  for (const { doc, prefix } of sources) {
    const rewrite = referenceRewriter(doc, prefix);
    const dependsOn = dependsOnRewriter(doc, prefix);
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, name, body] of blocksOf(doc[kind])) {
        const input = Object.fromEntries(Object.entries(body).filter(([k]) => !KEPT.has(k) && !DROPPED.has(k)));
        const kept = Object.fromEntries(Object.entries(body).filter(([k]) => KEPT.has(k)));
        const deps = Array.isArray(body.depends_on) ? body.depends_on.map((d) => dependsOn(String(d))) : [];
        add(resources, standInName(prefix, kind, type, name), {
          ...(mapStrings(kept, rewrite) as JsonObject),
          ...(Object.keys(input).length > 0 ? { input: mapStrings(withoutMetadata(input), rewrite) } : {}),
          ...(deps.length > 0 ? { depends_on: deps } : {}),
        });
      }
    }
    for (const [name, body] of Object.entries(isObject(doc.variable) ? doc.variable : {})) add(variables, `${prefix}${name}`, standInVariable(name, body));
    for (const [name, body] of Object.entries(isObject(doc.output) ? doc.output : {})) {
      if (!isObject(body)) continue;
      add(outputs, `${prefix}${name}`, { value: mapStrings(body.value ?? null, rewrite), ...(body.sensitive === true ? { sensitive: true } : {}) });
    }
  }
  return {
    ...(Object.keys(resources).length > 0 ? { resource: { terraform_data: resources } } : {}),
    ...(Object.keys(variables).length > 0 ? { variable: variables } : {}),
    ...(Object.keys(outputs).length > 0 ? { output: outputs } : {}),
  };
}
