/**
 * sql/quote.ts, the one escaping boundary for SQL text: exact output for what it accepts,
 * and refusal of what it cannot quote safely for both PostgreSQL and Redshift. The
 * literal round trip through a real PostgreSQL parser is in test/e2e/sql-quote.test.ts.
 */
import { quoteIdent, quoteLiteral, quoteQualified } from '../../sql/quote';

/**
 * Reads one standard SQL string literal from the start of `sql` (a quote, then any text in
 * which a quote is written twice, then a quote) and returns its value and what follows.
 */
function scanLiteral(sql: string): { value: string; rest: string } {
  if (sql[0] !== "'") throw new Error(`not a literal: ${sql}`);
  let value = '';
  for (let i = 1; i < sql.length; i++) {
    if (sql[i] !== "'") value += sql[i];
    else if (sql[i + 1] === "'") value += "'", i++;
    else return { value, rest: sql.slice(i + 1) };
  }
  throw new Error(`unterminated literal: ${sql}`);
}

describe('quoteLiteral', () => {
  test.each([
    ['plain', "'plain'"],
    ['', "''"],
    ["it's", "'it''s'"],
    ["'", "''''"],
    ["''", "''''''"],
    ["x'; DROP ROLE immuta; --", "'x''; DROP ROLE immuta; --'"],
    ['MASKING ON FOR DATASHARES', "'MASKING ON FOR DATASHARES'"],
    ['CREATE DATABASE "immuta"', `'CREATE DATABASE "immuta"'`],
    ['$$ body $$', "'$$ body $$'"],
    ['Zoë 数据 😀', "'Zoë 数据 😀'"],
  ])('%j is quoted as %s', (value, quoted) => {
    expect(quoteLiteral(value)).toBe(quoted);
  });

  test('every accepted value reads back as itself and ends the literal exactly where the quoting does', () => {
    for (const value of ["a'b", "'''", "';--", "end'", "'start", 'tab-free text', 'ünïcödé ’quotes’ ‘curly’', '𝔘𝔫𝔦']) {
      const quoted = quoteLiteral(value);
      expect(scanLiteral(`${quoted} AND true`)).toEqual({ value, rest: ' AND true' });
    }
  });

  test.each([
    ['a backslash (Redshift reads it as an escape, PostgreSQL does not)', 'C:\\temp', 'U+005C'],
    ['a trailing backslash, which would swallow the closing quote on Redshift', "x\\", 'U+005C'],
    ['NUL', 'a\u0000b', 'U+0000'],
    ['a newline', 'line\nbreak', 'U+000A'],
    ['a carriage return', 'a\rb', 'U+000D'],
    ['a tab', 'a\tb', 'U+0009'],
    ['an escape character', 'a\u001b[31mred', 'U+001B'],
    ['DEL', 'a\u007fb', 'U+007F'],
    ['an unpaired high surrogate', 'a\ud83d', 'U+D83D'],
    ['an unpaired low surrogate', '\ude00b', 'U+DE00'],
  ])('refuses %s', (_what, value, code) => {
    expect(() => quoteLiteral(value)).toThrow(`contains ${code}`);
  });
});

describe('quoteIdent and quoteQualified', () => {
  test.each([
    ['immuta', '"immuta"'],
    ['_private', '"_private"'],
    ['sales_2024', '"sales_2024"'],
    ['a$b', '"a$b"'],
    ['x'.repeat(63), `"${'x'.repeat(63)}"`],
  ])('%s is quoted as %s', (name, quoted) => {
    expect(quoteIdent(name)).toBe(quoted);
  });

  test.each([
    ['an empty name', ''],
    ['a double quote', 'a"b'],
    ['a quote that would close the identifier', 'x"; DROP TABLE t; --'],
    ['a single quote', "o'brien"],
    ['a backslash', 'a\\b'],
    ['NUL', 'a\u0000'],
    ['a trailing newline', 'immuta\n'],
    ['a space', 'my table'],
    ['a dot, which would make two names', 'sales.orders'],
    ['upper case, folded differently by the two engines', 'Immuta'],
    ['non-ASCII letters', 'zoë'],
    ['a leading digit', '1abc'],
    ['a leading dollar', '$1'],
    ['64 characters, beyond what PostgreSQL keeps', 'x'.repeat(64)],
  ])('refuses %s', (_what, name) => {
    expect(() => quoteIdent(name)).toThrow('refusing to quote SQL identifier');
  });

  test('a qualified name quotes each part and refuses the whole when any part is unsafe', () => {
    expect(quoteQualified('sales', 'orders')).toBe('"sales"."orders"');
    expect(quoteQualified('db', 'sales', 'orders')).toBe('"db"."sales"."orders"');
    expect(() => quoteQualified('sales', 'orders"; --')).toThrow('refusing to quote SQL identifier');
  });
});
