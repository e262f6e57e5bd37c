import * as fs from 'fs';
import * as path from 'path';
import {
  App, DataResource, TerraformBackend, TerraformDataSource, TerraformElement, TerraformLocal, TerraformOutput,
  TerraformProvider, TerraformRemoteState, TerraformResource, TerraformStack, TerraformVariable,
} from 'cdktf';
import { Construct } from 'constructs';
import { Json, JsonObject, OutputFile, blocksOf } from './tf-json';

/**
 * The floors our synthesis is compared with, all rebuilt from our own output so they
 * always describe the same Terraform: (b) every block recreated in bare stacks — as an
 * instance of its provider binding class, or as a plain TerraformResource — with its
 * attributes as raw overrides, then synthesized; (c) the same documents written with
 * JSON.stringify.
 */

/** A provider configuration with no binding class: every argument is a raw override. */
class RawProvider extends TerraformProvider {}

/** A backend of any type, configured by raw overrides (TerraformBackend is abstract). */
class RawBackend extends TerraformBackend {
  constructor(scope: Construct, type: string) {
    super(scope, 'backend', type);
  }

  getRemoteStateDataSource(): TerraformRemoteState {
    throw new Error('the benchmark floor reads no remote state');
  }
}

type BlockKind = 'resource' | 'data' | 'provider';
type BindingClass = new (scope: Construct, id: string, config: Record<string, never>) => TerraformElement;
/** Binding classes by `kind:type`; blocks without one fall back to the plain constructs. */
export type Bindings = ReadonlyMap<string, BindingClass>;

/** The installed binding class of a block type: the export whose static tfResourceType is the type. */
function findBinding(kind: BlockKind, type: string): BindingClass | undefined {
  if (kind === 'resource' && type === DataResource.tfResourceType) return DataResource as unknown as BindingClass;
  const provider = kind === 'provider' ? type : type.split('_')[0];
  const file = kind === 'provider' ? 'provider' : kind === 'data' ? `data-${type.replace(/_/g, '-')}` : type.slice(provider.length + 1).replace(/_/g, '-');
  try {
    const mod = require(`@cdktf/provider-${provider}/lib/${file}`) as Record<string, unknown>;
    return Object.values(mod).find((v): v is BindingClass => typeof v === 'function' && (v as { tfResourceType?: unknown }).tfResourceType === type);
  } catch {
    return undefined;
  }
}

/** Load the binding classes of every block up front, so module loading is not timed (ours imports them before). */
export function loadBindings(files: readonly OutputFile[]): Bindings {
  const found = new Map<string, BindingClass>();
  for (const f of files) {
    const kinds: [BlockKind, string[]][] = [
      ['resource', blocksOf(f.doc.resource).map(([type]) => type)],
      ['data', blocksOf(f.doc.data).map(([type]) => type)],
      ['provider', Object.keys((f.doc.provider ?? {}) as JsonObject)],
    ];
    for (const [kind, types] of kinds) {
      for (const type of types) {
        const cls = found.has(`${kind}:${type}`) ? undefined : findBinding(kind, type);
        if (cls) found.set(`${kind}:${type}`, cls);
      }
    }
  }
  return found;
}

/** Each attribute as an override: how cdktf itself sets what a binding does not model. */
function setAll(element: TerraformElement, body: JsonObject): void {
  for (const [key, value] of Object.entries(body)) {
    if (key !== '//') element.addOverride(key, value);
  }
}

/** Recreate one stack document's blocks as constructs of a bare TerraformStack. */
export function bareStack(app: App, name: string, doc: JsonObject, bindings: Bindings = new Map()): TerraformStack {
  const stack = new TerraformStack(app, name);
  for (const [section, content] of Object.entries(doc)) {
    if (section === '//') continue; // cdktf's metadata: synthesis writes it again
    switch (section) {
      case 'resource':
      case 'data':
        for (const [type, blockName, body] of blocksOf(content)) {
          // The provider's local name, which cdktf checks against the provider constructs.
          const providerName = String(body.provider ?? type).split(/[._]/)[0];
          const config = { terraformResourceType: type, terraformGeneratorMetadata: { providerName } };
          const id = `${section}.${type}.${blockName}`;
          const Binding = bindings.get(`${section}:${type}`);
          const element = Binding ? new Binding(stack, id, {})
            : section === 'resource' ? new TerraformResource(stack, id, config) : new TerraformDataSource(stack, id, config);
          element.overrideLogicalId(blockName);
          setAll(element, body);
        }
        break;
      case 'provider':
        for (const [type, configs] of Object.entries(content as JsonObject)) {
          const Binding = bindings.get(`provider:${type}`);
          (configs as JsonObject[]).forEach((body, i) => {
            const id = `provider.${type}.${i}`;
            setAll(Binding ? new Binding(stack, id, {}) : new RawProvider(stack, id, { terraformResourceType: type, terraformGeneratorMetadata: { providerName: type } }), body);
          });
        }
        break;
      case 'variable':
        for (const [varName, body] of Object.entries(content as JsonObject)) {
          const variable = new TerraformVariable(stack, `variable.${varName}`, {});
          variable.overrideLogicalId(varName);
          setAll(variable, body as JsonObject);
        }
        break;
      case 'output':
        for (const [outName, body] of Object.entries(content as JsonObject)) {
          const { value, ...rest } = body as JsonObject;
          const output = new TerraformOutput(stack, `output.${outName}`, { value });
          output.overrideLogicalId(outName);
          setAll(output, rest);
        }
        break;
      case 'locals':
        for (const [localName, value] of Object.entries(content as JsonObject)) {
          new TerraformLocal(stack, `local.${localName}`, value).overrideLogicalId(localName);
        }
        break;
      case 'terraform':
        for (const [key, value] of Object.entries(content as JsonObject)) {
          if (key === 'backend') {
            // Without a backend construct cdktf adds a local one, so it must be a construct.
            for (const [type, body] of Object.entries(value as JsonObject)) setAll(new RawBackend(stack, type), body as JsonObject);
          } else {
            stack.addOverride(`terraform.${key}`, value);
          }
        }
        break;
      default:
        // Blocks with no construct of their own (moved, import, check, module...).
        stack.addOverride(section, content);
    }
  }
  return stack;
}

/** Floor (b): every stack of a reference output rebuilt as bare constructs and synthesized. */
export function synthBare(files: readonly OutputFile[], outdir: string, bindings?: Bindings): void {
  const app = new App({ outdir });
  for (const f of files) {
    if (f.rel.endsWith('cdk.tf.json')) bareStack(app, path.basename(path.dirname(f.rel)), f.doc, bindings);
  }
  app.synth();
}

/** Floor (c): the same documents written directly; cdktf writes two-space indented JSON. */
export function writeRaw(docs: readonly { rel: string; doc: Json }[], outdir: string): void {
  for (const { rel, doc } of docs) {
    const file = path.join(outdir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
  }
}
