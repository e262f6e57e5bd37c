import { SQL_IDENTIFIER_MAX_LENGTH, SQL_IDENTIFIER_PATTERN } from '../estate/names';

/**
 * The one place SQL text is built from estate values, for both dialects (PostgreSQL and
 * Redshift quote identifiers and literals the same way). The estate schema already
 * rejects unsafe names; these functions refuse them again so a renderer called with
 * unvalidated input fails instead of producing injectable SQL.
 */

/**
 * A double-quoted identifier. Only the estate's identifier form is accepted (lower case
 * ASCII letters, digits, `_` and `$`, at most 63 characters): no quote to escape, and the
 * same object on both engines, which fold or truncate anything else differently.
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

/**
 * Characters no literal may hold. A backslash: PostgreSQL (standard_conforming_strings on,
 * the default since 9.1) keeps it as is, Redshift reads it as an escape, so no one quoting
 * is right for both. NUL and other control characters: PostgreSQL refuses NUL in text, and
 * the rest would end up unseen in reviewed scripts. A lone UTF-16 surrogate: it has no
 * UTF-8 form, so the text sent would not be the text quoted.
 */
const UNQUOTABLE_IN_LITERAL = /[\\\u0000-\u001f\u007f]|[\ud800-\udfff]/u;

/** A string literal: single quotes doubled, anything in UNQUOTABLE_IN_LITERAL refused. */
export function quoteLiteral(value: string): string {
  const bad = UNQUOTABLE_IN_LITERAL.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new Error(`refusing to quote SQL literal ${JSON.stringify(value)}: it contains U+${code}; backslashes, control characters and unpaired surrogates cannot be quoted the same way for PostgreSQL and Redshift`);
  }
  return `'${value.replace(/'/g, "''")}'`;
}
