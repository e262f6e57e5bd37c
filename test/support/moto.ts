/**
 * The AWS emulator (moto_server) for the e2e tier: one server per AWS account, on a free
 * loopback port, stopped by its pid. The AWS CLI talks to it for checks behind
 * terraform's back.
 */
import { ChildProcess, execFile, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { tempDir } from './synth';

export interface MotoServer {
  readonly endpoint: string;
  readonly accountId: string;
  readonly pid: number;
  /** The server's own log, for failure messages. */
  readonly logFile: string;
  stop(): Promise<void>;
}

/** A port the OS just handed out on 127.0.0.1 (closed again before moto binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    // No keep-alive agent: a pooled socket would outlive the test run.
    const req = http.get(url, { timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Waits for the child to exit, at most `ms` (no timer is left behind); true if it did. */
function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/**
 * Starts moto_server for `accountId` with AWS managed policies loaded (the Redshift
 * service role attaches two of them) and waits until it answers.
 */
export async function startMoto(accountId: string, startTimeoutMs = 30000): Promise<MotoServer> {
  const port = await freePort();
  const logFile = path.join(tempDir('moto'), 'moto.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_ACCOUNT_ID: accountId, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    stdio: ['ignore', log, log],
    // Own process group, so stop() reaches anything the server forks.
    detached: true,
  });
  fs.closeSync(log);
  let spawnError: Error | undefined;
  child.once('error', (e) => {
    spawnError = e;
  });
  const stop = async () => {
    if (child.pid === undefined || hasExited(child)) return;
    process.kill(-child.pid, 'SIGTERM');
    if (!(await waitExit(child, 10000))) {
      process.kill(-child.pid, 'SIGKILL');
      await waitExit(child, 10000);
    }
  };
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    await waitExit(child, 250);
    if (spawnError) {
      throw new Error(`cannot start moto_server (${spawnError.message}): it must be on PATH (pip install "moto[server]"); the e2e tier needs it`);
    }
    if (hasExited(child)) {
      throw new Error(`moto_server exited with ${child.exitCode} before answering; its log:\n${fs.readFileSync(logFile, 'utf8')}`);
    }
    if (await answers(`${endpoint}/moto-api/`)) {
      return { endpoint, accountId, pid: child.pid!, logFile, stop };
    }
  }
  await stop();
  throw new Error(`moto_server did not answer on ${endpoint} within ${startTimeoutMs} ms; its log:\n${fs.readFileSync(logFile, 'utf8')}`);
}

const cliArgs = (moto: MotoServer, region: string, args: string[]) => ['--endpoint-url', moto.endpoint, '--region', region, '--output', 'json', ...args];
const CLI_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '' };
const cliMissing = (args: string[], e: Error) => new Error(`aws ${args.join(' ')} could not run (${e.message}): the AWS CLI must be on PATH for the e2e tier`);

/** The CLI's answer, parsed, or an error naming the command. */
function cliAnswer(args: string[], status: number | null, stdout: string, stderr: string): unknown {
  if (status !== 0) throw new Error(`aws ${args.join(' ')} exited with ${status}: ${stderr}`);
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

/** Runs the AWS CLI against the emulator and parses its JSON answer. */
export function awsCli(moto: MotoServer, region: string, args: string[], timeoutMs = 60000): unknown {
  const res = spawnSync('aws', cliArgs(moto, region, args), {
    env: { ...process.env, ...CLI_ENV },
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  if (res.error) throw cliMissing(args, res.error);
  return cliAnswer(args, res.status, res.stdout, res.stderr);
}

/** awsCli without blocking the test process, so checks on several emulators run side by side. */
export function awsCliAsync(moto: MotoServer, region: string, args: string[], timeoutMs = 60000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile('aws', cliArgs(moto, region, args), { env: { ...process.env, ...CLI_ENV }, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      if (e?.code === 'ENOENT') return reject(cliMissing(args, e));
      if (e?.killed) return reject(new Error(`aws ${args.join(' ')} timed out after ${timeoutMs} ms`));
      try {
        resolve(cliAnswer(args, e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr));
      } catch (err) {
        reject(err);
      }
    });
  });
}
