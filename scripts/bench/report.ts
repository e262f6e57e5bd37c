import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BenchEstateShape, protectedSchemaCount } from './estate';
import { LayoutReport, layoutSections } from './layout-report';
import { largestStack } from './layout';
import { ProfileSummary, Share } from './profile';
import { FloorMode } from './child';
import { MODES, Mode, Row, medianOf } from './run';
import { StackCounts } from './tf-json';

/** The markdown the benchmark prints and, with --write-docs, keeps in docs/performance.md. */

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export const TARGETS = { bareRatio: 1.2, rawRatio: 3, largestSeconds: 60, largestMiB: 2048 } as const;

export interface BenchReport {
  readonly command: string;
  readonly rows: readonly Row[];
  /** The rows of the size series (no variant), smallest first. */
  readonly sizeRows: readonly Row[];
  readonly tablesVariant?: { readonly row: Row; readonly base: Row; readonly factor: number };
  readonly schemasProbe?: { readonly base: Row; readonly shape: BenchEstateShape; readonly counts: readonly StackCounts[]; readonly factor: number };
  readonly profile?: { readonly row: Row; readonly ours: ProfileSummary; readonly bare: ProfileSummary };
  readonly layout?: LayoutReport;
}

export interface TargetResult { readonly name: string; readonly met: boolean; readonly detail: string }

const sec = (ms: number) => (ms / 1000).toFixed(ms < 10 ? 4 : 3);
const ratio = (a: number, b: number) => (b > 0 ? a / b : Infinity);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const total = (counts: readonly StackCounts[], key: 'blocks' | 'instances' | 'bytes') => sum(counts.map((c) => c[key]));
const tables = (s: BenchEstateShape) => `${s.pgTables} / ${s.rsTables}`;

/** Our median synthesis time over a floor's. */
const oursOver = (r: Row, mode: FloorMode) => ratio(medianOf(r, 'ours', 'ms'), medianOf(r, mode, 'ms'));

export function evaluateTargets(report: BenchReport): TargetResult[] {
  const rows = report.rows;
  const largest = report.sizeRows[report.sizeRows.length - 1];
  const ratioTarget = (mode: FloorMode, limit: number, name: string): TargetResult => {
    const misses = rows.filter((r) => oursOver(r, mode) > limit);
    const worst = rows.reduce((w, r) => (oursOver(r, mode) > oursOver(w, mode) ? r : w));
    return {
      name,
      met: misses.length === 0,
      detail: misses.length === 0
        ? `worst ${oursOver(worst, mode).toFixed(2)}× (${worst.label})`
        : `missed at ${misses.map((r) => `${r.label} (${oursOver(r, mode).toFixed(1)}×)`).join(', ')}`,
    };
  };
  const ms = medianOf(largest, 'ours', 'ms');
  const rss = medianOf(largest, 'ours', 'rssMiB');
  return [
    ratioTarget('bindings', TARGETS.bareRatio, `at most ${TARGETS.bareRatio}× the bare-cdktf floor (provider bindings) at every size`),
    ratioTarget('bare', TARGETS.bareRatio, `the same against the stricter floor of plain TerraformResource constructs`),
    ratioTarget('raw', TARGETS.rawRatio, `stretch: at most ${TARGETS.rawRatio}× the raw JSON.stringify floor`),
    { name: `${largest.label}: under ${TARGETS.largestSeconds} s`, met: ms < TARGETS.largestSeconds * 1000, detail: `${sec(ms)} s` },
    { name: `${largest.label}: under 2 GB peak RSS`, met: rss < TARGETS.largestMiB, detail: `${rss.toFixed(0)} MiB` },
  ];
}

function machine(rows: readonly Row[]): string[] {
  const load = rows.flatMap((r) => r.load);
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const cdktf = (JSON.parse(fs.readFileSync(require.resolve('cdktf/package.json'), 'utf8')) as { version: string }).version;
  return [
    `- CPUs: ${cores} (\`nproc\`), ${model}`,
    `- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node ${process.version}, cdktf ${cdktf}; every run is a fresh \`node -r ts-node/register/transpile-only\` process, as \`npm run synth\` runs the app`,
    `- 1-minute load average before the runs: ${Math.min(...load).toFixed(2)} to ${Math.max(...load).toFixed(2)}. The benchmark runs one process at a time; a load well above 1 means other work shared the ${cores} cores and slowed some runs (medians damp that, single runs do not).`,
  ];
}

function timingTable(rows: readonly Row[]): string[] {
  const lines = [
    '| databases | tables per listed schema (PG / RS) | reps | ours s | ours RSS MiB | bindings s | bindings RSS MiB | bare s | bare RSS MiB | raw JSON s | raw RSS MiB | ours ÷ bindings | ours ÷ bare | ours ÷ raw | estate validation s |',
    `|${' --- |'.repeat(15)}`,
  ];
  for (const r of rows) {
    const perMode = MODES.map((m) => `${sec(medianOf(r, m, 'ms'))} | ${medianOf(r, m, 'rssMiB').toFixed(0)}`).join(' | ');
    lines.push(`| ${r.label} | ${tables(r.shape)} | ${r.reps} | ${perMode} | ${oursOver(r, 'bindings').toFixed(2)} | ${oursOver(r, 'bare').toFixed(2)} | ${oursOver(r, 'raw').toFixed(1)} | ${sec(medianOf(r, 'ours', 'validateMs'))} |`);
  }
  return lines;
}

function countsTable(report: BenchReport): string[] {
  const lines = [
    '| databases | tables per listed schema (PG / RS) | protected schemas | stacks | resource blocks | instances | largest stack (instances) | instances added per added database | instances per protected schema | cdk.tf.json KiB |',
    `|${' --- |'.repeat(10)}`,
  ];
  let previous: Row | undefined;
  for (const r of report.rows) {
    const sameSeries = previous && report.sizeRows.includes(r);
    const added = sameSeries ? ratio(total(r.counts, 'instances') - total(previous!.counts, 'instances'), r.shape.databases - previous!.shape.databases).toFixed(2) : '–';
    const largest = largestStack(r.counts);
    lines.push(`| ${r.label} | ${tables(r.shape)} | ${protectedSchemaCount(r.shape)} | ${r.counts.length} | ${total(r.counts, 'blocks')} | ${total(r.counts, 'instances')} | \`${largest.stack}\` ${largest.instances} | ${added} | ${(total(r.counts, 'instances') / protectedSchemaCount(r.shape)).toFixed(2)} | ${(total(r.counts, 'bytes') / 1024).toFixed(0)} |`);
    if (report.sizeRows.includes(r)) previous = r;
  }
  return lines;
}

/** The variants that hold databases fixed: more tables (counts must not move), more schemas. */
function growthNotes(report: BenchReport): string[] {
  const notes: string[] = [];
  const opaque = sum(report.rows.map((r) => sum(r.counts.map((c) => c.opaque))));
  if (opaque > 0) notes.push(`- ${opaque} resource block(s) have a for_each or count that is an expression; each was counted as one instance.`);
  const tv = report.tablesVariant;
  if (tv) {
    const same = (['blocks', 'instances'] as const).every((k) => tv.row.counts.every((c) => tv.base.counts.find((b) => b.stack === c.stack)?.[k] === c[k]))
      && tv.row.counts.length === tv.base.counts.length;
    notes.push(`- **Tables:** ${tv.factor}× the tables per listed schema at ${tv.base.shape.databases} databases (${tables(tv.base.shape)} → ${tables(tv.row.shape)}): `
      + `resource blocks ${total(tv.base.counts, 'blocks')} → ${total(tv.row.counts, 'blocks')}, instances ${total(tv.base.counts, 'instances')} → ${total(tv.row.counts, 'instances')}: `
      + `${same ? 'identical in every stack' : '**not identical: the count grows with tables**'}. Only cdk.tf.json grows (${(total(tv.base.counts, 'bytes') / 1024).toFixed(0)} → ${(total(tv.row.counts, 'bytes') / 1024).toFixed(0)} KiB), because listed tables are attribute values of one instance per schema.`);
  }
  const sp = report.schemasProbe;
  if (sp) {
    const dSchemas = protectedSchemaCount(sp.shape) - protectedSchemaCount(sp.base.shape);
    const dInstances = total(sp.counts, 'instances') - total(sp.base.counts, 'instances');
    notes.push(`- **Schemas:** ${sp.factor}× the protected schemas per database at ${sp.base.shape.databases} databases (${protectedSchemaCount(sp.base.shape)} → ${protectedSchemaCount(sp.shape)} schemas): `
      + `resource blocks ${total(sp.base.counts, 'blocks')} → ${total(sp.counts, 'blocks')}, instances ${total(sp.base.counts, 'instances')} → ${total(sp.counts, 'instances')}, `
      + `${(dInstances / dSchemas).toFixed(2)} instances per added protected schema.`);
  }
  const first = report.sizeRows[0];
  const last = report.sizeRows[report.sizeRows.length - 1];
  if (first !== last) {
    notes.push(`- **Databases:** ${first.label} → ${last.label}: resource blocks ${total(first.counts, 'blocks')} → ${total(last.counts, 'blocks')}; `
      + `instances ${total(first.counts, 'instances')} → ${total(last.counts, 'instances')} (for_each map entries).`);
  }
  return notes;
}

/** Project files that use cdktf's DataResource, whose validation runs `terraform version`. */
function dataResourceUsers(): string[] {
  const found: string[] = [];
  for (const dir of ['constructs', 'stacks']) {
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /\bDataResource\b/.test(fs.readFileSync(p, 'utf8'))) found.push(path.relative(REPO_ROOT, p));
      }
    };
    if (fs.existsSync(path.join(REPO_ROOT, dir))) walk(path.join(REPO_ROOT, dir));
  }
  return found;
}

/** Explanations for the profile areas that matter; the numbers come from the profile itself. */
function findings(summary: ProfileSummary): string[] {
  const share = (prefix: string) => summary.areas.find((a) => a.name.startsWith(prefix))?.share ?? 0;
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const out: string[] = [];
  if (share('child processes') > 0.05) {
    const users = dataResourceUsers();
    out.push(`- **Child processes (${pct(share('child processes'))}).** cdktf's \`DataResource\` (the \`terraform_data\` binding) adds a \`ValidateTerraformVersion(">=1.4")\` validation that runs \`terraform version\` with \`execSync\` once per construct on every synth (cdktf/lib/terraform-data-resource.js). It is a fixed cost per \`terraform_data\` block (four per Redshift cluster), independent of estate size, and synth fails outright when \`terraform\` is not on PATH. The bindings floor pays the same cost (it uses the same class); the plain-construct floor does not. `
      + (users.length > 0
        ? `Fix, in ${users.map((u) => `\`${u}\``).join(', ')}: create the block as \`new TerraformResource(this, id, { terraformResourceType: 'terraform_data', forEach, dependsOn, provisioners, lifecycle })\` and set \`input\` and \`triggers_replace\` with \`addOverride\` (or a small subclass whose \`synthesizeAttributes()\` returns them): same JSON, no validation, no child process.`
        : 'No project file uses `DataResource` any more; look for other constructs that carry a ValidateBinaryVersion.'));
  }
  if (share('stack-trace') > 0.05) {
    out.push(`- **Stack traces (${pct(share('stack-trace'))}).** Every cdktf token (\`Lazy\`, \`Intrinsic\`: each \`each.getString()\`, \`Fn.*\`, attribute reference, \`Token.asString\`, and again each time an iterator reference such as \`each.value\` is resolved) captures a full stack trace with \`Error.stackTraceLimit = Infinity\`, and under ts-node every frame of it is source-mapped by source-map-support. The cost follows the number of tokens created, not the size of the for_each maps. It is paid only when running from TypeScript: running the compiled JavaScript (\`tsc\` output, \`node main.js\`) or creating fewer tokens per construct removes it.`);
  }
  if (share('garbage collector') > 0.15) {
    out.push(`- **Garbage collection (${pct(share('garbage collector'))}).** cdktf resolves each stack more than once (\`prepareStack\` resolves every element, then \`toTerraform\` resolves the whole document again) and copies the for_each maps in \`deepMerge\`; the allocation is proportional to the size of cdk.tf.json.`);
  }
  out.push(`- **Project code: ${pct(share('project code'))}** of the synthesis samples by self time; by inclusive time: ${summary.projectTop.slice(0, 8).map((f) => `\`${f.name}\` ${f.ms.toFixed(0)} ms`).join(', ')}.`);
  return out;
}

/** What the measured numbers say about the targets; every figure comes from this run. */
function analysis(report: BenchReport): string[] {
  const smallest = report.sizeRows[0];
  const largest = report.sizeRows[report.sizeRows.length - 1];
  const m = (r: Row, mode: Mode) => medianOf(r, mode, 'ms');
  const out = [
    `- **Fixed cost.** At ${smallest.label} database${smallest.shape.databases === 1 ? '' : 's'} ours takes ${sec(m(smallest, 'ours'))} s, the bindings floor ${sec(m(smallest, 'bindings'))} s and the bare floor ${sec(m(smallest, 'bare'))} s: the ratios at small sizes measure a constant (construct classes, tokens, validations), not growth. From ${smallest.label} to ${largest.label} databases ours grows by ${sec(m(largest, 'ours') - m(smallest, 'ours'))} s, bindings by ${sec(m(largest, 'bindings') - m(smallest, 'bindings'))} s and bare by ${sec(m(largest, 'bare') - m(smallest, 'bare'))} s.`,
  ];
  const p = report.profile;
  if (p) {
    const bareMs = (name: string) => p.bare.phases.find((b) => b.name === name)?.ms ?? 0;
    const deltas = p.ours.phases.map((o) => ({ name: o.name, delta: o.ms - bareMs(o.name) })).sort((a, b) => b.delta - a.delta);
    out.push(`- **The gap to the bare floor (plain constructs) at ${largest.label}** is ${sec(m(largest, 'ours') - m(largest, 'bare'))} s (medians). In the two profiles (${sec(p.ours.synthMs)} s and ${sec(p.bare.synthMs)} s): ${deltas.map((d) => `${d.name} ${d.delta >= 0 ? '+' : ''}${d.delta.toFixed(0)} ms`).join('; ')}.`);
  }
  const bareRaw = ratio(m(largest, 'bare'), m(largest, 'raw'));
  if (bareRaw > TARGETS.rawRatio) {
    out.push(`- **The stretch target is out of reach inside cdktf.** Bare cdktf alone is ${bareRaw.toFixed(0)}× the raw floor at ${largest.label}: cdktf resolves every string of every for_each map (token detection, fragment joining) when it prepares the stack and again when it renders it, so any design that hands the maps to cdktf stays above that ratio. The route to ≤ ${TARGETS.rawRatio}×: keep the maps out of the construct tree — write each for_each map as a JSON file next to cdk.tf.json (main.ts already writes the SQL files there) and set \`for_each = "\${jsondecode(file("\${path.module}/<block>.json"))}"\`. Instance addresses stay the same (\`postgresql_grant.x["db/schema"]\`; checked with terraform 1.11 on terraform_data), cdktf then resolves a document of constant size, and the maps cost what JSON.stringify costs; the price is a cdk.tf.json that is no longer self-contained.`);
  }
  return out;
}

function shareTable(what: string, unit: string, shares: readonly Share[]): string[] {
  return [`| ${what} | ${unit} | share |`, '| --- | --- | --- |', ...shares.map((a) => `| ${a.name} | ${a.ms.toFixed(0)} | ${(a.share * 100).toFixed(1)} % |`)];
}

function profileSection(p: NonNullable<BenchReport['profile']>): string[] {
  const { ours, bare, row } = p;
  const bareMs = (name: string) => bare.phases.find((b) => b.name === name)?.ms ?? 0;
  return [
    `## Where the time goes (${row.label}, \`node --cpu-prof\`)`,
    '',
    `One more run of ours and of the bare floor at ${row.label}, profiled: ${(ours.synthMs / 1000).toFixed(2)} s and ${(bare.synthMs / 1000).toFixed(2)} s of samples from the start of the construct tree to the end of \`app.synth()\` (profiling slows a run down).`,
    '',
    '| phase | ours ms | bare ms | difference ms |',
    '| --- | --- | --- | --- |',
    ...ours.phases.map((o) => `| ${o.name} | ${o.ms.toFixed(0)} | ${bareMs(o.name).toFixed(0)} | ${(o.ms - bareMs(o.name)).toFixed(0)} |`),
    '',
    ...shareTable('ours: area (self time)', 'self ms', ours.areas),
    '',
    ...shareTable('ours: top self-time functions', 'self ms', ours.top.map((f) => ({ ...f, name: `\`${f.name.replace(/\|/g, '\\|')}\`` }))),
    '',
    ...findings(ours),
    '',
  ];
}

export function renderReport(report: BenchReport): string {
  const targets = evaluateTargets(report);
  const shape = report.sizeRows[0].shape;
  const differences = report.rows.flatMap((r) => r.differences.map((d) => `- ${r.label}: ${d}`));
  const decision = fs.existsSync(path.join(REPO_ROOT, 'docs', 'postgres-grant-ordering.md'))
    ? ' Why for_each blocks and not one construct per grant, and how the grants are ordered: [postgres-grant-ordering.md](postgres-grant-ordering.md).' : '';
  return [
    '# Synthesis performance',
    '',
    `Measured by \`scripts/bench.ts\` on ${new Date().toISOString().slice(0, 10)}. Reproduce with \`${report.command}\`.`,
    '',
    '## Machine',
    '',
    ...machine(report.rows),
    '',
    '## What is measured',
    '',
    `Each estate has one environment with one RDS PostgreSQL server and one Redshift cluster, both protected by Immuta, each protecting the same N databases, plus the AWS parts (Immuta's assumed role, the Redshift service role, Informatica staging with KMS and client-side encryption, TEMP and a connector user). Per database: ${shape.pgSchemas} PostgreSQL schemas (${shape.pgListedSchemas} listing ${shape.pgTables} tables each, the rest whole schemas) and ${shape.rsSchemas} Redshift schemas (${shape.rsListedSchemas} listing ${shape.rsTables} tables; Redshift masking takes at most 40 listed tables per schema). Every estate is built in memory and validated with \`parseEstate\`.`,
    '',
    'Each number is the median of the repetitions, each repetition a fresh process, so peak RSS (`process.resourceUsage().maxRSS`, including Node, ts-node and cdktf themselves, and for the floors the reference output they read) belongs to that run alone. Only the synthesis is timed:',
    '',
    '- **ours**: `synthesizeEstate(estate, outdir)` (stacks/app.ts), what `npm run synth` runs: the stacks, their SQL scripts and stacks.json, into a temporary folder (estate validation is timed separately, last column).',
    '- **bindings** (the bare-cdktf floor of the targets): our synthesized cdk.tf.json read back and every block (resources, providers, variables, outputs, backend) recreated in bare `TerraformStack`s — each resource and provider as an instance of its provider binding class (found by type; `DataResource` for terraform_data), with the same name and one `addOverride` per attribute, for_each, depends_on and provisioners included — then `app.synth()`.',
    '- **bare**: the same with plain `TerraformResource` constructs instead of binding classes: no binding constructors and no binding validations, the lowest cost of that construct tree in cdktf.',
    '- Both are checked to produce the same Terraform as ours (all but cdktf\'s `//` metadata).',
    '- **raw JSON**: the same documents written with `JSON.stringify` and `fs.writeFileSync`; checked to parse to the same documents.',
    '',
    '## Synthesis time and memory',
    '',
    ...timingTable(report.rows),
    '',
    ...(differences.length > 0 ? ['**The floors did not reproduce our output:**', '', ...differences, ''] : []),
    '## Resource counts',
    '',
    `Resource blocks are what cdktf builds constructs for; instances are what Terraform plans (for_each entries, plain resources and data sources, also those of check blocks).${decision}`,
    '',
    ...countsTable(report),
    '',
    ...growthNotes(report),
    '',
    ...(report.layout ? layoutSections(report.layout) : []),
    '## Targets',
    '',
    ...targets.map((t) => `- ${t.met ? 'met' : '**missed**'}: ${t.name}: ${t.detail}`),
    '',
    ...analysis(report),
    '',
    ...(report.profile ? profileSection(report.profile) : []),
  ].join('\n');
}
