import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findEngine } from '../../test/support/terraform-env';
import { standInDocument } from './stand-in';
import { benchEstateDocument, benchShape } from './estate';
import { LayoutStack, largestPerPlane, largestStack, readLayout } from './layout';
import { LayoutRow } from './layout-row';
import { StackDoc, countStack } from './tf-json';
import { Log, checkoutAt, median, synthWithMain } from './run';

/**
 * Terraform's own graph cost for a set of stacks: their stand-in (stand-in.ts) applied once
 * into a local state, then `plan -refresh=false` timed. No provider runs, so what is timed
 * is Terraform walking the graph of that many instances.
 */
export interface GraphCost {
  readonly label: string;
  /** Protected databases of the estate the stacks come from. */
  readonly databases: number;
  /** The stacks the measured configuration stands in for (several: merged into one state). */
  readonly stacks: readonly string[];
  readonly instances: number;
  readonly applyMs: number;
  /** One per `plan -refresh=false`. */
  readonly planMs: readonly number[];
  /** The 1-minute load average before each plan: above ~1, other work shared the cores. */
  readonly load: readonly number[];
  readonly terraform: string;
}

export const planMedianMs = (g: GraphCost) => median(g.planMs);

const STEP_TIMEOUT_MS = 20 * 60 * 1000;

function terraform(dir: string, args: readonly string[], cliConfig: string): { ms: number; status: number | null; output: string } {
  const bin = findEngine('terraform').path;
  const start = performance.now();
  const r = spawnSync(bin, args, {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: STEP_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: cliConfig },
  });
  const ms = performance.now() - start;
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
  return { ms, status: r.status, output };
}

function must(step: string, r: { status: number | null; output: string }, ok: readonly number[] = [0]): void {
  if (r.status === null || !ok.includes(r.status)) throw new Error(`terraform ${step} failed (status ${r.status}):\n${r.output.slice(-4000)}`);
}

/**
 * Writes the stand-in of `docs` into `dir`, applies it, then times `reps` plans. A plan that
 * is not empty (exit code 2 with -detailed-exitcode) is an error: the stand-in must converge.
 */
export function measureGraphCost(label: string, databases: number, docs: readonly StackDoc[], dir: string, reps: number, log: Log): GraphCost {
  // One namespace: the stacks' same-named blocks fold into one, as one stack per server wrote them.
  const doc = standInDocument(docs.map((d) => ({ doc: d.doc, prefix: '' })));
  const instances = countStack({ stack: label, doc, bytes: 0 }).instances;
  const expected = docs.reduce((n, d) => n + countStack(d).instances, 0);
  if (instances !== expected) throw new Error(`stand-in for ${label} has ${instances} instances, the stacks ${expected}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(doc));
  // No provider to install: an empty CLI config keeps the machine's own settings out.
  const cliConfig = path.join(dir, 'empty.tfrc');
  fs.writeFileSync(cliConfig, '');
  must('init', terraform(dir, ['init', '-input=false', '-no-color'], cliConfig));
  log(`graph cost, ${label}: applying the stand-in (${instances} instances)`);
  const apply = terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color'], cliConfig);
  must('apply', apply);
  const planMs: number[] = [];
  const load: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    load.push(os.loadavg()[0]);
    const plan = terraform(dir, ['plan', '-refresh=false', '-detailed-exitcode', '-input=false', '-no-color'], cliConfig);
    must('plan -refresh=false (exit 2: the stand-in did not converge)', plan);
    planMs.push(plan.ms);
    log(`graph cost, ${label}: plan -refresh=false ${rep + 1}/${reps} ${(plan.ms / 1000).toFixed(1)} s`);
  }
  return { label, databases, stacks: docs.map((d) => d.stack), instances, applyMs: apply.ms, planMs, load, terraform: findEngine('terraform').version };
}

export interface GraphOptions {
  readonly reps: number;
  /** Databases of the estates whose PostgreSQL stacks are measured as one. */
  readonly singleSizes: readonly number[];
  /** Stacks of the new layout above this many instances are listed, not measured. */
  readonly maxInstances: number;
  /**
   * The largest stack of an earlier layout: the estates of `sizes` databases synthesized by
   * the repository at git revision `rev` (e.g. one Redshift cluster stack before its split).
   * @default not measured
   */
  readonly before?: { readonly rev: string; readonly sizes: readonly number[] };
}

/**
 * An earlier layout timed at some sizes, and the instances it holds at the largest size
 * (counted from its synth, not timed when that is not one of the sizes).
 */
export interface GraphSeries {
  readonly label: string;
  /** The stack measured (one name) or the stacks folded into one state (their count). */
  readonly what: string;
  readonly costs: readonly GraphCost[];
  readonly largest: { readonly databases: number; readonly instances: number };
}

export interface GraphCosts {
  readonly reps: number;
  /** Earlier layouts: the PostgreSQL stacks folded into one state, the stack before a split. */
  readonly series: readonly GraphSeries[];
  /** The largest stack of each plane at the largest size. */
  readonly layout: readonly GraphCost[];
  /** Largest stacks of a plane left out by maxInstances, at the largest size. */
  readonly skipped: readonly LayoutStack[];
}

/** PostgreSQL stacks: by plane from stacks.json, else by name (`<env>-postgres…`). */
export const isPostgresStack = (s: LayoutStack) => (s.plane ? s.plane.startsWith('postgres') : /^[^-]+-postgres(-|$)/.test(s.stack));

const sumInstances = (stacks: readonly LayoutStack[]) => stacks.reduce((n, s) => n + s.instances, 0);

/**
 * The single-stack layout (every PostgreSQL stack of the estate folded into one state, as
 * before issue 16) at opts.singleSizes, the largest stack at opts.before.rev, and the largest
 * stack of each plane at the largest size.
 */
export function graphCosts(rows: readonly LayoutRow[], opts: GraphOptions, workdir: string, log: Log): GraphCosts {
  const largestRow = rows[rows.length - 1];
  const docsOf = (row: LayoutRow, keep: (s: LayoutStack) => boolean) => {
    const wanted = new Set(row.stacks.filter(keep).map((s) => s.stack));
    return readLayout(row.outdir).docs.filter((d) => wanted.has(d.stack));
  };
  const single = opts.singleSizes.map((size) => {
    // A size of the report reuses its output; another is synthesized for this only.
    const outdir = rows.find((r) => r.shape.databases === size)?.outdir ?? path.join(workdir, `single-${size}`);
    if (!fs.existsSync(outdir)) synthWithMain(benchEstateDocument(benchShape(size)), outdir);
    const layout = readLayout(outdir);
    const wanted = new Set(layout.stacks.filter(isPostgresStack).map((s) => s.stack));
    const pg = layout.docs.filter((d) => wanted.has(d.stack));
    if (pg.length === 0) throw new Error(`no PostgreSQL stack at ${size} databases`);
    return measureGraphCost('every PostgreSQL stack in one state', size, pg, path.join(workdir, `graph-single-${size}`), opts.reps, log);
  });
  const series: GraphSeries[] = [{
    label: 'the single-stack PostgreSQL layout (every PostgreSQL stack in one state)',
    what: `${largestRow.stacks.filter(isPostgresStack).length} stacks at ${largestRow.shape.databases} databases`,
    costs: single,
    largest: { databases: largestRow.shape.databases, instances: sumInstances(largestRow.stacks.filter(isPostgresStack)) },
  }];
  if (opts.before) series.push(measureBefore(opts.before, largestRow.shape.databases, opts.reps, workdir, log));
  const perPlane = largestPerPlane(largestRow.stacks);
  const layout = perPlane.filter((x) => x.instances <= opts.maxInstances).map((s) =>
    measureGraphCost(`largest ${s.plane ?? 'stack'} stack`, largestRow.shape.databases, docsOf(largestRow, (x) => x.stack === s.stack), path.join(workdir, `graph-${s.stack}`), opts.reps, log));
  return { reps: opts.reps, series, layout, skipped: perPlane.filter((x) => x.instances > opts.maxInstances) };
}

/**
 * The largest stack of the layout at an earlier revision, synthesized from the same estates:
 * timed at each of `before.sizes`, counted at `largestSize`.
 */
function measureBefore(before: { rev: string; sizes: readonly number[] }, largestSize: number, reps: number, workdir: string, log: Log): GraphSeries {
  const root = path.join(workdir, 'before');
  checkoutAt(before.rev, root);
  const largestOf = (databases: number) => {
    const outdir = path.join(workdir, `before-${databases}`);
    log(`graph cost: synthesizing ${databases} databases at ${before.rev}`);
    synthWithMain(benchEstateDocument(benchShape(databases)), outdir, root);
    const layout = readLayout(outdir);
    const stack = largestStack(layout.stacks);
    fs.rmSync(outdir, { recursive: true, force: true });
    return { stack, doc: layout.docs.find((d) => d.stack === stack.stack)! };
  };
  const costs = before.sizes.map((databases) => {
    const { doc } = largestOf(databases);
    return measureGraphCost(`the largest stack at ${before.rev}`, databases, [doc], path.join(workdir, `graph-before-${databases}`), reps, log);
  });
  const timed = costs.find((c) => c.databases === largestSize);
  const counted = timed ? { stack: timed.stacks[0], instances: timed.instances } : largestOf(largestSize).stack;
  return {
    label: `the largest stack at ${before.rev}`,
    what: `\`${counted.stack}\``,
    costs,
    largest: { databases: largestSize, instances: counted.instances },
  };
}
