import { parseEstate } from '../../estate/load';
import { Estate } from '../../estate/schema';

/**
 * Synthetic estates for the benchmark: one environment with one RDS PostgreSQL server
 * and one Redshift cluster, both protected by Immuta, plus the AWS parts (Immuta's
 * assumed role, the Redshift service role, Informatica staging). Only the shape grows
 * with the options; every name is derived from an index so runs are reproducible.
 */
export interface BenchEstateShape {
  /** Protected databases, on the PostgreSQL server and on the Redshift cluster alike. */
  readonly databases: number;
  /** PostgreSQL: protected schemas per database. */
  readonly pgSchemas: number;
  /** PostgreSQL: how many of those schemas list their tables (the rest are whole schemas). */
  readonly pgListedSchemas: number;
  /** PostgreSQL: tables listed per listed schema. */
  readonly pgTables: number;
  /** Redshift: protected schemas per database (fewer than on PostgreSQL). */
  readonly rsSchemas: number;
  readonly rsListedSchemas: number;
  /**
   * Redshift: tables listed per listed schema. At most 40: masking runs one statement per
   * listed table in one Data API batch (model/redshift/plan.ts, DATA_API_MAX_BATCH).
   */
  readonly rsTables: number;
}

export const DEFAULT_SHAPE: Omit<BenchEstateShape, 'databases'> = {
  pgSchemas: 5,
  pgListedSchemas: 3,
  pgTables: 40,
  rsSchemas: 2,
  rsListedSchemas: 1,
  rsTables: 4,
};

export function benchShape(databases: number, overrides: Partial<BenchEstateShape> = {}): BenchEstateShape {
  return { ...DEFAULT_SHAPE, databases, ...overrides };
}

/** The same shape with `factor` times the listed tables per schema. */
export function withMoreTables(shape: BenchEstateShape, factor: number): BenchEstateShape {
  return { ...shape, pgTables: shape.pgTables * factor, rsTables: shape.rsTables * factor };
}

/** The same shape with `factor` times the protected schemas per database. */
export function withMoreSchemas(shape: BenchEstateShape, factor: number): BenchEstateShape {
  return {
    ...shape,
    pgSchemas: shape.pgSchemas * factor,
    pgListedSchemas: shape.pgListedSchemas * factor,
    rsSchemas: shape.rsSchemas * factor,
    rsListedSchemas: shape.rsListedSchemas * factor,
  };
}

/** Protected schemas in the estate, PostgreSQL and Redshift together. */
export function protectedSchemaCount(shape: BenchEstateShape): number {
  return shape.databases * (shape.pgSchemas + shape.rsSchemas);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Protected schemas of one database: the first `listed` name their tables, the rest are whole. */
function schemas(count: number, listed: number, tables: number) {
  return Array.from({ length: count }, (_, s) => {
    const name = `schema_${pad(s, 2)}`;
    return s < listed ? { name, tables: Array.from({ length: tables }, (_t, t) => `table_${pad(t, 4)}`) } : name;
  });
}

/** A change to one protected database of one plane: what a typical pull request does. */
export interface OneDatabaseChange {
  readonly plane: 'postgres' | 'redshift';
  /** add-database: one more database; add-schema: one more whole schema in an existing database. */
  readonly kind: 'add-database' | 'add-schema';
}

export const ONE_DATABASE_CHANGES: readonly OneDatabaseChange[] = [
  { plane: 'postgres', kind: 'add-database' },
  { plane: 'postgres', kind: 'add-schema' },
  { plane: 'redshift', kind: 'add-database' },
  { plane: 'redshift', kind: 'add-schema' },
];

/**
 * The database a change touches: the middle one, and an added database sorts right after it,
 * so neither the first nor the last name is special.
 */
export const changedDatabaseIndex = (shape: BenchEstateShape) => Math.floor((shape.databases - 1) / 2);
const database = (d: number) => `db_${pad(d, 4)}`;
export const addedDatabaseName = (shape: BenchEstateShape) => `${database(changedDatabaseIndex(shape))}_added`;

function protect(shape: BenchEstateShape, count: number, listed: number, tables: number, change?: OneDatabaseChange['kind']) {
  const at = changedDatabaseIndex(shape);
  return Array.from({ length: shape.databases }, (_, d) => [
    { database: database(d), schemas: schemas(count + (change === 'add-schema' && d === at ? 1 : 0), listed, tables) },
    ...(change === 'add-database' && d === at ? [{ database: addedDatabaseName(shape), schemas: schemas(count, listed, tables) }] : []),
  ]).flat();
}

/** The estate document, before validation (what an estate file would hold), with `change` made. */
export function benchEstateDocument(shape: BenchEstateShape, change?: OneDatabaseChange): Record<string, unknown> {
  const kind = (plane: OneDatabaseChange['plane']) => (change?.plane === plane ? change.kind : undefined);
  const region = 'us-east-1';
  const accountId = '111122223333';
  return {
    environments: {
      bench: {
        aws: { accountId, region },
        backend: { type: 's3', bucket: 'bench-terraform-state', keyPrefix: 'governance/bench', region },
        postgres: [{
          id: 'bench-pg',
          deployment: 'rds',
          majorVersion: 16,
          host: 'bench-pg.abcdefghijkl.us-east-1.rds.amazonaws.com',
          resourceId: 'db-BENCHABCDEFGHIJKLMNOPQRST1',
          adminUsername: 'dbadmin',
          immuta: {
            displayName: 'bench_postgres',
            systemRole: 'immuta_system',
            authentication: 'aws-assumed-role',
            immutaAwsAccountId: '444455556666',
            externalId: 'immuta-bench-external-id',
            protect: protect(shape, shape.pgSchemas, shape.pgListedSchemas, shape.pgTables, kind('postgres')),
            userMappings: [{ immutaUser: 'alice@example.com', postgres: { username: 'alice' } }],
          },
        }],
        redshift: [{
          id: 'bench-rs',
          endpoint: 'bench-rs.c1abc2def3gh.us-east-1.redshift.amazonaws.com',
          database: 'dev',
          // The admin secret: with admin.dbUser, 1,000 databases would not fit the runner role's IAM policy quota.
          admin: { secretArn: `arn:aws:secretsmanager:${region}:${accountId}:secret:bench/redshift-admin-AbCdEf` },
          serviceRole: { name: 'BenchRedshiftCopyUnload', regions: [region] },
          immuta: {
            displayName: 'bench_redshift',
            systemUser: 'immuta_system',
            authentication: 'password',
            protect: protect(shape, shape.rsSchemas, shape.rsListedSchemas, shape.rsTables, kind('redshift')),
            exemptUsers: ['etl_admin'],
            userMappings: [{ immutaUser: 'alice@example.com', redshiftUser: 'alice' }],
          },
          informatica: {
            authentication: 'iam',
            stagingBucket: 'bench-informatica-staging',
            serverSideEncryption: 'kms',
            clientSideEncryption: true,
            temp: { database: 'dev', users: ['informatica_loader'], groups: ['etl'] },
            connectorUser: { name: 'informatica_loader', schemas: [{ database: 'dev', schema: 'staging' }] },
          },
        }],
      },
    },
  };
}

export function changeLabel(change: OneDatabaseChange): string {
  const plane = change.plane === 'postgres' ? 'PostgreSQL' : 'Redshift';
  return change.kind === 'add-database' ? `${plane}: add a protected database` : `${plane}: add a schema to a protected database`;
}

/** A validated estate: the benchmark only ever measures estates the schema accepts. */
export function benchEstate(shape: BenchEstateShape, change?: OneDatabaseChange): Estate {
  return parseEstate(benchEstateDocument(shape, change), `bench estate (${shape.databases} databases${change ? `, ${changeLabel(change)}` : ''})`);
}
