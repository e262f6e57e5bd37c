/**
 * What a removed stack or environment needs before the change is merged. Deleting a stack
 * from the code destroys nothing: its resources and its state stay, and once the code is
 * gone `cdktf destroy` no longer knows the stack. So the report names the command to run
 * first, from a checkout that still has the stack, in an order that respects cross-stack
 * references. Pure: reads only the baseline's synthesized JSON.
 */
import { AppDiff, AppJson, Json, isObject } from './plan-diff-core';

/** `<environment>-<plane>`, the stack names stacks/app.ts gives. */
const STACK_NAME = /^(.+)-(aws-access|postgres|redshift)$/;
/** cdktf names the remote state a stack reads another stack's outputs through. */
const CROSS_STACK_INPUT = 'cross-stack-reference-input-';

export interface RemovalWarning {
  /** The stacks to destroy, dependents first. */
  stacks: string[];
  /** An environment all of whose stacks are removed, if that is the case. */
  environment?: string;
  /** One line per fact the user must act on. */
  lines: string[];
}

export function removalWarnings(diff: AppDiff, base: AppJson, head: AppJson): RemovalWarning[] {
  const removed = diff.stacks.filter((s) => s.status === 'removed').map((s) => s.name);
  if (!removed.length) return [];
  const envOf = (name: string) => STACK_NAME.exec(name)?.[1];
  const headEnvs = new Set(Object.keys(head).map(envOf));
  const groups = new Map<string, string[]>();
  for (const name of removed) {
    const env = envOf(name);
    const key = env !== undefined && !headEnvs.has(env) ? `env:${env}` : `stack:${name}`;
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  return [...groups].map(([key, stacks]) => {
    const ordered = dependentsFirst(stacks, base);
    const environment = key.startsWith('env:') ? key.slice(4) : undefined;
    const what = environment !== undefined ? `Environment ${environment} is removed (stacks ${ordered.join(', ')})` : `Stack ${ordered[0]} is removed`;
    const lines = [
      `${what}: removing it from the code destroys nothing; its resources and state stay, and after the merge cdktf no longer knows ${ordered.length > 1 ? 'these stacks' : 'the stack'}.`,
      `Before merging, from a checkout that still has ${ordered.length > 1 ? 'them' : 'it'} (the baseline), run: ${ordered.map((s) => `npx cdktf destroy ${s}`).join(' && ')}`,
    ];
    const revoking = ordered.filter((s) => revokesOnDestroy(base[s]));
    if (revoking.length) {
      lines.push(
        `${revoking.join(', ')} revoke${revoking.length === 1 ? 's' : ''} SQL when destroyed (Lambda invocations or destroy-time provisioners run from the deployed stack): destroy while the stack, its cluster and its function are still deployed, or the grants and users stay in the database.`,
      );
    }
    return { stacks: ordered, ...(environment !== undefined ? { environment } : {}), lines };
  });
}

/** Stacks that read another removed stack's outputs are destroyed before it. */
function dependentsFirst(stacks: string[], base: AppJson): string[] {
  const readsFrom = (s: string) => {
    const remote = base[s]?.data;
    const names = isObject(remote) && isObject(remote.terraform_remote_state) ? Object.keys(remote.terraform_remote_state) : [];
    return names.filter((n) => n.startsWith(CROSS_STACK_INPUT)).map((n) => n.slice(CROSS_STACK_INPUT.length));
  };
  const ordered: string[] = [];
  const visit = (s: string, seen: Set<string>) => {
    if (ordered.includes(s) || seen.has(s)) return;
    seen.add(s);
    // Whoever reads s goes first.
    for (const other of [...stacks].sort(compare)) if (readsFrom(other).includes(s)) visit(other, seen);
    ordered.push(s);
  };
  // Stacks that revoke on destroy go as early as their dependents allow: they need the most still deployed.
  const revokingFirst = [...stacks].sort((a, b) => Number(revokesOnDestroy(base[b])) - Number(revokesOnDestroy(base[a])) || compare(a, b));
  for (const s of revokingFirst) visit(s, new Set());
  return ordered;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Resources that act on destroy: Lambda invocations with a CRUD lifecycle, destroy-time provisioners. */
function revokesOnDestroy(stack: Json | undefined): boolean {
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
