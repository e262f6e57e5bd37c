import { synthesizeEstate } from '../../stacks/app';
import { BenchEstateShape, benchEstate } from './estate';
import { loadBindings, synthBare, writeRaw } from './floor';
import { JsonObject, OutputFile, firstDifference, readOutputFiles, withoutMetadata } from './tf-json';

/**
 * One measurement in a process of its own, so that peak RSS belongs to this run alone.
 * Only the synthesis is timed: reading the estate or the reference output is setup.
 * The result is the last stdout line, prefixed with RESULT_PREFIX.
 */
export const RESULT_PREFIX = 'BENCH_RESULT ';

export type ChildRequest =
  | { readonly mode: 'ours'; readonly shape: BenchEstateShape; readonly outdir: string }
  | { readonly mode: FloorMode; readonly refdir: string; readonly outdir: string };

/** bindings: bare stacks of provider binding classes; bare: plain TerraformResource; raw: JSON.stringify. */
export type FloorMode = 'bindings' | 'bare' | 'raw';

export interface ChildResult {
  readonly ms: number;
  /** Peak resident set of the whole process, MiB. */
  readonly rssMiB: number;
  /** ours: generating and validating the estate (not part of `ms`). */
  readonly validateMs?: number;
  /** Floors: undefined when the output matches ours, else where it first differs. */
  readonly difference?: string;
}

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

function ours(shape: BenchEstateShape, outdir: string): Omit<ChildResult, 'rssMiB'> {
  const [estate, validateMs] = timed(() => benchEstate(shape));
  const [, ms] = timed(() => synthesizeEstate(estate, outdir));
  return { ms, validateMs };
}

/**
 * Where a floor's output first differs from ours, or undefined. Bare stacks must match all but
 * cdktf's "//" metadata (construct paths); raw JSON must parse to the same documents.
 */
function outputDifference(ref: readonly OutputFile[], outdir: string, strip: boolean): string | undefined {
  const got = new Map(readOutputFiles(outdir).map((f) => [f.rel, f.doc]));
  const norm = (doc: JsonObject | undefined) => (doc && strip ? withoutMetadata(doc) : doc);
  for (const f of ref.filter((r) => !strip || r.rel.endsWith('cdk.tf.json'))) {
    const d = firstDifference(norm(f.doc), norm(got.get(f.rel)));
    if (d) return `${f.rel}: ${d}`;
  }
  return undefined;
}

function floor(mode: FloorMode, refdir: string, outdir: string): Omit<ChildResult, 'rssMiB'> {
  const ref = readOutputFiles(refdir);
  const bindings = mode === 'bindings' ? loadBindings(ref) : undefined;
  const [, ms] = timed(() => (mode === 'raw' ? writeRaw(ref, outdir) : synthBare(ref, outdir, bindings)));
  return { ms, difference: outputDifference(ref, outdir, mode !== 'raw') };
}

function main(): void {
  const request = JSON.parse(process.argv[2]) as ChildRequest;
  const result = request.mode === 'ours' ? ours(request.shape, request.outdir) : floor(request.mode, request.refdir, request.outdir);
  // maxRSS is in KiB on Linux.
  const full: ChildResult = { ...result, rssMiB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(full)}\n`);
}

if (require.main === module) main();
