import { auditRedshiftCluster, findingLines, redshiftExpectation } from '../../audit/redshift';
import { unitInput, unitSteps } from '../../constructs/redshift/private/redshift-unit-invocations';
import { AuditInput, PASSWORD_SLOT, UnitInput } from '../../functions/redshift-runner/contract';
import { DataApi, DataApiCalls, PollOptions, StatementStatus, SubmitRequest, batches } from '../../functions/redshift-runner/data-api';
import { handle } from '../../functions/redshift-runner/handler';
import { EXISTS_SQL, UnitEvent, md5Form, runUnit } from '../../functions/redshift-runner/unit-lifecycle';
import { redshiftPlans } from '../../model/redshift/plan';
import { DRIFTS, TableListing, catalogAnswers, catalogMatching } from '../support/redshift-catalog';
import { exampleEstate } from '../support/example';

/** An in-memory Data API: records submissions, answers describe from a script. */
function fakeCalls(opts: { statuses?: StatementStatus[]; exists?: Set<string>; rows?: (sql: string, db: string) => Record<string, unknown>[] } = {}) {
  const submitted: { op: 'execute' | 'batch'; req: SubmitRequest }[] = [];
  const statuses = [...(opts.statuses ?? [])];
  const results = new Map<string, Record<string, unknown>[]>();
  const calls: DataApiCalls = {
    executeStatement: async (req) => {
      submitted.push({ op: 'execute', req });
      const id = `s${submitted.length}`;
      const name = req.Parameters?.find((p) => p.name === 'name')?.value;
      if (name !== undefined) results.set(id, opts.exists?.has(name) ? [{ x: name }] : []);
      else if (req.Sql!.startsWith('SELECT')) results.set(id, opts.rows?.(req.Sql!, req.Database) ?? []);
      return { Id: id };
    },
    batchExecuteStatement: async (req) => {
      submitted.push({ op: 'batch', req });
      return { Id: `s${submitted.length}` };
    },
    describeStatement: async (id) => (results.has(id) ? { Status: 'FINISHED', HasResultSet: true } : statuses.shift() ?? { Status: 'FINISHED' }),
    getStatementResult: async (id) => {
      const rows = results.get(id) ?? [];
      const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      return { ColumnMetadata: names.map((name) => ({ name })), Records: rows.map((r) => names.map((n) => (typeof r[n] === 'boolean' ? { booleanValue: r[n] as boolean } : { stringValue: String(r[n]) }))) };
    },
  };
  const sleeps: number[] = [];
  const poll: PollOptions = { firstDelayMs: 250, maxDelayMs: 1000, maxWaitMs: 3000, sleep: async (ms) => { sleeps.push(ms); } };
  /** Only the statements that change something (no catalog queries). */
  const changes = () => submitted.filter((s) => !(s.req.Sql ?? '').startsWith('SELECT'));
  return { calls, submitted, changes, sleeps, dataApi: new DataApi(calls, poll) };
}

const target = { connection: { clusterId: 'c1', adminDatabase: 'dev', dbUser: 'admin' }, database: 'dev', statementName: 'terraform:k', label: 'unit k' };
const sql = (n: number, size = 10) => Array.from({ length: n }, (_, i) => `GRANT ${i} ${'x'.repeat(Math.max(0, size - 10))}`);

describe('Data API batching and polling', () => {
  test.each([[1, [1]], [40, [40]], [41, [40, 1]], [80, [40, 40]], [81, [40, 40, 1]]])('%i statements make batches of %j', (n, sizes) => {
    expect(batches('unit k', sql(n)).map((b) => b.length)).toEqual(sizes);
  });

  test('a statement of exactly 100 KB passes; one byte more is refused before any call, naming the unit', async () => {
    expect(batches('unit k', [`x`.repeat(100 * 1024)])).toHaveLength(1);
    const f = fakeCalls();
    await expect(f.dataApi.run(target, ['x'.repeat(100 * 1024 + 1)], true)).rejects.toThrow('unit k: statement 1 is 102401 bytes; the Redshift Data API accepts at most 102400 bytes per statement');
    expect(f.submitted).toEqual([]);
  });

  test('transactional statements go as BatchExecuteStatement, 40 at a time, in order; others one ExecuteStatement each', async () => {
    const f = fakeCalls();
    expect(await f.dataApi.run(target, sql(41), true)).toBe(2);
    expect(f.submitted.map((s) => [s.op, s.req.Sqls?.length])).toEqual([['batch', 40], ['batch', 1]]);
    expect(f.submitted[1].req).toMatchObject({ ClusterIdentifier: 'c1', Database: 'dev', DbUser: 'admin', StatementName: 'terraform:k', Sqls: [sql(41)[40]] });
    const g = fakeCalls();
    await g.dataApi.run({ ...target, connection: { clusterId: 'c1', adminDatabase: 'dev', secretArn: 'arn:s' } }, ['CREATE DATABASE "a"'], false);
    expect(g.submitted).toEqual([{ op: 'execute', req: { ClusterIdentifier: 'c1', Database: 'dev', SecretArn: 'arn:s', StatementName: 'terraform:k', Sql: 'CREATE DATABASE "a"' } }]);
  });

  test('polls with doubling waits up to the cap until FINISHED', async () => {
    const f = fakeCalls({ statuses: [{ Status: 'SUBMITTED' }, { Status: 'PICKED' }, { Status: 'STARTED' }, { Status: 'STARTED' }, { Status: 'FINISHED' }] });
    await f.dataApi.run(target, ['GRANT 1'], true);
    expect(f.sleeps).toEqual([250, 500, 1000, 1000]);
  });

  test('gives up after the bounded wait, naming the statement and its status', async () => {
    const f = fakeCalls({ statuses: Array.from({ length: 100 }, () => ({ Status: 'STARTED' })) });
    await expect(f.dataApi.run(target, ['GRANT 1'], true)).rejects.toThrow(/^unit k: Redshift Data API statement s1 still STARTED after 3 s/);
    expect(f.sleeps).toEqual([250, 500, 1000, 1000, 250]);
  });

  test('a FAILED batch names the unit, the batch and the Data API error; later batches are not sent', async () => {
    const f = fakeCalls({ statuses: [{ Status: 'FINISHED' }, { Status: 'FAILED', Error: 'ERROR: relation "t" does not exist' }] });
    await expect(f.dataApi.run(target, sql(90), true)).rejects.toThrow('unit k (batch 2 of 3): Redshift Data API statement s2 FAILED: ERROR: relation "t" does not exist');
    expect(f.submitted).toHaveLength(2);
  });
});

const [plan] = redshiftPlans(exampleEstate().environments.dev);
const unitOf = (key: string) => plan.units.find((u) => u.key === key)!;
const connection = { clusterId: 'analytics-dev', adminDatabase: 'dev', dbUser: 'awsuser' };
function input(key: string, extra: Partial<UnitInput> = {}): UnitInput {
  return { ...unitInput(unitOf(key), connection), ...extra };
}
const event = (i: UnitInput, action: 'create' | 'update' | 'delete', prev?: UnitInput): UnitEvent => ({ ...i, tf: { action, prev_input: prev ? JSON.stringify(prev) : null } });
const SECRET = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:pw';
const readSecret = async (arn: string) => (arn === SECRET ? 'S3cretPassw0rd' : 'Other1Passw0rd');

describe('runner unit lifecycle', () => {
  test('create runs the apply steps in the unit database as one transaction', async () => {
    const f = fakeCalls();
    expect(await runUnit(event(input('immuta/sales/public'), 'create'), { dataApi: f.dataApi, readSecret })).toEqual({ key: 'immuta/sales/public', action: 'create', ran: ['apply'] });
    expect(f.changes().map((s) => [s.op, s.req.Database, s.req.Sqls])).toEqual([['batch', 'sales', unitSteps(unitOf('immuta/sales/public').apply).map((s) => s.sql)]]);
  });

  test('create skips CREATE USER/ROLE/DATABASE when the catalog already has the object (a re-run after a lost answer)', async () => {
    const f = fakeCalls({ exists: new Set(['immuta_exemption', 'immuta']) });
    await runUnit(event(input('role/immuta_exemption'), 'create'), { dataApi: f.dataApi, readSecret });
    await runUnit(event(input('database/immuta'), 'create'), { dataApi: f.dataApi, readSecret });
    await runUnit(event(input('user/immuta_system'), 'create'), { dataApi: f.dataApi, readSecret });
    expect(f.changes().map((s) => s.req.Sqls ?? [s.req.Sql])).toEqual([['CREATE USER "immuta_system" PASSWORD DISABLE CREATEDB']]);
    expect(f.submitted.filter((s) => s.req.Parameters).map((s) => [s.req.Sql, s.req.Parameters, s.req.Database])).toEqual([
      [EXISTS_SQL.role, [{ name: 'name', value: 'immuta_exemption' }], 'dev'],
      [EXISTS_SQL.database, [{ name: 'name', value: 'immuta' }], 'dev'],
      [EXISTS_SQL.user, [{ name: 'name', value: 'immuta_system' }], 'dev'],
    ]);
  });

  test('delete runs the revoke steps; a DROP of an object already gone is skipped', async () => {
    const f = fakeCalls({ exists: new Set() });
    await runUnit(event(input('role/immuta_exemption', { consent: { field: 'immuta.allowDestroy', allowDestroy: true } }), 'delete'), { dataApi: f.dataApi, readSecret });
    expect(f.changes()).toEqual([]);
    const g = fakeCalls({ exists: new Set(['immuta_system']) });
    await runUnit(event(input('user/immuta_system', { consent: { field: 'immuta.allowDestroy', allowDestroy: true } }), 'delete'), { dataApi: g.dataApi, readSecret });
    expect(g.changes().map((s) => s.req.Sqls)).toEqual([['DROP USER IF EXISTS "immuta_system"']]);
    // The user's checks ran first, in the connect database and in every database it works in.
    expect(g.submitted.filter((s) => /FROM pg_namespace n WHERE n.nspowner/.test(s.req.Sql ?? '')).map((s) => s.req.Database)).toEqual(['dev', 'marketing', 'sales']);
  });

  test('a revoke whose check finds something runs nothing and names what blocks it', async () => {
    const f = fakeCalls({
      exists: new Set(['immuta_system']),
      rows: (sql, db) => (db === 'sales' && sql.includes('nspowner') ? [{ object_type: 'table', schema_name: 'public', object_name: 'immuta_policy_state' }] : []),
    });
    const run = runUnit(event(input('user/immuta_system', { consent: { field: 'immuta.allowDestroy', allowDestroy: true } }), 'delete'), { dataApi: f.dataApi, readSecret });
    await expect(run).rejects.toThrow(/unit user\/immuta_system \(revoke\) on cluster analytics-dev: .*immuta_system.*\n  table public immuta_policy_state/s);
    expect(f.changes()).toEqual([]);
  });

  test('a grant Immuta made onward stops the revoke of its schema unit with the grant named', async () => {
    const f = fakeCalls({ rows: (sql, db) => (db === 'sales' && sql.includes('relacl') ? [{ schema_name: 'public', table_name: 'orders', acl: 'analyst=r/immuta_system' }] : []) });
    await expect(runUnit(event(input('immuta/sales/public'), 'delete'), { dataApi: f.dataApi, readSecret })).rejects.toThrow(/unit immuta\/sales\/public \(revoke\).*\n  public orders analyst=r\/immuta_system/s);
    expect(f.changes()).toEqual([]);
  });

  test('delete of a unit without consent is refused before any SQL, naming the field and the way out', async () => {
    const f = fakeCalls({ exists: new Set(['immuta_system']) });
    const ev = event(input('user/immuta_system', { consent: { field: 'immuta.allowDestroy', allowDestroy: false } }), 'delete');
    await expect(runUnit(ev, { dataApi: f.dataApi, readSecret })).rejects.toThrow(
      'unit user/immuta_system on cluster analytics-dev drops what the stack created and immuta.allowDestroy is false, so its revoke was refused. To remove it: put the block back as it was with immuta.allowDestroy: true, run the deploy (this runs no SQL), then remove it and deploy again.',
    );
    expect(f.submitted).toEqual([]);
  });

  test.each([
    ['the connection', (i: UnitInput): UnitInput => ({ ...i, connection: { ...connection, dbUser: undefined, secretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:admin' } })],
    ['the consent flag', (i: UnitInput): UnitInput => ({ ...i, consent: { field: 'immuta.allowDestroy', allowDestroy: true } })],
  ])('an update that changes only %s runs no SQL', async (_, edit) => {
    const f = fakeCalls();
    const prev = input('user/immuta_system', { consent: { field: 'immuta.allowDestroy', allowDestroy: false } });
    expect((await runUnit(event(edit(prev), 'update', prev), { dataApi: f.dataApi, readSecret })).ran).toEqual([]);
    expect(f.submitted).toEqual([]);
  });

  test('an update of what the unit does runs the old revoke, then the new apply', async () => {
    const f = fakeCalls();
    const prev = input('immuta/sales/finance');
    const next: UnitInput = { ...prev, unit: { ...prev.unit, apply: [{ sql: 'GRANT USAGE ON SCHEMA "finance" TO "immuta_system"' }], revoke: [{ sql: 'REVOKE USAGE ON SCHEMA "finance" FROM "immuta_system"' }] } };
    expect((await runUnit(event(next, 'update', prev), { dataApi: f.dataApi, readSecret })).ran).toEqual(['revoke', 'apply']);
    expect(f.changes().map((s) => s.req.Sqls)).toEqual([prev.unit.revoke.map((s) => s.sql), ['GRANT USAGE ON SCHEMA "finance" TO "immuta_system"']]);
  });

  test('the password unit sends the md5 form of the secret; a version bump re-runs only its apply', async () => {
    const pw = (version: number) => input('password/immuta_system', { password: { user: 'immuta_system', secretArn: SECRET, version } });
    expect(pw(1).unit.apply).toEqual([{ sql: `ALTER USER "immuta_system" PASSWORD '${PASSWORD_SLOT}'` }]);
    const f = fakeCalls();
    await runUnit(event(pw(1), 'create'), { dataApi: f.dataApi, readSecret });
    expect((await runUnit(event(pw(2), 'update', pw(1)), { dataApi: f.dataApi, readSecret })).ran).toEqual(['apply']);
    const form = md5Form('S3cretPassw0rd', 'immuta_system');
    expect(form).toMatch(/^md5[0-9a-f]{32}$/);
    expect(f.changes().map((s) => s.req.Sqls)).toEqual([[`ALTER USER "immuta_system" PASSWORD '${form}'`], [`ALTER USER "immuta_system" PASSWORD '${form}'`]]);
  });

  test('an error that echoes the statement does not carry the md5 form', async () => {
    const form = md5Form('S3cretPassw0rd', 'immuta_system');
    const f = fakeCalls({ statuses: [{ Status: 'FAILED', Error: `ERROR: syntax error at or near '${form}'` }] });
    const ev = event(input('password/immuta_system', { password: { user: 'immuta_system', secretArn: SECRET, version: 1 } }), 'create');
    const error = await runUnit(ev, { dataApi: f.dataApi, readSecret }).catch((e: Error) => e.message);
    expect(error).toContain("unit password/immuta_system (apply) on cluster analytics-dev: Redshift Data API statement s1 FAILED: ERROR: syntax error at or near 'md5<redacted>'");
    expect(error).not.toContain(form.slice(3));
  });

  test('an invocation without tf.action is refused', async () => {
    await expect(runUnit(input('exempt/etl_admin'), { dataApi: fakeCalls().dataApi, readSecret })).rejects.toThrow(/lifecycle_scope = "CRUD"/);
  });
});

describe('drift audit', () => {
  const expected = redshiftExpectation('dev/analytics-dev', plan.adminDatabase, plan.units);
  const tables: TableListing = { sales: { public: ['customers', 'orders'], finance: ['invoices', 'payments'], staging: ['stage_orders'] }, marketing: { campaigns: ['campaigns'] } };
  const audit = (state: ReturnType<typeof catalogMatching>) => auditRedshiftCluster(async (q, db) => catalogAnswers(state)(q, db)!, expected);

  test('the expectation covers what the units grant', () => {
    expect(expected).toMatchObject({
      databases: ['immuta'], users: ['immuta_system', 'informatica_loader'], roles: ['immuta_exemption'],
      temp: expect.arrayContaining([{ database: 'sales', grantee: { type: 'public', name: 'public' }, granted: false }, { database: 'sales', grantee: { type: 'group', name: 'etl' }, granted: true }]),
    });
    expect(expected.memberships).toContainEqual({ role: 'sys:secadmin', user: 'immuta_system' });
  });

  test('a catalog that matches gives no finding', async () => {
    expect(await audit(catalogMatching(expected, tables))).toEqual([]);
  });

  test.each(DRIFTS.map((d) => [d.name, d] as const))('%s gives a finding naming it', async (_, drift) => {
    const state = catalogMatching(expected, tables);
    drift.apply(state);
    const findings = await audit(state);
    expect(findingLines(findings)).toEqual([`${drift.names} (dev/analytics-dev)`]);
  });

  test('a member of a role the stack creates that the estate does not list is extra; so is a privilege beyond the estate', async () => {
    const state = catalogMatching(expected, tables);
    state.userGrants.push({ user_name: 'mallory', role_name: 'immuta_exemption' });
    state.relationPrivileges.sales.push({ namespace_name: 'staging', relation_name: 'stage_orders', privilege_type: 'TRUNCATE', identity_name: 'informatica_loader', identity_type: 'user', admin_option: false });
    expect(findingLines(await audit(state))).toEqual([
      'extra: TRUNCATE on table sales.staging.stage_orders is granted to user informatica_loader, beyond what the estate grants (dev/analytics-dev)',
      'extra: user mallory is a member of role immuta_exemption, which the estate does not list (dev/analytics-dev)',
    ]);
  });

  test('the handler runs the audit through the Data API in the right databases and returns a readable report', async () => {
    const state = catalogMatching(expected, tables);
    DRIFTS[0].apply(state);
    const f = fakeCalls({ rows: (q, db) => catalogAnswers(state)(q, db) ?? [] });
    const ev: AuditInput = { mode: 'audit', connection, expected };
    const result = await handle(ev, { dataApi: f.dataApi, readSecret });
    expect(result).toEqual({ findings: [expect.objectContaining({ kind: 'missing', object: 'table sales.finance.invoices' })], report: `${DRIFTS[0].names} (dev/analytics-dev)` });
    expect([...new Set(f.submitted.map((s) => s.req.Database))].sort()).toEqual(['dev', 'marketing', 'sales']);
    expect(f.submitted.every((s) => s.req.StatementName === 'terraform:audit' && s.op === 'execute')).toBe(true);
  });

  test('a catalog the function cannot read becomes the report, so the plan warns instead of failing', async () => {
    const f = fakeCalls({ statuses: [{ Status: 'FAILED', Error: 'ERROR: permission denied for relation svv_roles' }] });
    const calls = { ...f.calls, executeStatement: async (req: SubmitRequest) => ({ Id: (await f.calls.batchExecuteStatement(req)).Id }) };
    const result = await handle({ mode: 'audit', connection, expected }, { dataApi: new DataApi(calls), readSecret });
    expect(result).toEqual({ findings: [], report: 'the drift check could not read the catalog: drift check of cluster analytics-dev: Redshift Data API statement s1 FAILED: ERROR: permission denied for relation svv_roles' });
  });
});
