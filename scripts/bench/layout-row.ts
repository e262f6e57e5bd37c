import * as fs from 'fs';
import * as path from 'path';
import { BenchEstateShape, ONE_DATABASE_CHANGES, OneDatabaseChange, benchEstateDocument, changeLabel } from './estate';
import { LayoutStack, TouchedStacks, changedAddresses, readLayout, touchedStacks } from './layout';
import { Log, synthWithMain } from './run';

/** One estate size's stack layout and the stacks each one-database change touches. */
export interface LayoutRow {
  readonly shape: BenchEstateShape;
  readonly stacks: readonly LayoutStack[];
  /** Whether the synth wrote stacks.json (planes known). */
  readonly listed: boolean;
  /** Where stacks.json and the written stacks disagree. */
  readonly mismatch?: string;
  readonly changes: readonly {
    readonly change: OneDatabaseChange;
    readonly label: string;
    readonly touched: TouchedStacks;
    /** For each changed (not added or removed) stack, the Terraform addresses that differ. */
    readonly addresses: Readonly<Record<string, readonly string[]>>;
  }[];
  /** The unchanged estate's output, kept for the graph cost (inside the workdir). */
  readonly outdir: string;
}

/**
 * The layout of the estate's synthesized output in `outdir`, and each change synthesized with
 * `npm run synth` and compared with it.
 */
export function measureLayout(shape: BenchEstateShape, outdir: string, workdir: string, log: Log): LayoutRow {
  const base = readLayout(outdir);
  const changes = ONE_DATABASE_CHANGES.map((change, i) => {
    const changedDir = path.join(workdir, `layout-${shape.databases}-change-${i}`);
    synthWithMain(benchEstateDocument(shape, change), changedDir);
    const after = readLayout(changedDir).docs;
    const touched = touchedStacks(base.docs, after);
    const docOf = (docs: typeof after, stack: string) => docs.find((d) => d.stack === stack)!.doc;
    const addresses = Object.fromEntries(touched.changed.map((stack) => [stack, changedAddresses(docOf(base.docs, stack), docOf(after, stack))]));
    fs.rmSync(changedDir, { recursive: true, force: true });
    log(`layout ${shape.databases}: ${changeLabel(change)}: added ${touched.added.length}, changed ${touched.changed.length}, removed ${touched.removed.length}`);
    return { change, label: changeLabel(change), touched, addresses };
  });
  log(`layout ${shape.databases}: ${base.stacks.length} stacks`);
  return { shape, stacks: base.stacks, listed: base.listed, ...(base.mismatch ? { mismatch: base.mismatch } : {}), changes, outdir };
}
