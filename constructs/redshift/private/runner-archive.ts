import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { crc32, deflateRawSync } from 'zlib';
import * as ts from 'typescript';

/** The runner function's source: functions/redshift-runner/handler.ts and what it imports. */
export const RUNNER_ENTRY = path.resolve(__dirname, '../../../functions/redshift-runner/handler.ts');
const REPO_ROOT = path.resolve(__dirname, '../../..');
/** Lambda's handler setting for the entry above, relative to the archive root. */
export const RUNNER_HANDLER = 'functions/redshift-runner/handler.handler';
/** Modules the Node.js 20 Lambda runtime provides: the AWS SDK v3 and node's own. */
const RUNTIME_MODULES = /^(@aws-sdk\/client-redshift-data|@aws-sdk\/client-secrets-manager|crypto|zlib)$/;

export interface RunnerArchive {
  /** The zip, byte-identical for identical sources. */
  readonly zip: Buffer;
  /** base64(sha256(zip)): the function's source_code_hash. */
  readonly sha256: string;
}

let cached: RunnerArchive | undefined;

/**
 * Transpiles the handler and every repository module it requires (CommonJS, ES2022 for
 * Node.js 20), keeping their paths relative to the repository, and zips them with fixed
 * timestamps, modes and order. Type-only imports vanish in transpilation, so the model
 * and the estate schema stay out of the function.
 */
export function runnerArchive(): RunnerArchive {
  if (cached) return cached;
  const files = new Map<string, string>();
  const visit = (file: string) => {
    const rel = path.relative(REPO_ROOT, file).split(path.sep).join('/').replace(/\.ts$/, '.js');
    if (files.has(rel)) return;
    const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, removeComments: true },
      fileName: file,
    }).outputText;
    files.set(rel, out);
    for (const [, spec] of out.matchAll(/require\("([^"]+)"\)/g)) {
      if (spec.startsWith('.')) visit(`${path.resolve(path.dirname(file), spec)}.ts`);
      else if (!RUNTIME_MODULES.test(spec)) throw new Error(`the Redshift runner function imports ${spec} (from ${path.relative(REPO_ROOT, file)}), which the Lambda Node.js 20 runtime does not provide`);
    }
  };
  visit(RUNNER_ENTRY);
  const zip = deterministicZip([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, text]) => ({ name, data: Buffer.from(text, 'utf8') })));
  cached = { zip, sha256: createHash('sha256').update(zip).digest('base64') };
  return cached;
}

/**
 * The fields local and central headers share, in the same order: version needed (deflate),
 * flags (UTF-8 names), method (deflate), time, date, CRC-32, sizes, name length.
 */
function writeEntryFields(b: Buffer, at: number, nameLength: number, crc: number, compressed: number, size: number): void {
  b.writeUInt16LE(20, at);
  b.writeUInt16LE(0x0800, at + 2);
  b.writeUInt16LE(8, at + 4);
  b.writeUInt16LE(DOS_TIME, at + 6);
  b.writeUInt16LE(DOS_DATE, at + 8);
  b.writeUInt32LE(crc, at + 10);
  b.writeUInt32LE(compressed, at + 14);
  b.writeUInt32LE(size, at + 18);
  b.writeUInt16LE(nameLength, at + 22);
}

/** 1980-01-01 00:00 in MS-DOS format, the earliest a zip can say. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * A zip (PKWARE APPNOTE 6.3) with deflated entries, every timestamp 1980-01-01 00:00 and
 * mode 0644: the bytes depend on names and contents only.
 */
export function deterministicZip(entries: readonly { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = deflateRawSync(e.data, { level: 9 });
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeEntryFields(local, 4, name.length, crc, body.length, e.data.length);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the mode below is read
    writeEntryFields(central, 6, name.length, crc, body.length, e.data.length);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
