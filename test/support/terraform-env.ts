/**
 * Running terraform offline in tests.
 *
 * The machine has no registry access: hashicorp/aws comes from a filesystem
 * mirror shipped with the image, and providers it lacks (cyrilgdn/postgresql)
 * are built from the Go module proxy by scripts/build-providers.sh into the
 * project's own mirror. Tests write a CLI config that names only those two
 * mirrors, so nothing is ever fetched from the network.
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

/** The terraform binary: $TERRAFORM_BIN, else `terraform` on PATH. */
export function findTerraform(): string {
  const fromEnv = process.env.TERRAFORM_BIN;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new Error(`TERRAFORM_BIN=${fromEnv} is not an executable file`);
    }
    return fromEnv;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'terraform');
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(
    'terraform binary not found: set TERRAFORM_BIN or put `terraform` on PATH ' +
      '(this project is tested with terraform 1.11.x)',
  );
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

/**
 * Writes a CLI config whose only installation sources are the image's aws mirror and the
 * project's own (`npm run providers` fills it where a Go proxy serves the providers); no
 * `direct` block, so nothing comes from the network. Returns its path.
 */
export function writeCliConfig(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'terraform.tfrc');
  const hcl = [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(findAwsMirror())}`,
    `    include = [${JSON.stringify(AWS_SOURCE)}]`,
    '  }',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(projectMirror())}`,
    `    include = [${JSON.stringify(POSTGRESQL_SOURCE)}]`,
    '  }',
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

export interface TerraformResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs terraform with a hard timeout: some provider calls retry forever against
 * an emulator, so every command is bounded and killed outright when it overruns.
 */
export function runTerraform(
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): TerraformResult {
  const timeoutMs = opts.timeoutMs ?? 5 * 60 * 1000;
  const res = spawnSync(findTerraform(), args, {
    cwd: opts.cwd,
    env: opts.env,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
  });
  const err = res.error as NodeJS.ErrnoException | undefined;
  if (err?.code === 'ETIMEDOUT') {
    throw new Error(`terraform ${args.join(' ')} timed out after ${timeoutMs} ms in ${opts.cwd}`);
  }
  if (err) {
    throw new Error(`terraform ${args.join(' ')} could not run: ${err.message}`);
  }
  return { status: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

/**
 * runTerraform without blocking the event loop: for tests whose own in-process servers
 * (the Redshift runner's invoke endpoint and fake Data API) must answer terraform's calls.
 */
export function runTerraformAsync(
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<TerraformResult> {
  const timeoutMs = opts.timeoutMs ?? 5 * 60 * 1000;
  return new Promise((resolve, reject) => {
    const child = spawn(findTerraform(), args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`terraform ${args.join(' ')} could not run: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new Error(`terraform ${args.join(' ')} timed out after ${timeoutMs} ms in ${opts.cwd}`));
      else resolve({ status: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}
