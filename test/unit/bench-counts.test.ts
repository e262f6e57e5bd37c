import { TerraformStack, Testing } from 'cdktf';
import { BenchEstateShape, OneDatabaseChange, benchEstate, benchShape, withMoreSchemas, withMoreTables } from '../../scripts/bench/estate';
import { changedAddresses, touchedStacks } from '../../scripts/bench/layout';
import { JsonObject, StackCounts, StackDoc, countStack } from '../../scripts/bench/tf-json';
import { buildApp } from '../../stacks/app';

/**
 * The benchmark's claim, checked exactly on small estates: a protected database adds one
 * stack of constant blocks on each plane (a PostgreSQL grant stack, a Redshift database
 * stack), everything else grows by for_each instances only, with databases and schemas,
 * never with tables; and a one-database change touches only the stacks named below.
 * No timing here (docs/performance.md has the numbers).
 */

function docs(shape: BenchEstateShape, change?: OneDatabaseChange): StackDoc[] {
  const app = Testing.app();
  buildApp(app, benchEstate(shape, change));
  return app.node.children.filter((c): c is TerraformStack => TerraformStack.isStack(c)).map((stack) => {
    const text = Testing.synth(stack);
    return { stack: stack.node.id, doc: JSON.parse(text) as JsonObject, bytes: text.length };
  });
}

function counts(shape: BenchEstateShape): Record<string, Omit<StackCounts, 'stack' | 'bytes'>> {
  return Object.fromEntries(docs(shape).map((d) => {
    const { stack: _name, bytes: _bytes, ...c } = countStack(d);
    return [d.stack, c];
  }));
}

const small = (databases: number, tables: 'few' | 'many' = 'few') => {
  const shape = benchShape(databases, { pgTables: 2, rsTables: 2 });
  return tables === 'few' ? shape : withMoreTables(shape, 10);
};

const grantStack = (db: string) => `bench-postgres-bench-pg-${db}`;
const RS = 'bench-redshift-bench-rs';
const rsDatabaseStack = (db: string) => `${RS}-${db}`;

describe('benchmark estates: resource counts', () => {
  const two = counts(small(2));

  test('2 databases: exact blocks and instances per stack', () => {
    // PostgreSQL, per database, its own grant stack: 1 database grant + 5 schema grants + 5
    // table grants + 2 default privileges (the 2 whole schemas) = 13 in 4 blocks. The server
    // stack: the Immuta role, database and its grant. Redshift's runner stack: the function,
    // its role, log group and 2 inline policies. The cluster stack holds only cluster-wide
    // units, 8 in its grants block (exempt user, Informatica schema, 2 passwords, the system
    // user, 3 TEMP grants) + 1 Immuta database + 2 Immuta principals + 1 connector user = 12
    // in 4 unit blocks, 5 single resources (the cluster's policy on the runner's role, 2
    // password secrets with a version each) and its drift check's data source: 18, whatever
    // the databases. Per database, its own stack: 2 Immuta grants + 2 masking units (2
    // schemas) in 2 blocks and its own drift check's data source = 5.
    const grants = { blocks: 4, instances: 13, dataBlocks: 0, checks: 0, opaque: 0 };
    const rsDatabase = { blocks: 2, instances: 2 * 2 + 1, dataBlocks: 1, checks: 1, opaque: 0 };
    expect(two).toEqual({
      'bench-aws-access': { blocks: 22, instances: 23, dataBlocks: 0, checks: 0, opaque: 0 },
      'bench-postgres-bench-pg': { blocks: 3, instances: 3, dataBlocks: 0, checks: 0, opaque: 0 },
      [grantStack('db_0000')]: grants,
      [grantStack('db_0001')]: grants,
      'bench-redshift': { blocks: 5, instances: 5, dataBlocks: 0, checks: 0, opaque: 0 },
      [RS]: { blocks: 4 + 5, instances: 12 + 5 + 1, dataBlocks: 1, checks: 1, opaque: 0 },
      [rsDatabaseStack('db_0000')]: rsDatabase,
      [rsDatabaseStack('db_0001')]: rsDatabase,
    });
  });

  test('10 times the tables per listed schema changes no count', () => {
    expect(counts(small(2, 'many'))).toEqual(two);
  });

  test('more databases add a stack each on both planes; the other stacks keep their counts', () => {
    const four = counts(small(4));
    expect(Object.keys(four).filter((s) => !(s in two)).sort())
      .toEqual([grantStack('db_0002'), grantStack('db_0003'), rsDatabaseStack('db_0002'), rsDatabaseStack('db_0003')]);
    expect(four[grantStack('db_0003')]).toEqual(two[grantStack('db_0000')]);
    expect(four[rsDatabaseStack('db_0003')]).toEqual(two[rsDatabaseStack('db_0000')]);
    for (const [stack, c] of Object.entries(two)) expect(four[stack]).toEqual(c);
  });

  test('more schemas add for_each instances, never resource blocks, and only in the database stacks', () => {
    const doubled = counts(withMoreSchemas(small(2), 2));
    for (const [stack, c] of Object.entries(two)) expect(doubled[stack].blocks).toBe(c.blocks);
    // Per added PostgreSQL schema: a schema and a table grant, plus default privileges for a
    // whole schema (2 of the 5 added per database); per added Redshift schema: grant + masking.
    expect(doubled[grantStack('db_0000')].instances - two[grantStack('db_0000')].instances).toBe(5 * 2 + 2);
    expect(doubled[rsDatabaseStack('db_0000')].instances - two[rsDatabaseStack('db_0000')].instances).toBe(2 * 2);
    expect(doubled[RS]).toEqual(two[RS]);
  });
});

describe('benchmark estates: what a one-database change touches', () => {
  // 3 databases: the change is at the middle one, db_0001; an added database is db_0001_added.
  const shape = small(3);
  const base = docs(shape);
  const touched = (change: OneDatabaseChange) => {
    const after = docs(shape, change);
    const t = touchedStacks(base, after);
    const doc = (list: StackDoc[], stack: string) => list.find((d) => d.stack === stack)!.doc;
    return { ...t, addresses: Object.fromEntries(t.changed.map((s) => [s, changedAddresses(doc(base, s), doc(after, s))])) };
  };

  test('PostgreSQL, add a database: its grant stack only', () => {
    expect(touched({ plane: 'postgres', kind: 'add-database' })).toEqual({ added: [grantStack('db_0001_added')], removed: [], changed: [], addresses: {} });
  });

  test('PostgreSQL, add a schema: that database\'s grant stack only', () => {
    // The added schema is whole: schema and table grants, and default privileges for its owner.
    expect(touched({ plane: 'postgres', kind: 'add-schema' })).toEqual({
      added: [],
      removed: [],
      changed: [grantStack('db_0001')],
      addresses: {
        [grantStack('db_0001')]: [
          'postgresql_default_privileges.bench_pg_default_privileges["db_0001/schema_05/dbadmin"]',
          'postgresql_grant.bench_pg_schema_grants["db_0001/schema_05"]',
          'postgresql_grant.bench_pg_table_grants["db_0001/schema_05"]',
        ],
      },
    });
  });

  test('Redshift, add a database: its database stack, and 1 instance of the cluster stack', () => {
    // The Immuta system user's unit (its preflight lists the protected databases) changes;
    // nothing else in the cluster stack, not even its drift check. The benchmark's admin is a
    // secret: with admin.dbUser the runner policy would change too (it lists the databases).
    expect(touched({ plane: 'redshift', kind: 'add-database' })).toEqual({
      added: [rsDatabaseStack('db_0001_added')],
      removed: [],
      changed: [RS],
      addresses: { [RS]: ['aws_lambda_invocation.bench-rs_principals_immuta["user/immuta_system"]'] },
    });
  });

  test('Redshift, add a schema: the database stack\'s grant and masking units and its drift check only', () => {
    expect(touched({ plane: 'redshift', kind: 'add-schema' })).toEqual({
      added: [],
      removed: [],
      changed: [rsDatabaseStack('db_0001')],
      addresses: {
        [rsDatabaseStack('db_0001')]: [
          'aws_lambda_invocation.bench-rs_grants["immuta/db_0001/schema_02"]',
          'aws_lambda_invocation.bench-rs_masking["masking/db_0001/schema_02"]',
          'data.aws_lambda_invocation.bench-rs_audit',
        ],
      },
    });
  });
});
