/**
 * The shipped GitHub Actions workflow, parsed, and its shell steps run as GitHub runs them:
 * for test/unit/workflow.test.ts (stand-in tools) and test/e2e/workflow-deploy.test.ts (real
 * cdktf and terraform).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Document, parseDocument } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const WORKFLOW_FILE = path.join(REPO_ROOT, '.github', 'workflows', 'governance.yml');

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'working-directory'?: string;
}
export interface Job {
  if?: string;
  'runs-on'?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  environment?: { name: string } | string;
  strategy?: { matrix?: Record<string, unknown>; 'max-parallel'?: number; 'fail-fast'?: boolean };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Trigger {
  branches?: string[];
  inputs?: Record<string, { options?: string[] }>;
}
export interface Workflow {
  on: { pull_request?: Trigger; push?: Trigger; workflow_dispatch?: Trigger; schedule?: { cron: string }[] };
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

/** The workflow file's text, its YAML document (for errors) and its value. */
export function loadWorkflow(): { text: string; doc: Document; workflow: Workflow } {
  const text = fs.readFileSync(WORKFLOW_FILE, 'utf8');
  const doc = parseDocument(text, { uniqueKeys: true });
  return { text, doc, workflow: doc.toJS() as Workflow };
}

export function stepNamed(job: Job, name: string): Step {
  const step = job.steps.find((s) => s.name === name);
  if (!step?.run) throw new Error(`no run step named "${name}"`);
  return step;
}

export interface StepResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** What the step wrote to $GITHUB_OUTPUT and $GITHUB_ENV. */
  outputs: string;
  envFile: string;
}

/**
 * Runs a step's script as GitHub does (bash -eo pipefail) in `cwd`, with only PATH and `env`
 * in its environment and GITHUB_OUTPUT / GITHUB_ENV files beside it.
 * @param timeoutMs @default 30 s
 */
export function runStep(step: Step, env: Record<string, string | undefined>, cwd: string, timeoutMs = 30_000): StepResult {
  const outputs = path.join(cwd, 'github-output');
  const envFile = path.join(cwd, 'github-env');
  fs.writeFileSync(outputs, '');
  fs.writeFileSync(envFile, '');
  const res = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
    cwd,
    env: { PATH: process.env.PATH, GITHUB_OUTPUT: outputs, GITHUB_ENV: envFile, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, outputs: fs.readFileSync(outputs, 'utf8'), envFile: fs.readFileSync(envFile, 'utf8') };
}
