/**
 * Synthesizing estates for tests, through the real buildApp and App (not Testing.app),
 * so the JSON is exactly what `npm run synth` writes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { Estate } from '../../estate/schema';
import { synthesizeEstate } from '../../stacks/app';
import { exampleEstate } from './example';

/** A cdktf.out folder written by synthEstate. */
export interface SynthesizedApp {
  readonly outdir: string;
  /** Stack names, sorted. */
  readonly stacks: string[];
  /** The folder holding a stack's cdk.tf.json. */
  stackDir(name: string): string;
  /** A stack's cdk.tf.json as text. */
  stackText(name: string): string;
  /** A stack's cdk.tf.json parsed. */
  stackJson(name: string): TerraformJson;
}

/** The parts of cdk.tf.json the tests read. */
export interface TerraformJson {
  terraform?: { required_providers?: Record<string, { source: string; version?: string }>; backend?: Record<string, unknown> };
  provider?: Record<string, Array<Record<string, unknown>>>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  variable?: Record<string, { default?: unknown; ephemeral?: boolean; sensitive?: boolean }>;
  output?: Record<string, { value: unknown; sensitive?: boolean }>;
}

/** A fresh folder under the system temp dir. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** The example estate, validated (test/support/example.ts). */
export const loadExampleEstate = exampleEstate;

/** Synthesizes `estate` into `outdir` (default: a new temp folder). */
export function synthEstate(estate: Estate, outdir = tempDir('synth')): SynthesizedApp {
  synthesizeEstate(estate, outdir);
  const stacksDir = path.join(outdir, 'stacks');
  const stackDir = (name: string) => {
    const dir = path.join(stacksDir, name);
    if (!fs.existsSync(path.join(dir, 'cdk.tf.json'))) throw new Error(`no stack ${name} in ${outdir}`);
    return dir;
  };
  const stackText = (name: string) => fs.readFileSync(path.join(stackDir(name), 'cdk.tf.json'), 'utf8');
  return {
    outdir,
    stacks: fs.readdirSync(stacksDir).sort(),
    stackDir,
    stackText,
    stackJson: (name) => JSON.parse(stackText(name)) as TerraformJson,
  };
}

export function synthExampleEstate(outdir?: string): SynthesizedApp {
  return synthEstate(loadExampleEstate(), outdir);
}

/** Copies a stack folder to a new temp folder, so terraform's files never land in the synth output. */
export function copyStack(app: SynthesizedApp, name: string, prefix = name): string {
  const dir = tempDir(prefix);
  fs.cpSync(app.stackDir(name), dir, { recursive: true });
  return dir;
}
