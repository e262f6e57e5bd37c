/**
 * Command-line arguments of `npm run synth` (main.ts). The synth itself is configured by
 * the environment (ESTATE_FILE, CDKTF_OUTDIR), as `cdktf synth` runs main.ts with no
 * arguments; the only argument is a request for help.
 */

export const SYNTH_USAGE = `usage: npm run synth [-- --help]
Synthesizes the estate into Terraform stacks and reviewable SQL scripts.

Environment:
  ESTATE_FILE    the estate to synthesize (default: examples/estate.yaml)
  CDKTF_OUTDIR   where to write the output (default: cdktf.out); it is replaced
                 only when the whole synth succeeds
  DEBUG          set to print a stack trace with an error

Exit code: 0 written, 1 the estate or the synth failed (nothing written).
See also: npm run diff -- --help`;

/** What main.ts should do: print help, synthesize, or stop with a usage error. */
export type SynthCommand = { kind: 'help' } | { kind: 'synth' } | { kind: 'error'; message: string };

export function parseSynthArgs(argv: readonly string[]): SynthCommand {
  if (argv.some((a) => a === '--help' || a === '-h')) return { kind: 'help' };
  if (argv.length > 0) {
    return { kind: 'error', message: `unknown argument ${argv[0]}: the synth is configured by ESTATE_FILE and CDKTF_OUTDIR\n${SYNTH_USAGE}` };
  }
  return { kind: 'synth' };
}
