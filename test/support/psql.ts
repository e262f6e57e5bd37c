/**
 * Running psql scripts against a test server. The rendered SQL is a psql script
 * (\connect between databases, \gexec, \if, variables), so tests run it with the real
 * client rather than a driver. Debian's psql 15 talks to servers 16 and 17.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { EmbeddedPostgres } from './embedded-postgres';

export function findPsql(): string {
  const fromEnv = process.env.PSQL_BIN;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`PSQL_BIN=${fromEnv} does not exist`);
    return fromEnv;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, 'psql');
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  throw new Error('psql not found: install the PostgreSQL client (apt-get install postgresql-client) or set PSQL_BIN');
}

export interface PsqlRun {
  /** SQL text fed on stdin; or `file`. */
  sql?: string;
  file?: string;
  database?: string;
  user?: string;
  password?: string;
  /** psql variables (-v name=value). */
  vars?: Record<string, string>;
  /** Extra environment variables for psql (secrets go here, never into argv). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface PsqlResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs psql with ON_ERROR_STOP; never throws for a SQL error (the status says), only for a timeout. */
export function runPsql(server: EmbeddedPostgres, run: PsqlRun): PsqlResult {
  const args = [
    '-X', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-q',
    '-h', server.host, '-p', String(server.port),
    '-U', run.user ?? server.superuser, '-d', run.database ?? 'postgres',
    ...Object.entries(run.vars ?? {}).flatMap(([k, v]) => ['-v', `${k}=${v}`]),
    ...(run.file ? ['-f', run.file] : []),
  ];
  const timeout = run.timeoutMs ?? 60_000;
  const res = spawnSync(findPsql(), args, {
    input: run.sql,
    encoding: 'utf8',
    timeout,
    killSignal: 'SIGKILL',
    env: { ...process.env, PGPASSWORD: run.password ?? server.password, PGCONNECT_TIMEOUT: '10', ...run.env },
  });
  if ((res.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new Error(`psql ${args.join(' ')} timed out after ${timeout} ms`);
  }
  if (res.error) throw new Error(`psql could not run: ${res.error.message}`);
  return { status: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

/** runPsql that fails with psql's output when the script fails. */
export function psqlOk(server: EmbeddedPostgres, run: PsqlRun): PsqlResult {
  const res = runPsql(server, run);
  if (res.status !== 0) {
    throw new Error(`psql ${run.file ?? '<stdin>'} failed with status ${res.status}:\n${res.stderr}\n${res.stdout}`);
  }
  return res;
}
