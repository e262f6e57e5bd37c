/**
 * `npm run audit`: what the databases really hold, compared with what the estate's model
 * expects, per PostgreSQL server and Redshift cluster (audit/targets.ts). Reads only: SELECTs,
 * on read-only connections for PostgreSQL and through the Redshift Data API for Redshift.
 *
 *   npm run audit                       every environment of ESTATE_FILE (else the example)
 *   npm run audit -- --env prod         one environment
 *   npm run audit -- --json             for tools;  --markdown: for an issue comment
 *   npm run audit -- --output FILE      write the report there (npm's banner stays on stdout)
 *
 * Credentials: the variables the stacks read (TF_VAR_<server>_admin_password; RDS IAM
 * login through the AWS CLI); AWS credentials from the usual chain for Redshift.
 * Exit code: 0 match, 2 drift, 1 error.
 */
import * as fs from 'fs';
import { EstateError, estateFileFromEnv, loadEstateFile } from '../estate/load';
import { formatAuditJson, formatAuditMarkdown, formatAuditText } from '../audit/report';
import { AuditUsageError, auditExitCode, auditTargets, runAuditTargets } from '../audit/targets';

const USAGE = `usage: audit [--env <name>] [--json | --markdown] [--output <file>]
Compares the live PostgreSQL and Redshift catalogs with the estate (ESTATE_FILE, else the example).
Exit code: 0 match, 2 drift, 1 error.`;

interface Options {
  env?: string;
  format: 'text' | 'json' | 'markdown';
  output?: string;
}

export function parseArgs(argv: readonly string[]): Options {
  const options: Options = { format: 'text' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
    if (flag === '--json' || flag === '--markdown') {
      const format = flag.slice(2) as Options['format'];
      if (options.format !== 'text' && options.format !== format) throw new AuditUsageError(`--json and --markdown exclude each other\n${USAGE}`);
      options.format = format;
    } else if (flag === '--env' || flag === '--output') {
      const value = inline ?? argv[++i];
      if (!value) throw new AuditUsageError(`${flag} needs a value\n${USAGE}`);
      options[flag === '--env' ? 'env' : 'output'] = value;
    } else throw new AuditUsageError(`unknown argument ${argv[i]}\n${USAGE}`);
  }
  return options;
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const options = parseArgs(argv);
    const estate = loadEstateFile(estateFileFromEnv(env));
    const results = await runAuditTargets(auditTargets(estate, env, options.env));
    const format = { text: formatAuditText, json: formatAuditJson, markdown: formatAuditMarkdown }[options.format];
    const report = format(results);
    if (options.output) fs.writeFileSync(options.output, report);
    else process.stdout.write(report);
    for (const r of results) if (r.error !== undefined) process.stderr.write(`audit: ${r.target}: ${r.error}\n`);
    return auditExitCode(results);
  } catch (e) {
    const message = e instanceof EstateError || e instanceof AuditUsageError ? e.message : `error: ${(e as Error).message ?? String(e)}`;
    process.stderr.write(`audit: ${message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
