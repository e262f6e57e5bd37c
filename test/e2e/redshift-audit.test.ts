/**
 * `npm run audit` on Redshift: the runner's own Data API code and comparison, run from the
 * CLI against a recording Data API stand-in whose catalog is a fixture. Each kind of drift
 * the plan's check block reports is reported here too, and only SELECTs are sent.
 */
import { findingLines, redshiftAuditInput } from '../../audit/redshift';
import { auditExitCode, auditTargets, redshiftLeg, runAuditTargets } from '../../audit/targets';
import { planEnvironment } from '../../model/environment-plan';
import { exampleEstate } from '../support/example';
import { FakeRedshiftData, startFakeRedshiftData } from '../support/fake-redshift-data';
import { DRIFTS, TableListing, catalogAnswers, catalogMatching } from '../support/redshift-catalog';

const estate = exampleEstate();
const [plan] = planEnvironment('dev', estate.environments.dev).redshift;
const expected = redshiftAuditInput('dev', plan).expected;
const tables: TableListing = { sales: { public: ['customers', 'orders'], finance: ['invoices', 'payments'], staging: ['stage_orders'] }, marketing: { campaigns: ['campaigns'] } };

let fake: FakeRedshiftData;
beforeAll(async () => { fake = await startFakeRedshiftData({ databases: ['dev', 'sales', 'marketing'] }); });
afterAll(async () => { await fake?.stop(); });

const awsEnv = () => ({
  PATH: process.env.PATH,
  AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ENDPOINT_URL_REDSHIFT_DATA: fake.endpoint,
});
const audit = () => runAuditTargets(auditTargets(estate, awsEnv(), 'dev', [redshiftLeg]));

describe('npm run audit, Redshift leg', () => {
  test('a catalog that matches the plan: no finding, exit 0, and only SELECTs reached the cluster', async () => {
    fake.requests.length = 0;
    fake.fixture = (sql, database) => catalogAnswers(catalogMatching(expected, tables))(sql, database);
    const results = await audit();
    expect(results).toEqual([{ target: 'dev/analytics-dev', engine: 'redshift', findings: [] }]);
    expect(auditExitCode(results)).toBe(0);
    expect(fake.requests.length).toBeGreaterThan(5);
    for (const r of fake.requests) {
      expect(r.operation).toBe('ExecuteStatement');
      expect(r.sqls.every((s) => /^SELECT /.test(s))).toBe(true);
      expect(r).toMatchObject({ clusterIdentifier: 'analytics-dev', dbUser: 'awsuser' });
    }
  });

  test.each(DRIFTS.map((d) => [d.name, d] as const))('%s: reported, exit 2', async (_name, drift) => {
    const state = catalogMatching(expected, tables);
    drift.apply(state);
    fake.fixture = (sql, database) => catalogAnswers(state)(sql, database);
    const results = await audit();
    expect(findingLines(results[0].findings)).toEqual([`${drift.names} (dev/analytics-dev)`]);
    expect(auditExitCode(results)).toBe(2);
  });

  test('a cluster the Data API cannot reach is an error naming the cluster, exit 1', async () => {
    const results = await runAuditTargets(auditTargets(estate, { ...awsEnv(), AWS_ENDPOINT_URL_REDSHIFT_DATA: 'http://127.0.0.1:9' }, 'dev', [redshiftLeg]));
    expect(results[0].error).toMatch(/drift check of cluster analytics-dev: the Redshift Data API refused the request/);
    expect(auditExitCode(results)).toBe(1);
  });
});
