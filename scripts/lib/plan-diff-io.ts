/**
 * The I/O side of `npm run diff`: reading a synthesized outdir, synthesizing a project
 * folder with its own main.ts, and exporting a git ref's tree to synthesize the baseline.
 * Every external command runs with a timeout and fails with its output in the message.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { STACK_LAYOUT_FILE } from '../../model/stack-layout';
import { AppJson, JsonObject, PlanDiffError } from './plan-diff-core';
import { Synth, stackLayout } from './plan-diff-stacks';

export { PlanDiffError };

const GIT_TIMEOUT_MS = 60_000;
const SYNTH_TIMEOUT_MS = 5 * 60_000;

/**
 * The stacks of a cdktf outdir (its manifest.json, else stacks/<name>/) and their layout
 * (stacks.json beside the manifest, else the manifest's dependencies).
 */
export function readOutdir(dir: string): Synth {
  const manifestFile = path.join(dir, 'manifest.json');
  const stacksDir = path.join(dir, 'stacks');
  const layoutFile = path.join(dir, STACK_LAYOUT_FILE);
  let files: [string, string][];
  let manifest: JsonObject | undefined;
  if (fs.existsSync(manifestFile)) {
    manifest = readJson(manifestFile);
    const stacks = (manifest as { stacks?: Record<string, { synthesizedStackPath?: string }> }).stacks ?? {};
    files = Object.entries(stacks).map(([name, s]) => [name, path.join(dir, s.synthesizedStackPath ?? path.join('stacks', name, 'cdk.tf.json'))]);
  } else if (fs.existsSync(stacksDir)) {
    files = fs.readdirSync(stacksDir).map((name) => [name, path.join(stacksDir, name, 'cdk.tf.json')]);
  } else {
    throw new PlanDiffError(`${dir} is not a synthesized cdktf output: it has neither manifest.json nor stacks/`);
  }
  const stacks: AppJson = Object.fromEntries(files.map(([name, file]) => [name, readJson(file)]));
  const fallback = manifest ?? { stacks: Object.fromEntries(files.map(([name]) => [name, {}])) };
  return { stacks, layout: stackLayout(fallback, fs.existsSync(layoutFile) ? readJson(layoutFile) : undefined) };
}

function readJson(file: string): JsonObject {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as JsonObject;
  } catch (e) {
    throw new PlanDiffError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

export interface Command {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with a hard timeout; throws when it cannot start or overruns. */
export function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Command {
  const res = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    timeout: opts.timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const err = res.error as NodeJS.ErrnoException | undefined;
  if (err?.code === 'ETIMEDOUT') throw new PlanDiffError(`${cmd} ${args.join(' ')} timed out after ${opts.timeoutMs} ms`);
  if (err) throw new PlanDiffError(`${cmd} ${args.join(' ')} could not run: ${err.message}`);
  return { status: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

function git(args: string[], cwd: string): string {
  const res = run('git', args, { cwd, timeoutMs: GIT_TIMEOUT_MS });
  if (res.status !== 0) throw new PlanDiffError(`git ${args.join(' ')} failed: ${res.stderr.trim()}`);
  return res.stdout.trim();
}

/**
 * Synthesizes a project folder into `outdir` by running its own main.ts, the way
 * `npm run synth` does. `estateFile` undefined: the project's built-in example estate.
 */
export function synthesize(projectDir: string, outdir: string, estateFile: string | undefined): Synth {
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' };
  if (estateFile === undefined) delete env.ESTATE_FILE;
  else env.ESTATE_FILE = estateFile;
  const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [projectDir] });
  const res = run(process.execPath, [tsNode, '--transpile-only', 'main.ts'], { cwd: projectDir, env, timeoutMs: SYNTH_TIMEOUT_MS });
  if (res.status !== 0) {
    throw new PlanDiffError(`synthesizing ${projectDir} failed (exit ${res.status}):\n${(res.stderr || res.stdout).trim()}`);
  }
  return readOutdir(outdir);
}

export interface BaseRef {
  commit: string;
  /** For the report: what the user asked for and the commit it resolved to. */
  label: string;
}

/**
 * `--base` given: that ref. Otherwise the merge base with main (a local `main`, else
 * `origin/main` as CI checkouts have), falling back to HEAD when there is no main.
 */
export function resolveBase(repoDir: string, ref: string | undefined): BaseRef {
  const verify = (r: string) => {
    const res = run('git', ['rev-parse', '--verify', '--quiet', `${r}^{commit}`], { cwd: repoDir, timeoutMs: GIT_TIMEOUT_MS });
    return res.status === 0 ? res.stdout.trim() : undefined;
  };
  const short = (c: string) => c.slice(0, 12);
  if (ref !== undefined) {
    const commit = verify(ref);
    if (!commit) throw new PlanDiffError(`--base ${ref}: not a commit in ${repoDir}`);
    return { commit, label: `${ref} (${short(commit)})` };
  }
  for (const main of ['main', 'origin/main']) {
    if (!verify(main)) continue;
    const commit = git(['merge-base', 'HEAD', main], repoDir);
    return { commit, label: `merge-base HEAD ${main} (${short(commit)})` };
  }
  const commit = git(['rev-parse', 'HEAD'], repoDir);
  return { commit, label: `HEAD (${short(commit)}; no main branch)` };
}

/**
 * Writes the tree of `commit` into `dest` with `git archive` (no change to the repository's
 * worktrees, index or refs) and returns the project folder inside it, with this checkout's
 * node_modules linked in so the baseline synthesizes with no install.
 */
export function exportProject(repoDir: string, commit: string, dest: string): string {
  const top = git(['rev-parse', '--show-toplevel'], repoDir);
  // The project may live in a subfolder of a larger repository.
  const prefix = path.relative(fs.realpathSync(top), fs.realpathSync(repoDir));
  const tarball = path.join(dest, 'base.tar');
  const tree = path.join(dest, 'tree');
  fs.mkdirSync(tree, { recursive: true });
  git(['archive', '--format=tar', '-o', tarball, commit], top);
  const untar = run('tar', ['-xf', tarball, '-C', tree], { cwd: dest, timeoutMs: GIT_TIMEOUT_MS });
  if (untar.status !== 0) throw new PlanDiffError(`tar -xf ${tarball} failed: ${untar.stderr.trim()}`);
  fs.rmSync(tarball, { force: true });
  const projectDir = path.join(tree, prefix);
  if (!fs.existsSync(path.join(projectDir, 'main.ts'))) {
    throw new PlanDiffError(`commit ${commit.slice(0, 12)} has no ${path.join(prefix, 'main.ts') || 'main.ts'}: nothing to synthesize`);
  }
  for (const shared of ['node_modules', '.gen']) {
    const source = path.join(repoDir, shared);
    const target = path.join(projectDir, shared);
    if (fs.existsSync(source) && !fs.existsSync(target)) fs.symlinkSync(source, target, 'dir');
  }
  return projectDir;
}

/**
 * Where ESTATE_FILE lies inside the repository, relative to it. One outside the repository
 * has no version in a baseline commit: using it for both sides would hide every estate
 * change, so it is refused with the two ways out.
 */
export function estateInRepository(repoDir: string, estateFile: string): string {
  const rel = path.relative(fs.realpathSync(repoDir), realpathOrSelf(estateFile));
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new PlanDiffError(
      `ESTATE_FILE ${estateFile} is outside the repository, so the baseline commit has no version of it to compare with. ` +
        'Name the estate as it was with --base-estate <file> (the same file shows only code changes), ' +
        'or compare with a saved synth of it with --base-dir <cdktf.out>.',
    );
  }
  return rel;
}

/**
 * The estate file the baseline should use: an estate inside the repository is read from
 * the baseline's own tree, so a change to it shows. `null`: the baseline tree does not
 * have that file yet.
 */
export function baselineEstate(repoDir: string, baseProjectDir: string, estateFile: string | undefined): string | undefined | null {
  if (estateFile === undefined) return undefined;
  const inBase = path.join(baseProjectDir, estateInRepository(repoDir, estateFile));
  return fs.existsSync(inBase) ? inBase : null;
}

function realpathOrSelf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}
