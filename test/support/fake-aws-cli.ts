/**
 * A stand-in `aws` executable for the Redshift lifecycle test: there is no Redshift here
 * and moto cannot serve the Data API. It records every redshift-data request (operation,
 * database, SQL) as one JSON line and answers describe-statement with FINISHED, so the
 * real terraform binary runs the real provisioner script against it.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface FakeAwsRequest {
  readonly operation: 'batch-execute-statement' | 'execute-statement';
  readonly region: string;
  readonly clusterIdentifier: string;
  readonly database: string;
  readonly dbUser?: string;
  readonly secretArn?: string;
  readonly statementName?: string;
  readonly sqls: string[];
}

// Runs under the node that runs jest (absolute path), so PATH order cannot pick another.
const SCRIPT = (node: string) => `#!${node}
'use strict';
const fs = require('fs');
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
const log = process.env.FAKE_AWS_LOG;
if (!log) { process.stderr.write('FAKE_AWS_LOG is not set\\n'); process.exit(3); }
if (args[0] !== 'redshift-data') { process.stderr.write('fake aws: unsupported service ' + args[0] + '\\n'); process.exit(3); }
const op = args[1];
if (op === 'describe-statement') {
  const query = opt('--query');
  process.stdout.write((query === 'Status' ? 'FINISHED' : '') + '\\n');
  process.exit(0);
}
if (op !== 'batch-execute-statement' && op !== 'execute-statement') { process.stderr.write('fake aws: unsupported operation ' + op + '\\n'); process.exit(3); }
const req = JSON.parse(opt('--cli-input-json'));
const entry = {
  operation: op, region: opt('--region'), clusterIdentifier: req.ClusterIdentifier, database: req.Database,
  dbUser: req.DbUser, secretArn: req.SecretArn, statementName: req.StatementName,
  sqls: op === 'execute-statement' ? [req.Sql] : req.Sqls,
};
fs.appendFileSync(log, JSON.stringify(entry) + '\\n');
process.stdout.write('stmt-' + fs.readFileSync(log, 'utf8').split('\\n').length + '\\n');
`;

/** Writes `aws` into dir (put dir first on PATH) and returns its path. */
export function writeFakeAwsCli(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'aws');
  fs.writeFileSync(file, SCRIPT(process.execPath), { mode: 0o755 });
  return file;
}

/** The requests recorded so far, oldest first. */
export function readFakeAwsLog(logFile: string): FakeAwsRequest[] {
  if (!fs.existsSync(logFile)) return [];
  return fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeAwsRequest);
}
