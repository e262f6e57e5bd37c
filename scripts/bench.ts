import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchShape, withMoreSchemas, withMoreTables } from './bench/estate';
import { graphCosts } from './bench/graph-cost';
import { measureLayout } from './bench/layout-row';
import { profileSynth } from './bench/profile';
import { BenchReport, evaluateTargets, renderReport } from './bench/report';
import { Row, measureRow, synthAndCount } from './bench/run';

/**
 * `npm run bench`: synthesis time, memory and resource counts of generated estates of
 * growing size, against the bare-cdktf and raw-JSON floors (docs/performance.md).
 */

const USAGE = `usage: bench [--sizes 1,10,100,1000] [--reps 3] [--reps-largest N] [--tables-factor 10]
             [--variant-size N] [--profile | --no-profile] [--graph-reps 3] [--graph-single-size N,…]
             [--graph-max-instances N] [--graph-before REV] [--graph-before-size N,…] [--no-graph] [--write-docs]
  --sizes          protected databases per estate, one row each
  --reps           repetitions per size (medians are reported)
  --reps-largest   repetitions for the largest size (default: --reps)
  --tables-factor  the extra row: this many times the tables per listed schema
  --variant-size   databases of the extra row (default: the largest size up to 100)
  --profile        always take a CPU profile of the largest size (default: only when a target is missed)
  --graph-reps     terraform plan -refresh=false runs per measured configuration (medians are reported)
  --graph-single-size
                   databases of the estates (comma-separated) whose PostgreSQL stacks are timed as one stack (default: the largest size)
  --graph-max-instances
                   leave out of the graph cost any largest-of-its-plane stack above this many instances (default: none)
  --graph-before   also time the largest stack of the layout at git revision REV (synthesized from a git archive of it)
  --graph-before-size
                   databases of the estates (comma-separated) for --graph-before (default: --graph-single-size)
  --no-graph       no graph cost (needs no terraform)
  --write-docs     also rewrite docs/performance.md
  --help           this text`;

interface Options {
  sizes: number[];
  reps: number;
  repsLargest?: number;
  tablesFactor: number;
  variantSize?: number;
  profile?: boolean;
  graph: boolean;
  graphReps: number;
  graphSingleSizes?: number[];
  graphMaxInstances: number;
  graphBefore?: string;
  graphBeforeSizes?: number[];
  writeDocs: boolean;
}

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${value}\n${USAGE}`);
  return n;
}

/** A comma-separated list of positive integers, without repeats, smallest first. */
const sizeList = (flag: string, value: string | undefined) => [...new Set(String(value).split(',').map((s) => positive(flag, s)))].sort((a, b) => a - b);

function parseArgs(argv: string[]): Options {
  const o: Options = { sizes: [1, 10, 100, 1000], reps: 3, tablesFactor: 10, graph: true, graphReps: 3, graphMaxInstances: Infinity, writeDocs: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    switch (flag) {
      case '--sizes': o.sizes = sizeList(flag, value()); break;
      case '--reps': o.reps = positive(flag, value()); break;
      case '--reps-largest': o.repsLargest = positive(flag, value()); break;
      case '--tables-factor': o.tablesFactor = positive(flag, value()); break;
      case '--variant-size': o.variantSize = positive(flag, value()); break;
      case '--profile': o.profile = true; break;
      case '--no-profile': o.profile = false; break;
      case '--graph-reps': o.graphReps = positive(flag, value()); break;
      case '--graph-single-size': o.graphSingleSizes = sizeList(flag, value()); break;
      case '--graph-max-instances': o.graphMaxInstances = positive(flag, value()); break;
      case '--graph-before': o.graphBefore = String(value()); break;
      case '--graph-before-size': o.graphBeforeSizes = sizeList(flag, value()); break;
      case '--no-graph': o.graph = false; break;
      case '--write-docs': o.writeDocs = true; break;
      default: throw new Error(`unknown argument ${flag}\n${USAGE}`);
    }
  }
  return o;
}

/** `npm run bench` once package.json has the script, else what it runs. */
function reproduceCommand(args: string[]): string {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const joined = args.join(' ');
  return pkg.scripts?.bench ? `npm run bench${joined ? ` -- ${joined}` : ''}` : `npx ts-node --transpile-only scripts/bench.ts ${joined}`.trim();
}

function main(): void {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const opts = parseArgs(process.argv.slice(2));
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'governance-bench-'));
  try {
    const largestSize = opts.sizes[opts.sizes.length - 1];
    const sizeRows: Row[] = opts.sizes.map((n) =>
      measureRow(String(n), benchShape(n), n === largestSize ? opts.repsLargest ?? opts.reps : opts.reps, workdir, log));

    const variantSize = opts.variantSize ?? [...opts.sizes].reverse().find((n) => n <= 100) ?? opts.sizes[0];
    const base = sizeRows.find((r) => r.shape.databases === variantSize) ?? measureRow(String(variantSize), benchShape(variantSize), opts.reps, workdir, log);
    const variant = measureRow(`${variantSize} (${opts.tablesFactor}× tables)`, withMoreTables(base.shape, opts.tablesFactor), opts.reps, workdir, log);

    // Counts only: twice the schemas per database, at the smallest size with more than one database.
    const probeBase = sizeRows.find((r) => r.shape.databases > 1) ?? sizeRows[0];
    const probeShape = withMoreSchemas(probeBase.shape, 2);
    const probeCounts = synthAndCount(probeShape, path.join(workdir, 'schemas-probe'));

    // The layout of each size's synthesized output and of its one-database changes, and Terraform's graph cost on stand-ins of its stacks.
    const layoutRows = sizeRows.map((r) => measureLayout(r.shape, r.refdir, workdir, log));
    const graph = opts.graph
      ? graphCosts(layoutRows, {
        reps: opts.graphReps,
        singleSizes: opts.graphSingleSizes ?? [largestSize],
        maxInstances: opts.graphMaxInstances,
        ...(opts.graphBefore ? { before: { rev: opts.graphBefore, sizes: opts.graphBeforeSizes ?? opts.graphSingleSizes ?? [largestSize] } } : {}),
      }, workdir, log)
      : undefined;

    const measured: BenchReport = {
      command: reproduceCommand(process.argv.slice(2)),
      rows: [...sizeRows, variant],
      sizeRows,
      tablesVariant: { row: variant, base, factor: opts.tablesFactor },
      schemasProbe: { base: probeBase, shape: probeShape, counts: probeCounts, factor: 2 },
      layout: { rows: layoutRows, ...(graph ? { graph } : {}) },
    };
    // The profile explains a missed target; --profile takes it anyway.
    const missed = evaluateTargets(measured).some((t) => !t.met);
    const largest = sizeRows[sizeRows.length - 1];
    let report = measured;
    if (opts.profile ?? missed) {
      log(`${largest.label}: CPU profiles of ours and the bare floor${missed ? ' (a target was missed)' : ''}`);
      const ours = profileSynth({ mode: 'ours', shape: largest.shape, outdir: path.join(workdir, 'profiled-ours') }, workdir);
      const bare = profileSynth({ mode: 'bare', refdir: largest.refdir, outdir: path.join(workdir, 'profiled-bare') }, workdir);
      report = { ...measured, profile: { row: largest, ours, bare } };
    }

    const markdown = renderReport(report);
    process.stdout.write(`${markdown}\n`);
    if (opts.writeDocs) {
      const file = path.resolve(__dirname, '..', 'docs', 'performance.md');
      fs.writeFileSync(file, `${markdown}\n`);
      log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  } finally {
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
