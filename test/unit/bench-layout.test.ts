import { STACK_INSTANCE_BOUND } from '../../model/stack-layout';
import { ONE_DATABASE_CHANGES, addedDatabaseName, benchEstate, benchShape } from '../../scripts/bench/estate';
import { LayoutStack, changedAddresses, largestPerPlane, largestStack, layoutFromDocs, planesOf, touchedStacks } from '../../scripts/bench/layout';
import { GraphCost } from '../../scripts/bench/graph-cost';
import { boundVerdict, changedInside, extrapolate, seriesLine, touchedCell } from '../../scripts/bench/layout-report';
import { LayoutRow } from '../../scripts/bench/layout-row';
import { JsonObject, StackDoc, countStack } from '../../scripts/bench/tf-json';

/** The benchmark's layout counting and its touched-stack comparison, on hand-made documents. */

const doc = (resource: JsonObject, extra: JsonObject = {}): JsonObject => ({ '//': { metadata: { path: 'x' } }, resource, ...extra });
const stack = (name: string, d: JsonObject): StackDoc => ({ stack: name, doc: d, bytes: 1 });
const counts = (name: string, instances: number, plane?: string): LayoutStack =>
  ({ stack: name, instances, blocks: 1, dataBlocks: 0, checks: 0, opaque: 0, bytes: 1, ...(plane ? { plane } : {}) });

describe('counting a stack', () => {
  test('data sources, also those inside check blocks, count as instances; checks are counted', () => {
    const d = doc({ a_thing: { many: { for_each: { k1: {}, k2: {} } } } }, {
      data: { a_source: { one: { name: 'x' }, two: { count: 3 } } },
      check: { drift: { data: { a_source: { scoped: { name: 'y' } } }, assert: [{ condition: '${true}', error_message: 'no' }] }, plain: { assert: [] } },
    });
    expect(countStack(stack('s', d))).toEqual({ stack: 's', blocks: 1, dataBlocks: 3, checks: 2, instances: 2 + 1 + 3 + 1, opaque: 0, bytes: 1 });
  });
});

describe('layout', () => {
  test('planes come from stacks.json; where it and the written stacks disagree is said', () => {
    const listing = { stacks: [{ name: 'e-aws-access', plane: 'aws-access' }, { name: 'e-postgres-s', plane: 'postgres-server' }] };
    expect(planesOf(listing, ['e-postgres-s', 'e-aws-access'])).toEqual({ planes: new Map([['e-aws-access', 'aws-access'], ['e-postgres-s', 'postgres-server']]) });
    expect(planesOf(listing, ['e-aws-access', 'e-extra']).mismatch)
      .toBe('stacks.json lists e-postgres-s, which the synth did not write; the synth wrote e-extra, which stacks.json does not list');
    expect(planesOf(undefined, ['e-aws-access'])).toEqual({ planes: new Map() });
  });

  test('a layout counts each stack and knows whether stacks.json was there', () => {
    const docs = [stack('e-a', doc({ t: { x: { for_each: { a: {}, b: {} } } } })), stack('e-b', doc({ t: { y: {} } }))];
    const layout = layoutFromDocs(docs, { stacks: [{ name: 'e-a', plane: 'p' }, { name: 'e-b', plane: 'q' }] });
    expect(layout.listed).toBe(true);
    expect(layout.stacks.map((s) => [s.stack, s.plane, s.instances])).toEqual([['e-a', 'p', 2], ['e-b', 'q', 1]]);
    expect(layoutFromDocs(docs).stacks.every((s) => s.plane === undefined)).toBe(true);
  });

  test('the largest stack, and the largest of each plane', () => {
    const stacks = [counts('e-g-2', 13, 'grants'), counts('e-g-1', 13, 'grants'), counts('e-server', 3, 'server'), counts('e-g-3', 9, 'grants'), counts('e-rs', 40, 'cluster')];
    expect(largestStack(stacks).stack).toBe('e-rs');
    // Equal counts: the first name wins, so the report does not depend on the order of the folders.
    expect(largestPerPlane(stacks).map((s) => s.stack)).toEqual(['e-g-1', 'e-server', 'e-rs']);
    expect(() => largestStack([])).toThrow(/no stacks/);
  });
});

describe('stacks a change touches', () => {
  const before = [
    stack('e-keep', doc({ t: { x: { for_each: { a: {} } } } })),
    stack('e-edit', doc({ t: { x: { for_each: { a: {} } } } })),
    stack('e-gone', doc({ t: { x: {} } })),
    stack('e-meta', doc({ t: { x: { '//': { metadata: { path: 'old' } }, name: 'n' } } })),
  ];
  const after = [
    stack('e-keep', doc({ t: { x: { for_each: { a: {} } } } })),
    stack('e-edit', doc({ t: { x: { for_each: { a: {}, b: {} } } } })),
    stack('e-meta', doc({ t: { x: { '//': { metadata: { path: 'new' } }, name: 'n' } } })),
    stack('e-new', doc({ t: { x: {} } })),
  ];

  test('added, removed and changed stacks; cdktf metadata is not a change', () => {
    const t = touchedStacks(before, after);
    expect(t).toEqual({ added: ['e-new'], removed: ['e-gone'], changed: ['e-edit'] });
    expect(touchedCell(t)).toBe('3 (added: `e-new`; changed: `e-edit`; removed: `e-gone`)');
  });

  test('no change touches nothing', () => {
    const t = touchedStacks(before, before);
    expect(t).toEqual({ added: [], removed: [], changed: [] });
    expect(touchedCell(t)).toBe('0');
  });

  test('many touched stacks are counted, not listed', () => {
    const many = Array.from({ length: 5 }, (_, i) => stack(`e-${i}`, doc({})));
    expect(touchedCell(touchedStacks([], many))).toBe('5 (added: 5 stacks)');
  });
});

describe('what changed inside a stack', () => {
  const before = doc({
    t: { units: { for_each: { a: { v: 1 }, b: { v: 2 }, c: { v: 3 } }, fn: 'f' }, whole: { for_each: { a: {} }, fn: 'f' }, one: { name: 'n' } },
  }, { data: { s: { audit: { input: 'x' } } }, output: { o: { value: 1 } } });

  test('for_each entries added, removed or changed; a block changed outside for_each; data sources and outputs', () => {
    const after = doc({
      t: { units: { for_each: { a: { v: 1 }, b: { v: 20 }, d: { v: 4 } }, fn: 'f' }, whole: { for_each: { a: {} }, fn: 'g' }, one: { name: 'n' }, fresh: {} },
    }, { data: { s: { audit: { input: 'y' } } }, output: { o: { value: 2 } } });
    expect(changedAddresses(before, after)).toEqual([
      'data.s.audit', 'output.o', 't.fresh', 't.units["b"]', 't.units["c"]', 't.units["d"]', 't.whole',
    ]);
  });

  test('cdktf metadata alone is no change', () => {
    expect(changedAddresses(before, { ...before, '//': { metadata: { path: 'elsewhere' } } })).toEqual([]);
  });
});

describe('the bound', () => {
  const row = (stacks: LayoutStack[]): LayoutRow => ({ shape: benchShape(1000), stacks, listed: true, changes: [], outdir: '' });

  test('met while every stack holds at most the bound', () => {
    expect(boundVerdict(row([counts('e-a', STACK_INSTANCE_BOUND), counts('e-b', 3)]))).toEqual({
      met: true, text: `met at 1000 databases: the largest stack, \`e-a\`, holds ${STACK_INSTANCE_BOUND} instances`,
    });
  });

  test('what changed inside a changed stack: its addresses while few, else their count', () => {
    const touched = { added: ['e-new'], removed: [], changed: ['e-a', 'e-b'] };
    const r: LayoutRow = { ...row([]), changes: [{
      change: ONE_DATABASE_CHANGES[2], label: 'Redshift: add a protected database', touched,
      addresses: { 'e-a': ['t.x', 't.y["k"]'], 'e-b': ['a', 'b', 'c', 'd', 'e', 'f'] },
    }] };
    expect(changedInside(r)).toEqual([
      '- Redshift: add a protected database, inside `e-a`: `t.x`, `t.y["k"]`.',
      '- Redshift: add a protected database, inside `e-b`: 6 addresses.',
    ]);
  });

  test('missed names every stack above it', () => {
    const v = boundVerdict(row([counts('e-a', STACK_INSTANCE_BOUND + 1), counts('e-b', 3), counts('e-c', 5000)]));
    expect(v.met).toBe(false);
    expect(v.text).toBe(`**missed** at 1000 databases: \`e-a\` ${STACK_INSTANCE_BOUND + 1}, \`e-c\` 5000 instances`);
  });
});

describe('one-database changes to the benchmark estate', () => {
  const shape = benchShape(5, { pgTables: 2, rsTables: 2 });
  const base = benchEstate(shape).environments.bench;
  const protect = (e: typeof base) => ({
    postgres: e.postgres[0].immuta!.protect.map((p) => [p.database, p.schemas.length]),
    redshift: e.redshift[0].immuta!.protect.map((p) => [p.database, p.schemas.length]),
  });

  test.each(ONE_DATABASE_CHANGES)('$plane $kind changes one database of that plane only, and the estate stays valid', (change) => {
    const changed = protect(benchEstate(shape, change).environments.bench);
    const was = protect(base);
    const other = change.plane === 'postgres' ? 'redshift' : 'postgres';
    expect(changed[other]).toEqual(was[other]);
    const schemas = was[change.plane][2][1] as number;
    expect(changed[change.plane]).toEqual(change.kind === 'add-database'
      ? [...was[change.plane].slice(0, 3), [addedDatabaseName(shape), schemas], ...was[change.plane].slice(3)]
      : was[change.plane].map(([db, n]) => [db, db === 'db_0002' ? (n as number) + 1 : n]));
  });

  test('the added database sorts right after the middle one', () => {
    expect(addedDatabaseName(shape)).toBe('db_0002_added');
    expect(addedDatabaseName(benchShape(1))).toBe('db_0000_added');
  });
});

describe('extrapolating a plan time to a size not measured', () => {
  const cost = (instances: number, planMs: number[]): GraphCost => ({ label: 'x', databases: 1, stacks: ['s'], instances, applyMs: 0, planMs, load: [], terraform: '1' });

  test('one size: linear at its rate (the median of its samples), no power law', () => {
    expect(extrapolate([cost(100, [900, 1000, 5000])], 1000)).toEqual({ linearMs: 10_000 });
  });

  test('two or more sizes: the power law through the two largest', () => {
    // 100 → 1 s, 1,000 → 100 s: quadratic, so 10,000 instances → 10,000 s; linear says 1,000 s.
    const e = extrapolate([cost(1000, [100_000]), cost(10, [500]), cost(100, [1000])], 10_000);
    expect(e.linearMs).toBeCloseTo(1_000_000);
    expect(e.power!.exponent).toBeCloseTo(2);
    expect(e.power!.ms).toBeCloseTo(10_000_000);
  });
});

describe('the line of an earlier layout in the graph cost', () => {
  const cost = (databases: number, instances: number, ms: number): GraphCost => ({ label: 'x', databases, stacks: ['s'], instances, applyMs: 0, planMs: [ms], load: [], terraform: '1' });
  const series = (costs: GraphCost[], databases = 1000, instances = 10_000) => ({ label: 'one stack', what: '`s`', costs, largest: { databases, instances } });

  test('timed at the largest size: the measurements only', () => {
    expect(seriesLine(series([cost(1000, 10_000, 50_000)]))).toBe('- **one stack**, `s`: 10000 instances at 1000 databases: 50.0 s (5.0 ms per instance).');
  });

  test('a rate growing with size: both extrapolations, the linear one said to be a floor', () => {
    const line = seriesLine(series([cost(10, 100, 1000), cost(100, 1000, 100_000)]));
    expect(line).toContain('**extrapolated, not measured**: linearly at the largest measured rate, about 17 min per plan');
    expect(line).toContain('time ∝ instances^2.00 between the two largest measured sizes), which gives about 167 min, so the linear figure is a floor');
  });

  test('a fit below linear (noise) gives the linear figure alone', () => {
    const line = seriesLine(series([cost(10, 100, 8000), cost(100, 1000, 15_000)]));
    expect(line).toContain('about 3 min per plan.');
    expect(line).not.toContain('∝');
  });
});
