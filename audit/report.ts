import { Finding, FindingKind } from './findings';
import { TargetResult, auditExitCode } from './targets';

/**
 * The three forms of an audit report: text for a terminal, JSON for tools, Markdown for an
 * issue or pull-request comment. All list targets in the order they were audited and
 * findings in the order the audit returned them (sorted), so a rerun prints the same.
 */

const KIND_LABELS: Record<FindingKind, string> = {
  missing: 'missing',
  'grant-option-missing': 'grant option missing',
  extra: 'extra',
  attribute: 'attribute',
  'dependent-grant': 'dependent grant',
};

type Status = 'match' | 'drift' | 'error';
const statusOf = (r: TargetResult): Status => (r.error !== undefined ? 'error' : r.findings.length > 0 ? 'drift' : 'match');

function summary(results: readonly TargetResult[]): string {
  const count = (s: Status) => results.filter((r) => statusOf(r) === s).length;
  const findings = results.reduce((n, r) => n + r.findings.length, 0);
  return `${results.length} target(s): ${count('match')} match, ${count('drift')} drift (${findings} finding(s)), ${count('error')} error(s)`;
}

const grantee = (f: Finding) => (f.grantee ? ` [${f.grantee}]` : '');

export function formatAuditText(results: readonly TargetResult[]): string {
  if (results.length === 0) return 'audit: the estate names no server or cluster to audit\n';
  const lines: string[] = [];
  for (const r of results) {
    const status = statusOf(r);
    lines.push(`${r.target} (${r.engine}): ${status === 'drift' ? `drift, ${r.findings.length} finding(s)` : status}`);
    if (r.error !== undefined) lines.push(`  error: ${r.error}`);
    for (const f of r.findings) lines.push(`  ${KIND_LABELS[f.kind].padEnd(21)} ${f.object}${grantee(f)}: ${f.detail}`);
  }
  lines.push('', summary(results));
  return `${lines.join('\n')}\n`;
}

const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/`/g, "'");

export function formatAuditMarkdown(results: readonly TargetResult[]): string {
  const lines = ['## Database audit', '', summary(results), ''];
  for (const r of results) {
    const status = statusOf(r);
    lines.push(`### \`${cell(r.target)}\` (${r.engine}): ${status}`, '');
    if (r.error !== undefined) lines.push(`Could not audit: ${cell(r.error)}`, '');
    if (r.findings.length === 0) continue;
    lines.push('| kind | object | grantee | detail |', '| --- | --- | --- | --- |');
    for (const f of r.findings) lines.push(`| ${KIND_LABELS[f.kind]} | ${cell(f.object)} | ${cell(f.grantee ?? '')} | ${cell(f.detail)} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export function formatAuditJson(results: readonly TargetResult[]): string {
  return `${JSON.stringify({
    exitCode: auditExitCode(results),
    targets: results.map((r) => ({
      target: r.target, engine: r.engine, status: statusOf(r), ...(r.error !== undefined ? { error: r.error } : {}), findings: r.findings,
    })),
  }, null, 2)}\n`;
}
