import * as fs from 'fs';
import * as path from 'path';
import { BenchEstateShape, ONE_DATABASE_CHANGES, OneDatabaseChange, benchEstateDocument, changeLabel } from './estate';
import { LayoutStack, TouchedStacks, readLayout, touchedStacks } from './layout';
import { Log, synthWithMain } from './run';

/** One estate size's stack layout and the stacks each one-database change touches. */
export interface LayoutRow {
  readonly shape: BenchEstateShape;
  readonly stacks: readonly LayoutStack[];
  /** Whether the synth wrote stacks.json (planes known). */
  readonly listed: boolean;
  /** Where stacks.json and the written stacks disagree. */
  readonly mismatch?: string;
  readonly changes: readonly { readonly change: OneDatabaseChange; readonly label: string; readonly touched: TouchedStacks }[];
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
    const touched = touchedStacks(base.docs, readLayout(changedDir).docs);
    fs.rmSync(changedDir, { recursive: true, force: true });
    log(`layout ${shape.databases}: ${changeLabel(change)}: added ${touched.added.length}, changed ${touched.changed.length}, removed ${touched.removed.length}`);
    return { change, label: changeLabel(change), touched };
  });
  log(`layout ${shape.databases}: ${base.stacks.length} stacks`);
  return { shape, stacks: base.stacks, listed: base.listed, ...(base.mismatch ? { mismatch: base.mismatch } : {}), changes, outdir };
}
