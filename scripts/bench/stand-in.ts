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
 * Rewrites the references of one stack's expressions to its stand-ins (`names`: address to
 * stand-in name): `T.N[k].attr…` and `data.T.N.attr…` become `terraform_data.<stand-in>[k].id`
 * (an attribute a stand-in has; the edge is what matters), `var.X` becomes `var.<prefix>X`.
 */
export function referenceRewriter(names: ReadonlyMap<string, string>, prefix: string): (text: string) => string {
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

/** A block already in the document, and what another stack's block must equal to fold into it. */
interface Variant {
  readonly name: string;
  /** The synthesized body without metadata and for_each. */
  readonly shape: Json;
  readonly keys: Set<string>;
}

/**
 * The stand-in name for each block of one stack, keyed by its address. A for_each block folds
 * into an earlier stack's block of the same name whose body is the same apart from for_each
 * (as one stack per server held them); any other block of a name already taken gets a suffix.
 */
function chooseNames(doc: JsonObject, prefix: string, variants: Map<string, Variant[]>): { names: Map<string, string>; folds: Set<string> } {
  const names = new Map<string, string>();
  const folds = new Set<string>();
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, name, body] of blocksOf(doc[kind])) {
      const address = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
      const base = standInName(prefix, kind, type, name);
      const taken = variants.get(base) ?? [];
      const shape = withoutMetadata({ ...body, for_each: null });
      const keys = isObject(body.for_each) ? Object.keys(body.for_each) : undefined;
      const into = keys && taken.find((v) => v.keys.size > 0 && firstDifference(v.shape, shape) === undefined);
      if (into && keys) {
        const clash = keys.find((k) => into.keys.has(k));
        if (clash !== undefined) throw new Error(`stand-in: two blocks named ${base} both have the for_each key ${clash}`);
        keys.forEach((k) => into.keys.add(k));
        names.set(address, into.name);
        folds.add(address);
      } else {
        const variant = { name: taken.length === 0 ? base : `${base}__${taken.length + 1}`, shape, keys: new Set(keys ?? []) };
        variants.set(base, [...taken, variant]);
        names.set(address, variant.name);
      }
    }
  }
  return { names, folds };
}

/** One variable or output of several stacks: they must be the same. */
function addOnce(into: JsonObject, name: string, body: Json): void {
  if (name in into && firstDifference(into[name], body) !== undefined) throw new Error(`stand-in: two different blocks are named ${name}`);
  into[name] = body;
}

export interface StandInSource {
  /** The synthesized cdk.tf.json. */
  readonly doc: JsonObject;
  /**
   * Prepended to every block, variable and output name. Sources with the same prefix share
   * one namespace, where same-named blocks fold (see chooseNames).
   */
  readonly prefix: string;
}

/** One Terraform JSON document standing in for one or more stacks in one state. Pure. */
export function standInDocument(sources: readonly StandInSource[]): JsonObject {
  const resources: Record<string, JsonObject> = {};
  const variables: JsonObject = {};
  const outputs: JsonObject = {};
  const variants = new Map<string, Variant[]>();
  for (const { doc, prefix } of sources) {
    const { names, folds } = chooseNames(doc, prefix, variants);
    const rewrite = referenceRewriter(names, prefix);
    const dependsOn = (address: string) => {
      const name = names.get(address);
      if (!name) throw new Error(`stand-in: depends_on names ${address}, which the stack does not define`);
      return `terraform_data.${name}`;
    };
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, name, body] of blocksOf(doc[kind])) {
        const address = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
        const standIn = names.get(address)!;
        const input = Object.fromEntries(Object.entries(body).filter(([k]) => !KEPT.has(k) && !DROPPED.has(k)));
        const kept = mapStrings(Object.fromEntries(Object.entries(body).filter(([k]) => KEPT.has(k))), rewrite) as JsonObject;
        const deps = Array.isArray(body.depends_on) ? body.depends_on.map((d) => dependsOn(String(d))) : [];
        if (folds.has(address)) {
          resources[standIn].for_each = { ...(resources[standIn].for_each as JsonObject), ...(kept.for_each as JsonObject) };
          continue;
        }
        resources[standIn] = {
          ...kept,
          ...(Object.keys(input).length > 0 ? { input: mapStrings(withoutMetadata(input), rewrite) } : {}),
          ...(deps.length > 0 ? { depends_on: deps } : {}),
        };
      }
    }
    for (const [name, body] of Object.entries(isObject(doc.variable) ? doc.variable : {})) addOnce(variables, `${prefix}${name}`, standInVariable(name, body));
    for (const [name, body] of Object.entries(isObject(doc.output) ? doc.output : {})) {
      if (isObject(body)) addOnce(outputs, `${prefix}${name}`, { value: mapStrings(body.value ?? null, rewrite), ...(body.sensitive === true ? { sensitive: true } : {}) });
    }
  }
  return {
    ...(Object.keys(resources).length > 0 ? { resource: { terraform_data: resources } } : {}),
    ...(Object.keys(variables).length > 0 ? { variable: variables } : {}),
    ...(Object.keys(outputs).length > 0 ? { output: outputs } : {}),
  };
}
