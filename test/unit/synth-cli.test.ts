/**
 * `npm run synth -- --help` (main.ts): prints the usage and synthesizes nothing; an
 * unknown argument is refused before anything is written.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SYNTH_USAGE, parseSynthArgs } from '../../scripts/lib/synth-args';

const REPO_ROOT = path.resolve(__dirname, '../..');
const TS_NODE = require.resolve('ts-node/dist/bin.js', { paths: [REPO_ROOT] });

describe('synth arguments', () => {
  test('--help and -h ask for help wherever they appear; nothing synthesizes with no argument', () => {
    expect(parseSynthArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseSynthArgs(['-h'])).toEqual({ kind: 'help' });
    expect(parseSynthArgs(['--frob', '--help'])).toEqual({ kind: 'help' });
    expect(parseSynthArgs([])).toEqual({ kind: 'synth' });
  });

  test('an unknown argument is an error naming it, with the usage', () => {
    const command = parseSynthArgs(['--estate', 'x.yaml']);
    expect(command.kind).toBe('error');
    expect(command.kind === 'error' && command.message).toContain('unknown argument --estate');
    expect(command.kind === 'error' && command.message).toContain(SYNTH_USAGE);
  });

  test('main.ts --help prints the usage, exits 0 and writes no output folder', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-help-'));
    try {
      const outdir = path.join(tmp, 'out');
      const run = (arg: string) =>
        spawnSync(process.execPath, [TS_NODE, '--transpile-only', 'main.ts', arg], {
          cwd: REPO_ROOT,
          env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
          encoding: 'utf8',
          timeout: 60_000,
          killSignal: 'SIGKILL',
        });
      const help = run('--help');
      expect(help.error).toBeUndefined();
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('usage: npm run synth');
      expect(help.stdout).toContain('ESTATE_FILE');
      const bad = run('--frob');
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('unknown argument --frob');
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
