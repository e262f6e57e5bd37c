import { REDSHIFT_STACK_INSTANCE_BOUND, STACK_INSTANCE_BOUND } from '../../model/stack-layout';
import { GraphCost, GraphCosts, GraphSeries, planMedianMs } from './graph-cost';
import { LayoutStack, TouchedStacks, largestPerPlane, largestStack, touchedCount } from './layout';
import { LayoutRow } from './layout-row';
import { STAND_IN_OMITS } from './stand-in';

/** The "Stack layout" and "Graph cost" sections of the report. */
export interface LayoutReport {
  readonly rows: readonly LayoutRow[];
  /** Measured at the largest size; absent with --no-graph. */
  readonly graph?: GraphCosts;
}

/** How a change's stacks read in a table cell: the count, and the names while there are few. */
export function touchedCell(t: TouchedStacks): string {
  const parts = ([['added', t.added], ['changed', t.changed], ['removed', t.removed]] as const)
    .filter(([, names]) => names.length > 0)
    .map(([what, names]) => `${what}: ${names.length <= 3 ? names.map((n) => `\`${n}\``).join(', ') : `${names.length} stacks`}`);
  return `${touchedCount(t)}${parts.length > 0 ? ` (${parts.join('; ')})` : ''}`;
}

const stackCell = (s: LayoutStack) => `\`${s.stack}\` ${s.instances}`;

/** Whether the largest stack at the largest size holds at most the bound, said with the stack. */
export function boundVerdict(row: LayoutRow): { met: boolean; text: string } {
  const largest = largestStack(row.stacks);
  const over = row.stacks.filter((s) => s.instances > STACK_INSTANCE_BOUND);
  const met = over.length === 0;
  return {
    met,
    text: met
      ? `met at ${row.shape.databases} databases: the largest stack, \`${largest.stack}\`, holds ${largest.instances} instances`
      : `**missed** at ${row.shape.databases} databases: ${over.map(stackCell).join(', ')} instances`,
  };
}

function layoutTable(rows: readonly LayoutRow[]): string[] {
  const labels = rows[0].changes.map((c) => c.label);
  return [
    `| databases | stacks | largest stack (instances) | instances in all stacks | ${labels.map((l) => `stacks touched, ${l}`).join(' | ')} |`,
    `|${' --- |'.repeat(4 + labels.length)}`,
    ...rows.map((r) => `| ${r.shape.databases} | ${r.stacks.length} | ${stackCell(largestStack(r.stacks))} | ${r.stacks.reduce((n, s) => n + s.instances, 0)} | ${r.changes.map((c) => touchedCell(c.touched)).join(' | ')} |`),
  ];
}

function planesTable(row: LayoutRow): string[] {
  const largest = largestPerPlane(row.stacks);
  return [
    `| plane (from stacks.json) | stacks | largest stack | its resource blocks | its data sources | its check blocks | its instances |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...largest.map((s) => `| ${s.plane ?? '(no stacks.json)'} | ${row.stacks.filter((x) => (x.plane ?? x.stack) === (s.plane ?? s.stack)).length} | \`${s.stack}\` | ${s.blocks} | ${s.dataBlocks} | ${s.checks} | ${s.instances} |`),
  ];
}

const sec = (ms: number) => (ms / 1000).toFixed(1);
const perInstance = (g: GraphCost) => (planMedianMs(g) / g.instances).toFixed(1);

/**
 * A plan's time for `instances` from measured ones, as an estimate and never a measurement:
 * linear at the rate of the largest measured configuration and, with two or more sizes, the
 * power law through the two largest (t = a·n^k), which follows a rate that grows with size.
 */
export function extrapolate(costs: readonly GraphCost[], instances: number): { linearMs: number; power?: { exponent: number; ms: number } } {
  const sorted = [...costs].sort((a, b) => a.instances - b.instances);
  const last = sorted[sorted.length - 1];
  const linearMs = (planMedianMs(last) / last.instances) * instances;
  if (sorted.length < 2) return { linearMs };
  const prev = sorted[sorted.length - 2];
  const exponent = Math.log(planMedianMs(last) / planMedianMs(prev)) / Math.log(last.instances / prev.instances);
  return { linearMs, power: { exponent, ms: planMedianMs(last) * (instances / last.instances) ** exponent } };
}

const minutes = (ms: number) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(0)} min` : `${sec(ms)} s`);

export function seriesLine(s: GraphSeries): string {
  const measured = s.costs.map((g) => `${g.instances} instances at ${g.databases} databases: ${sec(planMedianMs(g))} s (${perInstance(g)} ms per instance)`).join('; ');
  const timed = s.costs.find((g) => g.databases === s.largest.databases);
  if (timed) return `- **${s.label}**, ${s.what}: ${measured}.`;
  const e = extrapolate(s.costs, s.largest.instances);
  // A rate that grows with size makes the linear figure a floor; a fit below linear is noise.
  const power = e.power && e.power.exponent > 1
    ? `; the rate grows with size (time ∝ instances^${e.power.exponent.toFixed(2)} between the two largest measured sizes), which gives about ${minutes(e.power.ms)}, so the linear figure is a floor`
    : '';
  return `- **${s.label}**, ${s.what}: ${measured}. At ${s.largest.databases} databases it holds ${s.largest.instances} instances, not timed (its setup apply is too long for this machine): **extrapolated, not measured**: linearly at the largest measured rate, about ${minutes(e.linearMs)} per plan${power}.`;
}

function graphSection(graph: GraphCosts): string[] {
  const { series, layout, reps, skipped } = graph;
  const all = [...series.flatMap((s) => s.costs), ...layout];
  if (all.length === 0) return [];
  const row = (g: GraphCost) => `| ${g.label} | ${g.databases} | ${g.stacks.length === 1 ? `\`${g.stacks[0]}\`` : `${g.stacks.length} stacks`} | ${g.instances} | ${sec(g.applyMs)} | ${sec(planMedianMs(g))} | ${g.planMs.map(sec).join(', ')} | ${perInstance(g)} | ${g.load.map((l) => l.toFixed(1)).join(', ')} |`;
  const largestNew = layout.length > 0 ? layout.reduce((a, b) => (b.instances > a.instances ? b : a)) : undefined;
  const slowestNew = layout.length > 0 ? layout.reduce((a, b) => (planMedianMs(b) > planMedianMs(a) ? b : a)) : undefined;
  return [
    '## Graph cost',
    '',
    `Terraform's own work for a plan that reads nothing: \`terraform plan -refresh=false\`, median of ${reps}, default parallelism (Terraform ${all[0].terraform}). **Measured with a stand-in, not with the real providers:** the postgresql provider cannot be installed on this machine and the AWS and Redshift stacks would need an account. Each measured configuration is the synthesized cdk.tf.json with every resource and data source replaced by Terraform's built-in \`terraform_data\` carrying the same attributes as \`input\`, with the same for_each keys and count, the same references and depends_on edges; ${STAND_IN_OMITS} are left out (scripts/bench/stand-in.ts). The earlier layouts: every PostgreSQL stack of the estate in one configuration, blocks of the same name united into one for_each block, as one stack per server held them; and the largest stack of the same estate synthesized by an earlier commit. Each configuration is applied once into a local state (apply is setup, shown for scale), then planned; every plan must be empty. A real provider adds its start, its schema and, without -refresh=false, one read per instance (about 0.1 s per instance with cyrilgdn/postgresql 1.26 on 2 cores, issue 16), so these seconds are a floor.`,
    '',
    '| configuration | databases | stacks in one state | instances | apply s (setup) | plan -refresh=false s (median) | samples s | ms per instance | load before each plan |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...all.map(row),
    '',
    ...series.map(seriesLine),
    ...(largestNew && slowestNew ? [`- **The new layout** at ${largestNew.databases} databases: its largest stack, \`${largestNew.stacks[0]}\`, ${largestNew.instances} instances, plans in ${sec(planMedianMs(largestNew))} s; its slowest measured plan, \`${slowestNew.stacks[0]}\` (${slowestNew.instances} instances), ${sec(planMedianMs(slowestNew))} s.`] : []),
    ...skipped.map((s) => `- Not measured (above --graph-max-instances): \`${s.stack}\` (${s.plane ?? 'no plane'}), ${s.instances} instances.`),
    '',
  ];
}

/** What changed inside each stack a change changed (not added), by Terraform address. */
export function changedInside(row: LayoutRow): string[] {
  return row.changes.flatMap((c) => Object.entries(c.addresses).map(([stack, addresses]) =>
    `- ${c.label}, inside \`${stack}\`: ${addresses.length <= 5 ? addresses.map((a) => `\`${a}\``).join(', ') : `${addresses.length} addresses`}.`));
}

export function layoutSections(report: LayoutReport): string[] {
  const rows = report.rows;
  const largestRow = rows[rows.length - 1];
  const verdict = boundVerdict(largestRow);
  return [
    '## Stack layout',
    '',
    `Each estate above, and the same estate after each one-database change, synthesized with \`npm run synth\` (main.ts) and read back from its output: the stacks are the folders under cdktf.out/stacks${largestRow.listed ? ', their planes come from cdktf.out/stacks.json' : ' (this synth wrote no stacks.json)'}. Instances are what Terraform plans in a stack: for_each entries, plain resources, and data sources (also those of check blocks). A change touches a stack when the stack is added, removed, or its cdk.tf.json differs outside cdktf's "//" metadata. The changed or added database is the middle one (an added database sorts right after it); an added schema is a whole schema.`,
    '',
    ...layoutTable(rows),
    '',
    ...rows.filter((r) => r.mismatch).map((r) => `- **stacks.json disagrees with the synth at ${r.shape.databases} databases:** ${r.mismatch}.`),
    ...(rows.some((r) => r.mismatch) ? [''] : []),
    `At ${largestRow.shape.databases} databases, the largest stack of each plane:`,
    '',
    ...planesTable(largestRow),
    '',
    `- **Bound:** \`STACK_INSTANCE_BOUND\` = ${STACK_INSTANCE_BOUND} instances (model/stack-layout.ts; the estate rejects a PostgreSQL grant stack of several protected databases above it, and a Redshift database stack of several above \`REDSHIFT_STACK_INSTANCE_BOUND\` = ${REDSHIFT_STACK_INSTANCE_BOUND}): ${verdict.text}.`,
    `- **One-database change at ${largestRow.shape.databases} databases:** ${largestRow.changes.map((c) => `${c.label}: ${touchedCount(c.touched)} stack${touchedCount(c.touched) === 1 ? '' : 's'}`).join('; ')}.`,
    ...changedInside(largestRow),
    '',
    ...(report.graph ? graphSection(report.graph) : []),
  ];
}
