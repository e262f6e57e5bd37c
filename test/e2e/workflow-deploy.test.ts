/**
 * The workflow's deploy on main, for real: `npm run diff --stacks-json` between two synths,
 * then the workflow's own destroy and deploy steps running the real cdktf CLI and terraform,
 * on a small cdktf app shaped like the estate's layout (a server stack and grant stacks that
 * depend on it). Each stack holds one `terraform_data` whose create and
 * destroy provisioners append to a log, so the log is the order in which terraform really
 * created and destroyed them. State lives outside both checkouts, as a remote backend's would.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { engineEnv, findEngine } from '../support/terraform-env';
import { REPO_ROOT, loadWorkflow, runStep, stepNamed } from '../support/workflow';

const COMMAND_TIMEOUT_MS = 5 * 60_000;
jest.setTimeout(20 * 60_000);

const { workflow } = loadWorkflow();
const deployStep = stepNamed(workflow.jobs.deploy, 'npx cdktf deploy');
const destroyStep = stepNamed(workflow.jobs.deploy, 'npx cdktf destroy (removed stacks)');

/**
 * A stack of the test app: its dependencies, a version whose change replaces its resource, and
 * whether its resource refuses destroy (as a server stack's role does without allowDestroy).
 */
type AppStacks = Record<string, { dependsOn?: string[]; version: number; preventDestroy?: boolean }>;

/** main.ts of the test app: the stacks from stacks.input.json, and stacks.json beside the manifest as main.ts writes it. */
const APP_MAIN = `
import * as fs from 'fs';
import * as path from 'path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
const input = JSON.parse(fs.readFileSync('stacks.input.json', 'utf8'));
const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
const app = new App({ outdir });
const stacks = {};
for (const [name, s] of Object.entries(input.stacks)) {
  const stack = new TerraformStack(app, name);
  new LocalBackend(stack, { path: path.join(input.stateDir, name + '.tfstate') });
  stack.addOverride('resource.terraform_data.mark', {
    triggers_replace: String(s.version),
    provisioner: [
      { 'local-exec': { command: 'echo create ' + name + ' v' + s.version + ' >> ' + input.log } },
      { 'local-exec': { when: 'destroy', command: 'echo destroy ' + name + ' >> ' + input.log } },
    ],
    ...(s.preventDestroy ? { lifecycle: { prevent_destroy: true } } : {}),
  });
  stacks[name] = stack;
}
for (const [name, s] of Object.entries(input.stacks)) for (const d of s.dependsOn ?? []) stacks[name].addDependency(stacks[d]);
app.synth();
const entries = Object.entries(input.stacks).map(([name, s]) => ({ name, environment: 'dev', plane: 'test', dependsOn: s.dependsOn ?? [] }));
fs.writeFileSync(path.join(outdir, 'stacks.json'), JSON.stringify({ stacks: entries }));
`;

describe('the workflow deploy steps with the real cdktf CLI and terraform', () => {
  let tmp: string;
  let log: string;
  let env: Record<string, string | undefined>;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-deploy-'));
    log = path.join(tmp, 'terraform.log');
    fs.mkdirSync(path.join(tmp, 'state'));
    const terraform = findEngine('terraform');
    // A stand-in npm: the destroy step's `npm ci` must never touch the shared node_modules,
    // and `npm run synth` runs the app's main.ts as the project's script does.
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin);
    const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [REPO_ROOT] });
    fs.writeFileSync(
      path.join(bin, 'npm'),
      `#!/bin/bash\ncase "$*" in\n  ci) exit 0 ;;\n  "run synth") exec "${process.execPath}" "${tsNode}" --transpile-only main.ts ;;\n  *) echo "stand-in npm: unexpected npm $*" >&2; exit 1 ;;\nesac\n`,
      { mode: 0o755 },
    );
    env = {
      ...engineEnv('terraform'),
      PATH: [bin, path.dirname(terraform.path), path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
    };
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A checkout of the app at some commit, synthesized. */
  function checkout(name: string, stacks: AppStacks): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'main.ts'), APP_MAIN);
    fs.copyFileSync(path.join(REPO_ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
    fs.writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'npm run synth', terraformProviders: [], context: {} }));
    fs.writeFileSync(path.join(dir, 'stacks.input.json'), JSON.stringify({ stacks, stateDir: path.join(tmp, 'state'), log }));
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const res = spawnSync('npm', ['run', 'synth'], { cwd: dir, env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' });
    if (res.status !== 0) throw new Error(`synth of ${name} failed: ${res.error?.message ?? res.stderr}`);
    return dir;
  }

  /** `npm run diff -- --stacks-json` of two synths: the names to deploy and to destroy, space-separated as the workflow passes them. */
  function stacksToRun(baseOut: string, headOut: string): { deploy: string; destroy: string } {
    const file = path.join(tmp, 'stacks-to-run.json');
    const ts = require.resolve('ts-node/dist/bin.js', { paths: [REPO_ROOT] });
    const res = spawnSync(process.execPath, [ts, '--transpile-only', 'scripts/plan-diff.ts', '--base-dir', baseOut, '--head-dir', headOut, '--stacks-json', file], {
      cwd: REPO_ROOT, env: { ...process.env, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL',
    });
    if (res.status !== 2) throw new Error(`plan-diff exited ${res.status}: ${res.stderr}`);
    const run = JSON.parse(fs.readFileSync(file, 'utf8')) as { plan: { name: string }[]; destroy: { name: string }[] };
    return { deploy: run.plan.map((s) => s.name).join(' '), destroy: run.destroy.map((s) => s.name).join(' ') };
  }

  /** Runs a workflow step with the real tools; returns the log lines it added. */
  function step(which: typeof deployStep, cwd: string, stepEnv: Record<string, string>): string[] {
    const before = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0;
    const res = runStep(which, { ...env, ...stepEnv }, cwd, COMMAND_TIMEOUT_MS);
    if (res.status !== 0) throw new Error(`step "${which.name}" exited ${res.status}:\n${res.stdout}\n${res.stderr}`);
    return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).slice(before);
  }

  const V1: AppStacks = {
    'dev-postgres-main': { version: 1 },
    'dev-postgres-main-sales': { dependsOn: ['dev-postgres-main'], version: 1 },
    'dev-postgres-main-hr': { dependsOn: ['dev-postgres-main'], version: 1 },
  };

  test('first push (every stack), then a removed grant stack destroyed and a changed one deployed, then a removed server: dependents first', () => {
    // First push: the diff against an empty synth lists every stack, dependencies first.
    const previous = checkout('previous', V1);
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, 'manifest.json'), '{"stacks": {}}');
    const first = stacksToRun(empty, path.join(previous, 'cdktf.out'));
    expect(first.destroy).toBe('');
    const created = step(deployStep, previous, { DEPLOY: first.deploy, EVERY_STACK: 'true' });
    expect([...created].sort()).toEqual(['create dev-postgres-main v1', 'create dev-postgres-main-hr v1', 'create dev-postgres-main-sales v1']);
    expect(created.indexOf('create dev-postgres-main v1')).toBeLessThan(created.indexOf('create dev-postgres-main-sales v1'));
    expect(created.indexOf('create dev-postgres-main v1')).toBeLessThan(created.indexOf('create dev-postgres-main-hr v1'));

    // The hr database leaves the estate, sales changes: destroy hr from the previous checkout, then deploy sales only.
    const head = checkout('head', {
      'dev-postgres-main': { version: 1 },
      'dev-postgres-main-sales': { dependsOn: ['dev-postgres-main'], version: 2 },
    });
    const second = stacksToRun(path.join(previous, 'cdktf.out'), path.join(head, 'cdktf.out'));
    expect(second).toEqual({ deploy: 'dev-postgres-main-sales', destroy: 'dev-postgres-main-hr' });
    expect(step(destroyStep, previous, { DESTROY: second.destroy })).toEqual(['destroy dev-postgres-main-hr']);
    // Its server stack is not in the list: cdktf deploys the changed grant stack alone, nothing else is touched.
    expect(step(deployStep, head, { DEPLOY: second.deploy, EVERY_STACK: 'false' })).toEqual(['destroy dev-postgres-main-sales', 'create dev-postgres-main-sales v2']);

    // The whole server leaves the estate: its grant stack is destroyed before it.
    const last = checkout('last', {});
    const third = stacksToRun(path.join(head, 'cdktf.out'), path.join(last, 'cdktf.out'));
    expect(third).toEqual({ deploy: '', destroy: 'dev-postgres-main-sales dev-postgres-main' });
    expect(step(destroyStep, head, { DESTROY: third.destroy })).toEqual(['destroy dev-postgres-main-sales', 'destroy dev-postgres-main']);
  });

  test('a removed server whose destroy is refused (prevent_destroy) stops the step before its grant stack revokes anything', () => {
    const guarded = checkout('guarded', {
      'dev-postgres-guarded': { version: 1, preventDestroy: true },
      'dev-postgres-guarded-sales': { dependsOn: ['dev-postgres-guarded'], version: 1 },
    });
    const empty = path.join(tmp, 'empty-guarded');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, 'manifest.json'), '{"stacks": {}}');
    expect(step(deployStep, guarded, { DEPLOY: stacksToRun(empty, path.join(guarded, 'cdktf.out')).deploy, EVERY_STACK: 'true' })).toHaveLength(2);
    // The server leaves the estate without consent: both stacks are removed, the grant stack first.
    const gone = checkout('guarded-gone', {});
    const run = stacksToRun(path.join(guarded, 'cdktf.out'), path.join(gone, 'cdktf.out'));
    expect(run).toEqual({ deploy: '', destroy: 'dev-postgres-guarded-sales dev-postgres-guarded' });
    const before = fs.readFileSync(log, 'utf8');
    const res = runStep(destroyStep, { ...env, DESTROY: run.destroy }, guarded, COMMAND_TIMEOUT_MS);
    expect(res.status).not.toBe(0);
    expect(`${res.stdout}\n${res.stderr}`.replace(/\s+/g, ' ')).toMatch(/Instance cannot be destroyed.*prevent_destroy/);
    // Nothing was destroyed, the grant stack's resource included.
    expect(fs.readFileSync(log, 'utf8')).toBe(before);
  });
});
