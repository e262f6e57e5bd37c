import * as fs from 'fs';
import * as path from 'path';
import { Json, JsonObject, StackCounts, StackDoc, blocksOf, countStack, firstDifference, isObject, readOutputFiles, stackDocs, withoutMetadata } from './tf-json';

/**
 * The stack layout of a synthesized output folder and which stacks a change touches, read
 * from what the synth wrote (every stacks/<name>/cdk.tf.json, and cdktf.out/stacks.json where
 * main.ts writes it), never from the code that decides the layout.
 */

/** A stack of the output: its counts and, when stacks.json lists it, its plane. */
export interface LayoutStack extends StackCounts {
  /** From stacks.json (aws-access, postgres-server, postgres-grants, …); undefined without one. */
  readonly plane?: string;
}

export interface Layout {
  readonly stacks: readonly LayoutStack[];
  /** The documents, for comparing two layouts. */
  readonly docs: readonly StackDoc[];
  /** Whether the output had a stacks.json (the layout file main.ts writes). */
  readonly listed: boolean;
  /** Where stacks.json and the written stacks disagree. */
  readonly mismatch?: string;
}

interface StacksFile { readonly stacks: readonly { readonly name: string; readonly plane: string }[] }

/**
 * Every written stack's plane from stacks.json, and where the file and the written stacks
 * disagree (reported, not fatal: the benchmark still measures what was written).
 */
export function planesOf(listing: StacksFile | undefined, written: readonly string[]): { planes: Map<string, string>; mismatch?: string } {
  if (!listing) return { planes: new Map() };
  const listed = new Set(listing.stacks.map((s) => s.name));
  const unwritten = [...listed].filter((s) => !written.includes(s)).sort();
  const unlisted = written.filter((s) => !listed.has(s)).sort();
  const mismatch = [
    ...(unwritten.length > 0 ? [`stacks.json lists ${unwritten.join(', ')}, which the synth did not write`] : []),
    ...(unlisted.length > 0 ? [`the synth wrote ${unlisted.join(', ')}, which stacks.json does not list`] : []),
  ].join('; ');
  return { planes: new Map(listing.stacks.map((s) => [s.name, s.plane])), ...(mismatch ? { mismatch } : {}) };
}

export function layoutFromDocs(docs: readonly StackDoc[], listing?: StacksFile): Layout {
  const { planes, mismatch } = planesOf(listing, docs.map((d) => d.stack));
  return {
    stacks: docs.map((d) => ({ ...countStack(d), ...(planes.has(d.stack) ? { plane: planes.get(d.stack) } : {}) })),
    docs,
    listed: listing !== undefined,
    ...(mismatch ? { mismatch } : {}),
  };
}

export function readLayout(outdir: string): Layout {
  const file = path.join(outdir, 'stacks.json');
  const listing = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as StacksFile) : undefined;
  return layoutFromDocs(stackDocs(readOutputFiles(outdir)), listing);
}

/** The stack with the most instances (the first by name among equals). */
export function largestStack<T extends StackCounts>(stacks: readonly T[]): T {
  if (stacks.length === 0) throw new Error('the synth wrote no stacks');
  return [...stacks].sort((a, b) => b.instances - a.instances || (a.stack < b.stack ? -1 : 1))[0];
}

/** The largest stack of each plane, in the order the planes first appear. */
export function largestPerPlane(stacks: readonly LayoutStack[]): LayoutStack[] {
  const planes = [...new Set(stacks.map((s) => s.plane ?? s.stack))];
  return planes.map((p) => largestStack(stacks.filter((s) => (s.plane ?? s.stack) === p)));
}

/** What a change did to the stacks: Terraform JSON compared without cdktf's "//" metadata. */
export interface TouchedStacks {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

export function touchedStacks(before: readonly StackDoc[], after: readonly StackDoc[]): TouchedStacks {
  const was = new Map(before.map((d) => [d.stack, d.doc]));
  const now = new Map(after.map((d) => [d.stack, d.doc]));
  const sorted = (xs: Iterable<string>) => [...xs].sort();
  return {
    added: sorted([...now.keys()].filter((s) => !was.has(s))),
    removed: sorted([...was.keys()].filter((s) => !now.has(s))),
    changed: sorted([...now.keys()].filter((s) => was.has(s) && firstDifference(withoutMetadata(was.get(s)!), withoutMetadata(now.get(s)!)) !== undefined)),
  };
}

export const touchedCount = (t: TouchedStacks) => t.added.length + t.removed.length + t.changed.length;

/**
 * What differs between two versions of one stack, by Terraform address: a for_each entry
 * (`type.name["key"]`) added, removed or changed; a block whose body outside for_each changed
 * (every instance, said as the block's address); a data source, output, variable, provider or
 * check block. cdktf's "//" metadata is not a difference. Sorted.
 */
export function changedAddresses(before: JsonObject, after: JsonObject): string[] {
  const was = withoutMetadata(before) as JsonObject;
  const now = withoutMetadata(after) as JsonObject;
  const differs = (a: Json | undefined, b: Json | undefined) => firstDifference(a, b) !== undefined;
  const changed = new Set<string>();
  const blocks = (doc: JsonObject, kind: 'resource' | 'data') =>
    new Map(blocksOf(doc[kind]).map(([type, name, body]) => [`${kind === 'data' ? 'data.' : ''}${type}.${name}`, body]));
  for (const kind of ['resource', 'data'] as const) {
    const a = blocks(was, kind);
    const b = blocks(now, kind);
    for (const address of new Set([...a.keys(), ...b.keys()])) {
      const x = a.get(address);
      const y = b.get(address);
      if (!x || !y || differs({ ...x, for_each: null }, { ...y, for_each: null })) {
        if (differs(x, y)) changed.add(address);
        continue;
      }
      const xs = isObject(x.for_each) ? x.for_each : {};
      const ys = isObject(y.for_each) ? y.for_each : {};
      for (const key of new Set([...Object.keys(xs), ...Object.keys(ys)])) {
        if (differs(xs[key], ys[key])) changed.add(`${address}[${JSON.stringify(key)}]`);
      }
    }
  }
  for (const section of new Set([...Object.keys(was), ...Object.keys(now)].filter((k) => k !== 'resource' && k !== 'data'))) {
    const a = isObject(was[section]) ? was[section] : {};
    const b = isObject(now[section]) ? now[section] : {};
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (differs(a[name], b[name])) changed.add(`${section}.${name}`);
    }
  }
  return [...changed].sort();
}
