import { SQL_IDENTIFIER_MAX_LENGTH, SQL_IDENTIFIER_PATTERN } from '../../estate/names';
import { SUPPORTED_POSTGRES_MAJOR_VERSIONS } from '../../estate/rules';
import { PostgresServer } from '../../estate/schema';
import { isAwsDeployment } from './connection';

/**
 * The rules a server must meet before anything is rendered from it. The estate schema
 * enforces them on files; constructs and renderers can be handed a server built in
 * code, so they check again and name the field that is wrong.
 */
export interface PostgresServerProblem {
  /** Path of the offending field inside the server, e.g. immuta.protect[0].schemas[1]. */
  readonly field: string;
  readonly rule: string;
}

const identifierRule = `must be a lower-case SQL identifier of at most ${SQL_IDENTIFIER_MAX_LENGTH} characters matching ${SQL_IDENTIFIER_PATTERN}`;

function isIdentifier(name: unknown): boolean {
  return typeof name === 'string' && SQL_IDENTIFIER_PATTERN.test(name) && name.length <= SQL_IDENTIFIER_MAX_LENGTH;
}

export function postgresServerProblems(server: PostgresServer): PostgresServerProblem[] {
  const problems: PostgresServerProblem[] = [];
  const check = (ok: boolean, field: string, rule: string) => { if (!ok) problems.push({ field, rule }); };
  const ident = (name: unknown, field: string) => check(isIdentifier(name), field, identifierRule);

  check(SUPPORTED_POSTGRES_MAJOR_VERSIONS.includes(server.majorVersion), 'majorVersion',
    `must be one of ${SUPPORTED_POSTGRES_MAJOR_VERSIONS.join(', ')} (Immuta supports PostgreSQL 16 and 17, Immuta's PostgreSQL requirements); got ${server.majorVersion}`);
  ident(server.adminUsername, 'adminUsername');
  check(!server.adminIamAuth || isAwsDeployment(server), 'adminIamAuth', 'IAM login exists only for rds and aurora deployments');
  const im = server.immuta;
  if (!im) {
    problems.push({ field: 'immuta', rule: 'is required: it says what Immuta needs on this server' });
    return problems;
  }
  ident(im.database, 'immuta.database');
  ident(im.systemRole, 'immuta.systemRole');
  if (im.authentication !== 'password') {
    check(isAwsDeployment(server), 'immuta.authentication', `${im.authentication} is offered only for rds and aurora deployments (Immuta's PostgreSQL requirements)`);
    check(!!server.resourceId, 'resourceId', `is required for ${im.authentication} authentication: rds-db:connect is granted on dbuser:<resourceId>/<user> (Immuta's PostgreSQL requirements)`);
  }
  check(im.protect.length > 0, 'immuta.protect', 'must list at least one protected database');
  im.protect.forEach((db, i) => {
    const at = `immuta.protect[${i}]`;
    ident(db.database, `${at}.database`);
    check(db.database !== im.database, `${at}.database`, 'must not be the Immuta database');
    check(db.schemas.length > 0, `${at}.schemas`, 'must list at least one schema');
    db.schemas.forEach((s, j) => {
      ident(s.name, `${at}.schemas[${j}].name`);
      s.tables?.forEach((t, k) => ident(t, `${at}.schemas[${j}].tables[${k}]`));
    });
    db.tableOwners?.forEach((o, k) => ident(o, `${at}.tableOwners[${k}]`));
  });
  return problems;
}

/** Throws one Error listing every problem, each prefixed with `what` (who asks). */
export function assertPostgresServer(server: PostgresServer, what: string, prefix = 'server'): void {
  const problems = postgresServerProblems(server);
  if (problems.length > 0) {
    throw new Error(`${what}: ${problems.map((p) => `${prefix}.${p.field} ${p.rule}`).join('; ')}`);
  }
}
