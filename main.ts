import * as fs from 'fs';
import * as path from 'path';
import { EstateError, estateFileFromEnv, loadEstateFile } from './estate/load';
import { SYNTH_USAGE, parseSynthArgs } from './scripts/lib/synth-args';
import { synthesizeEstate } from './stacks/app';

// Thin on purpose: every decision lives in estate/, model/, constructs/ and stacks/.
// Synthesis goes to a scratch folder that replaces the output only when complete, so a
// failure at any point leaves the previous output untouched and nothing half written.
const command = parseSynthArgs(process.argv.slice(2));
if (command.kind === 'help') {
  process.stdout.write(`${SYNTH_USAGE}\n`);
  process.exit(0);
}
if (command.kind === 'error') {
  process.stderr.write(`${command.message}\n`);
  process.exit(1);
}
const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
const scratch = `${outdir}.partial`;
try {
  const estateFile = estateFileFromEnv();
  const estate = loadEstateFile(estateFile);
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  synthesizeEstate(estate, scratch);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.renameSync(scratch, outdir);
  process.stdout.write(`synthesized ${path.relative(process.cwd(), estateFile)} into ${path.relative(process.cwd(), outdir) || '.'}: ${fs.readdirSync(path.join(outdir, 'stacks')).sort().join(', ')}\n`);
} catch (e) {
  fs.rmSync(scratch, { recursive: true, force: true });
  // Estate and construct validation errors name the field; a stack trace would only bury it.
  const message = e instanceof EstateError ? e.message : `error: ${(e as Error).message ?? String(e)}`;
  process.stderr.write(`${message}\nnothing was written to ${path.relative(process.cwd(), outdir) || outdir}\n`);
  if (process.env.DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}
