import * as fs from 'fs';
import * as path from 'path';

/**
 * Reading a synthesized cdktf output folder generically: the benchmark never assumes
 * which resources the stacks hold, so it keeps working while the stacks change.
 */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject { [key: string]: Json }

/** One JSON file of an output folder: its path relative to the folder, text and parsed value. */
export interface OutputFile {
  readonly rel: string;
  readonly text: string;
  readonly doc: JsonObject;
}

/** manifest.json and every stacks/<name>/cdk.tf.json: the JSON documents a synth writes. */
export function readOutputFiles(outdir: string): OutputFile[] {
  const stacksDir = path.join(outdir, 'stacks');
  const rels = ['manifest.json', ...fs.readdirSync(stacksDir).sort().map((s) => path.join('stacks', s, 'cdk.tf.json'))];
  return rels.map((rel) => {
    const text = fs.readFileSync(path.join(outdir, rel), 'utf8');
    return { rel, text, doc: JSON.parse(text) as JsonObject };
  });
}

export interface StackDoc {
  readonly stack: string;
  readonly doc: JsonObject;
  readonly bytes: number;
}

export function stackDocs(files: readonly OutputFile[]): StackDoc[] {
  return files
    .filter((f) => f.rel.endsWith('cdk.tf.json'))
    .map((f) => ({ stack: path.basename(path.dirname(f.rel)), doc: f.doc, bytes: Buffer.byteLength(f.text) }));
}

export interface StackCounts {
  readonly stack: string;
  /** `resource` blocks: what cdktf builds a construct for. */
  readonly blocks: number;
  /**
   * Instances Terraform plans: resource for_each map sizes and counts expanded, plus data
   * sources (top level and inside check blocks, read on every plan).
   */
  readonly instances: number;
  /** `data` blocks, top level and inside check blocks. */
  readonly dataBlocks: number;
  /** `check` blocks; their own data sources are in dataBlocks. */
  readonly checks: number;
  /** Blocks whose for_each or count is an expression, counted as one instance each. */
  readonly opaque: number;
  readonly bytes: number;
}

export const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each block of a `resource` or `data` section as [type, name, body]. */
export function blocksOf(section: Json | undefined): [string, string, JsonObject][] {
  if (!isObject(section)) return [];
  return Object.entries(section).flatMap(([type, byName]) =>
    isObject(byName) ? Object.entries(byName).filter((e): e is [string, JsonObject] => isObject(e[1])).map(([name, body]) => [type, name, body] as [string, string, JsonObject]) : []);
}

/** Instances of one block; undefined when for_each/count is an expression Terraform evaluates. */
function instancesOf(body: JsonObject): number | undefined {
  const forEach = body.for_each;
  if (forEach !== undefined) {
    if (isObject(forEach)) return Object.keys(forEach).length;
    if (Array.isArray(forEach)) return new Set(forEach).size;
    return undefined;
  }
  const count = body.count;
  if (count === undefined) return 1;
  return typeof count === 'number' ? count : undefined;
}

/** The `check` blocks' bodies. */
function checksOf(doc: JsonObject): JsonObject[] {
  return isObject(doc.check) ? Object.values(doc.check).filter(isObject) : [];
}

export function countStack(s: StackDoc): StackCounts {
  const blocks = blocksOf(s.doc.resource);
  const checks = checksOf(s.doc);
  const data = [...blocksOf(s.doc.data), ...checks.flatMap((c) => blocksOf(c.data))];
  const sizes = [...blocks, ...data].map(([, , body]) => instancesOf(body));
  return {
    stack: s.stack,
    blocks: blocks.length,
    dataBlocks: data.length,
    checks: checks.length,
    instances: sizes.reduce<number>((sum, n) => sum + (n ?? 1), 0),
    opaque: sizes.filter((n) => n === undefined).length,
    bytes: s.bytes,
  };
}

/** The document without cdktf's "//" metadata (construct paths, override lists). */
export function withoutMetadata(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '//').map(([k, v]) => [k, withoutMetadata(v)]));
}

/** Path of the first place two JSON values differ, or undefined when they are equal. */
export function firstDifference(a: Json | undefined, b: Json | undefined, at = '$'): string | undefined {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference(a[k], b[k], `${at}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${at} (length ${a.length} vs ${b.length})`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  return a === b ? undefined : at;
}
