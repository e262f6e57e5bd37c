/**
 * Which stacks a change touches, in the order the workflow must run them: the stacks of the
 * head to plan and deploy (dependencies first) and the removed stacks of the baseline to
 * destroy (dependents first). Dependencies and environments come from the synth's
 * stacks.json (main.ts writes it from model/stack-layout.ts), never from parsing names:
 * environment, server and group names may all contain hyphens. Pure: no I/O.
 */
import { StackEntry } from '../../model/stack-layout';
import { AppDiff, AppJson, Json, JsonObject, PlanDiffError, isObject } from './plan-diff-core';

/** What the diff needs of a stack's place in the layout. */
export interface LayoutEntry {
  name: string;
  /** Unknown only for a synth older than stacks.json whose stack name is not `<env>-<plane>`. */
  environment?: string;
  dependsOn: readonly string[];
}
/** Stack name -> its entry, in the order the synth lists them (dependencies before dependents). */
export type StackLayout = Record<string, LayoutEntry>;

/** One synthesized app: its stacks' cdk.tf.json and their layout. */
export interface Synth {
  stacks: AppJson;
  layout: StackLayout;
}

/** A stack the workflow runs, with what it needs to pick credentials and refuse local state. */
export interface StackRun {
  name: string;
  environment: string;
  /** `local`, `s3`, `remote`, `cloud`...: the state a runner would plan or apply against. */
  backend: string;
}

/** What `--stacks-json` writes. */
export interface StacksToRun {
  /** Added or changed stacks of the head, each after the stacks it depends on. */
  plan: StackRun[];
  /** Removed stacks of the baseline, each before the stacks it depends on. */
  destroy: StackRun[];
}

/**
 * Synths made before stacks.json existed had one stack per plane, `<env>-<plane>`: the only
 * place a name is parsed, and only for those.
 */
const LEGACY_STACK_NAME = /^(.+)-(aws-access|postgres|redshift)$/;

/**
 * The layout of a synth: stacks.json's entries where it has them, else cdktf's manifest
 * (its `dependencies`, the environment of a legacy `<env>-<plane>` name).
 */
export function stackLayout(manifest: Json | undefined, stacksJson: Json | undefined): StackLayout {
  const layout: StackLayout = {};
  const manifestStacks = isObject(manifest) && isObject(manifest.stacks) ? manifest.stacks : {};
  for (const [name, stack] of Object.entries(manifestStacks)) {
    const dependencies = isObject(stack) && Array.isArray(stack.dependencies) ? stack.dependencies.filter((d): d is string => typeof d === 'string') : [];
    layout[name] = { name, environment: LEGACY_STACK_NAME.exec(name)?.[1], dependsOn: dependencies };
  }
  const entries = isObject(stacksJson) && Array.isArray(stacksJson.stacks) ? (stacksJson.stacks as unknown as Partial<StackEntry>[]) : [];
  for (const e of entries) {
    if (typeof e.name !== 'string') continue;
    layout[e.name] = { name: e.name, environment: e.environment, dependsOn: Array.isArray(e.dependsOn) ? [...e.dependsOn] : [] };
  }
  return layout;
}

/**
 * `names` ordered so that each comes after every stack it depends on, directly or through
 * stacks not in `names`; otherwise in layout order.
 */
export function dependenciesFirst(names: readonly string[], layout: StackLayout): string[] {
  const wanted = new Set(names);
  const ordered: string[] = [];
  const done = new Set<string>();
  const visit = (s: string) => {
    if (done.has(s)) return;
    done.add(s);
    for (const d of layout[s]?.dependsOn ?? []) visit(d);
    if (wanted.has(s)) ordered.push(s);
  };
  for (const s of [...Object.keys(layout), ...[...names].sort(compare)]) visit(s);
  return ordered;
}

/**
 * `names` ordered so that each comes before every stack it depends on. Among stacks free to
 * go, those that revoke SQL on destroy go first: they need the most still deployed.
 */
export function dependentsFirst(names: readonly string[], synth: Synth): string[] {
  const wanted = new Set(names);
  const dependentsOf = (s: string) => Object.values(synth.layout).filter((e) => e.dependsOn.includes(s)).map((e) => e.name).sort(compare);
  const ordered: string[] = [];
  const done = new Set<string>();
  const visit = (s: string) => {
    if (done.has(s)) return;
    done.add(s);
    for (const d of dependentsOf(s)) visit(d);
    if (wanted.has(s)) ordered.push(s);
  };
  const revoking = (s: string) => Number(revokesOnDestroy(synth.stacks[s]));
  for (const s of [...names].sort((a, b) => revoking(b) - revoking(a) || compare(a, b))) visit(s);
  return ordered;
}

/** The stacks the workflow plans and deploys, and those it destroys first. */
export function stacksToRun(diff: AppDiff, base: Synth, head: Synth): StacksToRun {
  const changed = diff.stacks.filter((s) => s.status !== 'removed').map((s) => s.name);
  const removed = diff.stacks.filter((s) => s.status === 'removed').map((s) => s.name);
  const run = (synth: Synth) => (name: string): StackRun => {
    const environment = synth.layout[name]?.environment;
    if (environment === undefined) {
      throw new PlanDiffError(`cannot tell the environment of stack ${name}: its synth has no stacks.json entry for it (synthesize with a main.ts that writes one)`);
    }
    return { name, environment, backend: backendOf(synth.stacks[name]) };
  };
  return { plan: dependenciesFirst(changed, head.layout).map(run(head)), destroy: dependentsFirst(removed, base).map(run(base)) };
}

/** The backend a stack's state lives in; Terraform's default, `local`, when none is set. */
export function backendOf(stack: JsonObject | undefined): string {
  const terraform = isObject(stack) && isObject(stack.terraform) ? stack.terraform : {};
  if (isObject(terraform.cloud)) return 'cloud';
  const backend = isObject(terraform.backend) ? Object.keys(terraform.backend) : [];
  return backend[0] ?? 'local';
}

/** Resources that act on destroy: Lambda invocations with a CRUD lifecycle, destroy-time provisioners. */
export function revokesOnDestroy(stack: Json | undefined): boolean {
  const resources = isObject(stack) && isObject(stack.resource) ? stack.resource : {};
  for (const [type, byName] of Object.entries(resources)) {
    for (const body of Object.values(isObject(byName) ? byName : {})) {
      if (!isObject(body)) continue;
      if (type === 'aws_lambda_invocation' && body.lifecycle_scope === 'CRUD') return true;
      const provisioners = Array.isArray(body.provisioner) ? body.provisioner : [];
      if (provisioners.some((p) => isObject(p) && Object.values(p).some((v) => isObject(v) && v.when === 'destroy'))) return true;
    }
  }
  return false;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
