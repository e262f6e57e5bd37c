import * as fs from 'fs';
import * as path from 'path';

/** A reviewable SQL script written next to a synthesized stack (cdktf.out/stacks/<stack>/sql/). */
export interface SqlFile {
  /** The stack the script belongs to, e.g. dev-postgres-orders-pg. */
  readonly stack: string;
  /** File name inside the stack's sql/ folder, e.g. orders-pg.apply.sql. */
  readonly name: string;
  readonly content: string;
}

export function writeSqlFiles(outdir: string, files: readonly SqlFile[]): void {
  for (const f of files) {
    const dir = path.join(outdir, 'stacks', f.stack, 'sql');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, f.name), f.content);
  }
}
