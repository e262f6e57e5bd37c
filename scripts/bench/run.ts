import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildRequest, ChildResult, FloorMode, RESULT_PREFIX } from './child';
import { BenchEstateShape } from './estate';
import { StackCounts, countStack, readOutputFiles, stackDocs } from './tf-json';

/** Runs each measurement in a fresh child process, one at a time (the machine has 2 cores). */

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CHILD = path.join(__dirname, 'child.ts');

export type Mode = 'ours' | FloorMode;
export const MODES: readonly Mode[] = ['ours', 'bindings', 'bare', 'raw'];

/** Children run the way `npm run synth` runs the app: under ts-node, transpile only. */
export function runChild(request: ChildRequest, nodeFlags: readonly string[] = []): ChildResult {
  const r = spawnSync(process.execPath, [...nodeFlags, '-r', 'ts-node/register/transpile-only', CHILD, JSON.stringify(request)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  const line = r.stdout?.split('\n').reverse().find((l) => l.startsWith(RESULT_PREFIX));
  if (r.status !== 0 || !line) {
    throw new Error(`benchmark child (${request.mode}) failed with status ${r.status}:\n${r.stderr || r.error?.message || ''}`);
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult;
}

/**
 * The real synth, `npm run synth` (main.ts), of an estate document into `outdir`: the layout
 * is read from what it writes (stacks.json included). Not timed.
 */
export function synthWithMain(document: Record<string, unknown>, outdir: string, root: string = REPO_ROOT): void {
  const estateFile = `${outdir}.estate.json`;
  fs.writeFileSync(estateFile, JSON.stringify(document));
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'main.ts')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
    killSignal: 'SIGKILL',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ESTATE_FILE: estateFile, CDKTF_OUTDIR: outdir },
  });
  if (r.status !== 0) throw new Error(`npm run synth of ${estateFile} failed with status ${r.status}: ${r.stderr || r.error?.message || ''}`);
}

/**
 * The repository's files at git revision `rev` (`git archive`, no worktree to clean up) in
 * `dir`, with this checkout's node_modules, so synthWithMain can run an earlier layout.
 */
export function checkoutAt(rev: string, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const archive = spawnSync('git', ['archive', '--format=tar', rev], { cwd: REPO_ROOT, maxBuffer: 512 * 1024 * 1024, timeout: 60_000 });
  if (archive.status !== 0) throw new Error(`git archive ${rev} failed: ${archive.stderr?.toString() || archive.error?.message}`);
  const tar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout, timeout: 60_000 });
  if (tar.status !== 0) throw new Error(`unpacking ${rev} failed: ${tar.stderr?.toString() || tar.error?.message}`);
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
}

export interface Row {
  readonly label: string;
  readonly shape: BenchEstateShape;
  readonly reps: number;
  readonly samples: Readonly<Record<Mode, ChildResult[]>>;
  readonly counts: readonly StackCounts[];
  /** Our output of the first round, kept for profiling the bare floor (inside the workdir). */
  readonly refdir: string;
  /** The 1-minute load average before each run: above ~1, something else used the cores. */
  readonly load: readonly number[];
  /** Where a floor's output differed from ours (should stay empty). */
  readonly differences: readonly string[];
}

export type Log = (message: string) => void;

/** Synthesize ours once into `outdir` and count what it wrote (no timing). */
export function synthAndCount(shape: BenchEstateShape, outdir: string): StackCounts[] {
  runChild({ mode: 'ours', shape, outdir });
  return stackDocs(readOutputFiles(outdir)).map(countStack);
}

/**
 * `reps` rounds of ours and each floor. The first round's output of ours is the
 * reference the floors rebuild and the counts come from.
 */
export function measureRow(label: string, shape: BenchEstateShape, reps: number, workdir: string, log: Log): Row {
  const refdir = path.join(workdir, `${label}-reference`);
  const samples: Record<Mode, ChildResult[]> = { ours: [], bindings: [], bare: [], raw: [] };
  const differences = new Set<string>();
  const load: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const mode of MODES) {
      load.push(os.loadavg()[0]);
      const outdir = mode === 'ours' && rep === 0 ? refdir : path.join(workdir, `${label}-${mode}-${rep}`);
      const result = mode === 'ours' ? runChild({ mode, shape, outdir }) : runChild({ mode, refdir, outdir });
      if (outdir !== refdir) fs.rmSync(outdir, { recursive: true, force: true });
      if (result.difference) differences.add(`${mode}: ${result.difference}`);
      samples[mode].push(result);
      log(`${label}: ${mode} ${rep + 1}/${reps} ${(result.ms / 1000).toFixed(3)} s, ${result.rssMiB.toFixed(0)} MiB`);
    }
  }
  const counts = stackDocs(readOutputFiles(refdir)).map(countStack);
  return { label, shape, reps, samples, counts, refdir, load, differences: [...differences] };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const medianOf = (row: Row, mode: Mode, key: 'ms' | 'rssMiB' | 'validateMs') => median(row.samples[mode].map((s) => s[key] ?? 0));
