/**
 * The shipped GitHub Actions workflow (.github/workflows/governance.yml): valid YAML, the
 * triggers, jobs, least-privilege permissions and approval gate docs/gitops.md describes,
 * the commands the README names, and the shell steps that make decisions, run for real with
 * jq and stand-ins for npm, npx and terraform on a fake list of stacks.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Job, REPO_ROOT, loadWorkflow, runStep, stepNamed } from '../support/workflow';

const { text, doc, workflow } = loadWorkflow();
const jobs = workflow.jobs;

const runs = (job: Job) => job.steps.filter((s) => s.run).map((s) => s.run!);
const uses = (job: Job, action: string) => job.steps.find((s) => s.uses?.startsWith(`${action}@`));
/** ${{ env.X }} resolved against the workflow-level env, as GitHub does. */
const resolveEnv = (value: unknown) => String(value).replace(/\$\{\{\s*env\.(\w+)\s*\}\}/g, (_m, k: string) => workflow.env[k]);

/** The commands the README's GitOps section and docs/gitops.md name. */
const DOCUMENTED_COMMANDS = ['npm ci', 'npm test', 'npm run synth', 'npm run diff -- --markdown', '--stacks-json', 'terraform plan', 'npx cdktf destroy', 'npx cdktf deploy', 'npm run audit'];

describe('governance workflow: structure', () => {
  test('is valid YAML with no duplicate keys', () => {
    expect(doc.errors).toEqual([]);
    expect(Object.keys(jobs).sort()).toEqual(['audit', 'deploy', 'deploy-targets', 'plan', 'plan-diff', 'test']);
  });

  test('runs on pull requests to main, pushes to main and by hand for one environment', () => {
    expect(workflow.on.pull_request?.branches).toEqual(['main']);
    expect(workflow.on.push?.branches).toEqual(['main']);
    expect(workflow.on.workflow_dispatch?.inputs?.environment?.options).toEqual(['dev', 'prod']);
  });

  test('on a schedule: the drift audit of every environment, each in its own job, none stopping another', () => {
    expect(workflow.on.schedule).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ \* \* \*$/) }]);
    const job = jobs.audit;
    expect(job.if).toBe("github.event_name == 'schedule'");
    expect(job.strategy?.matrix?.environment).toEqual(['dev', 'prod']);
    expect(job.strategy?.['fail-fast']).toBe(false);
    // Its own GitHub Environment without reviewers: a scheduled run cannot wait for an approval.
    expect(job.environment).toEqual({ name: '${{ matrix.environment }}-audit' });
    expect(job['runs-on']).toBe(jobs.deploy['runs-on']);
    const audit = stepNamed(job, 'npm run audit -- --markdown').run!;
    expect(audit).toContain('npm run audit -- --env "$ENVIRONMENT" --markdown --output "$RUNNER_TEMP/audit.md"');
    const issue = uses(job, 'actions/github-script');
    expect(String(issue?.with?.script)).toMatch(/issues\.create\(/);
    expect(String(issue?.with?.script)).toMatch(/state: 'closed'/);
    expect(stepNamed(job, 'Fail on drift').if).toBe("steps.audit.outputs.exit-code == '2'");
  });

  test('the audit and the plans read the same TF_VAR_* way as deploy, each from its own secret', () => {
    const deploy = stepNamed(jobs.deploy, 'Sensitive variables as TF_VAR_*');
    const audit = stepNamed(jobs.audit, 'Sensitive variables as TF_VAR_*');
    expect(audit.run).toBe(deploy.run);
    expect(audit.env).toEqual({ DEPLOY_TF_VARS: '${{ secrets.AUDIT_TF_VARS }}' });
    const plan = stepNamed(jobs.plan, 'Sensitive variables as TF_VAR_*');
    expect(plan.run).toBe(deploy.run);
    expect(plan.env).toEqual({ DEPLOY_TF_VARS: '${{ secrets.PLAN_TF_VARS }}' });
  });

  test('pull requests: install, the whole test suite, with terraform 1.11.4, moto and the provider mirror', () => {
    const test = jobs.test;
    expect(runs(test)).toEqual(expect.arrayContaining(['npm ci', 'npm test']));
    expect(runs(test).indexOf('npm ci')).toBeLessThan(runs(test).indexOf('npm test'));
    expect(uses(test, 'actions/setup-node')?.with).toMatchObject({ 'node-version': 20, cache: 'npm' });
    expect(resolveEnv(uses(test, 'hashicorp/setup-terraform')?.with?.terraform_version)).toBe('1.11.4');
    expect(runs(test).join('\n')).toMatch(/pip install 'moto\[server\]==5\.\d+\.\*'/);
    const mirror = stepNamed(test, 'Point the tests at the mirror').run!;
    expect(mirror).toContain('AWS_PROVIDER_MIRROR=');
    expect(mirror).toContain('PROVIDER_MIRROR_DIR=');
  });

  test('pull requests: synth, then the markdown plan diff against the base branch, posted on the PR', () => {
    const job = jobs['plan-diff'];
    expect(job.if).toBe("github.event_name == 'pull_request'");
    expect(uses(job, 'actions/checkout')?.with?.['fetch-depth']).toBe(0);
    const commands = runs(job).join('\n');
    expect(commands.indexOf('npm run synth')).toBeGreaterThanOrEqual(0);
    expect(commands.indexOf('npm run synth')).toBeLessThan(commands.indexOf('npm run diff -- --markdown'));
    expect(commands).toContain('--base "origin/$BASE_REF"');
    expect(commands).toContain('--stacks-json "$RUNNER_TEMP/stacks-to-run.json"');
    expect(job.outputs).toEqual({ base: '${{ steps.diff.outputs.base }}', stacks: '${{ steps.stacks.outputs.stacks }}' });
    // Exit code 2 (a change) is a report, not a failure; 1 (an error) fails the job.
    expect(commands).toMatch(/if \[ "\$code" = 1 \]; then exit 1; fi/);
    const post = uses(job, 'actions/github-script');
    expect(String(post?.with?.script)).toContain('createComment');
    expect(post?.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
  });

  test('pull requests: a plan job per changed stack, side by side, with the <env>-plan credentials, same-repository PRs only', () => {
    const job = jobs.plan;
    expect(job.needs).toBe('plan-diff');
    expect(job.if).toBe("github.event.pull_request.head.repo.full_name == github.repository && needs.plan-diff.outputs.stacks != '[]'");
    expect(job.strategy?.matrix?.stack).toBe('${{ fromJSON(needs.plan-diff.outputs.stacks) }}');
    expect(job.strategy?.['fail-fast']).toBe(false);
    expect(job.strategy?.['max-parallel']).toBeGreaterThan(1);
    expect(job.environment).toEqual({ name: '${{ matrix.stack.environment }}-plan' });
    // A removed stack is planned from the base commit the diff compared with.
    expect(uses(job, 'actions/checkout')?.with?.ref).toBe("${{ matrix.stack.destroy && needs.plan-diff.outputs.base || '' }}");
    expect(uses(job, 'aws-actions/configure-aws-credentials')?.with?.['role-to-assume']).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
    const commands = runs(job);
    expect(commands.indexOf('npm run synth')).toBeLessThan(commands.findIndex((r) => r.includes('terraform -chdir')));
  });

  test('main: per environment behind a GitHub Environment gate, one at a time: destroy the removed stacks from the previous commit, then deploy', () => {
    const job = jobs.deploy;
    expect(job.needs).toBe('deploy-targets');
    expect(jobs['deploy-targets'].needs).toBe('test');
    expect(jobs['deploy-targets'].if).toContain("github.ref == 'refs/heads/main'");
    expect(uses(jobs['deploy-targets'], 'actions/checkout')?.with?.['fetch-depth']).toBe(0);
    expect(job.environment).toEqual({ name: '${{ matrix.environment }}' });
    expect(job.strategy?.matrix?.environment).toBe('${{ fromJSON(needs.deploy-targets.outputs.environments) }}');
    expect(job.strategy?.['max-parallel']).toBe(1);
    expect(job.env).toEqual({
      DEPLOY: '${{ fromJSON(needs.deploy-targets.outputs.stacks)[matrix.environment].deploy }}',
      DESTROY: '${{ fromJSON(needs.deploy-targets.outputs.stacks)[matrix.environment].destroy }}',
    });
    const previous = job.steps.find((s) => s.with?.path === 'previous');
    expect(previous).toMatchObject({ uses: expect.stringMatching(/^actions\/checkout@/), if: "env.DESTROY != ''", with: { ref: '${{ needs.deploy-targets.outputs.previous }}' } });
    const destroy = stepNamed(job, 'npx cdktf destroy (removed stacks)');
    expect(destroy['working-directory']).toBe('previous');
    const deploy = stepNamed(job, 'npx cdktf deploy');
    expect(job.steps.indexOf(destroy)).toBeLessThan(job.steps.indexOf(deploy));
    expect(deploy.run).toMatch(/npx cdktf deploy \$DEPLOY --auto-approve/);
  });

  test('AWS credentials come from OIDC role assumption, never from stored keys', () => {
    const creds = uses(jobs.deploy, 'aws-actions/configure-aws-credentials');
    expect(creds?.with?.['role-to-assume']).toBe('${{ vars.AWS_DEPLOY_ROLE_ARN }}');
    expect(Object.keys(creds?.with ?? {})).not.toContain('aws-access-key-id');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
  });

  test('least privilege: nothing by default, PR write only for the comment, id-token for plans, deploy and the audit, issues for the audit', () => {
    expect(workflow.permissions).toEqual({});
    expect(jobs.test.permissions).toEqual({ contents: 'read' });
    expect(jobs['deploy-targets'].permissions).toEqual({ contents: 'read' });
    expect(jobs.plan.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(jobs['plan-diff'].permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(jobs.deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(jobs.audit.permissions).toEqual({ contents: 'read', 'id-token': 'write', issues: 'write' });
  });

  test('every action is pinned to a version, not a branch', () => {
    const all = Object.values(jobs).flatMap((j) => j.steps.filter((s) => s.uses).map((s) => s.uses!));
    expect(all.length).toBeGreaterThan(0);
    for (const action of all) expect(action).toMatch(/^[\w.-]+\/[\w.-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
  });

  test('the npm scripts it runs exist in package.json', () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const used = [...text.matchAll(/npm run (\w[\w:-]*)/g)].map((m) => m[1]);
    expect(used).toEqual(expect.arrayContaining(['synth', 'diff', 'audit']));
    for (const script of new Set(used)) expect(Object.keys(scripts)).toContain(script);
  });

  test.each([['docs/gitops.md'], ['README.md']])('the commands it runs are the ones %s names', (file) => {
    const body = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const section = file === 'README.md' ? (body.split(/^## /m).find((s) => /^GitOps/i.test(s)) ?? '') : body;
    if (!section) throw new Error(`${file} has no "## GitOps" section naming ${DOCUMENTED_COMMANDS.join(', ')}`);
    for (const command of DOCUMENTED_COMMANDS) {
      expect(text).toContain(command);
      expect(section).toContain(command);
    }
  });
});

// ---------------------------------------------------------------- the decision steps, run

describe('governance workflow: decision steps (needs jq, as on GitHub runners)', () => {
  let tmp: string;
  beforeAll(() => {
    // A missing jq is a failure, not a skip: these steps would break on the runner unseen.
    if (spawnSync('jq', ['--version'], { timeout: 10_000 }).status !== 0) {
      throw new Error('jq not found on PATH: the workflow steps under test need it (apt-get install jq)');
    }
  });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-test-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** What `npm run diff -- --stacks-json` writes: [name, environment, backend] per stack. */
  type Run = [string, string, string][];
  function stacksJson(plan: Run, destroy: Run = []): string {
    const file = path.join(tmp, 'stacks-to-run.json');
    const entries = (list: Run) => list.map(([name, environment, backend]) => ({ name, environment, backend }));
    fs.writeFileSync(file, JSON.stringify({ plan: entries(plan), destroy: entries(destroy) }));
    return file;
  }
  const outputsOf = (raw: string) =>
    Object.fromEntries(raw.trim().split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

  /** Stand-in commands on PATH: each appends its arguments (and working directory) to calls.log. */
  function standIns(names: string[], exitCode = 0): { PATH: string; calls: () => string[] } {
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    const log = path.join(tmp, 'calls.log');
    fs.writeFileSync(log, '');
    for (const name of names) {
      fs.writeFileSync(path.join(bin, name), `#!/bin/bash\necho "${name} $* @$(basename "$PWD")" >> '${log}'\nexit ${exitCode}\n`, { mode: 0o755 });
    }
    return { PATH: `${bin}:${process.env.PATH}`, calls: () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  }

  const targets = (file: string, candidates = '["dev","prod"]') => {
    const res = runStep(stepNamed(jobs['deploy-targets'], 'Environments with remote state'), { CANDIDATES: candidates, STACKS_JSON: file }, tmp);
    expect(res.status).toBe(0);
    const out = Object.fromEntries(Object.entries(outputsOf(res.outputs)).map(([k, v]) => [k, JSON.parse(v)]));
    return { ...out, log: res.stdout } as { environments: string[]; stacks: Record<string, { deploy: string; destroy: string }>; log: string };
  };

  test('deploy targets: per environment, the stacks to deploy and to destroy in the diff\'s order; a hyphenated environment is its own', () => {
    const file = stacksJson(
      [['dev-postgres-main', 'dev', 's3'], ['dev-postgres-main-sales', 'dev', 's3'], ['dev-eu-aws-access', 'dev-eu', 's3'], ['prod-redshift-dw', 'prod', 'cloud']],
      [['dev-postgres-main-hr', 'dev', 's3'], ['prod-postgres-old-orders', 'prod', 'cloud'], ['prod-postgres-old', 'prod', 'cloud']],
    );
    const result = targets(file);
    expect(result.environments).toEqual(['dev', 'prod']);
    expect(result.stacks).toEqual({
      dev: { deploy: 'dev-postgres-main dev-postgres-main-sales', destroy: 'dev-postgres-main-hr' },
      prod: { deploy: 'prod-redshift-dw', destroy: 'prod-postgres-old-orders prod-postgres-old' },
    });
  });

  test('deploy targets: an environment with a stack on the local backend is refused with a warning; one with only removals still runs; a manual run only its choice', () => {
    const file = stacksJson([['dev-aws-access', 'dev', 'local'], ['dev-redshift', 'dev', 'local']], [['prod-postgres-db-x', 'prod', 's3']]);
    const result = targets(file);
    expect(result.environments).toEqual(['prod']);
    expect(result.stacks).toEqual({ prod: { deploy: '', destroy: 'prod-postgres-db-x' } });
    expect(result.log).toContain('::warning::environment dev is not deployed from CI: dev-aws-access dev-redshift use the local backend');
    expect(targets(file, '["dev"]')).toMatchObject({ environments: [], stacks: {} });
    const nothing = targets(stacksJson([]));
    expect(nothing).toMatchObject({ environments: [], stacks: {} });
    expect(nothing.log).toContain('::notice::environment prod: no stack changed');
  });

  describe('the stacks that changed since the previous commit of main', () => {
    let repo: string;
    let commit: string;
    beforeEach(() => {
      repo = path.join(tmp, 'repo');
      fs.mkdirSync(repo);
      const git = (...args: string[]) => {
        const res = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
        if (res.status !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr}`);
        return res.stdout.trim();
      };
      git('init', '-q');
      git('commit', '-q', '--allow-empty', '-m', 'previous');
      commit = git('rev-parse', 'HEAD');
    });
    const changes = (env: Record<string, string>, exitCode = 2) => {
      const npm = standIns(['npm'], exitCode);
      // npm run diff writes its report where --output says, whatever its exit code.
      fs.writeFileSync(path.join(tmp, 'plan-diff.txt'), 'Stack dev-aws-access: added\n');
      const res = runStep(stepNamed(jobs['deploy-targets'], 'Stacks that changed'), { PATH: npm.PATH, RUNNER_TEMP: tmp, ...env }, repo);
      return { status: res.status, outputs: outputsOf(res.outputs), log: res.stdout, npm: npm.calls() };
    };
    const STACKS_OUT = '--stacks-json RUNNER_TEMP/stacks-to-run.json';

    test('a push whose previous commit is in the history: the diff against it, and that commit is where removed stacks are destroyed from', () => {
      const res = changes({ EVENT: 'push', BEFORE: commit });
      expect(res.status).toBe(0);
      expect(res.outputs).toEqual({ previous: commit, 'every-stack': 'false' });
      expect(res.log).toContain('Stack dev-aws-access: added');
      expect(res.npm.map((c) => c.split(tmp).join('RUNNER_TEMP'))).toEqual([
        `npm run diff -- --base ${commit} --head-dir cdktf.out --output RUNNER_TEMP/plan-diff.txt ${STACKS_OUT} @repo`,
      ]);
    });

    test.each([
      ['the first push', 'push', '0000000000000000000000000000000000000000'],
      ['a force push (the old tip is not in the history)', 'push', 'a'.repeat(40)],
      ['a manual run', 'workflow_dispatch', ''],
    ])('%s: the diff against an empty synth, so every stack is deployed and none destroyed', (_what, event, before) => {
      const res = changes({ EVENT: event, BEFORE: before });
      expect(res.status).toBe(0);
      expect(res.outputs).toEqual({ 'every-stack': 'true' });
      expect(res.log).toContain('::notice::no previous commit to compare with');
      expect(res.npm.map((c) => c.split(tmp).join('RUNNER_TEMP'))).toEqual([
        `npm run diff -- --base-dir RUNNER_TEMP/no-stacks --head-dir cdktf.out --output RUNNER_TEMP/plan-diff.txt ${STACKS_OUT} @repo`,
      ]);
      expect(JSON.parse(fs.readFileSync(path.join(tmp, 'no-stacks', 'manifest.json'), 'utf8'))).toEqual({ stacks: {} });
    });

    test('the diff failing (exit 1) fails the step; no change (0) does not', () => {
      expect(changes({ EVENT: 'push', BEFORE: commit }, 1).status).toBe(1);
      expect(changes({ EVENT: 'push', BEFORE: commit }, 0).status).toBe(0);
    });
  });

  test('stacks to plan on a pull request: changed ones and removed ones (as destroys) of the deployed environments, none on the local backend', () => {
    const file = stacksJson(
      [['dev-postgres-main', 'dev', 's3'], ['dev-postgres-main-sales', 'dev', 's3'], ['qa-aws-access', 'qa', 's3'], ['prod-redshift', 'prod', 'local']],
      [['dev-postgres-main-hr', 'dev', 's3']],
    );
    const res = runStep(stepNamed(jobs['plan-diff'], 'Stacks to plan'), { ENVIRONMENTS: workflow.env.DEPLOY_ENVIRONMENTS, STACKS_JSON: file }, tmp);
    expect(res.status).toBe(0);
    expect(JSON.parse(outputsOf(res.outputs).stacks)).toEqual([
      { name: 'dev-postgres-main', environment: 'dev', backend: 's3', destroy: false },
      { name: 'dev-postgres-main-sales', environment: 'dev', backend: 's3', destroy: false },
      { name: 'dev-postgres-main-hr', environment: 'dev', backend: 's3', destroy: true },
    ]);
    expect(res.stdout).toContain('::notice::not planned (local backend, or an environment CI does not deploy): qa-aws-access prod-redshift');
    const none = runStep(stepNamed(jobs['plan-diff'], 'Stacks to plan'), { ENVIRONMENTS: '["dev"]', STACKS_JSON: stacksJson([]) }, tmp);
    expect(outputsOf(none.outputs).stacks).toBe('[]');
  });

  test.each([
    ['false', []],
    ['true', ['-destroy']],
  ])('terraform plan of one stack (destroy %s): init, then a plan without a state lock', (destroy, extra) => {
    const tf = standIns(['terraform']);
    const res = runStep(stepNamed(jobs.plan, 'terraform plan'), { PATH: tf.PATH, STACK: 'dev-postgres-main-sales', DESTROY: destroy }, tmp);
    expect(res.status).toBe(0);
    const dir = '-chdir=cdktf.out/stacks/dev-postgres-main-sales';
    expect(tf.calls()).toEqual([`terraform ${dir} init -input=false @${path.basename(tmp)}`, `terraform ${dir} plan -input=false -lock=false${extra.map((e) => ` ${e}`).join('')} @${path.basename(tmp)}`]);
  });

  test('deploy: removed stacks planned as destroys, then destroyed one by one in the given order, from the previous commit\'s own synth', () => {
    const tools = standIns(['npm', 'npx', 'terraform']);
    const previous = path.join(tmp, 'previous');
    fs.mkdirSync(previous);
    const step = stepNamed(jobs.deploy, 'npx cdktf destroy (removed stacks)');
    const res = runStep(step, { PATH: tools.PATH, DESTROY: 'dev-postgres-main-sales dev-postgres-main' }, previous);
    expect(res.status).toBe(0);
    const flags = '--auto-approve --skip-synth --ignore-missing-stack-dependencies @previous';
    const planned = (stack: string) => [
      `terraform -chdir=cdktf.out/stacks/${stack} init -input=false @previous`,
      `terraform -chdir=cdktf.out/stacks/${stack} plan -destroy -input=false -lock=false @previous`,
    ];
    expect(tools.calls()).toEqual([
      'npm ci @previous', 'npm run synth @previous', ...planned('dev-postgres-main-sales'), ...planned('dev-postgres-main'),
      `npx cdktf destroy dev-postgres-main-sales ${flags}`, `npx cdktf destroy dev-postgres-main ${flags}`,
    ]);
  });

  test('deploy: a removed stack whose destroy cannot be planned stops the step before any destroy', () => {
    const tools = standIns(['npm', 'npx']);
    standIns(['terraform'], 1);
    const res = runStep(stepNamed(jobs.deploy, 'npx cdktf destroy (removed stacks)'), { PATH: tools.PATH, DESTROY: 'a-grants a' }, tmp);
    expect(res.status).toBe(1);
    expect(tools.calls().filter((c) => !c.startsWith('npm '))).toEqual([expect.stringMatching(/^terraform -chdir=cdktf\.out\/stacks\/a-grants init /)]);
  });

  test('deploy: the failure of one destroy stops the step before the stacks it depends on', () => {
    const tools = standIns(['npm', 'terraform']);
    standIns(['npx'], 1);
    fs.writeFileSync(path.join(tmp, 'bin', 'npm'), '#!/bin/bash\nexit 0\n', { mode: 0o755 });
    const res = runStep(stepNamed(jobs.deploy, 'npx cdktf destroy (removed stacks)'), { PATH: tools.PATH, DESTROY: 'a-grants a' }, tmp);
    expect(res.status).toBe(1);
    expect(tools.calls().filter((c) => c.startsWith('npx '))).toEqual([expect.stringMatching(/^npx cdktf destroy a-grants /)]);
  });

  test.each([
    ['false', 'only the changed stacks, in the given order, one at a time', '--auto-approve --ignore-missing-stack-dependencies --parallelism 1'],
    ['true', 'every stack, cdktf ordering them by their dependencies', '--auto-approve --parallelism 4'],
  ])('deploy (every stack: %s): %s', (every, _what, flags) => {
    const tools = standIns(['npx']);
    const res = runStep(stepNamed(jobs.deploy, 'npx cdktf deploy'), { PATH: tools.PATH, EVERY_STACK: every, DEPLOY: 'dev-postgres-main dev-postgres-main-sales' }, tmp);
    expect(res.status).toBe(0);
    expect(tools.calls()).toEqual([`npx cdktf deploy dev-postgres-main dev-postgres-main-sales ${flags} @${path.basename(tmp)}`]);
  });

  test.each([
    [0, 'match', 0],
    [2, 'drift', 0],
    [1, 'error', 1],
  ])('audit step: npm run audit exiting %i (%s) makes the step exit %i, and the exit code is an output', (code, _what, stepStatus) => {
    // A stand-in npm on PATH: writes a report where --output says and exits with the code under test.
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/bash\nwhile [ $# -gt 0 ]; do [ "$1" = --output ] && echo "## Database audit ($*)" > "$2"; shift; done\necho "$0 ran" >&2\nexit ${code}\n`, { mode: 0o755 });
    const summary = path.join(tmp, 'summary');
    fs.writeFileSync(summary, '');
    const res = runStep(stepNamed(jobs.audit, 'npm run audit -- --markdown'), {
      PATH: `${bin}:${process.env.PATH}`, ENVIRONMENT: 'prod', RUNNER_TEMP: tmp, GITHUB_STEP_SUMMARY: summary,
    }, tmp);
    expect(res.status).toBe(stepStatus);
    expect(res.outputs).toBe(`exit-code=${code}\n`);
    expect(fs.readFileSync(summary, 'utf8')).toBe(stepStatus === 0 ? fs.readFileSync(path.join(tmp, 'audit.md'), 'utf8') : '');
  });

  describe('the drift issue step, run with a stand-in GitHub API', () => {
    interface Issue { number: number; body: string; title?: string; state: string; pull_request?: object }
    const script = String(uses(jobs.audit, 'actions/github-script')?.with?.script);
    const run = async (exitCode: string, open: Issue[]) => {
      const calls: [string, Record<string, unknown>][] = [];
      const rest = {
        issues: {
          listForRepo: 'listForRepo',
          create: async (a: Record<string, unknown>) => calls.push(['create', a]),
          update: async (a: Record<string, unknown>) => calls.push(['update', a]),
          createComment: async (a: Record<string, unknown>) => calls.push(['comment', a]),
        },
      };
      const github = { rest, paginate: async (what: string) => (what === 'listForRepo' ? open : []) };
      const context = { repo: { owner: 'o', repo: 'r' }, serverUrl: 'https://github.example', runId: 7 };
      const report = path.join(tmp, 'audit.md');
      fs.writeFileSync(report, '## Database audit\n');
      const env = { ENVIRONMENT: 'prod', EXIT_CODE: exitCode, REPORT_FILE: report };
      const body = new Function('github', 'context', 'require', 'process', `return (async () => {\n${script}\n})();`);
      await body(github, context, require, { env });
      return calls;
    };
    const marker = '<!-- governance-audit:prod -->';

    test('drift with no open issue: one issue titled for the environment, the report after the marker', async () => {
      const calls = await run('2', [{ number: 3, body: '<!-- governance-audit:dev -->', state: 'open' }]);
      expect(calls).toEqual([['create', { owner: 'o', repo: 'r', title: 'Database drift in prod', body: expect.stringMatching(new RegExp(`^${marker}\\n## Database audit\\n`)) }]]);
      expect(String(calls[0][1].body)).toContain('https://github.example/o/r/actions/runs/7');
    });

    test('drift with the issue open: its body is replaced, no second issue', async () => {
      const calls = await run('2', [{ number: 9, body: `${marker}\nold`, state: 'open' }, { number: 4, body: `${marker}\npr`, state: 'open', pull_request: {} }]);
      expect(calls.map(([op, a]) => [op, a.issue_number])).toEqual([['update', 9]]);
    });

    test('a clean audit closes the open issue with a comment; with none open it does nothing', async () => {
      const calls = await run('0', [{ number: 9, body: `${marker}\nold`, state: 'open' }]);
      expect(calls.map(([op, a]) => [op, a.issue_number, a.state])).toEqual([['comment', 9, undefined], ['update', 9, 'closed']]);
      expect(await run('0', [])).toEqual([]);
    });
  });

  test('sensitive variables: each JSON key becomes a masked TF_VAR_, multi-line values intact', () => {
    const step = stepNamed(jobs.deploy, 'Sensitive variables as TF_VAR_*');
    const res = runStep(step, { DEPLOY_TF_VARS: JSON.stringify({ immuta_password: 's3cr3t', pem: 'line1\nline2' }) }, tmp);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('::add-mask::s3cr3t');
    expect(res.envFile).toMatch(/^TF_VAR_immuta_password<<(EOF_\w+)\ns3cr3t\n\1\n/m);
    expect(res.envFile).toMatch(/^TF_VAR_pem<<(EOF_\w+)\nline1\nline2\n\1\n/m);
    expect(runStep(step, { DEPLOY_TF_VARS: '' }, tmp)).toMatchObject({ status: 0, envFile: '' });
  });
});
