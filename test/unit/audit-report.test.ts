/**
 * The audit CLI's pieces that need no database: the three report forms, the exit code, the
 * arguments, and the seam where engines plug in (legs).
 */
import { Finding } from '../../audit/findings';
import { formatAuditJson, formatAuditMarkdown, formatAuditText } from '../../audit/report';
import { AuditLeg, TargetResult, auditExitCode, auditTargets, runAuditTargets } from '../../audit/targets';
import { parseArgs } from '../../scripts/audit';
import { exampleEstate } from '../support/postgres-estates';

const finding: Finding = {
  kind: 'grant-option-missing', target: 'prod/pg', object: 'schema app.sales|x', grantee: 'immuta_system',
  detail: 'expected USAGE WITH GRANT OPTION, granted without it',
};
const RESULTS: TargetResult[] = [
  { target: 'dev/pg', engine: 'postgresql', findings: [] },
  { target: 'prod/pg', engine: 'postgresql', findings: [finding] },
  { target: 'prod/other', engine: 'postgresql', findings: [], error: 'cannot reach PostgreSQL server prod/other at h:5432, database postgres, as admin: timeout' },
];

describe('exit code', () => {
  test('0 when every target matches, 2 on any drift, 1 when any target could not be read', () => {
    expect(auditExitCode([RESULTS[0]])).toBe(0);
    expect(auditExitCode(RESULTS.slice(0, 2))).toBe(2);
    expect(auditExitCode(RESULTS)).toBe(1);
    expect(auditExitCode([])).toBe(0);
  });
});

describe('reports', () => {
  test('text: one block per target with its status, each finding on a line, a summary', () => {
    expect(formatAuditText(RESULTS)).toBe([
      'dev/pg (postgresql): match',
      'prod/pg (postgresql): drift, 1 finding(s)',
      '  grant option missing  schema app.sales|x [immuta_system]: expected USAGE WITH GRANT OPTION, granted without it',
      'prod/other (postgresql): error',
      '  error: cannot reach PostgreSQL server prod/other at h:5432, database postgres, as admin: timeout',
      '',
      '3 target(s): 1 match, 1 drift (1 finding(s)), 1 error(s)',
      '',
    ].join('\n'));
  });

  test('markdown: a table per drifted target, pipes escaped so a cell cannot break the table', () => {
    const md = formatAuditMarkdown(RESULTS);
    expect(md).toContain('### `prod/pg` (postgresql): drift');
    expect(md).toContain('| grant option missing | schema app.sales\\|x | immuta_system | expected USAGE WITH GRANT OPTION, granted without it |');
    expect(md).toContain('Could not audit: cannot reach PostgreSQL server prod/other');
    expect(md.split('\n').filter((l) => l.startsWith('| kind |'))).toHaveLength(1);
  });

  test('json: the exit code, each target\'s status and its findings as they are', () => {
    expect(JSON.parse(formatAuditJson(RESULTS))).toEqual({
      exitCode: 1,
      targets: [
        { target: 'dev/pg', engine: 'postgresql', status: 'match', findings: [] },
        { target: 'prod/pg', engine: 'postgresql', status: 'drift', findings: [finding] },
        { target: 'prod/other', engine: 'postgresql', status: 'error', error: RESULTS[2].error, findings: [] },
      ],
    });
  });
});

describe('arguments', () => {
  test('--env, one output format, --output', () => {
    expect(parseArgs([])).toEqual({ format: 'text' });
    expect(parseArgs(['--env', 'prod', '--markdown', '--output=r.md'])).toEqual({ env: 'prod', format: 'markdown', output: 'r.md' });
    expect(() => parseArgs(['--json', '--markdown'])).toThrow(/exclude each other/);
    expect(() => parseArgs(['--env'])).toThrow(/--env needs a value/);
    expect(() => parseArgs(['--plan'])).toThrow(/unknown argument --plan/);
  });
});

describe('targets', () => {
  const estate = exampleEstate();

  test('the legs: each PostgreSQL server with an immuta section, then each Redshift cluster with units, per environment, sorted', () => {
    expect(auditTargets(estate, {}).map((t) => [t.target, t.engine])).toEqual([
      ['dev/customers-rds', 'postgresql'], ['dev/orders-pg', 'postgresql'], ['dev/analytics-dev', 'redshift'],
      ...estate.environments.prod.postgres.filter((s) => s.immuta).map((s) => [`prod/${s.id}`, 'postgresql']).sort(),
      ['prod/warehouse-prod', 'redshift'],
    ]);
    expect(auditTargets(estate, {}, 'dev').map((t) => t.target)).toEqual(['dev/customers-rds', 'dev/orders-pg', 'dev/analytics-dev']);
    expect(() => auditTargets(estate, {}, 'staging')).toThrow(/--env staging: the estate has no such environment \(it has dev, prod\)/);
  });

  test('another engine plugs in as a leg; an error in one target does not stop the others', async () => {
    const fake: AuditLeg = ({ envName }) => ['a', 'b'].map((id, i) => ({
      target: `${envName}/${id}`, engine: 'redshift' as const,
      run: async () => {
        if (i === 0) throw new Error('no route');
        return [{ ...finding, target: `${envName}/${id}` }];
      },
    }));
    const targets = auditTargets(estate, {}, 'dev', [fake]);
    const results = await runAuditTargets(targets);
    expect(results.map((r) => [r.target, r.engine, r.error ?? r.findings.length])).toEqual([['dev/a', 'redshift', 'no route'], ['dev/b', 'redshift', 1]]);
    expect(auditExitCode(results)).toBe(1);
  });

  test('a missing password variable is an error of that target, naming the variable', async () => {
    const [target] = auditTargets(estate, {}, 'dev').filter((t) => t.target === 'dev/orders-pg');
    const [result] = await runAuditTargets([target]);
    expect(result.error).toBe('TF_VAR_orders_pg_admin_password is not set: the audit logs in as postgres with the password the stack reads');
  });
});
