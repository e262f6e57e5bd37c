import { TerraformStack, Testing } from 'cdktf';
import { BenchEstateShape, benchEstate, benchShape, withMoreSchemas, withMoreTables } from '../../scripts/bench/estate';
import { StackCounts, countStack } from '../../scripts/bench/tf-json';
import { buildApp } from '../../stacks/app';

/**
 * The benchmark's claim, checked exactly on small estates: resource blocks do not grow
 * with the estate at all, and for_each instances grow with databases and schemas only,
 * never with tables. No timing here (docs/performance.md has the numbers).
 */

function counts(shape: BenchEstateShape): Record<string, Omit<StackCounts, 'stack' | 'bytes'>> {
  const app = Testing.app();
  buildApp(app, benchEstate(shape));
  const stacks = app.node.children.filter((c): c is TerraformStack => TerraformStack.isStack(c));
  return Object.fromEntries(stacks.map((stack) => {
    const text = Testing.synth(stack);
    const { blocks, instances, opaque } = countStack({ stack: stack.node.id, doc: JSON.parse(text), bytes: text.length });
    return [stack.node.id, { blocks, instances, opaque }];
  }));
}

const small = (databases: number, tables: 'few' | 'many' = 'few') => {
  const shape = benchShape(databases, { pgTables: 2, rsTables: 2 });
  return tables === 'few' ? shape : withMoreTables(shape, 10);
};

describe('benchmark estates: resource counts', () => {
  const two = counts(small(2));

  test('2 databases: exact blocks and instances per stack', () => {
    // Per database: PostgreSQL 1 database grant + 5 schema grants + 5 table grants + 2 default
    // privileges (the 2 whole schemas) = 13; Redshift 2 immuta grants + 2 masking units = 4.
    // Redshift also has 5 unit blocks (tier and consent) and 9 single resources: the runner
    // function, its role, log group and 2 inline policies, and 2 password secrets with a version each.
    expect(two).toEqual({
      'bench-aws-access': { blocks: 22, instances: 23, opaque: 0 },
      'bench-postgres': { blocks: 6, instances: 2 + 1 + 13 * 2, opaque: 0 },
      'bench-redshift': { blocks: 5 + 9, instances: 12 + 4 * 2 + 9, opaque: 0 },
    });
  });

  test('10 times the tables per listed schema changes no count', () => {
    expect(counts(small(2, 'many'))).toEqual(two);
  });

  test('more databases add for_each instances, never resource blocks', () => {
    const four = counts(small(4));
    for (const [stack, c] of Object.entries(two)) expect(four[stack].blocks).toBe(c.blocks);
    expect(four['bench-postgres'].instances - two['bench-postgres'].instances).toBe(13 * 2);
    expect(four['bench-redshift'].instances - two['bench-redshift'].instances).toBe(4 * 2);
    expect(four['bench-aws-access'].instances).toBe(two['bench-aws-access'].instances);
  });

  test('more schemas add for_each instances, never resource blocks', () => {
    const doubled = counts(withMoreSchemas(small(2), 2));
    for (const [stack, c] of Object.entries(two)) expect(doubled[stack].blocks).toBe(c.blocks);
    // Per added PostgreSQL schema: a schema and a table grant, plus default privileges for a
    // whole schema (2 of the 5 added per database); per added Redshift schema: grant + masking.
    expect(doubled['bench-postgres'].instances - two['bench-postgres'].instances).toBe(2 * (5 * 2 + 2));
    expect(doubled['bench-redshift'].instances - two['bench-redshift'].instances).toBe(2 * (2 * 2));
  });
});
