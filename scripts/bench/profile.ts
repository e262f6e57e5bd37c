import * as fs from 'fs';
import * as path from 'path';
import { ChildRequest } from './child';
import { runChild } from './run';

/** Where synthesis spends its time: a V8 CPU profile (node --cpu-prof) of one child run. */

const REPO_ROOT = path.resolve(__dirname, '..', '..');

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface Share { readonly name: string; readonly ms: number; readonly share: number }
export interface ProfileSummary {
  /** Sampled time from the first to the last sample inside the synthesis entry points. */
  readonly synthMs: number;
  /** Functions by self time. */
  readonly top: readonly Share[];
  /** Self time by who owns the code. */
  readonly areas: readonly Share[];
  /** Inclusive time of the synthesis phases. */
  readonly phases: readonly Share[];
  /** Project functions (not the benchmark's) by inclusive time: where buildApp spends it. */
  readonly projectTop: readonly Share[];
}

const frame = (functionName: string, file: string) => (f: CallFrame) => f.functionName === functionName && f.url.includes(file);

const buildApp = frame('buildApp', 'stacks/app.ts');
const bareStack = frame('bareStack', 'scripts/bench/floor.');

/** The synthesis entry points: ours (buildApp), the bare floor (synthBare) and cdktf's App.synth. */
const SYNTH_ENTRIES = [buildApp, frame('synthBare', 'scripts/bench/floor.'), frame('synth', '/cdktf/lib/app.')];

/** Phases of the synthesis, by the innermost frame they run under. */
const PHASES: readonly [string, (f: CallFrame) => boolean][] = [
  ['construct tree (ours: buildApp; bare: one construct per block)', (f) => buildApp(f) || bareStack(f)],
  ['cdktf validations', frame('runAllValidations', '/cdktf/lib/terraform-stack.')],
  ['cdktf prepareStack (resolves every element)', frame('prepareStack', '/cdktf/lib/terraform-stack.')],
  ['cdktf stack toTerraform (builds and resolves the document)', frame('toTerraform', '/cdktf/lib/terraform-stack.')],
  ['json-stable-stringify and file writes', (f) => f.url.includes('/json-stable-stringify/') || f.functionName === 'writeFileSync'],
];

const AREAS: readonly [string, (f: CallFrame) => boolean][] = [
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
  ['child processes (execSync/spawnSync)', (f) => /^(spawnSync|execSync|execFileSync)$/.test(f.functionName) || f.url.includes('child_process')],
  ['stack-trace source mapping (ts-node source-map-support)', (f) => /source-map-support|@jridgewell|\/ts-node\//.test(f.url)],
  ['cdktf', (f) => f.url.includes('/node_modules/cdktf/')],
  ['provider bindings (@cdktf/provider-*)', (f) => f.url.includes('/node_modules/@cdktf/')],
  ['constructs', (f) => f.url.includes('/node_modules/constructs/')],
  ['other packages', (f) => f.url.includes('/node_modules/')],
  ['project code', (f) => f.url.includes(REPO_ROOT)],
  ['node and V8 built-ins', () => true],
];

const isProjectFrame = (f: CallFrame) => f.url.includes(REPO_ROOT) && !f.url.includes('/node_modules/') && !f.url.includes('/scripts/bench');

const where = (f: CallFrame) => {
  const file = f.url.replace(/^file:\/\//, '');
  const rel = file.includes('/node_modules/') ? file.slice(file.lastIndexOf('/node_modules/') + 14) : path.relative(REPO_ROOT, file);
  return file ? `${rel}:${f.lineNumber + 1}` : 'native';
};

export function summarizeProfile(profile: CpuProfile, topN = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** The first of `tests` that the node or one of its callers matches (memoized per node). */
  const classifier = (tests: readonly ((f: CallFrame) => boolean)[]) => {
    const memo = new Map<number, number>();
    const classify = (id: number): number => {
      if (!memo.has(id)) {
        const own = tests.findIndex((t) => t(byId.get(id)!.callFrame));
        const p = parent.get(id);
        memo.set(id, own >= 0 ? own : p === undefined ? -1 : classify(p));
      }
      return memo.get(id)!;
    };
    return classify;
  };
  const synthEntry = classifier(SYNTH_ENTRIES);
  const underSynth = (id: number) => synthEntry(id) >= 0;
  const phaseOf = classifier(PHASES.map(([, t]) => t));

  // Sample times; GC samples have no JS stack, so the window is what counts as synthesis.
  let t = 0;
  const times = profile.timeDeltas.map((d) => (t += d));
  const synthIdx = profile.samples.map((id, i) => (underSynth(id) ? i : -1)).filter((i) => i >= 0);
  const first = synthIdx[0] ?? 0;
  const last = synthIdx[synthIdx.length - 1] ?? -1;

  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const phases = new Map<string, number>();
  const project = new Map<string, number>();
  let total = 0;
  for (let i = first; i <= last; i++) {
    const f = byId.get(profile.samples[i])!.callFrame;
    if (f.functionName === '(idle)') continue;
    const us = profile.timeDeltas[i + 1] ?? 0;
    total += us;
    const name = (c: CallFrame) => `${c.functionName || '(anonymous)'} — ${where(c)}`;
    self.set(name(f), (self.get(name(f)) ?? 0) + us);
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const c = byId.get(id)!.callFrame;
      if (isProjectFrame(c) && !seen.has(name(c))) seen.add(name(c));
    }
    for (const n of seen) project.set(n, (project.get(n) ?? 0) + us);
    const area = AREAS.find(([, test]) => test(f))![0];
    areas.set(area, (areas.get(area) ?? 0) + us);
    const phase = PHASES[phaseOf(profile.samples[i])]?.[0] ?? 'other (garbage collection, synth bookkeeping)';
    phases.set(phase, (phases.get(phase) ?? 0) + us);
  }
  const shares = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: total ? us / total : 0 }));
  return { synthMs: last >= first ? (times[last] - times[first]) / 1000 : 0, top: shares(self).slice(0, topN), areas: shares(areas), phases: shares(phases), projectTop: shares(project).slice(0, topN) };
}

/** Profile one child run with node --cpu-prof and summarize its synthesis part. */
export function profileSynth(request: ChildRequest, workdir: string): ProfileSummary {
  const dir = path.join(workdir, `cpu-profile-${request.mode}`);
  runChild(request, ['--cpu-prof', '--cpu-prof-dir', dir]);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`node --cpu-prof wrote no profile into ${dir}`);
  const summary = summarizeProfile(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile);
  fs.rmSync(request.outdir, { recursive: true, force: true });
  return summary;
}
