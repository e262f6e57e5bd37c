/**
 * What a removed stack or environment needs. Deleting a stack from the code destroys
 * nothing: its resources and its state stay, and once the code is gone `cdktf destroy` no
 * longer knows the stack. The GitOps workflow destroys removed stacks from the previous
 * commit before it deploys the rest; the report says so and names the commands for a deploy
 * by hand, dependents first. Pure: reads only the two synths.
 */
import { AppDiff } from './plan-diff-core';
import { Synth, dependentsFirst, revokesOnDestroy } from './plan-diff-stacks';

export interface RemovalWarning {
  /** The stacks to destroy, dependents first. */
  stacks: string[];
  /** An environment all of whose stacks are removed, if that is the case. */
  environment?: string;
  /** One line per fact the user must act on. */
  lines: string[];
}

/** One warning per environment with removed stacks (stacks of unknown environment: one each). */
export function removalWarnings(diff: AppDiff, base: Synth, head: Synth): RemovalWarning[] {
  const removed = diff.stacks.filter((s) => s.status === 'removed').map((s) => s.name);
  if (!removed.length) return [];
  const headEnvs = new Set(Object.values(head.layout).map((e) => e.environment));
  const groups = new Map<string, string[]>();
  for (const name of removed) {
    const env = base.layout[name]?.environment;
    const key = env !== undefined ? `env:${env}` : `stack:${name}`;
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  return [...groups].map(([key, stacks]) => {
    const ordered = dependentsFirst(stacks, base);
    const env = key.startsWith('env:') ? key.slice(4) : undefined;
    const environment = env !== undefined && !headEnvs.has(env) ? env : undefined;
    const several = ordered.length > 1;
    const what = environment !== undefined
      ? `Environment ${environment} is removed (stacks ${ordered.join(', ')})`
      : several ? `Stacks ${ordered.join(', ')} are removed` : `Stack ${ordered[0]} is removed`;
    // A stack others depend on is still in that checkout's synth with its dependents, already destroyed.
    const destroy = (s: string) => `npx cdktf destroy ${s}${Object.values(base.layout).some((e) => e.dependsOn.includes(s)) ? ' --ignore-missing-stack-dependencies' : ''}`;
    const lines = [
      `${what}: removing ${several ? 'them' : 'it'} from the code destroys nothing; resources and state stay, and after the merge cdktf no longer knows ${several ? 'these stacks' : 'the stack'}.`,
      `The GitOps workflow destroys ${several ? 'them, in this order,' : 'it'} from the previous commit before deploying the rest. Deploying by hand: first, from a checkout that still has ${several ? 'them' : 'it'} (the baseline), run: ${ordered.map(destroy).join(' && ')}`,
    ];
    const revoking = ordered.filter((s) => revokesOnDestroy(base.stacks[s]));
    if (revoking.length) {
      lines.push(
        `${revoking.join(', ')} revoke${revoking.length === 1 ? 's' : ''} SQL when destroyed (Lambda invocations or destroy-time provisioners run from the deployed stack): destroy while the stack, its cluster and its function are still deployed, or the grants and users stay in the database.`,
      );
    }
    return { stacks: ordered, ...(environment !== undefined ? { environment } : {}), lines };
  });
}
