/**
 * Renderings of a structured plan diff: plain text for terminals and logs, markdown for
 * a pull-request comment. Both read like `terraform plan`: `+` add, `~` change, `-/+`
 * replace, `-` remove; `#` marks a change terraform plan does not show (provisioners only).
 * Values arrive already masked (plan-diff-core), so nothing here decides what is secret.
 */
import { RemovalWarning } from './plan-diff-removals';
import { Action, AppDiff, AttributeChange, Counts, EntryDiff, SECTIONS, Shown, StackDiff, Tally, countEntries } from './plan-diff-core';

const SYMBOL: Record<Action, string> = { add: '+', change: '~', replace: '-/+', remove: '-', 'no-op': '#' };
/** GitHub rejects comments over 65,536 characters; leave room for the workflow's marker. */
export const MARKDOWN_LIMIT = 60000;

/** The text report; empty when nothing changed. Removals that need a command come first. */
export function formatText(diff: AppDiff, warnings: readonly RemovalWarning[] = []): string {
  const head = warnings.map((w) => w.lines.map((l, i) => `${i ? '   ' : '!! '}${l}\n`).join('')).join('');
  return (head ? `${head}\n` : '') + diff.stacks.map((s) => `${stackHeadline(s)}\n${stackBody(s)}`).join('\n');
}

export interface MarkdownOptions {
  /** What the head was compared with, e.g. `origin/main (3f2a1bc)`. */
  baseLabel: string;
  maxChars?: number;
  /** Removed stacks and environments, shown first: they need a command before the merge. */
  warnings?: readonly RemovalWarning[];
}

/** A pull-request comment: per stack a summary table, with the details folded away. */
export function formatMarkdown(diff: AppDiff, options: MarkdownOptions): string {
  const title = `### Plan diff against ${code(options.baseLabel)}\n\n`;
  if (diff.stacks.length === 0) return `${title}No changes: every stack synthesizes as in the baseline.\n`;
  const alerts = (options.warnings ?? []).map((w) => `\n> [!WARNING]\n${w.lines.map((l) => `> ${escapeHtml(l)}`).join('\n>\n')}\n`).join('');
  const intro = `${title}${diff.stacks.length} stack(s) differ: ${diff.stacks.map((s) => `${code(s.name)} (${s.status})`).join(', ')}.\n${alerts}`;
  const bodies = diff.stacks.map(stackBody);
  const render = (limit: number) =>
    intro + diff.stacks.map((s, i) => stackMarkdown(s, truncateLines(bodies[i], limit))).join('');
  const max = options.maxChars ?? MARKDOWN_LIMIT;
  const full = render(Infinity);
  if (full.length <= max) return full;
  // Too long for a comment: give each stack's details an equal share of what is left.
  const fixed = render(0).length;
  return render(Math.max(0, Math.floor((max - fixed) / diff.stacks.length)));
}

function stackMarkdown(stack: StackDiff, details: string): string {
  const counts = countEntries(stack.entries);
  const rows = SECTIONS.filter((s) => total(counts, s) > 0).map(
    (s) => `| ${s} | ${counts[s].add} | ${counts[s].change} | ${counts[s].remove} | ${counts[s].replace} |`,
  );
  const table = rows.length
    ? ['| | add | change | destroy | of which replaced |', '| --- | ---: | ---: | ---: | ---: |', ...rows].join('\n')
    : '_empty stack_';
  const fence = '`'.repeat(Math.max(3, longestRun(details, '`') + 1));
  return [
    '',
    `#### ${code(stack.name)}: ${stack.status}`,
    '',
    table,
    '',
    `<details><summary>Details of ${escapeHtml(stack.name)}</summary>`,
    '',
    `${fence}diff`,
    details.replace(/\n$/, ''),
    fence,
    '',
    '</details>',
    '',
  ].join('\n');
}

function stackHeadline(stack: StackDiff): string {
  const counts = countEntries(stack.entries);
  const parts = SECTIONS.filter((s) => total(counts, s) > 0).map((s) => `${s}: ${tallyText(counts[s])}`);
  return `Stack ${stack.name}: ${stack.status}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

/** Terraform's wording: "1 to add, 2 to destroy" (a replacement is in both), then what it cannot show. */
function tallyText(t: Tally): string {
  const parts = [`${t.add} to add`, `${t.change} to change`, `${t.remove} to destroy`].filter((p) => !p.startsWith('0 '));
  if (t.replace) parts.push(`${t.replace} of them replaced`);
  if (t.noop) parts.push(`${t.noop} provisioner-only, not in terraform plan`);
  return parts.join(', ');
}

function stackBody(stack: StackDiff): string {
  return stack.entries.map(entryText).join('');
}

function entryText(entry: EntryDiff): string {
  const head = `${SYMBOL[entry.action]} ${entry.address}${entry.note ? `  # ${entry.note}` : ''}\n`;
  return head + entry.attributes.map((a) => attributeText(a, '    ')).join('');
}

function attributeText(a: AttributeChange, indent: string): string {
  const forces = a.forcesReplacement ? '  # forces replacement' : '';
  const symbol = a.before && a.after ? '~' : a.after ? '+' : '-';
  if (a.sameAs !== undefined) return `${indent}${symbol} ${a.path}: the same SQL as ${a.sameAs}${forces}\n`;
  if (a.before && a.after) {
    const lines = changedLines(a.before, a.after);
    if (lines) return `${indent}~ ${a.path}:${forces}\n${lines.map((l) => `${indent}    ${l}\n`).join('')}`;
    return `${indent}~ ${a.path}: ${valueText(a.before, indent)} → ${valueText(a.after, indent)}${forces}\n`;
  }
  return `${indent}${symbol} ${a.path} = ${valueText((a.after ?? a.before)!, indent)}${forces}\n`;
}

/** Scalars as JSON; SQL and other multi-line strings as a heredoc, so they stay readable. */
function valueText(v: Shown, indent: string): string {
  if (v.sensitive) return '(sensitive)';
  if (v.afterApply) return '(known after apply)';
  if (typeof v.value === 'string' && (v.sql || v.value.includes('\n'))) {
    const tag = v.sql ? 'SQL' : 'EOT';
    return `<<${tag}\n${v.value.split('\n').map((l) => `${indent}    ${l}`.trimEnd()).join('\n')}\n${indent}  ${tag}`;
  }
  return JSON.stringify(v.value);
}

/** A line diff for two multi-line strings (one line of context), else undefined. */
function changedLines(before: Shown, after: Shown): string[] | undefined {
  if (before.sensitive || after.sensitive || before.afterApply || after.afterApply) return undefined;
  if (typeof before.value !== 'string' || typeof after.value !== 'string') return undefined;
  if (!before.sql && !before.value.includes('\n') && !after.value.includes('\n')) return undefined;
  const ops = lineDiff(before.value.split('\n'), after.value.split('\n'));
  const near = (i: number) => ops.slice(Math.max(0, i - 1), i + 2).some((o) => o[0] !== ' ');
  const out: string[] = [];
  ops.forEach((op, i) => {
    if (near(i)) out.push(`${op[0]} ${op[1]}`.trimEnd());
    else if (out[out.length - 1] !== '...') out.push('...');
  });
  return out;
}

type LineOp = [' ' | '-' | '+', string];

/** Longest-common-subsequence line diff; inputs here are scripts of tens of lines. */
export function lineDiff(a: string[], b: string[]): LineOp[] {
  // Beyond this the table costs too much memory: show one block out, one block in.
  if (a.length * b.length > 4_000_000) return [...a.map((l): LineOp => ['-', l]), ...b.map((l): LineOp => ['+', l])];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: LineOp[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push([' ', a[i]]);
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push(['-', a[i++]]);
    } else {
      ops.push(['+', b[j++]]);
    }
  }
  return ops;
}

function truncateLines(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const kept = text.slice(0, Math.max(0, limit - 120));
  const cut = kept.lastIndexOf('\n') + 1;
  const dropped = text.slice(cut).split('\n').length - 1;
  return `${text.slice(0, cut)}... ${dropped} more line(s) not shown: run \`npm run diff\` for the full report\n`;
}

function total(counts: Counts, section: keyof Counts): number {
  return counts[section].add + counts[section].change + counts[section].remove + counts[section].noop;
}

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
