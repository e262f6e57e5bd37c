/**
 * The comparison behind `npm run diff`: pure functions from two synthesized apps
 * (stack name -> parsed cdk.tf.json) to a structured diff. No I/O and no formatting, so
 * it is tested on hand-written JSON and the formatters can never see an unmasked secret:
 * values are masked here, before they leave this module.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
/** Stack name -> that stack's cdk.tf.json. */
export type AppJson = Record<string, JsonObject>;

export type Section = 'resources' | 'outputs' | 'variables' | 'providers' | 'backend' | 'other';
/** Report order. */
export const SECTIONS: readonly Section[] = ['resources', 'outputs', 'variables', 'providers', 'backend', 'other'];

export type Action = 'add' | 'change' | 'remove';

/** A value as the report may show it: masked values never carry the value. */
export type Shown = { sensitive: true } | { sensitive: false; value: Json };

/** One leaf attribute: `before` absent = added, `after` absent = removed. */
export interface AttributeChange {
  path: string;
  before?: Shown;
  after?: Shown;
}

/** One Terraform address (resource, for_each instance, output, variable, provider, backend...). */
export interface EntryDiff {
  section: Section;
  address: string;
  action: Action;
  /** Leaf attributes: every one for an addition, the changed ones for a change, none for a removal. */
  attributes: AttributeChange[];
  note?: string;
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

export type Counts = Record<Section, Record<Action, number>>;

/** Attribute names whose values are secrets whatever the resource (write-only `*_wo` too). */
const SECRET_NAME = /password|secret|private_key|token|_wo$/i;

type Segment = string | number | typeof JSON_STRING;
/** Marks a step into a string that holds JSON (the Redshift Data API requests do). */
const JSON_STRING = Symbol('json');

interface Entity {
  section: Section;
  address: string;
  body: Json;
  /** Top-level attribute masked as a whole (an output's value, a variable's default). */
  sensitiveAttribute?: string;
  /** for_each given as a literal map: key -> each.value. */
  instances?: JsonObject;
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
  const counts = Object.fromEntries(SECTIONS.map((s) => [s, { add: 0, change: 0, remove: 0 }])) as Counts;
  for (const e of entries) counts[e.section][e.action] += 1;
  return counts;
}

export function diffStack(base: JsonObject, head: JsonObject): EntryDiff[] {
  const before = entities(base);
  const after = entities(head);
  const entries: EntryDiff[] = [];
  for (const address of new Set([...before.keys(), ...after.keys()])) {
    entries.push(...diffEntity(before.get(address), after.get(address)));
  }
  const order = (e: EntryDiff) => SECTIONS.indexOf(e.section);
  return entries.sort((a, b) => order(a) - order(b) || compare(a.address, b.address));
}

function diffEntity(before: Entity | undefined, after: Entity | undefined): EntryDiff[] {
  const some = (after ?? before)!;
  const mask = masker(before?.sensitiveAttribute ?? after?.sensitiveAttribute);
  const entry = (action: Action, attributes: AttributeChange[], address = some.address, note?: string): EntryDiff =>
    ({ section: some.section, address, action, attributes, ...(note ? { note } : {}) });
  const instanceNote = (e: Entity) => (e.instances ? `for_each: ${Object.keys(e.instances).length} instance(s)` : undefined);

  if (!before) return [entry('add', diffValues(undefined, after!.body, [], mask), some.address, instanceNote(after!))];
  if (!after) return [entry('remove', [], some.address, instanceNote(before))];

  if (!before.instances || !after.instances) {
    const changes = diffValues(before.body, after.body, [], mask);
    return changes.length ? [entry('change', changes)] : [];
  }
  // Both sides use a literal for_each map: report the shared body once, then each key
  // as its own address, as terraform plan would.
  const result: EntryDiff[] = [];
  const shared = diffValues(withoutForEach(before.body), withoutForEach(after.body), [], mask);
  if (shared.length) result.push(entry('change', shared, some.address, 'applies to every instance'));
  const keys = [...new Set([...Object.keys(before.instances), ...Object.keys(after.instances)])].sort(compare);
  for (const key of keys) {
    const address = `${some.address}[${JSON.stringify(key)}]`;
    const old = before.instances[key];
    const now = after.instances[key];
    if (old === undefined) result.push(entry('add', diffValues(undefined, now, ['each', 'value'], mask), address));
    else if (now === undefined) result.push(entry('remove', [], address));
    else {
      const changes = diffValues(old, now, ['each', 'value'], mask);
      if (changes.length) result.push(entry('change', changes, address));
    }
  }
  return result;
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
            add({ section: 'resources', address, body, ...(isObject(forEach) ? { instances: forEach } : {}) });
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
 * key on its own path.
 */
function diffValues(before: Json | undefined, after: Json | undefined, path: Segment[], mask: Mask): AttributeChange[] {
  const out: AttributeChange[] = [];
  collect(before, after, path, mask, out);
  return out;
}

// One accumulator for the whole walk: a stack with tens of thousands of grants has as many leaves.
function collect(before: Json | undefined, after: Json | undefined, path: Segment[], mask: Mask, out: AttributeChange[]): void {
  if (before !== undefined && after !== undefined && deepEqual(before, after)) return;
  const walk = (a: Json | undefined, b: Json | undefined, at: Segment[]) => collect(a, b, at, mask, out);
  const leaf = (side: 'before' | 'after', value: Json | undefined) => {
    if (value !== undefined) out.push({ path: formatPath(path), [side]: show(value, path, mask) });
  };

  if (isObject(before) && isObject(after)) {
    for (const key of sortedUnion(Object.keys(before), Object.keys(after))) walk(before[key], after[key], [...path, key]);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && (isNonEmptyContainer(before) || isNonEmptyContainer(after))) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) walk(before[i], after[i], [...path, i]);
    return;
  }
  const parsed = [jsonInString(before), jsonInString(after)];
  if (parsed[0] !== undefined && parsed[1] !== undefined) {
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
  const change: AttributeChange = { path: formatPath(path) };
  if (before !== undefined) change.before = show(before, path, mask);
  if (after !== undefined) change.after = show(after, path, mask);
  out.push(change);
}

type Mask = (path: readonly Segment[]) => boolean;

function masker(sensitiveAttribute: string | undefined): Mask {
  return (path) =>
    (sensitiveAttribute !== undefined && path[0] === sensitiveAttribute) ||
    path.some((s) => typeof s === 'string' && SECRET_NAME.test(s));
}

function show(value: Json, path: readonly Segment[], mask: Mask): Shown {
  return mask(path) ? { sensitive: true } : { sensitive: false, value };
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
