import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { EstateError, estateFileFromEnv, loadEstateFile } from './estate/load';
import { sqlFilesForEstate } from './sql';
import { writeSqlFiles } from './sql/files';
import { buildApp } from './stacks/app';

// Thin on purpose: every decision lives in estate/, model/, constructs/ and stacks/.
// Synthesis goes to a scratch folder that replaces the output only when complete, so a
// failure at any point leaves the previous output untouched and nothing half written.
const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out');
const scratch = `${outdir}.partial`;
try {
  const estateFile = estateFileFromEnv();
  const estate = loadEstateFile(estateFile);
  fs.rmSync(scratch, { recursive: true, force: true });
  const app = new App({ outdir: scratch });
  buildApp(app, estate);
  app.synth();
  writeSqlFiles(scratch, sqlFilesForEstate(estate));
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.renameSync(scratch, outdir);
  process.stdout.write(`synthesized ${path.relative(process.cwd(), estateFile)} into ${path.relative(process.cwd(), outdir) || '.'}: ${fs.readdirSync(path.join(outdir, 'stacks')).sort().join(', ')}\n`);
} catch (e) {
  fs.rmSync(scratch, { recursive: true, force: true });
  if (e instanceof EstateError) {
    process.stderr.write(`${e.message}\nnothing was written to ${path.relative(process.cwd(), outdir)}\n`);
    process.exit(1);
  }
  throw e;
}
