/**
 * `validate` with the real engine binaries and provider schemas, on every stack the example
 * estate synthesizes whose providers are installed here, on Terraform and OpenTofu side by
 * side from the same synthesized output. A stack left out is named with the provider it
 * lacks, and that provider is checked to be really absent.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Engine, ENGINES, engineEnv, engineTitle, findEngine, onEachEngine, providerInstalled, providerMirrored, runEngineAsync } from '../support/terraform-env';
import { STACK_LAYOUT_FILE, StackEntry } from '../../model/stack-layout';
import { copyStack, synthExampleEstate } from '../support/synth';

const TIMEOUT_MS = 120000;

const app = synthExampleEstate();
/** Each stack's providers, as its required_providers names them, with the exact version it pins. */
const providersOf = (stack: string) =>
  Object.values(app.stackJson(stack).terraform?.required_providers ?? {}).map((p) => ({ source: p.source, version: p.version }));
const missing = new Map(
  app.stacks
    .map((stack) => [stack, providersOf(stack).filter((p) => !providerInstalled(p.source, p.version))] as const)
    .filter(([, absent]) => absent.length > 0),
);
const validated = app.stacks.filter((s) => !missing.has(s));
const skippedText = [...missing].map(([stack, absent]) => `${stack} (no ${absent.map((p) => `${p.source} ${p.version}`).join(', ')})`).join('; ') || 'none';
afterAll(() => fs.rmSync(app.outdir, { recursive: true, force: true }));

/** init + validate -json of one stack folder on one engine. */
async function validate(engine: Engine, dir: string) {
  const env = engineEnv(engine);
  const init = await runEngineAsync(engine, ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, env, timeoutMs: TIMEOUT_MS });
  if (init.status !== 0 || init.stderr !== '') throw new Error(`init exited ${init.status}:\n${init.stderr}`);
  const res = await runEngineAsync(engine, ['validate', '-json', '-no-color'], { cwd: dir, env, timeoutMs: TIMEOUT_MS });
  const report = JSON.parse(res.stdout) as { valid: boolean; error_count: number; diagnostics: Array<{ severity: string }> };
  return { status: res.status, stdout: res.stdout, valid: report.valid, errors: report.error_count, errorDiagnostics: report.diagnostics.filter((d) => d.severity === 'error') };
}

describe('validate on the example estate, on every engine', () => {
  test('every engine is installed and recent enough', () => {
    // findEngine throws naming the missing engine or the too old version.
    for (const engine of ENGINES) expect(findEngine(engine).engine).toBe(engine);
  });

  test(`stacks left out for want of a provider are named, and only those: ${skippedText}`, () => {
    expect(validated.length + missing.size).toBe(app.stacks.length);
    // The aws mirror is required (findAwsMirror throws without it), so the AWS and Redshift stacks are always validated.
    const layout = JSON.parse(fs.readFileSync(path.join(app.outdir, STACK_LAYOUT_FILE), 'utf8')).stacks as StackEntry[];
    const awsOnly = layout.filter((s) => !s.plane.startsWith('postgres')).map((s) => s.name);
    expect(awsOnly.length).toBeGreaterThanOrEqual(4);
    expect(validated).toEqual(expect.arrayContaining(awsOnly));
    expect(validated.length).toBeGreaterThan(0);
    // Only providers the project has a mirror for may be absent: a stack needing any other fails here, not skipped.
    for (const [stack, absent] of missing) expect([stack, absent.filter((p) => !providerMirrored(p.source))]).toEqual([stack, []]);
  });

  test.concurrent.each(validated)('%s is valid on every engine', async (stack) => {
    await onEachEngine(async (engine) => {
      // A copy per engine, so engine files stay out of the synth output and the engines never share a folder.
      const dir = copyStack(app, stack, `${stack}-${engine}`);
      try {
        const got = await validate(engine, dir);
        expect({ engine: engineTitle(engine), stack, status: got.status, valid: got.valid, errors: got.errors, diagnostics: got.errorDiagnostics })
          .toEqual({ engine: engineTitle(engine), stack, status: 0, valid: true, errors: 0, diagnostics: [] });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }, 2 * TIMEOUT_MS);

  test('validation is real: an unknown attribute in an AWS stack fails on every engine', async () => {
    await onEachEngine(async (engine) => {
      const dir = copyStack(app, 'dev-aws-access', `broken-${engine}`);
      try {
        const file = path.join(dir, 'cdk.tf.json');
        const json = JSON.parse(fs.readFileSync(file, 'utf8'));
        const bucket = Object.values(json.resource.aws_s3_bucket)[0] as Record<string, unknown>;
        bucket.no_such_attribute = true;
        fs.writeFileSync(file, JSON.stringify(json));
        const got = await validate(engine, dir);
        expect({ status: got.status, valid: got.valid }).toEqual({ status: 1, valid: false });
        expect(got.stdout).toContain('no_such_attribute');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }, 2 * TIMEOUT_MS);
});
