import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { benchEstate, benchShape } from '../../scripts/bench/estate';
import { isPostgresStack, measureGraphCost } from '../../scripts/bench/graph-cost';
import { layoutFromDocs } from '../../scripts/bench/layout';
import { standInDocument } from '../../scripts/bench/stand-in';
import { JsonObject, StackDoc, countStack } from '../../scripts/bench/tf-json';
import { buildApp } from '../../stacks/app';

/**
 * The graph-cost stand-in: the same instances and edges with terraform_data in place of every
 * provider's resources, and (last test) it converges under real terraform: applied once, the
 * next `plan -refresh=false` is empty. No timing is asserted.
 */

const stack: JsonObject = {
  '//': { metadata: {} },
  provider: { postgresql: [{ alias: 's', password: '${var.admin_password}' }] },
  terraform: { backend: { s3: { bucket: 'b' } }, required_providers: { postgresql: { source: 'cyrilgdn/postgresql' } } },
  variable: { admin_password: { type: 'string', sensitive: true, nullable: false } },
  resource: {
    postgresql_role: { immuta: { '//': {}, name: 'immuta_system', provider: 'postgresql.s', lifecycle: { prevent_destroy: true } } },
    postgresql_grant: {
      schemas: {
        for_each: { 'db/a': { schema: 'a' }, 'db/b': { schema: 'b' } },
        role: '${postgresql_role.immuta.name}',
        schema: '${each.value.schema}',
        depends_on: ['postgresql_role.immuta'],
      },
    },
  },
  data: { aws_caller_identity: { me: {} } },
  output: { role: { value: '${postgresql_role.immuta.name} in ${data.aws_caller_identity.me.account_id}', sensitive: true } },
};

describe('stand-in document', () => {
  const d = standInDocument([{ doc: stack, prefix: '' }]);

  test('every resource and data source becomes terraform_data with its references, edges and keys', () => {
    expect(d).toEqual({
      resource: {
        terraform_data: {
          postgresql_role__immuta: { input: { name: 'immuta_system' } },
          postgresql_grant__schemas: {
            for_each: { 'db/a': { schema: 'a' }, 'db/b': { schema: 'b' } },
            input: { role: '${terraform_data.postgresql_role__immuta.id}', schema: '${each.value.schema}' },
            depends_on: ['terraform_data.postgresql_role__immuta'],
          },
          data__aws_caller_identity__me: {},
        },
      },
      variable: { admin_password: { type: 'string', default: 'stand-in', sensitive: true } },
      output: { role: { value: '${terraform_data.postgresql_role__immuta.id} in ${terraform_data.data__aws_caller_identity__me.id}', sensitive: true } },
    });
  });

  test('the stand-in holds as many instances as the stack', () => {
    const n = (doc: JsonObject) => countStack({ stack: 's', doc, bytes: 0 }).instances;
    expect(n(d)).toBe(n(stack));
  });

  test('instance keys in references and prefixes of separate namespaces are kept', () => {
    const other: JsonObject = { resource: { a_t: { x: { for_each: { k: {} } }, y: { v: '${a_t.x["k"].arn} ${var.p} ${each.key}' } } }, variable: { p: { type: 'number' } } };
    expect(standInDocument([{ doc: other, prefix: 'two__' }])).toEqual({
      resource: { terraform_data: { 'two__a_t__x': { for_each: { k: {} } }, 'two__a_t__y': { input: { v: '${terraform_data.two__a_t__x["k"].id} ${var.two__p} ${each.key}' } } } },
      variable: { two__p: { type: 'number', default: 0 } },
    });
  });

  test('stacks in one namespace fold: same-named for_each blocks unite their keys', () => {
    const grants = (keys: string[]): JsonObject => ({ resource: { g_t: { g: { for_each: Object.fromEntries(keys.map((k) => [k, { k }])), v: '${each.value.k}' } } } });
    const folded = standInDocument([{ doc: grants(['a', 'b']), prefix: '' }, { doc: grants(['c']), prefix: '' }]);
    expect(folded).toEqual({ resource: { terraform_data: { g_t__g: { for_each: { a: { k: 'a' }, b: { k: 'b' }, c: { k: 'c' } }, input: { v: '${each.value.k}' } } } } });
    expect(() => standInDocument([{ doc: grants(['a']), prefix: '' }, { doc: grants(['a']), prefix: '' }])).toThrow(/both have the for_each key a/);
  });

  test('a same-named block with another body keeps its own block, and its stack\'s references follow it', () => {
    // The server stack's database grant differs from the grant stacks' (it references the role).
    const server: JsonObject = { resource: { g_t: { g: { for_each: { immuta: {} }, role: '${r_t.role.name}' } }, r_t: { role: { name: 'r' } } } };
    const grants = (key: string): JsonObject => ({ resource: { g_t: { g: { for_each: { [key]: {} }, role: 'r' }, s: { depends_on: ['g_t.g'], v: '${g_t.g["x"].id}' } } } });
    const d = standInDocument([server, grants('db1'), grants('db2')].map((doc) => ({ doc, prefix: '' })));
    expect(Object.keys((d.resource as JsonObject).terraform_data as JsonObject).sort()).toEqual(['g_t__g', 'g_t__g__2', 'g_t__s', 'g_t__s__2', 'r_t__role']);
    const td = (d.resource as JsonObject).terraform_data as Record<string, JsonObject>;
    expect(td.g_t__g.for_each).toEqual({ immuta: {} });
    expect(td.g_t__g__2.for_each).toEqual({ db1: {}, db2: {} });
    expect(td.g_t__s).toEqual({ input: { v: '${terraform_data.g_t__g__2["x"].id}' }, depends_on: ['terraform_data.g_t__g__2'] });
  });

  test('depends_on naming a block the stack lacks is an error, not a lost edge', () => {
    const bad: JsonObject = { resource: { a_t: { x: { depends_on: ['a_t.missing'] } } } };
    expect(() => standInDocument([{ doc: bad, prefix: '' }])).toThrow(/depends_on names a_t.missing/);
  });
});

describe('stand-in under terraform', () => {
  const app = Testing.app();
  buildApp(app, benchEstate(benchShape(3, { pgTables: 2, rsTables: 2 })));
  const docs: StackDoc[] = app.node.children
    .filter((c): c is TerraformStack => TerraformStack.isStack(c))
    .map((s) => ({ stack: s.node.id, doc: JSON.parse(Testing.synth(s)) as JsonObject, bytes: 0 }));
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-stand-in-'));
  afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

  // measureGraphCost throws unless init and apply succeed and the plan after them is empty.
  test('every stack, and the PostgreSQL stacks folded into one, apply and then plan empty', () => {
    const pg = docs.filter((d) => isPostgresStack(layoutFromDocs([d]).stacks[0]));
    expect(pg.length).toBeGreaterThan(0);
    const configurations: [string, StackDoc[]][] = [['postgres folded', pg], ...docs.map((d): [string, StackDoc[]] => [d.stack, [d]])];
    for (const [label, set] of configurations) {
      const cost = measureGraphCost(label, 3, set, path.join(workdir, label.replace(/\W/g, '_')), 1, () => undefined);
      expect(cost.instances).toBe(set.reduce((n, d) => n + countStack(d).instances, 0));
      expect(cost.planMs).toHaveLength(1);
    }
  }, 600_000);
});
