/**
 * The Redshift Data API as the runner uses it: submit, poll with backoff until the
 * statement finishes or a bounded wait runs out, and read result sets. The calls go
 * through a small interface so the unit tests drive it without AWS.
 */
import { ClusterConnection, MAX_BATCH_STATEMENTS, MAX_STATEMENT_BYTES } from './contract';

export interface SubmitRequest {
  readonly ClusterIdentifier: string;
  readonly Database: string;
  readonly DbUser?: string;
  readonly SecretArn?: string;
  readonly StatementName: string;
  readonly Sql?: string;
  readonly Sqls?: string[];
  readonly Parameters?: { name: string; value: string }[];
}

export interface StatementStatus {
  readonly Status?: string;
  readonly Error?: string;
  readonly HasResultSet?: boolean;
}

export interface Field {
  readonly stringValue?: string;
  readonly longValue?: number;
  readonly booleanValue?: boolean;
  readonly doubleValue?: number;
  readonly isNull?: boolean;
}

export interface ResultPage {
  readonly Records?: Field[][];
  readonly ColumnMetadata?: { name?: string }[];
  readonly NextToken?: string;
}

/** The four Data API operations the runner needs. */
export interface DataApiCalls {
  executeStatement(req: SubmitRequest): Promise<{ Id?: string }>;
  batchExecuteStatement(req: SubmitRequest): Promise<{ Id?: string }>;
  describeStatement(id: string): Promise<StatementStatus>;
  getStatementResult(id: string, nextToken?: string): Promise<ResultPage>;
}

export type Row = Record<string, string | number | boolean | null>;

export interface PollOptions {
  /** Waits between polls: doubling from `firstDelayMs` up to `maxDelayMs`. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** Total wait for one statement before giving up (the function's timeout is the hard bound). */
  readonly maxWaitMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** 14 minutes: under the function's 15-minute timeout, so the error names the statement. */
export const DEFAULT_POLL: PollOptions = {
  firstDelayMs: 250,
  maxDelayMs: 5000,
  maxWaitMs: 14 * 60 * 1000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Where and as whom statements run, and how the Data API history names them. */
export interface Target {
  readonly connection: ClusterConnection;
  readonly database: string;
  /** Shown in the Data API history: `terraform:<unit key>` or `terraform:audit`. */
  readonly statementName: string;
  /** Prefixes every error, e.g. `unit immuta/sales/public`. */
  readonly label: string;
}

/** Splits statements into Data API batches of at most 40, refusing any statement over 100 KB. */
export function batches(label: string, sqls: readonly string[]): string[][] {
  sqls.forEach((sql, i) => {
    const bytes = Buffer.byteLength(sql, 'utf8');
    if (bytes > MAX_STATEMENT_BYTES) {
      throw new Error(`${label}: statement ${i + 1} is ${bytes} bytes; the Redshift Data API accepts at most ${MAX_STATEMENT_BYTES} bytes per statement`);
    }
  });
  const out: string[][] = [];
  for (let i = 0; i < sqls.length; i += MAX_BATCH_STATEMENTS) out.push(sqls.slice(i, i + MAX_BATCH_STATEMENTS));
  return out;
}

export class DataApi {
  constructor(private readonly calls: DataApiCalls, private readonly poll: PollOptions = DEFAULT_POLL) {}

  /**
   * Runs statements in order: transactional ones in batches of at most 40 (one transaction
   * each), the others one ExecuteStatement each (CREATE/DROP DATABASE cannot run in a
   * transaction). `redact` removes what must not appear in an error (the md5 form).
   */
  async run(target: Target, sqls: readonly string[], transactional: boolean, redact: (s: string) => string = (s) => s): Promise<number> {
    const groups = transactional ? batches(target.label, sqls) : batches(target.label, sqls).flat().map((s) => [s]);
    for (const [i, group] of groups.entries()) {
      const where = groups.length > 1 ? ` (${transactional ? 'batch' : 'statement'} ${i + 1} of ${groups.length})` : '';
      const submit = transactional
        ? this.calls.batchExecuteStatement({ ...base(target), Sqls: group })
        : this.calls.executeStatement({ ...base(target), Sql: group[0] });
      const id = await this.submitted(target, submit, where, redact);
      await this.finished(target, id, where, redact);
    }
    return groups.length;
  }

  /** Runs one query (with named parameters) and returns its rows keyed by column name. */
  async query(target: Target, sql: string, parameters: Record<string, string> = {}): Promise<Row[]> {
    const Parameters = Object.entries(parameters).map(([name, value]) => ({ name, value }));
    const id = await this.submitted(target, this.calls.executeStatement({ ...base(target), Sql: sql, ...(Parameters.length ? { Parameters } : {}) }), '', (s) => s);
    const status = await this.finished(target, id, '', (s) => s);
    if (status.HasResultSet === false) return [];
    const rows: Row[] = [];
    let token: string | undefined;
    do {
      const page = await this.calls.getStatementResult(id, token);
      const names = (page.ColumnMetadata ?? []).map((c) => c.name ?? '');
      for (const record of page.Records ?? []) rows.push(Object.fromEntries(record.map((f, i) => [names[i], value(f)])));
      token = page.NextToken;
    } while (token);
    return rows;
  }

  private async submitted(target: Target, call: Promise<{ Id?: string }>, where: string, redact: (s: string) => string): Promise<string> {
    try {
      const { Id } = await call;
      if (!Id) throw new Error('the Data API returned no statement id');
      return Id;
    } catch (e) {
      throw new Error(redact(`${target.label}${where}: the Redshift Data API refused the request: ${(e as Error).message}`));
    }
  }

  private async finished(target: Target, id: string, where: string, redact: (s: string) => string): Promise<StatementStatus> {
    let waited = 0;
    let delay = this.poll.firstDelayMs;
    for (;;) {
      const status = await this.calls.describeStatement(id);
      if (status.Status === 'FINISHED') return status;
      if (status.Status === 'FAILED' || status.Status === 'ABORTED') {
        throw new Error(redact(`${target.label}${where}: Redshift Data API statement ${id} ${status.Status}: ${status.Error ?? 'no error text'}`));
      }
      if (waited >= this.poll.maxWaitMs) {
        throw new Error(`${target.label}${where}: Redshift Data API statement ${id} still ${status.Status} after ${Math.round(waited / 1000)} s; it may still finish: the next apply runs the unit again`);
      }
      const wait = Math.min(delay, this.poll.maxWaitMs - waited);
      await this.poll.sleep(wait);
      waited += wait;
      delay = Math.min(delay * 2, this.poll.maxDelayMs);
    }
  }
}

function base(target: Target): SubmitRequest {
  const c = target.connection;
  return {
    ClusterIdentifier: c.clusterId,
    Database: target.database,
    ...(c.secretArn ? { SecretArn: c.secretArn } : { DbUser: c.dbUser }),
    StatementName: target.statementName,
  };
}

function value(f: Field): string | number | boolean | null {
  if (f.isNull) return null;
  return f.stringValue ?? f.longValue ?? f.booleanValue ?? f.doubleValue ?? null;
}
