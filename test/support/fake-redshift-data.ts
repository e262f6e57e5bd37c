/**
 * A recording stand-in for the Redshift Data API (there is no Redshift here and moto cannot
 * serve it): a local HTTP server speaking the API's JSON protocol, which the runner
 * handler's SDK client reaches through an endpoint override. It records every request,
 * keeps the users, roles and databases the statements create and drop, answers the
 * handler's catalog queries (existence checks from that state, the audit's views from a
 * fixture the test sets) and fails statements on demand.
 */
import * as http from 'http';
import { serveOnLoopback } from './local-server';
import { CatalogRow } from '../../audit/redshift';
import { EXISTS_SQL } from '../../functions/redshift-runner/unit-lifecycle';

export interface DataApiRequest {
  readonly operation: 'ExecuteStatement' | 'BatchExecuteStatement';
  readonly clusterIdentifier: string;
  readonly database: string;
  readonly dbUser?: string;
  readonly secretArn?: string;
  readonly statementName?: string;
  readonly sqls: string[];
  readonly parameters?: Record<string, string>;
}

/** Answers a catalog query the fake does not keep itself; undefined: not a known query. */
export type CatalogFixture = (sql: string, database: string) => CatalogRow[] | undefined;

export interface FakeRedshiftData {
  readonly endpoint: string;
  /** Every ExecuteStatement and BatchExecuteStatement, oldest first. */
  readonly requests: DataApiRequest[];
  readonly users: Set<string>;
  readonly roles: Set<string>;
  readonly databases: Set<string>;
  /** The audit's views. */
  fixture: CatalogFixture;
  /**
   * Rows a unit's preflight check finds (owned objects, onward grants, role holders): what
   * blocks a revoke. Default: nothing blocks.
   */
  blockers: (sql: string, database: string) => CatalogRow[];
  /** Makes a statement FAILED (the whole batch rolls back) when it returns an error text. */
  failWhen: (sql: string) => string | undefined;
  stop(): Promise<void>;
}

interface Statement {
  status: 'FINISHED' | 'FAILED';
  error?: string;
  rows?: CatalogRow[];
}

/** The catalog reads of sql/redshift.ts's preflight checks (renderPreflight). */
const PREFLIGHT = /relacl|nspowner|granted_role_name/;
const CREATE_DROP = /^(CREATE|DROP) (USER|ROLE|DATABASE) (IF EXISTS )?"([a-z0-9_$]+)"/;

export async function startFakeRedshiftData(seed: { databases: string[]; users?: string[] }): Promise<FakeRedshiftData> {
  const statements = new Map<string, Statement>();
  const fake: Omit<FakeRedshiftData, 'endpoint' | 'stop'> = {
    requests: [],
    users: new Set(seed.users ?? []),
    roles: new Set(),
    databases: new Set(seed.databases),
    fixture: () => undefined,
    blockers: () => [],
    failWhen: () => undefined,
  };
  const sets = { USER: fake.users, ROLE: fake.roles, DATABASE: fake.databases };

  const query = (sql: string, database: string, params: Record<string, string>): CatalogRow[] => {
    if (sql === EXISTS_SQL.user) return fake.users.has(params.name) ? [{ usename: params.name }] : [];
    if (sql === EXISTS_SQL.role) return fake.roles.has(params.name) ? [{ role_name: params.name }] : [];
    if (sql === EXISTS_SQL.database) return fake.databases.has(params.name) ? [{ datname: params.name }] : [];
    if (PREFLIGHT.test(sql)) return fake.blockers(sql, database);
    const rows = fake.fixture(sql, database);
    if (!rows) throw new Error(`fake Data API: no answer for query ${JSON.stringify(sql)} in ${database}`);
    return rows;
  };

  const execute = (req: DataApiRequest): Statement => {
    for (const sql of req.sqls) {
      const error = fake.failWhen(sql);
      if (error) return { status: 'FAILED', error };
    }
    if (req.sqls.length === 1 && /^SELECT /.test(req.sqls[0])) {
      try {
        return { status: 'FINISHED', rows: query(req.sqls[0], req.database, req.parameters ?? {}) };
      } catch (e) {
        return { status: 'FAILED', error: (e as Error).message };
      }
    }
    for (const sql of req.sqls) {
      const m = CREATE_DROP.exec(sql);
      if (!m) continue;
      const set = sets[m[2] as keyof typeof sets];
      if (m[1] === 'CREATE' && set.has(m[4])) return { status: 'FAILED', error: `ERROR: ${m[2].toLowerCase()} "${m[4]}" already exists` };
      if (m[1] === 'DROP' && !m[3] && !set.has(m[4])) return { status: 'FAILED', error: `ERROR: ${m[2].toLowerCase()} "${m[4]}" does not exist` };
    }
    // Applied only when every statement succeeded: a batch is one transaction.
    for (const sql of req.sqls) {
      const m = CREATE_DROP.exec(sql);
      if (m) (m[1] === 'CREATE' ? sets[m[2] as keyof typeof sets].add(m[4]) : sets[m[2] as keyof typeof sets].delete(m[4]));
    }
    return { status: 'FINISHED' };
  };

  const answer = (target: string, body: Record<string, unknown>): [number, unknown] => {
    switch (target) {
      case 'RedshiftData.ExecuteStatement':
      case 'RedshiftData.BatchExecuteStatement': {
        const batch = target.endsWith('BatchExecuteStatement');
        const req: DataApiRequest = {
          operation: batch ? 'BatchExecuteStatement' : 'ExecuteStatement',
          clusterIdentifier: body.ClusterIdentifier as string,
          database: body.Database as string,
          ...(body.DbUser ? { dbUser: body.DbUser as string } : {}),
          ...(body.SecretArn ? { secretArn: body.SecretArn as string } : {}),
          ...(body.StatementName ? { statementName: body.StatementName as string } : {}),
          sqls: batch ? (body.Sqls as string[]) : [body.Sql as string],
          ...(body.Parameters ? { parameters: Object.fromEntries((body.Parameters as { name: string; value: string }[]).map((p) => [p.name, p.value])) } : {}),
        };
        fake.requests.push(req);
        const id = `stmt-${fake.requests.length}`;
        statements.set(id, execute(req));
        return [200, { Id: id, ClusterIdentifier: req.clusterIdentifier, Database: req.database }];
      }
      case 'RedshiftData.DescribeStatement': {
        const s = statements.get(body.Id as string);
        if (!s) return [400, { __type: 'ResourceNotFoundException', Message: `no statement ${body.Id}` }];
        return [200, { Id: body.Id, Status: s.status, ...(s.error ? { Error: s.error } : {}), HasResultSet: s.rows !== undefined }];
      }
      case 'RedshiftData.GetStatementResult': {
        const rows = statements.get(body.Id as string)?.rows ?? [];
        const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
        return [200, {
          ColumnMetadata: names.map((name) => ({ name })),
          Records: rows.map((r) => names.map((n) => field(r[n]))),
          TotalNumRows: rows.length,
        }];
      }
      default:
        return [400, { __type: 'UnknownOperationException', Message: `fake Data API does not serve ${target}` }];
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [status, payload] = answer(String(req.headers['x-amz-target'] ?? ''), JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(payload));
    });
  });
  return Object.assign(fake, await serveOnLoopback(server));
}

function field(v: CatalogRow[string] | undefined): Record<string, unknown> {
  if (v === null || v === undefined) return { isNull: true };
  if (typeof v === 'boolean') return { booleanValue: v };
  if (typeof v === 'number') return { longValue: v };
  return { stringValue: v };
}
