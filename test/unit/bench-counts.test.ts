import { TerraformStack, Testing } from 'cdktf';
import { BenchEstateShape, benchEstate, benchShape, withMoreSchemas, withMoreTables } from '../../scripts/bench/estate';
import { StackCounts, countStack } from '../../scripts/bench/tf-json';
import { buildApp } from '../../stacks/app';

/**
 * The benchmark's claim, checked exactly on small estates: a protected PostgreSQL database
 * adds one grant stack of constant blocks, everything else grows by for_each instances only,
 * with databases and schemas, never with tables. No timing here (docs/performance.md has the numbers).
 */

function counts(shape: BenchEstateShape): Record<string, Omit<StackCounts, 'stack' | 'bytes'>> {
  const app = Testing.app();
  buildApp(app, benchEstate(shape));
  const stacks = app.node.children.filter((c): c is TerraformStack => TerraformStack.isStack(c));
  return Object.fromEntries(stacks.map((stack) => {
    const text = Testing.synth(stack);
    const { stack: _name, bytes: _bytes, ...c } = countStack({ stack: stack.node.id, doc: JSON.parse(text), bytes: text.length });
    return [stack.node.id, c];
  }));
}

const small = (databases: number, tables: 'few' | 'many' = 'few') => {
  const shape = benchShape(databases, { pgTables: 2, rsTables: 2 });
  return tables === 'few' ? shape : withMoreTables(shape, 10);
};

const grantStack = (db: string) => `bench-postgres-bench-pg-${db}`;
const RS = 'bench-redshift-bench-rs';

describe('benchmark estates: resource counts', () => {
  const two = counts(small(2));

  test('2 databases: exact blocks and instances per stack', () => {
    // Per database, its own grant stack: 1 database grant + 5 schema grants + 5 table grants +
    // 2 default privileges (the 2 whole schemas) = 13 in 4 blocks. The server stack: the Immuta
    // role, database and its grant. Redshift's runner stack: the function, its role, log group
    // and 2 inline policies. The cluster stack: per database 2 immuta grants + 2 masking units
    // = 4, 5 unit blocks (tier and consent) holding 12 + 4 * 2 instances, 5 single resources
    // (the cluster's policy on the runner's role, 2 password secrets with a version each) and
    // the drift check's data source.
    const grants = { blocks: 4, instances: 13, dataBlocks: 0, checks: 0, opaque: 0 };
    expect(two).toEqual({
      'bench-aws-access': { blocks: 22, instances: 23, dataBlocks: 0, checks: 0, opaque: 0 },
      'bench-postgres-bench-pg': { blocks: 3, instances: 3, dataBlocks: 0, checks: 0, opaque: 0 },
      [grantStack('db_0000')]: grants,
      [grantStack('db_0001')]: grants,
      'bench-redshift': { blocks: 5, instances: 5, dataBlocks: 0, checks: 0, opaque: 0 },
      [RS]: { blocks: 5 + 5, instances: 12 + 4 * 2 + 5 + 1, dataBlocks: 1, checks: 1, opaque: 0 },
    });
  });

  test('10 times the tables per listed schema changes no count', () => {
    expect(counts(small(2, 'many'))).toEqual(two);
  });

  test('more databases add a grant stack each on PostgreSQL, for_each instances on Redshift', () => {
    const four = counts(small(4));
    expect(Object.keys(four).filter((s) => !(s in two)).sort()).toEqual([grantStack('db_0002'), grantStack('db_0003')]);
    expect(four[grantStack('db_0003')]).toEqual(two[grantStack('db_0000')]);
    for (const [stack, c] of Object.entries(two)) expect(four[stack].blocks).toBe(c.blocks);
    expect(four[RS].instances - two[RS].instances).toBe(4 * 2);
    expect(four['bench-redshift']).toEqual(two['bench-redshift']);
    expect(four['bench-aws-access']).toEqual(two['bench-aws-access']);
    expect(four['bench-postgres-bench-pg']).toEqual(two['bench-postgres-bench-pg']);
  });

  test('more schemas add for_each instances, never resource blocks', () => {
    const doubled = counts(withMoreSchemas(small(2), 2));
    for (const [stack, c] of Object.entries(two)) expect(doubled[stack].blocks).toBe(c.blocks);
    // Per added PostgreSQL schema: a schema and a table grant, plus default privileges for a
    // whole schema (2 of the 5 added per database); per added Redshift schema: grant + masking.
    expect(doubled[grantStack('db_0000')].instances - two[grantStack('db_0000')].instances).toBe(5 * 2 + 2);
    expect(doubled[RS].instances - two[RS].instances).toBe(2 * (2 * 2));
  });
});
