import { SQL_IDENTIFIER_MAX_LENGTH, SQL_IDENTIFIER_PATTERN } from '../estate/names';

/**
 * The one place SQL text is built from estate values, for both dialects (PostgreSQL and
 * Redshift quote identifiers and literals the same way). The estate schema already
 * rejects unsafe names; these functions refuse them again so a renderer called with
 * unvalidated input fails instead of producing injectable SQL.
 */
export function quoteIdent(name: string): string {
  if (!SQL_IDENTIFIER_PATTERN.test(name) || name.length > SQL_IDENTIFIER_MAX_LENGTH) {
    throw new Error(`refusing to quote SQL identifier ${JSON.stringify(name)}: must match ${SQL_IDENTIFIER_PATTERN} and be at most ${SQL_IDENTIFIER_MAX_LENGTH} characters`);
  }
  return `"${name}"`;
}

/** A qualified name such as "schema"."table". */
export function quoteQualified(...parts: string[]): string {
  return parts.map(quoteIdent).join('.');
}

/** A string literal; standard_conforming_strings is on in every supported version. */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('refusing to quote a SQL literal containing NUL');
  return `'${value.replace(/'/g, "''")}'`;
}
