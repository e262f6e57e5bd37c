/**
 * The comparison behind `npm run diff`: pure functions from two synthesized apps
 * (stack name -> parsed cdk.tf.json) to a structured diff. No I/O and no formatting, so
 * it is tested on hand-written JSON and the formatters can never see an unmasked secret:
 * values are masked here, before they leave this module.
 */

import { forcesReplacement } from './plan-diff-force-new';

/** A problem the user can fix (bad ref, missing folder...): reported without a stack trace. */
export class PlanDiffError extends Error {}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
/** Stack name -> that stack's cdk.tf.json. */
export type AppJson = Record<string, JsonObject>;

export type Section = 'resources' | 'data' | 'outputs' | 'variables' | 'providers' | 'backend' | 'other';
/** Report order. */
export const SECTIONS: readonly Section[] = ['resources', 'data', 'outputs', 'variables', 'providers', 'backend', 'other'];

/**
 * What `terraform plan` would do with an address. `replace` is destroy-then-create (`-/+`),
 * counted as one add and one destroy as Terraform counts it. `no-op`: the configuration
 * changed only in what is not planned (provisioners, lifecycle, depends_on...), so the
 * plan shows nothing for it, though the new provisioner runs on the next create or destroy.
 */
export type Action = 'add' | 'change' | 'replace' | 'remove' | 'no-op';

/** A value as the report may show it: masked values never carry the value. */
export type Shown =
  | { sensitive: true }
  | {
      sensitive: false;
      value: Json;
      /** SQL statements, shown as SQL text rather than JSON. */
      sql?: true;
      /** Known only after apply (a reference to a replaced resource); `value` is the expression. */
      afterApply?: true;
    };

/** One leaf attribute: `before` absent = added, `after` absent = removed. */
export interface AttributeChange {
  path: string;
  before?: Shown;
  after?: Shown;
  /** This change alone makes Terraform replace the resource. */
  forcesReplacement?: true;
  /** The same SQL was already shown at this path of the entry: not repeated. */
  sameAs?: string;
}

/** One Terraform address (resource, for_each instance, output, variable, provider, backend...). */
export interface EntryDiff {
  section: Section;
  address: string;
  action: Action;
  /** Leaf attributes: every one for an addition, the changed ones for a change, none for a removal. */
  attributes: AttributeChange[];
  note?: string;
  /**
   * How many resource instances the entry stands for in the counts: a change shared by every
   * instance of a for_each is reported once, for the instances with no entry of their own.
   * @default 1
   */
  instances?: number;
}

export interface StackDiff {
  name: string;
  status: 'added' | 'removed' | 'changed';
  entries: EntryDiff[];
}

/** Only stacks with a change appear; none at all means no change. */
export interface AppDiff {
  stacks: StackDiff[];
}

/** Per section, as `terraform plan` counts: a replacement is in `add` and in `remove` too. */
export interface Tally {
  add: number;
  change: number;
  remove: number;
  replace: number;
  noop: number;
}
export type Counts = Record<Section, Tally>;

/** Attribute names whose values are secrets whatever the resource (write-only `*_wo` too). */
const SECRET_NAME = /password|secret|private_key|token|_wo$/i;

/** Keys whose string or list of strings holds SQL statements (units, Data API requests). */
const SQL_KEY = /^(apply|revoke|sql|sqls|statements?)$/i;

/** Resource arguments Terraform does not plan: a change to them alone changes no instance. */
const META_ARGUMENTS = new Set(['provisioner', 'connection', 'lifecycle', 'depends_on', 'provider', 'for_each', 'count']);

type Segment = string | number | typeof JSON_STRING;
/** Marks a step into a string that holds JSON (Data API requests, Lambda inputs, policies). */
const JSON_STRING = Symbol('json');

interface Entity {
  section: Section;
  address: string;
  /** Resource or data source type. */
  type?: string;
  body: Json;
  /** Top-level attribute masked as a whole (an output's value, a variable's default). */
  sensitiveAttribute?: string;
  /** for_each given as a literal map: key -> each.value. */
  instances?: JsonObject;
}

/** A leaf difference before its path is formatted, so it can still be matched to references. */
interface RawChange {
  path: Segment[];
  before?: Shown;
  after?: Shown;
}

export function diffApps(base: AppJson, head: AppJson): AppDiff {
  const names = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort();
  const stacks: StackDiff[] = [];
  for (const name of names) {
    const before = base[name];
    const after = head[name];
    const entries = diffStack(before ?? {}, after ?? {});
    const status = !before ? 'added' : !after ? 'removed' : 'changed';
    // An added or removed stack is a change even when it holds nothing.
    if (entries.length > 0 || status !== 'changed') stacks.push({ name, status, entries });
  }
  return { stacks };
}

export function hasChanges(diff: AppDiff): boolean {
  return diff.stacks.length > 0;
}

/** Like `terraform plan -detailed-exitcode`: 0 no change, 2 change (1 is left for errors). */
export function exitCodeFor(diff: AppDiff): 0 | 2 {
  return hasChanges(diff) ? 2 : 0;
}

export function countEntries(entries: readonly EntryDiff[]): Counts {
  const counts = Object.fromEntries(SECTIONS.map((s) => [s, { add: 0, change: 0, remove: 0, replace: 0, noop: 0 }])) as Counts;
  for (const e of entries) {
    const n = e.instances ?? 1;
    const tally = counts[e.section];
    if (e.action === 'add') tally.add += n;
    else if (e.action === 'change') tally.change += n;
    else if (e.action === 'remove') tally.remove += n;
    else if (e.action === 'no-op') tally.noop += n;
    else {
      tally.replace += n;
      tally.add += n;
      tally.remove += n;
    }
  }
  return counts;
}

export function diffStack(base: JsonObject, head: JsonObject): EntryDiff[] {
  const before = entities(base);
  const after = entities(head);
  const entries: EntryDiff[] = [];
  for (const address of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(address);
    const a = after.get(address);
    const some = (a ?? b)!;
    entries.push(...(some.section === 'resources' && some.type !== undefined ? diffResource(b, a) : diffEntity(b, a)));
  }
  propagateReplacements(entries, before, after);
  const order = (e: EntryDiff) => SECTIONS.indexOf(e.section);
  return entries.sort((a, b) => order(a) - order(b) || compare(a.address, b.address));
}

/** Outputs, variables, providers, backends, data sources...: added, changed or removed. */
function diffEntity(before: Entity | undefined, after: Entity | undefined): EntryDiff[] {
  const some = (after ?? before)!;
  const mask = masker(some.sensitiveAttribute ?? before?.sensitiveAttribute);
  const entry = (action: Action, attributes: AttributeChange[]): EntryDiff => ({ section: some.section, address: some.address, action, attributes });
  if (!before) return [entry('add', finish(diffValues(undefined, after!.body, [], mask)))];
  if (!after) return [entry('remove', [])];
  const changes = diffValues(before.body, after.body, [], mask);
  return changes.length ? [entry('change', finish(changes))] : [];
}

/**
 * A managed resource, or each instance of a literal for_each map, as `terraform plan` would
 * list it: a change to a ForceNew argument (FORCE_NEW), directly or through the `each.value`
 * the argument reads, is a replacement.
 */
function diffResource(before: Entity | undefined, after: Entity | undefined): EntryDiff[] {
  const some = (after ?? before)!;
  const type = some.type!;
  const mask = masker(undefined);
  const reads = argumentReads(after?.body);
  const entry = (action: Action, raw: RawChange[], address = some.address, note?: string, instances?: number): EntryDiff => ({
    section: 'resources',
    address,
    action,
    attributes: finish(raw, action === 'replace' ? (c) => replacingChange(type, c, reads) : undefined),
    ...(note ? { note } : {}),
    ...(instances !== undefined ? { instances } : {}),
  });
  const instanceAddress = (key: string) => `${some.address}[${JSON.stringify(key)}]`;

  if (!before || !after) {
    const e = (after ?? before)!;
    const action: Action = after ? 'add' : 'remove';
    if (!e.instances) return [entry(action, after ? diffValues(undefined, after.body, [], mask) : [])];
    // Each key is an instance of its own, as terraform plan lists them.
    const keys = Object.keys(e.instances).sort(compare);
    const shared = after ? diffValues(undefined, withoutForEach(after.body), [], mask) : [];
    return [
      ...(shared.length ? [entry(action, shared, some.address, `for_each: shared by its ${keys.length} instance(s)`, 0)] : []),
      ...keys.map((k) => entry(action, after ? diffValues(undefined, e.instances![k], ['each', 'value'], mask) : [], instanceAddress(k))),
    ];
  }

  const sharedRaw = diffValues(withoutForEach(before.body), withoutForEach(after.body), [], mask);
  const sharedArgs = plannedArguments(sharedRaw);
  const sharedReplaces = [...sharedArgs].some((a) => forcesReplacement(type, a));
  if (!before.instances || !after.instances) {
    if (!sharedRaw.length) return [];
    return [entry(actionFor(sharedArgs, sharedReplaces), sharedRaw)];
  }

  // Both sides use a literal for_each map: what all keys share is reported once; each key
  // with changes of its own is reported under its own address.
  const result: EntryDiff[] = [];
  let coveredByShared = 0;
  const keys = sortedUnion(Object.keys(before.instances), Object.keys(after.instances));
  for (const key of keys) {
    const old = before.instances[key];
    const now = after.instances[key];
    if (old === undefined) result.push(entry('add', diffValues(undefined, now, ['each', 'value'], mask), instanceAddress(key)));
    else if (now === undefined) result.push(entry('remove', [], instanceAddress(key)));
    else {
      const own = diffValues(old, now, ['each', 'value'], mask);
      const ownArgs = new Set(own.flatMap((c) => argumentsReading(reads, c.path)));
      const args = new Set([...sharedArgs, ...ownArgs]);
      const replaces = sharedReplaces || [...ownArgs].some((a) => forcesReplacement(type, a));
      if (own.length) {
        const note = sharedRaw.length ? 'and the change shared by every instance' : undefined;
        result.push(entry(actionFor(args, replaces), own, instanceAddress(key), note));
      } else if (sharedRaw.length) coveredByShared++;
    }
  }
  if (sharedRaw.length) {
    const action = actionFor(sharedArgs, sharedReplaces);
    const note = `applies to every instance: ${coveredByShared} with no change of their own`;
    result.unshift(entry(action, sharedRaw, some.address, note, action === 'no-op' ? 0 : coveredByShared));
  }
  return result;
}

function actionFor(args: ReadonlySet<string>, replaces: boolean): Action {
  return args.size === 0 ? 'no-op' : replaces ? 'replace' : 'change';
}

/** Top-level arguments Terraform plans (not meta-arguments) among changed paths. */
function plannedArguments(changes: readonly RawChange[]): Set<string> {
  return new Set(changes.map((c) => c.path[0]).filter((p): p is string => typeof p === 'string' && !META_ARGUMENTS.has(p)));
}

/**
 * For each planned argument of a resource body, the parts of `each.value` it reads, as paths
 * below each.value (`[]` = all of it): `"${each.value.unit}"` reads ["unit"].
 */
function argumentReads(body: Json | undefined): Map<string, (string | number)[][]> {
  const reads = new Map<string, (string | number)[][]>();
  for (const [arg, value] of objectEntries(body)) {
    if (META_ARGUMENTS.has(arg)) continue;
    const found: (string | number)[][] = [];
    forEachString(value, (text) => {
      for (const m of text.matchAll(/\beach\.value((?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"]*"\])*)/g)) found.push(parseTraversal(m[1]));
    });
    if (found.length) reads.set(arg, found);
  }
  return reads;
}

/** Arguments whose value reads a changed `each.value` path (`each.value.a` and `each.value.a.b` overlap). */
function argumentsReading(reads: Map<string, (string | number)[][]>, path: readonly Segment[]): string[] {
  if (path[0] !== 'each' || path[1] !== 'value') return [];
  const below = path.slice(2);
  const overlaps = (r: (string | number)[]) => r.every((s, i) => i >= below.length || below[i] === s);
  return [...reads].filter(([, rs]) => rs.some(overlaps)).map(([arg]) => arg);
}

/** Marks a change that by itself replaces the resource: a ForceNew argument, or each.value it reads. */
function replacingChange(type: string, change: RawChange, reads: Map<string, (string | number)[][]>): boolean {
  const top = change.path[0];
  if (typeof top === 'string' && top !== 'each' && !META_ARGUMENTS.has(top)) return forcesReplacement(type, top);
  return argumentsReading(reads, change.path).some((a) => forcesReplacement(type, a));
}

/** `.a["b"][0]` -> ['a', 'b', 0] */
function parseTraversal(text: string): (string | number)[] {
  return [...text.matchAll(/\.([A-Za-z_][\w-]*)|\[(\d+)\]|\["([^"]*)"\]/g)].map((m) => m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
}

function forEachString(v: Json, fn: (s: string) => void): void {
  if (typeof v === 'string') fn(v);
  else if (Array.isArray(v)) v.forEach((x) => forEachString(x, fn));
  else if (isObject(v)) Object.values(v).forEach((x) => forEachString(x, fn));
}

/** A reference from one resource argument to another resource's attribute. */
interface Reference {
  argument: string;
  target: string;
  /** `each.key`, a literal key, or none. */
  index?: { eachKey: true } | { key: string };
  attribute: string;
}

function references(body: Json | undefined): Reference[] {
  const found: Reference[] = [];
  for (const [argument, value] of objectEntries(body)) {
    if (META_ARGUMENTS.has(argument)) continue;
    forEachString(value, (text) => {
      const re = /\b((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*)(\[each\.key\]|\["([^"]*)"\])?\.([A-Za-z_][\w]*)/g;
      for (const m of text.matchAll(re)) {
        if (/^(each|var|local|module|path|terraform|self|count)\./.test(m[1])) continue;
        const index = m[2] === '[each.key]' ? { eachKey: true as const } : m[3] !== undefined ? { key: m[3] } : undefined;
        found.push({ argument, target: m[1], ...(index ? { index } : {}), attribute: m[4] });
      }
    });
  }
  return found;
}

/**
 * A resource that reads an attribute of a replaced resource sees a new value, known only
 * after apply (an id, an arn): through a ForceNew argument it is replaced as well, as
 * `terraform plan` shows. Repeated until nothing more changes, since replacements chain.
 */
function propagateReplacements(entries: EntryDiff[], before: Map<string, Entity>, after: Map<string, Entity>): void {
  const byAddress = new Map(entries.filter((e) => e.section === 'resources').map((e) => [e.address, e]));
  // Does the plan give `address`.`attribute` a new value? An in-place change does when it
  // changes that argument; a replacement does unless the argument is set literally and unchanged.
  const newValue = (address: string, attribute: string, targetEntity: Entity | undefined): boolean => {
    const e = byAddress.get(address);
    if (!e || (e.action !== 'replace' && e.action !== 'change')) return false;
    if (e.action === 'change') return e.attributes.some((a) => /^[^.[(]+/.exec(a.path)?.[0] === attribute);
    // An attribute set literally and unchanged is known in the plan, replacement or not.
    const old = before.get(targetEntity?.address ?? '')?.body;
    const now = targetEntity?.body;
    const literal = isObject(now) && isObject(old) ? now[attribute] : undefined;
    return !(literal !== undefined && typeof literal !== 'object' && !String(literal).includes('${') && isObject(old) && deepEqual(old[attribute], literal));
  };
  for (let changed = true, pass = 0; changed && pass < 50; pass++) {
    changed = false;
    for (const entity of after.values()) {
      if (entity.section !== 'resources' || entity.address.startsWith('data.') || !before.has(entity.address)) continue;
      const refs = references(entity.body);
      if (!refs.length) continue;
      const oldInstances = before.get(entity.address)!.instances;
      const keys = entity.instances ? Object.keys(entity.instances).filter((k) => oldInstances && k in oldInstances) : [undefined];
      for (const key of keys) {
        const address = key === undefined ? entity.address : `${entity.address}[${JSON.stringify(key)}]`;
        const current = byAddress.get(address);
        if (current && current.action !== 'change' && current.action !== 'no-op') continue;
        const hits = refs.filter((r) => {
          const target = r.index === undefined ? r.target : `${r.target}[${JSON.stringify('eachKey' in r.index ? key : r.index.key)}]`;
          return newValue(target, r.attribute, after.get(r.target));
        });
        if (!hits.length) continue;
        const replaces = hits.some((r) => forcesReplacement(entity.type!, r.argument));
        const attributes: AttributeChange[] = hits.map((r) => {
          const expr = isObject(entity.body) ? entity.body[r.argument] : null;
          // `"${aws_iam_user.x.name}"` of a user renamed in place: the new name is known now.
          const target = after.get(r.target)?.body;
          const literal = isObject(target) && r.index === undefined && expr === `\${${r.target}.${r.attribute}}` ? target[r.attribute] : undefined;
          const known = literal !== undefined && !(typeof literal === 'string' && literal.includes('${')) && byAddress.get(r.target)?.action === 'change';
          return {
            path: r.argument,
            before: { sensitive: false, value: known ? (objectEntries(before.get(r.target)?.body).find(([k]) => k === r.attribute)?.[1] ?? expr) : expr },
            after: known ? { sensitive: false, value: literal } : { sensitive: false, value: expr, afterApply: true },
            ...(forcesReplacement(entity.type!, r.argument) ? { forcesReplacement: true as const } : {}),
          };
        });
        const note = `new value from ${[...new Set(hits.map((r) => `${r.target}.${r.attribute}`))].join(', ')}`;
        const action: Action = replaces ? 'replace' : 'change';
        if (current) {
          if (current.action === action && current.note?.includes(note)) continue;
          current.action = replaces ? 'replace' : 'change';
          current.attributes.push(...attributes.filter((a) => !current.attributes.some((c) => c.path === a.path)));
          current.note = current.note ? `${current.note}; ${note}` : note;
        } else {
          const entry: EntryDiff = { section: 'resources', address, action, attributes, note };
          entries.push(entry);
          byAddress.set(address, entry);
          const shared = key !== undefined ? byAddress.get(entity.address) : undefined;
          if (shared && (shared.instances ?? 0) > 0 && shared.action !== 'no-op') shared.instances = shared.instances! - 1;
        }
        changed = true;
      }
    }
  }
}

/**
 * Formats raw changes and shows each SQL text once: a Data API request's `Sql` repeats the
 * unit's statements, so a later identical SQL change points at the first one instead.
 */
function finish(raw: readonly RawChange[], replacing?: (c: RawChange) => boolean): AttributeChange[] {
  const changes = raw.map((c) => {
    const change: AttributeChange = { path: formatPath(c.path) };
    if (c.before !== undefined) change.before = c.before;
    if (c.after !== undefined) change.after = c.after;
    if (replacing?.(c)) change.forcesReplacement = true;
    return change;
  });
  // The SQL shown in full is the one that decides the plan (a replacing one), else the one
  // least deep in encoded JSON (the unit's own list rather than a request built from it).
  const isSql = (s?: Shown) => s === undefined || (!s.sensitive && s.sql === true);
  const sqlKey = (c: AttributeChange) => (isSql(c.before) && isSql(c.after) ? JSON.stringify([c.before, c.after]) : undefined);
  const rank = (c: AttributeChange) => (c.forcesReplacement ? 0 : 100) + c.path.split('(json)').length;
  const primary = new Map<string, AttributeChange>();
  for (const c of [...changes].sort((a, b) => rank(a) - rank(b))) {
    const key = sqlKey(c);
    if (key !== undefined && !primary.has(key)) primary.set(key, c);
  }
  for (const c of changes) {
    const first = primary.get(sqlKey(c) ?? '');
    if (first && first !== c) c.sameAs = first.path;
  }
  return changes;
}

/** Every addressable block of one stack, keyed by address. */
function entities(stack: JsonObject): Map<string, Entity> {
  const clean = stripMetadata(stack) as JsonObject;
  const found = new Map<string, Entity>();
  const add = (e: Entity) => found.set(e.address, e);
  for (const [block, content] of Object.entries(clean)) {
    switch (block) {
      case 'resource':
      case 'data':
        for (const [type, byName] of objectEntries(content)) {
          for (const [name, body] of objectEntries(byName)) {
            const address = block === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
            const forEach = isObject(body) ? body.for_each : undefined;
            const section = block === 'data' ? 'data' : 'resources';
            add({ section, address, type, body, ...(isObject(forEach) ? { instances: forEach } : {}) });
          }
        }
        break;
      case 'module':
        for (const [name, body] of objectEntries(content)) add({ section: 'resources', address: `module.${name}`, body });
        break;
      case 'output':
        for (const [name, body] of objectEntries(content)) {
          add({ section: 'outputs', address: `output.${name}`, body, ...sensitiveIf(body, 'value') });
        }
        break;
      case 'variable':
        for (const [name, body] of objectEntries(content)) {
          add({ section: 'variables', address: `var.${name}`, body, ...sensitiveIf(body, 'default') });
        }
        break;
      case 'provider':
        for (const [type, configs] of objectEntries(content)) {
          const list = Array.isArray(configs) ? configs : [configs];
          list.forEach((body, i) => {
            const alias = isObject(body) && typeof body.alias === 'string' ? body.alias : list.length > 1 && i > 0 ? `#${i}` : '';
            add({ section: 'providers', address: alias ? `provider.${type}.${alias}` : `provider.${type}`, body });
          });
        }
        break;
      case 'terraform':
        for (const [key, value] of objectEntries(content)) {
          if (key === 'backend') {
            for (const [type, body] of objectEntries(value)) add({ section: 'backend', address: `backend.${type}`, body });
          } else if (key === 'cloud') {
            add({ section: 'backend', address: 'cloud', body: value });
          } else if (key === 'required_providers') {
            for (const [name, body] of objectEntries(value)) add({ section: 'providers', address: `required_providers.${name}`, body });
          } else {
            add({ section: 'other', address: `terraform.${key}`, body: value });
          }
        }
        break;
      case 'locals':
        for (const [name, body] of objectEntries(content)) add({ section: 'other', address: `local.${name}`, body });
        break;
      default:
        add({ section: 'other', address: block, body: content });
    }
  }
  return found;
}

/**
 * Leaf-level differences. Containers are walked so every reported value is a scalar, a
 * list of scalars or an empty container: a secret nested anywhere is then caught by the
 * key on its own path. A string holding JSON is decoded and walked the same way, and a
 * string or list of strings under an SQL key (apply, revoke, sql...) is one SQL text.
 */
function diffValues(before: Json | undefined, after: Json | undefined, path: Segment[], mask: Mask): RawChange[] {
  const out: RawChange[] = [];
  collect(before, after, path, mask, out);
  return out;
}

// One accumulator for the whole walk: a stack with tens of thousands of grants has as many leaves.
function collect(before: Json | undefined, after: Json | undefined, path: Segment[], mask: Mask, out: RawChange[]): void {
  if (before !== undefined && after !== undefined && deepEqual(before, after)) return;
  const walk = (a: Json | undefined, b: Json | undefined, at: Segment[]) => collect(a, b, at, mask, out);
  const leaf = (side: 'before' | 'after', value: Json | undefined) => {
    if (value !== undefined) out.push({ path, [side]: show(value, path, mask) });
  };

  const last = [...path].reverse().find((s): s is string => typeof s === 'string');
  if (last !== undefined && SQL_KEY.test(last)) {
    const sql = [sqlText(before), sqlText(after)];
    if ((before === undefined || sql[0] !== undefined) && (after === undefined || sql[1] !== undefined)) {
      const change: RawChange = { path };
      if (sql[0] !== undefined) change.before = show(sql[0], path, mask, true);
      if (sql[1] !== undefined) change.after = show(sql[1], path, mask, true);
      out.push(change);
      return;
    }
  }
  if (isObject(before) && isObject(after)) {
    for (const key of sortedUnion(Object.keys(before), Object.keys(after))) walk(before[key], after[key], [...path, key]);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && (isNonEmptyContainer(before) || isNonEmptyContainer(after))) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) walk(before[i], after[i], [...path, i]);
    return;
  }
  const parsed = [jsonInString(before), jsonInString(after)];
  if ((before === undefined || parsed[0] !== undefined) && (after === undefined || parsed[1] !== undefined)) {
    walk(parsed[0], parsed[1], [...path, JSON_STRING]);
    return;
  }
  const container = (v: Json | undefined) => v !== undefined && isNonEmptyContainer(v);
  if (container(before) || container(after)) {
    // A type change or a whole subtree added/removed: list the leaves on each side.
    if (container(before)) forEachChild(before!, (key, child) => walk(child, undefined, [...path, key]));
    else leaf('before', before);
    if (container(after)) forEachChild(after!, (key, child) => walk(undefined, child, [...path, key]));
    else leaf('after', after);
    return;
  }
  const change: RawChange = { path };
  if (before !== undefined) change.before = show(before, path, mask);
  if (after !== undefined) change.after = show(after, path, mask);
  out.push(change);
}

/** Statements as one SQL text, each ending in `;`; undefined when `v` is not SQL-shaped. */
function sqlText(v: Json | undefined): string | undefined {
  const statements = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  if (!statements || statements.some((s) => s.includes('${'))) return undefined;
  return statements.map((s) => `${s.trim().replace(/;$/, '')};`).join('\n');
}

type Mask = (path: readonly Segment[]) => boolean;

function masker(sensitiveAttribute: string | undefined): Mask {
  return (path) =>
    (sensitiveAttribute !== undefined && path[0] === sensitiveAttribute) ||
    path.some((s) => typeof s === 'string' && SECRET_NAME.test(s));
}

function show(value: Json, path: readonly Segment[], mask: Mask, sql = false): Shown {
  if (mask(path)) return { sensitive: true };
  return sql ? { sensitive: false, value, sql: true } : { sensitive: false, value };
}

function sensitiveIf(body: Json, attribute: string): Pick<Entity, 'sensitiveAttribute'> {
  return isObject(body) && body.sensitive === true ? { sensitiveAttribute: attribute } : {};
}

/** `a.b[0]["odd key"](json).Sql` */
export function formatPath(path: readonly Segment[]): string {
  let text = '';
  for (const s of path) {
    if (s === JSON_STRING) text += '(json)';
    else if (typeof s === 'number') text += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) text += text ? `.${s}` : s;
    else text += `[${JSON.stringify(s)}]`;
  }
  return text;
}

/**
 * cdktf's `//` keys hold construct paths, unique ids and stack metadata: they change with
 * refactors that change nothing in Terraform, so they are dropped everywhere.
 */
function stripMetadata(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripMetadata);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (k !== '//') out[k] = stripMetadata(v);
  return out;
}

function withoutForEach(body: Json): Json {
  if (!isObject(body)) return body;
  const { for_each: _ignored, ...rest } = body;
  return rest;
}

/** A string holding a JSON object or array (not a bare number or word), else undefined. */
function jsonInString(v: Json | undefined): Json | undefined {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return undefined;
  try {
    return JSON.parse(v) as Json;
  } catch {
    return undefined;
  }
}

function forEachChild(v: Json, fn: (key: string | number, child: Json) => void): void {
  if (Array.isArray(v)) v.forEach((c, i) => fn(i, c));
  else if (isObject(v)) for (const key of Object.keys(v).sort(compare)) fn(key, v[key]);
}

/**
 * Objects and lists of objects are walked; a list of scalars (privileges, depends_on) is
 * one value, shown whole, since index-by-index it reads badly and shifts on every removal.
 */
function isNonEmptyContainer(v: Json): boolean {
  if (Array.isArray(v)) return v.some((x) => typeof x === 'object' && x !== null);
  return isObject(v) && Object.keys(v).length > 0;
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectEntries(v: Json | undefined): [string, Json][] {
  return isObject(v) ? Object.entries(v) : [];
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
}

function sortedUnion(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort(compare);
}

/** Locale-independent order, so reports are byte-identical on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
