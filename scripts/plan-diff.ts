/**
 * `npm run diff`: what would change, stack by stack, compared with a baseline, with no
 * cloud access. It compares synthesized configurations, not live state: it shows what a
 * change to the estate or the code does to the Terraform that `cdktf deploy` would apply.
 *
 *   npm run diff                       baseline = merge base with main (else HEAD)
 *   npm run diff -- --base v1.2.0      baseline = any git ref, synthesized from its own tree
 *   npm run diff -- --base-dir DIR     baseline = a saved cdktf.out
 *   npm run diff -- --head-dir DIR     compare that cdktf.out instead of synthesizing now
 *   npm run diff -- --base-estate FILE the baseline's estate, for an ESTATE_FILE outside the repository
 *   npm run diff -- --markdown         a pull-request comment
 *   npm run diff -- --output FILE      write the report there (npm's own banner stays on stdout)
 *   npm run diff -- --stacks-json FILE the stacks to plan and deploy and those to destroy, for the workflow
 *
 * Exit code as `terraform plan -detailed-exitcode`: 0 no change, 2 change, 1 error.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { diffApps, exitCodeFor } from './lib/plan-diff-core';
import { formatMarkdown, formatText } from './lib/plan-diff-format';
import { removalWarnings } from './lib/plan-diff-removals';
import { Synth, stacksToRun } from './lib/plan-diff-stacks';
import { PlanDiffError, baselineEstate, estateInRepository, exportProject, readOutdir, resolveBase, synthesize } from './lib/plan-diff-io';

const REPO_DIR = path.resolve(__dirname, '..');

const USAGE = `usage: plan-diff [--base <git-ref> | --base-dir <cdktf.out>] [--base-estate <file>] [--head-dir <cdktf.out>] [--markdown] [--output <file>] [--stacks-json <file>]
Synthesizes the estate (ESTATE_FILE, else the example) and compares it with a baseline.
--stacks-json writes {"plan": [...], "destroy": [...]}: the added and changed stacks,
dependencies first, and the removed ones, dependents first ({name, environment, backend} each).
An ESTATE_FILE outside the repository has no version in the baseline commit: name the
baseline's estate with --base-estate (the same file shows only code changes), or use --base-dir.
Exit code: 0 no change, 2 change, 1 error.`;

interface Options {
  base?: string;
  baseDir?: string;
  baseEstate?: string;
  headDir?: string;
  output?: string;
  stacksJson?: string;
  markdown: boolean;
}

export function parseArgs(argv: string[]): Options {
  const options: Options = { markdown: false };
  const valued = { '--base': 'base', '--base-dir': 'baseDir', '--base-estate': 'baseEstate', '--head-dir': 'headDir', '--output': 'output', '--stacks-json': 'stacksJson' } as const;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
    if (flag === '--markdown') options.markdown = true;
    else if (flag in valued) {
      const value = inline ?? argv[++i];
      if (!value) throw new PlanDiffError(`${flag} needs a value\n${USAGE}`);
      options[valued[flag as keyof typeof valued]] = value;
    } else throw new PlanDiffError(`unknown argument ${argv[i]}\n${USAGE}`);
  }
  if (options.base !== undefined && options.baseDir !== undefined) throw new PlanDiffError(`--base and --base-dir exclude each other\n${USAGE}`);
  if (options.baseEstate !== undefined && options.baseDir !== undefined) throw new PlanDiffError(`--base-estate and --base-dir exclude each other: a saved cdktf.out is already synthesized\n${USAGE}`);
  return options;
}

export function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Progress on stderr: the two synths take most of the 20-35 s, and stdout is the report.
  const started = Date.now();
  const note = (text: string) => process.stderr.write(`plan-diff: [${((Date.now() - started) / 1000).toFixed(0)}s] ${text}\n`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-diff-'));
  try {
    const options = parseArgs(argv);
    const estateFile = process.env.ESTATE_FILE ? path.resolve(process.env.ESTATE_FILE) : undefined;
    const estateLabel = estateFile ?? 'the example estate';
    // Refused before the synths, not after half a minute of them.
    if (!options.baseDir && options.baseEstate === undefined && estateFile !== undefined) estateInRepository(REPO_DIR, estateFile);

    let head: Synth;
    if (options.headDir) {
      head = readOutdir(path.resolve(options.headDir));
    } else {
      note(`synthesizing ${estateLabel} with the working tree...`);
      head = synthesize(REPO_DIR, path.join(scratch, 'head'), estateFile);
    }
    let base: Synth;
    let baseLabel: string;
    if (options.baseDir) {
      base = readOutdir(path.resolve(options.baseDir));
      baseLabel = options.baseDir;
    } else {
      const ref = resolveBase(REPO_DIR, options.base);
      baseLabel = ref.label;
      note(`exporting the baseline ${ref.label}...`);
      const baseProject = exportProject(REPO_DIR, ref.commit, path.join(scratch, 'base'));
      const baseEstate = options.baseEstate !== undefined ? path.resolve(options.baseEstate) : baselineEstate(REPO_DIR, baseProject, estateFile);
      if (baseEstate === null) {
        note(`the baseline has no ${path.relative(REPO_DIR, estateFile!)}: every stack counts as added`);
        base = { stacks: {}, layout: {} };
      } else {
        note(`synthesizing ${baseEstate ?? 'the example estate'} with the baseline's code...`);
        base = synthesize(baseProject, path.join(scratch, 'base-out'), baseEstate);
      }
    }

    note(`comparing ${Object.keys(head.stacks).length} stack(s) with ${Object.keys(base.stacks).length} in the baseline...`);
    const diff = diffApps(base.stacks, head.stacks);
    const warnings = removalWarnings(diff, base, head);
    const report = options.markdown ? formatMarkdown(diff, { baseLabel, warnings }) : formatText(diff, warnings);
    if (options.stacksJson) fs.writeFileSync(options.stacksJson, `${JSON.stringify(stacksToRun(diff, base, head), null, 2)}\n`);
    if (options.output) fs.writeFileSync(options.output, report);
    else process.stdout.write(report);
    // Repeated on stderr, where a CI log or a redirected report cannot hide it.
    for (const w of warnings) process.stderr.write(w.lines.map((l, i) => `plan-diff: ${i ? '   ' : 'WARNING: '}${l}\n`).join(''));
    note(diff.stacks.length ? `${diff.stacks.length} stack(s) differ from ${baseLabel}` : `no changes against ${baseLabel}`);
    return exitCodeFor(diff);
  } catch (e) {
    process.stderr.write(`plan-diff: ${e instanceof PlanDiffError ? e.message : (e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
