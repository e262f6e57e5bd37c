import { TerraformStack, Testing } from 'cdktf';
import { benchEstate, benchShape } from '../../scripts/bench/estate';
import { bareStack, loadBindings } from '../../scripts/bench/floor';
import { JsonObject, blocksOf, countStack, firstDifference, withoutMetadata } from '../../scripts/bench/tf-json';
import { buildApp } from '../../stacks/app';

/**
 * The benchmark's bare-cdktf floor is only a floor if it synthesizes the same Terraform
 * as our stacks: rebuilt from our output, it must match everything but cdktf's metadata.
 */

function synthAll(build: (app: ReturnType<typeof Testing.app>) => void): Map<string, JsonObject> {
  const app = Testing.app();
  build(app);
  const stacks = app.node.children.filter((c): c is TerraformStack => TerraformStack.isStack(c));
  return new Map(stacks.map((s) => [s.node.id, JSON.parse(Testing.synth(s)) as JsonObject]));
}

describe('bench floor', () => {
  const ours = synthAll((app) => buildApp(app, benchEstate(benchShape(2))));

  const files = [...ours].map(([name, doc]) => ({ rel: `stacks/${name}/cdk.tf.json`, text: '', doc }));

  test.each([
    ['plain constructs', new Map()],
    ['provider bindings', loadBindings(files)],
  ])('rebuilding every stack from its JSON with %s gives the same Terraform', (_kind, bindings) => {
    const bare = synthAll((app) => ours.forEach((doc, name) => bareStack(app, name, doc, bindings)));
    expect([...bare.keys()]).toEqual([...ours.keys()]);
    for (const [name, doc] of ours) expect(firstDifference(withoutMetadata(doc), withoutMetadata(bare.get(name)!))).toBeUndefined();
  });

  test('every block of our stacks has a binding class installed', () => {
    const bindings = loadBindings(files);
    const types = new Set(files.flatMap((f) => [
      ...blocksOf(f.doc.resource).map(([type]) => `resource:${type}`),
      ...Object.keys((f.doc.provider ?? {}) as JsonObject).map((type) => `provider:${type}`),
    ]));
    expect([...types].filter((t) => !bindings.has(t))).toEqual([]);
  });

  test('counting expands for_each maps and ignores metadata', () => {
    const doc: JsonObject = {
      '//': { metadata: {} },
      resource: {
        a_thing: { one: { name: 'x' }, many: { for_each: { k1: {}, k2: {}, k3: {} } } },
        b_thing: { counted: { count: 4 }, opaque: { for_each: '${var.map}' } },
      },
    };
    expect(countStack({ stack: 's', doc, bytes: 10 })).toEqual({ stack: 's', blocks: 4, dataBlocks: 0, checks: 0, instances: 1 + 3 + 4 + 1, opaque: 1, bytes: 10 });
  });
});
