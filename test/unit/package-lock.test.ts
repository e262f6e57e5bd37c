import { builtinModules } from 'module';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The lock file is edited by hand at times (a shared node_modules forbids `npm install` in
 * worktrees), so its flags are checked here against its own graph: npm omits packages
 * flagged `dev` under `npm ci --omit=dev`, and a runtime import of one fails only then.
 */
const ROOT = path.resolve(__dirname, '../..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
interface LockEntry {
  dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean; optional?: boolean; devOptional?: boolean; link?: boolean;
}
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
const packages = lock.packages;

/** Node's lookup: the nearest node_modules/<name> from a package's folder up to the root. */
function resolve(from: string, name: string): string | undefined {
  for (let base = from; ; base = base.includes('/node_modules/') ? base.slice(0, base.lastIndexOf('/node_modules/')) : '') {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
  }
}

type Edge = [target: string, kind: 'prod' | 'optional' | 'dev'];
function edges(at: string): Edge[] {
  const p = packages[at];
  const named: [string, Edge[1]][] = [
    ...Object.keys(p.dependencies ?? {}).map((n): [string, Edge[1]] => [n, 'prod']),
    ...Object.keys(p.optionalDependencies ?? {}).map((n): [string, Edge[1]] => [n, 'optional']),
    ...Object.keys(p.peerDependencies ?? {}).map((n): [string, Edge[1]] => [n, p.peerDependenciesMeta?.[n]?.optional ? 'optional' : 'prod']),
    ...(at === '' ? Object.keys(p.devDependencies ?? {}).map((n): [string, Edge[1]] => [n, 'dev']) : []),
  ];
  return named.flatMap(([n, kind]) => { const t = resolve(at, n); return t ? [[t, kind] as Edge] : []; });
}

/** Packages reachable from the root without crossing an edge of the excluded kind. */
function reachable(without: Edge[1][]): Set<string> {
  const seen = new Set(['']);
  const queue = [''];
  while (queue.length > 0) {
    for (const [target, kind] of edges(queue.pop()!)) {
      if (without.includes(kind) || seen.has(target)) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return seen;
}

describe('package.json and package-lock.json', () => {
  test('the lock\'s root lists the manifest\'s dependencies and devDependencies', () => {
    expect(packages[''].dependencies).toEqual(manifest.dependencies);
    expect(packages[''].devDependencies).toEqual(manifest.devDependencies);
  });

  test('every package\'s dev/optional flags are what npm computes from the lock\'s graph', () => {
    const nonDev = reachable(['dev']);
    const nonOptional = reachable(['optional']);
    const required = reachable(['dev', 'optional']);
    const wrong = Object.entries(packages).filter(([at, p]) => at !== '' && !p.link).flatMap(([at, p]) => {
      const want = { dev: !nonDev.has(at), optional: !nonOptional.has(at), devOptional: nonDev.has(at) && nonOptional.has(at) && !required.has(at) };
      const have = { dev: !!p.dev, optional: !!p.optional, devOptional: !!p.devOptional };
      return JSON.stringify(want) === JSON.stringify(have) ? [] : [{ at, have, want }];
    });
    expect(wrong).toEqual([]);
  });

  test('pg and what it needs at run time install without the dev tree (npm run audit connects with it)', () => {
    expect(manifest.dependencies.pg).toBeDefined();
    expect(manifest.devDependencies['@types/pg']).toBeDefined();
    const runtime = reachable(['dev']);
    for (const name of ['pg', 'pg-pool', 'pg-protocol', 'pg-types', 'pgpass', 'split2', 'postgres-interval', 'xtend']) {
      expect([name, runtime.has(`node_modules/${name}`), packages[`node_modules/${name}`].dev]).toEqual([name, true, undefined]);
    }
  });

  test('product code imports only dependencies and Node built-ins', () => {
    // The Redshift runner archive transpiles the Lambda function with TypeScript at synth, which
    // runs under ts-node: both are devDependencies, and so are the commands that run them.
    const synthTools = ['typescript'];
    const files: string[] = [path.join(ROOT, 'main.ts')];
    const walk = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).forEach((e) => {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) walk(file);
      else if (e.name.endsWith('.ts')) files.push(file);
    });
    ['audit', 'constructs', 'estate', 'functions', 'model', 'scripts', 'sql', 'stacks'].forEach((d) => walk(path.join(ROOT, d)));
    const imported = new Set(files.flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/from '([^.'][^']*)'/g)].map((m) => m[1])));
    const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
    const outside = [...imported].map(packageOf)
      .filter((p) => !builtinModules.includes(p) && !(p in manifest.dependencies) && !synthTools.includes(p));
    expect([...new Set(outside)]).toEqual([]);
  });
});
