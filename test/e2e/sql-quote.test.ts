/**
 * sql/quote.ts against a real PostgreSQL 16 parser: every quoted literal reads back as
 * the original text, and every quoted identifier names exactly the column it was given.
 * A quoting that forgot to double a quote would end the literal early and fail here.
 */
import { Client } from 'pg';
import { EmbeddedPostgres, startEmbeddedPostgres } from '../support/embedded-postgres';
import { quoteIdent, quoteLiteral } from '../../sql/quote';

const LITERALS = ["it's", "'", "''", "x'; SELECT 1; --", 'CREATE DATABASE "immuta"', '$$ body $$', 'Zoë 数据 😀', '', "end'"];
const IDENTIFIERS = ['immuta', '_private', 'a$b', 'x'.repeat(63)];

describe('quoting read back by PostgreSQL 16', () => {
  let server: EmbeddedPostgres;
  let client: Client;

  beforeAll(async () => {
    server = await startEmbeddedPostgres({ majorVersion: 16 });
    client = await server.connect();
  });
  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  test('literals round-trip unchanged, one row and one column each', async () => {
    // Simple query protocol: the text is parsed as written, as psql would send it.
    const sql = `SELECT ${LITERALS.map((v, i) => `${quoteLiteral(v)} AS v${i}`).join(', ')}`;
    const res = await client.query({ text: sql, rowMode: 'array' });
    expect(res.rows).toEqual([LITERALS]);
  });

  test('identifiers name the column exactly', async () => {
    const sql = `SELECT ${IDENTIFIERS.map((n, i) => `${i} AS ${quoteIdent(n)}`).join(', ')}`;
    const res = await client.query(sql);
    expect(res.fields.map((f) => f.name)).toEqual(IDENTIFIERS);
  });
});
