/**
 * The table privileges Immuta needs WITH GRANT OPTION on both engines (Immuta's Redshift and
 * PostgreSQL requirements), in one order for statements, resources and the audit. Named one
 * by one, never ALL: on PostgreSQL 17 ALL also means MAINTAIN, which Immuta does not need and
 * which the provider reads back as perpetual drift.
 */
export const IMMUTA_TABLE_PRIVILEGES = ['DELETE', 'INSERT', 'SELECT', 'TRUNCATE', 'UPDATE'] as const;
