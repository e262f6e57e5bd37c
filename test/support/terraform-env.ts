/**
 * Running terraform, or OpenTofu, offline in tests.
 *
 * The machine has no registry access: hashicorp/aws comes from a filesystem
 * mirror shipped with the image, and providers it lacks (cyrilgdn/postgresql)
 * are built from the Go module proxy by scripts/build-providers.sh into the
 * project's own mirror. Tests write a CLI config that names only those two
 * mirrors, so nothing is ever fetched from the network.
 *
 * Every tier that runs terraform runs the same synthesized JSON on each of
 * ENGINES; `engineEnv(engine)` and `runEngine(engine, ...)` are all a test needs.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export const AWS_SOURCE = 'registry.terraform.io/hashicorp/aws';
export const AWS_VERSION = '5.100.0';
export const POSTGRESQL_SOURCE = 'registry.terraform.io/cyrilgdn/postgresql';
export const POSTGRESQL_VERSION = '1.26.0';

/** Terraform's name for this platform, e.g. linux_amd64. */
function platform(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  return `${process.platform}_${arch[process.arch] ?? process.arch}`;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Root of an unpacked filesystem mirror holding hashicorp/aws 5.100.0. */
export function findAwsMirror(): string {
  const rel = path.join(
    AWS_SOURCE,
    AWS_VERSION,
    platform(),
    `terraform-provider-aws_v${AWS_VERSION}_x5`,
  );
  const fromEnv = process.env.AWS_PROVIDER_MIRROR;
  if (fromEnv) {
    if (!fs.existsSync(path.join(fromEnv, rel))) {
      throw new Error(`AWS_PROVIDER_MIRROR=${fromEnv} does not contain ${rel}`);
    }
    return fromEnv;
  }
  const home = os.homedir();
  const roots = [
    '/opt/tf-plugins',
    '/usr/share/terraform/plugins',
    path.join(home, '.terraform.d', 'plugins'),
    path.join(home, '.local', 'share', 'terraform', 'plugins'),
  ];
  const found = roots.find((root) => fs.existsSync(path.join(root, rel)));
  if (!found) {
    throw new Error(
      `No offline mirror of hashicorp/aws ${AWS_VERSION} found: looked for ${rel} under ` +
        `${roots.join(', ')}. Set AWS_PROVIDER_MIRROR to the mirror root.`,
    );
  }
  return found;
}

/** Root of the project's own mirror, filled by scripts/build-providers.sh. */
export function projectMirror(): string {
  return process.env.PROVIDER_MIRROR_DIR || path.join(REPO_ROOT, '.providers', 'mirror');
}

/** An engine that runs the synthesized JSON: Terraform, or OpenTofu. */
export type Engine = 'terraform' | 'tofu';

/** Every engine the terraform tiers run on, side by side, from the same synthesized output. */
export const ENGINES: readonly Engine[] = ['terraform', 'tofu'];

interface EngineSpec {
  /** The product's name, for messages. */
  readonly title: string;
  readonly command: string;
  /** Environment variable naming the binary; wins over every other place. */
  readonly binVar: string;
  /** Built by the project (scripts/build-tofu.sh); searched after binVar, before PATH. */
  readonly projectBuild?: string;
  /** The host the engine gives a provider source without one (`hashicorp/aws`): mirrors need it in their paths. */
  readonly registry: string;
  /** The oldest release measured to pass every tier (docs/engines.md). */
  readonly minimum: string;
  readonly howToGet: string;
}

const SPECS: Readonly<Record<Engine, EngineSpec>> = {
  terraform: {
    title: 'Terraform',
    command: 'terraform',
    binVar: 'TERRAFORM_BIN',
    registry: 'registry.terraform.io',
    // Write-only attributes (the Informatica master key) arrived in 1.11.
    minimum: '1.11.0',
    howToGet: 'put `terraform` on PATH or set TERRAFORM_BIN',
  },
  tofu: {
    title: 'OpenTofu',
    command: 'tofu',
    binVar: 'TOFU_BIN',
    projectBuild: path.join(REPO_ROOT, '.tools', 'bin', 'tofu'),
    registry: 'registry.opentofu.org',
    // Ephemeral variables and write-only attributes arrived in 1.11.
    minimum: '1.11.0',
    howToGet: 'run `npm run tofu` (builds it into .tools/bin from the Go module proxy), set TOFU_BIN, or put `tofu` on PATH',
  },
};

/** The product's name: Terraform or OpenTofu. */
export function engineTitle(engine: Engine): string {
  return SPECS[engine].title;
}

/** `1.11.4` -> [1, 11, 4]; a pre-release suffix is ignored. */
function versionParts(version: string): number[] {
  return version.split(/[-+]/)[0].split('.').map(Number);
}

/** a < b for dotted versions. */
export function versionBelow(a: string, b: string): boolean {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  }
  return false;
}

export interface EngineBinary {
  readonly engine: Engine;
  readonly path: string;
  /** As `<binary> version -json` reports it, e.g. 1.11.4. */
  readonly version: string;
}

const found = new Map<Engine, EngineBinary>();

/**
 * The engine's binary: $TERRAFORM_BIN / $TOFU_BIN, else the project's own build (OpenTofu),
 * else PATH; its version must be at least the measured minimum. Throws a message naming
 * what is missing and how to get it.
 */
export function findEngine(engine: Engine): EngineBinary {
  const cached = found.get(engine);
  if (cached) return cached;
  const spec = SPECS[engine];
  const fromEnv = process.env[spec.binVar];
  let bin: string | undefined;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${spec.binVar}=${fromEnv} is not an executable file (${spec.title})`);
    bin = fromEnv;
  } else if (spec.projectBuild && isExecutable(spec.projectBuild)) {
    bin = spec.projectBuild;
  } else {
    bin = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, spec.command)).find(isExecutable);
  }
  if (!bin) {
    throw new Error(`${spec.title} not found (the tests run every stack on ${ENGINES.map(engineTitle).join(' and ')}): ${spec.howToGet}`);
  }
  // An empty CLI config: OpenTofu prints a warning on stdout when TF_CLI_CONFIG_FILE names a missing file.
  const res = spawnSync(bin, ['version', '-json'], { encoding: 'utf8', timeout: 30000, killSignal: 'SIGKILL', env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: os.devNull } });
  let version: string | undefined;
  try {
    version = (JSON.parse(res.stdout) as { terraform_version?: string }).terraform_version;
  } catch {
    version = undefined;
  }
  if (!version) throw new Error(`${bin} version -json did not report a version (${spec.title}): ${res.error?.message ?? res.stderr}`);
  if (versionBelow(version, spec.minimum)) {
    throw new Error(`${spec.title} ${version} at ${bin} is older than ${spec.minimum}, the oldest release that passes this project's tests: ${spec.howToGet}`);
  }
  const result = { engine, path: bin, version };
  found.set(engine, result);
  return result;
}

/** The providers the offline mirrors serve, by `namespace/type`, and the mirror root holding each. */
const MIRRORED: ReadonlyArray<{ source: string; root: () => string }> = [
  { source: 'hashicorp/aws', root: findAwsMirror },
  { source: 'cyrilgdn/postgresql', root: projectMirror },
];

/** `aws`, `hashicorp/aws` or `registry.terraform.io/hashicorp/aws` -> `hashicorp/aws`. */
function shortSource(source: string): string {
  const parts = source.split('/');
  return (parts.length === 1 ? ['hashicorp', ...parts] : parts.slice(-2)).join('/');
}

/** `<root>/registry.terraform.io/<source>/<version>/<platform>`, for every version the mirror holds. */
function mirroredPlatformDirs(root: string, source: string): string[] {
  const base = path.join(root, 'registry.terraform.io', source);
  if (!fs.existsSync(base)) return [];
  return fs.readdirSync(base).map((version) => path.join(base, version, platform())).filter((dir) => fs.existsSync(dir));
}

/** Whether the project knows a mirror for a provider (`npm run providers` builds the ones the image lacks). */
export function providerMirrored(source: string): boolean {
  return MIRRORED.some((m) => m.source === shortSource(source));
}

/**
 * Whether a provider (as a stack's required_providers names it) has a binary in the
 * offline mirrors for this platform, at `version` when given.
 */
export function providerInstalled(source: string, version?: string): boolean {
  const entry = MIRRORED.find((m) => m.source === shortSource(source));
  if (!entry) return false;
  const type = entry.source.split('/')[1];
  return mirroredPlatformDirs(entry.root(), entry.source)
    .filter((dir) => version === undefined || path.basename(path.dirname(dir)) === version)
    .some((dir) => fs.readdirSync(dir).some((f) => f.startsWith(`terraform-provider-${type}_`) && isExecutable(path.join(dir, f))));
}

/**
 * OpenTofu resolves `hashicorp/aws` to registry.opentofu.org/hashicorp/aws, so its mirror
 * needs that host in the path. This builds one from the terraform mirrors, each file a
 * hard link (a copy across file systems): a symlink inside a mirror is not followed by
 * terraform's scan (docs/engines.md), and real files behave the same on every engine.
 * Safe to run from several jest workers at once.
 */
function engineMirror(engine: Engine): string {
  const root = path.join(REPO_ROOT, '.providers', `${engine}-mirror`);
  for (const { source, root: sourceRoot } of MIRRORED) {
    for (const from of mirroredPlatformDirs(sourceRoot(), source)) {
      const to = path.join(root, SPECS[engine].registry, source, path.relative(path.join(sourceRoot(), 'registry.terraform.io', source), from));
      fs.mkdirSync(to, { recursive: true });
      for (const file of fs.readdirSync(from)) {
        const [src, dest] = [path.join(from, file), path.join(to, file)];
        if (fs.existsSync(dest) && fs.statSync(dest).size === fs.statSync(src).size) continue;
        const tmp = `${dest}.tmp-${process.pid}`;
        try {
          fs.linkSync(src, tmp);
        } catch {
          fs.copyFileSync(src, tmp);
          fs.chmodSync(tmp, fs.statSync(src).mode);
        }
        fs.renameSync(tmp, dest); // atomic: another worker never sees half a file
      }
    }
  }
  return root;
}

/**
 * Writes a CLI config for `engine` whose only installation sources are the image's aws mirror
 * and the project's own (`npm run providers` fills it where a Go proxy serves the providers);
 * no `direct` block, so nothing comes from the network. Returns its path.
 */
export function writeCliConfig(dir: string, engine: Engine = 'terraform'): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${engine}.tfrc`);
  const mirrors =
    engine === 'terraform'
      ? MIRRORED.map((m) => ({ root: m.root(), include: [`${SPECS[engine].registry}/${m.source}`] }))
      : [{ root: engineMirror(engine), include: MIRRORED.map((m) => `${SPECS[engine].registry}/${m.source}`) }];
  const hcl = [
    'provider_installation {',
    ...mirrors.flatMap((m) => [
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(m.root)}`,
      `    include = [${m.include.map((i) => JSON.stringify(i)).join(', ')}]`,
      '  }',
    ]),
    '}',
    '',
  ].join('\n');
  fs.writeFileSync(file, hcl);
  return file;
}

/** Environment for terraform: our CLI config, no checkpoint calls, no prompts. */
export function terraformEnv(cliConfig: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
  };
}

const envs = new Map<Engine, NodeJS.ProcessEnv>();

/** Environment for `engine`, with a CLI config written once per test file; `extra` is added on top. */
export function engineEnv(engine: Engine, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  let env = envs.get(engine);
  if (!env) {
    env = terraformEnv(writeCliConfig(fs.mkdtempSync(path.join(os.tmpdir(), `${engine}-cli-`)), engine));
    envs.set(engine, env);
  }
  return { ...env, ...extra };
}

export interface TerraformResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** @default 5 minutes */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5 * 60 * 1000;

const commandLine = (engine: Engine, args: string[]) => `${SPECS[engine].command} ${args.join(' ')}`;

/**
 * Runs the engine with a hard timeout: some provider calls retry forever against
 * an emulator, so every command is bounded and killed outright when it overruns.
 */
export function runEngine(engine: Engine, args: string[], opts: RunOptions): TerraformResult {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const res = spawnSync(findEngine(engine).path, args, {
    cwd: opts.cwd,
    env: opts.env,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
  });
  const err = res.error as NodeJS.ErrnoException | undefined;
  if (err?.code === 'ETIMEDOUT') {
    throw new Error(`${commandLine(engine, args)} timed out after ${timeoutMs} ms in ${opts.cwd}`);
  }
  if (err) {
    throw new Error(`${commandLine(engine, args)} could not run: ${err.message}`);
  }
  return { status: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

/** runEngine without blocking the test process, so engines (and stacks) can run side by side. */
export function runEngineAsync(engine: Engine, args: string[], opts: RunOptions): Promise<TerraformResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const bin = findEngine(engine).path;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${commandLine(engine, args)} could not run: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new Error(`${commandLine(engine, args)} timed out after ${timeoutMs} ms in ${opts.cwd}`));
      else resolve({ status: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** runEngine for terraform. */
export function runTerraform(args: string[], opts: RunOptions): TerraformResult {
  return runEngine('terraform', args, opts);
}

/**
 * Runs `fn` for every item at once and waits for all of them; a failure is reported with
 * the label of the item it belongs to (e.g. "OpenTofu, prod-aws-access"), every failure
 * together, so one engine's error never hides another's.
 */
export async function sideBySide<T, R>(items: readonly T[], label: (item: T) => string, fn: (item: T) => Promise<R>): Promise<R[]> {
  const settled = await Promise.allSettled(items.map((item) => fn(item)));
  const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [`${label(items[i])}: ${(s.reason as Error)?.message ?? String(s.reason)}`] : []));
  if (failures.length > 0) throw new Error(failures.join('\n\n'));
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}

/** `fn` on every engine side by side; a failure names the engine. */
export function onEachEngine<R>(fn: (engine: Engine) => Promise<R>): Promise<R[]> {
  return sideBySide(ENGINES, engineTitle, fn);
}

/** runEngineAsync for terraform: for tests whose in-process servers must answer terraform's calls. */
export function runTerraformAsync(args: string[], opts: RunOptions): Promise<TerraformResult> {
  return runEngineAsync('terraform', args, opts);
}
